/**
 * The control API as someone without the source meets it: `GET /__sandbox/` lists every route, a wrong method
 * is a 405 naming the allowed ones, the listing routes show the sandbox's state by name, the fault queue is
 * consumed in order per API, options change at run time (and bad ones are refused naming the option and the
 * rule), and each function shows its recent runs. Tables below are meant to be extended.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { CONTROL_ROUTES } from '../emulator/server/control-http'
import { liveStatusName } from '../src/live/status'

const FIXTURES = path.resolve(__dirname, 'fixtures/e2e-functions')
const OUT = path.resolve(__dirname, '../node_modules/.cache/emulator', `control-${randomUUID().slice(0, 8)}`)
const T0 = 1_790_000_000

let emu: Emulator

async function control(method: string, route: string, body?: unknown) {
  const res = await fetch(`${emu.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, allow: res.headers.get('allow'), body: (await res.json()) as any }
}

/** One getliveinfo call as a function would make it, straight into the sandbox. */
async function listRooms(limit = 100): Promise<{ errcode: number; count: number }> {
  const reply = await emu.sandbox.callApi({ endpointId: 'getLiveInfo', params: { start: 0, limit }, via: 'cloud' })
  return { errcode: Number(reply.body.errcode), count: ((reply.body.room_info as unknown[]) ?? []).length }
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
  emu.sandbox.configure({ listPageCap: 100, quotas: {}, autoAuditSeconds: undefined, replayDelaySeconds: 600 })
  emu.clock.freeze()
  emu.clock.set(T0)
})

describe('GET /__sandbox/ lists the control routes', () => {
  it('serves the route table itself, each route with a one-line description, with or without the slash', async () => {
    const index = await control('GET', '/__sandbox/')
    expect(index.status).toBe(200)
    expect(index.body.routes).toHaveLength(CONTROL_ROUTES.length)
    for (const r of index.body.routes) {
      expect(r.does).toMatch(/^\S.{5,}$/)
      expect(r.does).not.toContain('\n')
    }
    expect(index.body.routes).toContainEqual({ method: 'GET', path: '/__sandbox/faults', does: expect.any(String) })
    expect((await control('GET', '/__sandbox')).body).toEqual(index.body)
  })

  it('every route it lists is documented in docs/EMULATOR.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../docs/EMULATOR.md'), 'utf8')
    const missing = CONTROL_ROUTES.map((r) => `${r.method} ${r.path}`).filter((r) => !doc.includes(`\`${r}\``))
    expect(missing).toEqual([])
  })
})

describe('methods and paths the control API does not serve', () => {
  const wrongMethods: [method: string, route: string, allow: string][] = [
    ['PUT', '/__sandbox/clock', 'GET, POST'],
    ['GET', '/__sandbox/reset', 'POST'],
    ['PUT', '/__sandbox/faults', 'GET, POST, DELETE'],
    ['GET', '/__sandbox/rooms/5', 'DELETE'],
    ['PATCH', '/__sandbox/', 'GET'],
    ['GET', '/__sandbox/timers/probe/fire', 'POST'],
  ]
  for (const [method, route, allow] of wrongMethods) {
    it(`${method} ${route} → 405, Allow: ${allow}`, async () => {
      const res = await control(method, route)
      expect(res.status).toBe(405)
      expect(res.allow).toBe(allow)
      expect(res.body.error).toContain(`does not take ${method}`)
    })
  }

  const refused: [method: string, route: string, body: unknown, status: number, error: RegExp][] = [
    ['GET', '/__sandbox/nothing-here', undefined, 404, /no control route \/__sandbox\/nothing-here \(GET \/__sandbox\/ lists them\)/],
    ['POST', '/__sandbox/users/%E0%A4%A', {}, 400, /wechatId: "%E0%A4%A" is not valid percent-encoding/],
    ['DELETE', '/__sandbox/rooms/99999999999999999999', undefined, 400, /roomId: must be a positive integer/],
    ['GET', '/__sandbox/functions/nope', undefined, 404, /no function named nope \(known: probe\)/],
    ['POST', '/__sandbox/options', '[1]', 400, /body: must be a JSON object/],
  ]
  for (const [method, route, body, status, error] of refused) {
    it(`${method} ${route} → ${status}`, async () => {
      const res = await control(method, route, body)
      expect(res.status).toBe(status)
      expect(res.body.error).toMatch(error)
    })
  }
})

