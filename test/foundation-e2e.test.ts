/**
 * The foundation end to end: the real wx-server-sdk, inside a BUILT cloud function run by the emulator's runner in
 * its own process, reads and writes the database and calls the Live APIs through the project's typed client, and
 * gets the results and errors CloudBase and WeChat give. The same Live account answers over HTTPS with an access
 * token, and the mini-program's channel enforces the security rules in database/.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import path from 'node:path'
import tcb from '@cloudbase/node-sdk'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { adminSdkConfig, silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { SANDBOX_APPID, SANDBOX_SECRET } from '../emulator/sandbox/sandbox'
import { createWxCloud } from '../emulator/client/wx-cloud'
import { createHttpsTransport } from '../src/cloud/https-transport'
import { createLiveApi } from '../src/live/client'
import { WxApiError } from '../src/live/errors'
import { LiveStatus } from '../src/live/status'

const FIXTURES = path.resolve(__dirname, 'fixtures/e2e-functions')
const OUT = path.resolve(__dirname, '../node_modules/.cache/emulator', `e2e-${randomUUID().slice(0, 8)}`)
const T0 = 1_790_000_000 // 2026-09-21, a fixed instant so serverDate is checkable

let emu: Emulator

async function run(event: Record<string, unknown>, openid?: string): Promise<Record<string, any>> {
  const result = await emu.invokeFunction('probe', event, { openid })
  if (result.status !== 'ok') throw new Error(`probe ${JSON.stringify(event)} → ${result.status}: ${result.errorMessage}\n${result.logs.join('\n')}`)
  return result.result as Record<string, any>
}

async function control(method: string, route: string, body?: unknown) {
  const res = await fetch(`${emu.url}/__sandbox/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as any }
}

beforeAll(async () => {
  await buildFunctions({ root: FIXTURES, outRoot: OUT })
  emu = await startEmulator({ port: 0, functionsRoot: FIXTURES, builtRoot: OUT, databaseDir: path.resolve(__dirname, '../database') })
  silenceSdkPlatformProbe()
})

afterAll(async () => {
  await emu?.stop()
  rmSync(OUT, { recursive: true, force: true })
})

beforeEach(async () => {
  await emu.reset()
  emu.clock.freeze()
  emu.clock.set(T0)
})

describe('a built function with the real wx-server-sdk', () => {
  it('writes and reads the database: add, update operators, get, count, serverDate on the emulator clock', async () => {
    const admin = tcb.init(adminSdkConfig({ url: emu.url, envId: emu.envId })).database()
    await admin.createCollection('probe_items')
    const out = await run({ action: 'db' })
    expect(out).toMatchObject({ n: 3, tags: ['a', 'b'], atIsDate: true, count: 1 })
    expect(out.atIso).toBe(new Date(T0 * 1000).toISOString())
    // What the function wrote is what an administrator script reads back.
    const back = await admin.collection('probe_items').doc(out.id).get()
    expect(back.data[0]).toMatchObject({ n: 3, tags: ['a', 'b'] })
  })

  it('gets -502005 for a write to a collection that does not exist, as on CloudBase', async () => {
    const out = await run({ action: 'missingCollection' })
    expect(out.failed.errCode).toBe(-502005)
  })

  it('sees 9410000 for an account with no rooms, then the rooms newest start first once there are some', async () => {
    expect((await run({ action: 'listRooms' })).failed.errcode).toBe(9410000)
    emu.control.seedDemo()
    const out = await run({ action: 'listRooms' })
    const starts = emu.sandbox.truth().rooms
    expect(out.total).toBe(starts.length)
    expect(out.roomIds.length).toBe(Math.min(10, starts.length))
    const byId = new Map(starts.map((r: { roomId: number; startTime: number }) => [r.roomId, r.startTime]))
    const startTimes = out.roomIds.map((id: number) => byId.get(id)!)
    expect([...startTimes].sort((a, b) => b - a)).toEqual(startTimes)
  })

  it('is refused with -604101 for a Live API its config.json does not list', async () => {
    emu.control.seedDemo()
    const out = await run({ action: 'deleteRoom' })
    expect(out.failed.errcode).toBe(-604101)
    // The platform stopped it: WeChat never saw the call.
    const calls = emu.control.calls() as Record<string, Record<string, number>>
    expect(Object.values(calls).some((day) => (day['liveBroadcast.deleteRoom'] ?? 0) > 0)).toBe(false)
  })

  it('uploads an image as temporary media and gets a media_id the sandbox accepts', async () => {
    const out = await run({ action: 'upload' })
    expect(out.mediaId).toMatch(/\S{8,}/)
    expect(emu.sandbox.media(out.mediaId)).toBeTruthy()
  })

  it("carries the caller's openid and appid, and the emulator clock, into the function", async () => {
    const out = await run({ action: 'whoami' }, 'o_viewer_1')
    expect(out.wx).toMatchObject({ OPENID: 'o_viewer_1', APPID: emu.appid, ENV: emu.envId })
    expect(Math.abs(out.now - T0 * 1000)).toBeLessThan(60_000)
  })

  it('gets the timer event when its trigger fires', async () => {
    const result = await emu.fireTimer('probe')
    expect(result.status).toBe('ok')
    expect((result as { result: any }).result.timer).toBe('probeNightly')
  })

  it('sees an injected fault once, then the truth again', async () => {
    emu.control.seedDemo()
    const fault = await control('POST', 'faults', { api: 'liveBroadcast.getLiveInfo', times: 1, errcode: -1 })
    expect(fault.status).toBe(200)
    expect((await run({ action: 'listRooms' })).failed.errcode).toBe(-1)
    expect((await run({ action: 'listRooms' })).total).toBeGreaterThan(0)
  })
})

describe('the Live platform over HTTPS', () => {
  it('issues a stable token to the sandbox app and answers the typed client, errors included', async () => {
    const https = createHttpsTransport({ baseUrl: emu.url, appid: SANDBOX_APPID, secret: SANDBOX_SECRET })
    const api = createLiveApi(https)
    const empty = await api.getLiveInfo({ start: 0, limit: 10 }).catch((e: unknown) => e)
    expect(empty).toBeInstanceOf(WxApiError)
    expect((empty as WxApiError).errcode).toBe(9410000)
    emu.control.seedDemo()
    const page = await api.getLiveInfo({ start: 0, limit: 100 })
    expect(page.roomInfo.length).toBe(emu.sandbox.truth().rooms.length)
    const list = await api.goodsList({ offset: 0, limit: 30, status: 2 })
    expect(list.goods.length).toBeGreaterThan(0)
  })

  it('rejects a wrong app secret and a bad access_token', async () => {
    const res = await fetch(`${emu.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: SANDBOX_APPID, secret: 'wrong' }),
    })
    expect(((await res.json()) as { errcode: number }).errcode).toBe(40125)
    const live = await fetch(`${emu.url}/wxa/business/getliveinfo?access_token=nope`, { method: 'POST', body: '{"start":0,"limit":1}' })
    expect(((await live.json()) as { errcode: number }).errcode).toBe(40001)
  })
})

describe('the mini-program channel', () => {
  it('lets a viewer read the public cache and denies private collections and every write', async () => {
    const db = createWxCloud({ url: emu.url, openid: 'o_viewer_2' }).database()
    const rooms = await db.collection('live_rooms').get()
    expect(rooms.data).toEqual([])
    await expect(db.collection('live_sync_state').get()).rejects.toMatchObject({ errCode: -502003 })
    await expect(db.collection('live_rooms').add({ data: { name: 'x' } })).rejects.toMatchObject({ errCode: -502003 })
  })
})

describe('the control API', () => {
  it('moves the clock and answers 400 naming the field for bad input', async () => {
    expect((await control('POST', 'clock', { now: T0 + 60 })).body).toEqual({ now: T0 + 60 })
    expect((await control('POST', 'clock', { advance: 30 })).body).toEqual({ now: T0 + 90 })
    expect((await control('GET', 'clock')).body).toEqual({ now: T0 + 90 })
    const bad = await control('POST', 'clock', { now: 'soon' })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/now/)
    const missing = await control('POST', 'rooms/999999/events', { event: 'start' })
    expect(missing.status).toBe(404)
  })

  it('creates a room, drives it live, and the sandbox lists it as live', async () => {
    const created = await control('POST', 'rooms', {
      name: '周末上新直播',
      startTime: T0 + 3600,
      endTime: T0 + 7200,
      anchorName: '小林',
      anchorWechat: 'anchor_lin',
    })
    expect(created.status).toBe(200)
    const roomId = created.body.roomId as number
    expect((await control('POST', `rooms/${roomId}/events`, { event: 'start' })).status).toBe(200)
    const room = emu.sandbox.truth().rooms.find((r: { roomId: number }) => r.roomId === roomId)
    expect(room?.liveStatus).toBe(LiveStatus.live)
  })

  it('seeds the demo merchant, finishes a goods review, and removes a room over HTTP', async () => {
    const seeded = await control('POST', 'seed', { preset: 'demo' })
    expect(seeded.status).toBe(200)
    expect(seeded.body.rooms.live).toEqual(expect.any(Number))
    expect((await control('POST', 'seed', { preset: 'huge' })).status).toBe(400)
    const underReview = seeded.body.goods.underReview as number
    expect((await control('POST', `goods/${underReview}/audit`, { result: 'approve' })).status).toBe(200)
    expect(emu.sandbox.truth().goods.find((g: { goodsId: number }) => g.goodsId === underReview)?.auditStatus).toBe(2)
    const badResult = await control('POST', `goods/${underReview}/audit`, { result: 'maybe' })
    expect(badResult.status).toBe(400)
    expect(badResult.body.error).toMatch(/result/)
    expect((await control('POST', 'goods/999999/audit', { result: 'approve' })).status).toBe(404)
    const upcoming = seeded.body.rooms.upcoming as number
    expect((await control('DELETE', `rooms/${upcoming}`)).status).toBe(200)
    expect(emu.sandbox.truth().rooms.some((r: { roomId: number }) => r.roomId === upcoming)).toBe(false)
    expect((await control('DELETE', `rooms/${upcoming}`)).status).toBe(404)
  })

  it('adds a follower, marks a user unverified (then 300036) and counts calls per API per day', async () => {
    const roomId = (await control('POST', 'rooms', { name: '周末上新直播', startTime: T0 + 3600, endTime: T0 + 7200, anchorName: '小林', anchorWechat: 'anchor_lin' })).body.roomId
    const follower = await control('POST', 'followers', { openid: 'o_fan_1', roomId })
    expect(follower.status).toBe(200)
    expect((await control('POST', 'followers', { openid: 'o_fan_2', roomId: 999999 })).status).toBe(404)
    expect((await control('POST', 'users/anchor_shy', { verified: false })).status).toBe(200)
    const badVerified = await control('POST', 'users/anchor_shy', { verified: 'no' })
    expect(badVerified.status).toBe(400)
    expect(badVerified.body.error).toMatch(/verified/)
    const refused = await control('POST', 'rooms', { name: '周末上新直播', startTime: T0 + 3600, endTime: T0 + 7200, anchorName: '小林', anchorWechat: 'anchor_shy' })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatch(/300036/)
    await run({ action: 'listRooms' })
    await run({ action: 'listRooms' })
    const calls = await control('GET', 'calls')
    expect(calls.status).toBe(200)
    expect(calls.body['2026-09-21']['liveBroadcast.getLiveInfo']).toBe(2)
  })

  it('reset empties the sandbox, quotas and the database and puts the clock back on wall time', async () => {
    await control('POST', 'seed', { preset: 'demo' })
    await run({ action: 'listRooms' })
    const admin = tcb.init(adminSdkConfig({ url: emu.url, envId: emu.envId })).database()
    await admin.collection('live_rooms').add({ roomid: 1 })
    const reset = await control('POST', 'reset')
    expect(reset.status).toBe(200)
    expect(emu.sandbox.truth().rooms).toEqual([])
    expect((await control('GET', 'calls')).body).toEqual({})
    expect((await admin.collection('live_rooms').count()).total).toBe(0)
    // Collections declared in database/ exist again, as after db:apply.
    expect((await admin.collection('live_sync_status').count()).total).toBe(0)
    const now = (await control('GET', 'clock')).body.now as number
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(24 * 3600)
  })

  it('runs a function as a viewer and fires its timer over HTTP; unknown names are 404', async () => {
    const invoked = await control('POST', 'functions/probe/invoke', { event: { action: 'whoami' }, openid: 'o_viewer_9' })
    expect(invoked.status).toBe(200)
    expect(invoked.body.status).toBe('ok')
    expect(invoked.body.result.wx.OPENID).toBe('o_viewer_9')
    const fired = await control('POST', 'timers/probe/fire')
    expect(fired.body.result.timer).toBe('probeNightly')
    expect((await control('POST', 'functions/nope/invoke', {})).status).toBe(404)
    expect((await control('POST', 'timers/nope/fire')).status).toBe(404)
    expect((await control('GET', 'nothing-here')).status).toBe(404)
  })
})