describe('listing routes', () => {
  it('rooms newest start first with their status by name; goods with their audit state; members; followers', async () => {
    emu.control.seedDemo()
    const rooms = (await control('GET', '/__sandbox/rooms')).body as { roomId: number; liveStatus: number; status: string }[]
    expect(rooms.map((r) => r.roomId)).toEqual(emu.sandbox.truth().rooms.map((r) => r.roomId))
    for (const r of rooms) expect(r.status).toBe(liveStatusName(r.liveStatus))
    expect(new Set(rooms.map((r) => r.status))).toEqual(new Set(['live', 'upcoming', 'paused', 'ended', 'expired', 'banned']))

    const goods = (await control('GET', '/__sandbox/goods')).body as { goodsId: number; auditStatus: number; audit: string }[]
    const names = Object.fromEntries(goods.map((g) => [g.auditStatus, g.audit]))
    expect(names).toEqual({ 0: 'notAudited', 1: 'underReview', 2: 'approved', 3: 'rejected' })

    const members = (await control('GET', '/__sandbox/members')).body as { username: string; roles: string[] }[]
    expect(members.find((m) => m.username === 'merchant_owner')?.roles).toEqual(['superAdmin'])
    expect(members.some((m) => m.roles.includes('anchor'))).toBe(true)

    const before = (await control('GET', '/__sandbox/followers')).body as unknown[]
    await control('POST', '/__sandbox/followers', { openid: 'o-fan', roomId: rooms[0].roomId })
    const after = (await control('GET', '/__sandbox/followers')).body as { openid: string; roomId: number; subscribeTime: number }[]
    expect(after).toHaveLength(before.length + 1)
    expect(after).toContainEqual({ openid: 'o-fan', roomId: rooms[0].roomId, subscribeTime: T0 })
  })

  it('pending faults are consumed in the order they were queued, each API on its own queue', async () => {
    emu.control.seedDemo()
    await control('POST', '/__sandbox/faults', { api: 'liveBroadcast.getLiveInfo', times: 1, errcode: 300001 })
    await control('POST', '/__sandbox/faults', { api: 'liveBroadcast.goodsInfo', times: 1, errcode: 300002 })
    await control('POST', '/__sandbox/faults', { api: 'getLiveInfo', times: 2, errcode: 300003 })
    const queued = (await control('GET', '/__sandbox/faults')).body
    expect(queued.map((f: { errcode: number; remaining: number }) => [f.errcode, f.remaining])).toEqual([
      [300001, 1],
      [300002, 1],
      [300003, 2],
    ])

    // An invalid request is refused before the queue: it consumes nothing.
    const invalid = await emu.sandbox.callApi({ endpointId: 'getLiveInfo', params: { start: -1, limit: 10 }, via: 'cloud' })
    expect(invalid.body.errcode).toBe(200002)
    expect((await control('GET', '/__sandbox/faults')).body).toHaveLength(3)

    expect((await listRooms()).errcode).toBe(300001)
    expect((await listRooms()).errcode).toBe(300003)
    const left = (await control('GET', '/__sandbox/faults')).body
    expect(left.map((f: { errcode: number; remaining: number }) => [f.errcode, f.remaining])).toEqual([
      [300002, 1],
      [300003, 1],
    ])
    expect((await listRooms()).errcode).toBe(300003)
    expect((await listRooms()).errcode).toBe(0)
    expect((await control('GET', '/__sandbox/faults')).body).toHaveLength(1)
  })
})

describe('sandbox options at run time', () => {
  it('lists the defaults, then applies each change to the running account', async () => {
    const defaults = (await control('GET', '/__sandbox/options')).body
    expect(defaults).toMatchObject({ listPageCap: 100, replayDelaySeconds: 600, autoAuditSeconds: null, quotas: {} })

    emu.control.seedDemo()
    const rooms = emu.sandbox.truth().rooms.length
    expect((await listRooms()).count).toBe(rooms)
    const changed = await control('POST', '/__sandbox/options', { listPageCap: 2, quotas: { getLiveInfo: 4 } })
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ listPageCap: 2, quotas: { getLiveInfo: 4 } })
    expect(await listRooms()).toEqual({ errcode: 0, count: 2 })
    expect((await listRooms()).errcode).toBe(0) // 3 of 4 used today
    expect((await listRooms()).errcode).toBe(0)
    expect((await listRooms()).errcode).toBe(45009)

    const underReview = () => emu.control.goods().filter((g) => g.audit === 'underReview').length
    expect(underReview()).toBeGreaterThan(0)
    expect((await control('POST', '/__sandbox/options', { autoAuditSeconds: 0 })).body.autoAuditSeconds).toBe(0)
    expect(underReview()).toBe(0)
    expect((await control('POST', '/__sandbox/options', { autoAuditSeconds: null })).body.autoAuditSeconds).toBeNull()
    expect(underReview()).toBeGreaterThan(0)

    const { roomId } = emu.control.createRoom({ name: '选项测试', startTime: T0 + 600, endTime: T0 + 7200, anchorName: '主播小王', anchorWechat: 'anchor_one', closeReplay: 0 })
    emu.clock.advance(600)
    emu.control.roomEvent(roomId, 'start')
    emu.control.roomEvent(roomId, 'end')
    const replays = () => emu.control.rooms().find((r) => r.roomId === roomId)!.replays.length
    expect(replays()).toBe(0)
    await control('POST', '/__sandbox/options', { replayDelaySeconds: 0 })
    expect(replays()).toBe(1)

    // The account was kept through every change.
    expect(emu.sandbox.truth().rooms.length).toBe(rooms + 1)
  })

  // Strings are sent as they are (JSON.stringify would drop a `__proto__` key).
  const badOptions: [body: unknown, error: RegExp][] = [
    [{ listPageCap: 0 }, /^options: listPageCap: must be ≥ 1$/],
    [{ listPageCap: 101 }, /^options: listPageCap: must be ≤ 100$/],
    [{ listPageCap: 2.5 }, /^options: listPageCap: must be an integer$/],
    [{ listPageCap: '50' }, /^options: listPageCap: must be an integer$/],
    [{ replayDelaySeconds: -1 }, /^options: replayDelaySeconds: must be ≥ 0$/],
    [{ replayDelaySeconds: 1e12 }, /^options: replayDelaySeconds: must be ≤ 2592000$/],
    [{ autoAuditSeconds: 'soon' }, /^options: autoAuditSeconds: must be whole seconds$/],
    [{ quotas: { getLiveInfo: -1 } }, /^options: quotas\.getLiveInfo: must be ≥ 0$/],
    [{ quotas: { nope: 5 } }, /^options: quotas\.nope: must be an endpoint id or quota bucket/],
    [{ quotas: [5] }, /^options: quotas: must be an object of \{key: calls per day\}$/],
    [{ pageCap: 1 }, /^options: pageCap: not a settable option \(settable: listPageCap, /],
    ['{"quotas":{"__proto__":5}}', /__proto__/],
    ['{"__proto__":{"listPageCap":1}}', /__proto__/],
  ]
  for (const [body, error] of badOptions) {
    it(`refuses ${JSON.stringify(body)} naming the option and the rule, changing nothing`, async () => {
      const res = await control('POST', '/__sandbox/options', body)
      expect(res.status).toBe(400)
      expect(res.body.error).toMatch(error)
      expect((await control('GET', '/__sandbox/options')).body).toMatchObject({ listPageCap: 100, replayDelaySeconds: 600, quotas: {} })
    })
  }
})

describe('functions and their recent runs', () => {
  it('lists each function with trigger, limits, permissions and its runs newest first: event, caller, outcome, logs', async () => {
    await control('POST', '/__sandbox/functions/probe/invoke', { event: { action: 'nothing' }, openid: 'o-viewer' })
    await control('POST', '/__sandbox/timers/probe/fire')

    const all = (await control('GET', '/__sandbox/functions')).body
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({
      name: 'probe',
      trigger: { name: 'probeNightly', config: '0 0 3 * * * *' },
      timeoutSec: 3,
      openapi: ['liveBroadcast.getLiveInfo', 'customerServiceMessage.uploadTempMedia'],
    })
    const one = (await control('GET', '/__sandbox/functions/probe')).body
    expect(one.recentRuns).toHaveLength(2)
    const [timer, call] = one.recentRuns
    expect(timer).toMatchObject({ trigger: 'timer', caller: { source: 'wx_trigger', openid: null }, status: 'ok', event: { Type: 'Timer' } })
    expect(timer.result.timer).toBe('probeNightly')
    expect(call).toMatchObject({
      trigger: 'call',
      caller: { source: 'wx_client', openid: 'o-viewer' },
      startedAt: new Date(T0 * 1000).toISOString(),
      event: { action: 'nothing' },
      status: 'ok',
      result: { error: 'unknown action nothing' },
      logLinesDropped: 0,
    })
    expect(call.durationMs).toBeGreaterThanOrEqual(0)
    expect(Array.isArray(call.logs)).toBe(true)
  })
})
