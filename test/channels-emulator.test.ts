/**
 * The emulator's Channels live as a page meets it through the wx shim: every live status and replay state with
 * the documented fields, the notice, each reserve-dialog outcome (reserving twice answers 8), opens recorded, the
 * documented errcodes and injected ones, what each base library can do; and the control routes and the client
 * route under hostile input (a 4xx naming the field, never a 5xx).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import path from 'node:path'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { createWxChannels, NOT_SUPPORTED_ERRCODE, type WxChannelsShim } from '../emulator/client/wx-channels'
import { CHANNELS_LIVE_STATUS, CHANNELS_NOTICE_STATUS, CHANNELS_REPLAY_STATUS } from '../src/channels/client-api'
import { DEMO_FINDER_USER_NAME } from '../src/setup/live-setup'

const SHOP = 'sphTestShop0001'
const VIEWER = 'oViewer00000000000000000001'
const OTHER = 'oViewer00000000000000000002'

let emu: Emulator
let wx: WxChannelsShim

type Outcome = { result?: Record<string, unknown>; error?: { errMsg: string; errCode: number } }

/** One call through the shim, as a page makes it (callbacks), resolved once complete has run. */
function ask(api: 'getChannelsLiveInfo' | 'getChannelsLiveNoticeInfo' | 'reserveChannelsLive' | 'openChannelsLive', options: Record<string, unknown>, shim = wx): Promise<Outcome> {
  return new Promise((resolve) => {
    let outcome: Outcome = {}
    const call = shim[api] as (o: object) => void
    call({
      ...options,
      success: (result: Record<string, unknown>) => (outcome = { result }),
      fail: (error: { errMsg: string; errCode: number }) => (outcome = { error }),
      complete: () => resolve(outcome),
    })
  })
}

async function http(method: string, route: string, body?: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${emu.url}${route}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as any }
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, databaseDir: path.resolve(__dirname, '../database') })
})
afterAll(async () => {
  await emu?.stop()
})
beforeEach(async () => {
  await emu.reset()
  wx = createWxChannels({ url: emu.url, openid: VIEWER })
})

describe('getChannelsLiveInfo through the shim', () => {
  it('answers an account that never went live with status 1 and empty live fields', async () => {
    emu.channels.setAccount(SHOP, { nickname: '测试店', headUrl: 'https://example.com/h.png' })
    const { result } = await ask('getChannelsLiveInfo', { finderUserName: SHOP })
    expect(result).toEqual({
      feedId: '',
      nonceId: '',
      description: '',
      status: CHANNELS_LIVE_STATUS.never,
      headUrl: 'https://example.com/h.png',
      nickname: '测试店',
      replayStatus: CHANNELS_REPLAY_STATUS.notGenerated,
      otherInfos: [],
      errMsg: 'getChannelsLiveInfo:ok',
    })
  })

  it.each(['preparing', 'live', 'ended'] as const)('answers a %s live with its status code and documented fields', async (status) => {
    emu.channels.setLive(SHOP, { status, feedId: 'export/feed1', nonceId: '42', description: '秋冬上新' })
    const { result } = await ask('getChannelsLiveInfo', { finderUserName: SHOP })
    expect(Object.keys(result!).sort()).toEqual(['description', 'errMsg', 'feedId', 'headUrl', 'nickname', 'nonceId', 'otherInfos', 'replayStatus', 'status'])
    expect(result).toMatchObject({ feedId: 'export/feed1', nonceId: '42', description: '秋冬上新', status: CHANNELS_LIVE_STATUS[status], nickname: SHOP })
  })

  it.each(['notGenerated', 'generating', 'ready', 'expired'] as const)('answers an ended live whose replay is %s', async (replayStatus) => {
    emu.channels.setLive(SHOP, { status: 'ended' })
    emu.channels.setReplay(SHOP, { replayStatus })
    const { result } = await ask('getChannelsLiveInfo', { finderUserName: SHOP })
    expect(result).toMatchObject({ status: CHANNELS_LIVE_STATUS.ended, replayStatus: CHANNELS_REPLAY_STATUS[replayStatus] })
  })

  it('refuses a replay on a live that has not ended, naming the field', () => {
    emu.channels.setLive(SHOP, { status: 'live' })
    expect(() => emu.channels.setReplay(SHOP, { replayStatus: 'ready' })).toThrow(/replayStatus: ready needs an ended live \(this live is live\)/)
  })

  it('keeps the previous live in otherInfos when a new one starts, and filters by the time range', async () => {
    const now = emu.clock.nowSeconds()
    emu.channels.setLive(SHOP, { status: 'ended', feedId: 'export/old', replayStatus: 'ready', startedAt: now - 86_400 })
    emu.channels.setLive(SHOP, { status: 'live', feedId: 'export/new', startedAt: now - 60 })
    const all = await ask('getChannelsLiveInfo', { finderUserName: SHOP })
    expect(all.result).toMatchObject({ feedId: 'export/new', status: 2, otherInfos: [expect.objectContaining({ feedId: 'export/old', status: 3, replayStatus: 1 })] })
    const yesterday = await ask('getChannelsLiveInfo', { finderUserName: SHOP, startTime: now - 2 * 86_400, endTime: now - 3600 })
    expect(yesterday.result).toMatchObject({ feedId: 'export/old', otherInfos: [] })
    const none = await ask('getChannelsLiveInfo', { finderUserName: SHOP, startTime: 0, endTime: now - 3 * 86_400 })
    expect(none.error?.errCode).toBe(1416104)
  })

  it('answers 1416100 for a Channels id WeChat does not know and 40097 for a missing or mistyped one', async () => {
    expect((await ask('getChannelsLiveInfo', { finderUserName: 'sphNobody' })).error).toEqual({ errCode: 1416100, errMsg: 'getChannelsLiveInfo:fail finderUserName: sphNobody is not a known Channels id' })
    expect((await ask('getChannelsLiveInfo', {})).error).toMatchObject({ errCode: 40097, errMsg: expect.stringContaining('finderUserName: required') })
    expect((await ask('getChannelsLiveInfo', { finderUserName: 12 })).error?.errCode).toBe(40097)
    emu.channels.setLive(SHOP, { status: 'live' })
    expect((await ask('getChannelsLiveInfo', { finderUserName: SHOP, startTime: -5 })).error).toMatchObject({ errCode: 40097, errMsg: expect.stringContaining('startTime') })
  })
})

describe('notices and the reserve dialog', () => {
  const future = () => emu.clock.nowSeconds() + 3600

  it('fails getChannelsLiveNoticeInfo with 1416104 without a notice, and answers a notice with startTime as a string', async () => {
    emu.channels.setLive(SHOP, { status: 'ended' })
    expect((await ask('getChannelsLiveNoticeInfo', { finderUserName: SHOP })).error?.errCode).toBe(1416104)
    const startTime = future()
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime })
    const { result } = await ask('getChannelsLiveNoticeInfo', { finderUserName: SHOP })
    expect(result).toEqual({ noticeId: 'n1', status: CHANNELS_NOTICE_STATUS.usable, startTime: String(startTime), headUrl: '', nickname: SHOP, reservable: true, otherInfos: [], errMsg: 'getChannelsLiveNoticeInfo:ok' })
  })

  it('reserves (6), answers 8 when reserving twice, 7 when cancelling, 5 when closing unreserved; reservable stays true as on WeChat', async () => {
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: future() })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result).toEqual({ state: 6, errMsg: 'reserveChannelsLive:ok' })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(8)
    expect((await ask('getChannelsLiveNoticeInfo', { finderUserName: SHOP })).result?.reservable).toBe(true)
    expect(emu.channels.get(SHOP).reservations).toEqual({ [VIEWER]: ['n1'] })
    emu.channels.setReserveChoice(SHOP, VIEWER, 'cancel')
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(7)
    expect(emu.channels.get(SHOP).reservations).toEqual({})
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(5)
  })

  it('applies a choice per viewer before the choice for every viewer, and dismissing answers 9', async () => {
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: future() })
    emu.channels.setReserveChoice(SHOP, '*', 'dismiss')
    emu.channels.setReserveChoice(SHOP, OTHER, 'reserve')
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(9)
    const other = createWxChannels({ url: emu.url, openid: OTHER })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' }, other)).result?.state).toBe(6)
    emu.channels.clearReserveChoices(SHOP)
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(6)
  })

  it('answers 3 for a cancelled notice, 4 for a used one, 10 past its start time, and 2 or 1 while the account is live', async () => {
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: future(), status: 'cancelled' })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(3)
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: future(), status: 'used' })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(4)
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: emu.clock.nowSeconds() - 60 })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(10)
    emu.channels.setLive(SHOP, { status: 'live', feedId: 'export/now' })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(2)
    expect(emu.channels.get(SHOP).opens).toEqual([expect.objectContaining({ openid: VIEWER, feedId: 'export/now', lands: 'live', via: 'reserveChannelsLive' })])
    emu.channels.setReserveChoice(SHOP, VIEWER, 'cancel')
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(1)
    expect(emu.channels.get(SHOP).reserves.map((r) => r.state)).toEqual([3, 4, 10, 2, 1])
  })

  it('fails reserveChannelsLive with 40097 for a notice id nobody has', async () => {
    expect((await ask('reserveChannelsLive', { noticeId: 'nope' })).error).toMatchObject({ errCode: 40097, errMsg: 'reserveChannelsLive:fail noticeId: no live notice has the id nope' })
  })

  it('keeps a noticeId to one account', () => {
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: future() })
    expect(() => emu.channels.setNotice('sphOtherShop', { noticeId: 'n1', startTime: future() })).toThrow(/noticeId: n1 is already the notice of sphTestShop0001/)
  })
})

describe('openChannelsLive', () => {
  it('records what the viewer opened and where it lands', async () => {
    emu.channels.setLive(SHOP, { status: 'ended', feedId: 'export/a', nonceId: '1' })
    expect((await ask('openChannelsLive', { finderUserName: SHOP })).result).toEqual({ errMsg: 'openChannelsLive:ok' })
    emu.channels.setLive(SHOP, { status: 'live', feedId: 'export/b', nonceId: '2' })
    await ask('openChannelsLive', { finderUserName: SHOP, feedId: 'export/b', nonceId: '2' })
    expect(emu.channels.get(SHOP).opens.map(({ feedId, status, lands }) => ({ feedId, status, lands }))).toEqual([
      { feedId: 'export/a', status: 'ended', lands: 'endPage' },
      { feedId: 'export/b', status: 'live', lands: 'live' },
    ])
  })

  it('fails for a feed or nonce of no live of the account (40097) and for an account that never went live (1416104)', async () => {
    emu.channels.setLive(SHOP, { status: 'live', feedId: 'export/b', nonceId: '2' })
    expect((await ask('openChannelsLive', { finderUserName: SHOP, feedId: 'export/x' })).error?.errCode).toBe(40097)
    expect((await ask('openChannelsLive', { finderUserName: SHOP, feedId: 'export/b', nonceId: '9' })).error?.errMsg).toMatch(/nonceId: 9 is not the nonceId/)
    emu.channels.clearLive(SHOP)
    expect((await ask('openChannelsLive', { finderUserName: SHOP })).error?.errCode).toBe(1416104)
    expect(emu.channels.get(SHOP).opens).toEqual([])
  })
})

describe('injected errcodes', () => {
  it('fails every call to that API until cleared, and other APIs answer meanwhile', async () => {
    emu.channels.setLive(SHOP, { status: 'live' })
    emu.channels.setNotice(SHOP, { startTime: emu.clock.nowSeconds() + 60 })
    emu.channels.setFault(SHOP, 'getChannelsLiveInfo', 100008)
    for (let i = 0; i < 2; i++) {
      expect((await ask('getChannelsLiveInfo', { finderUserName: SHOP })).error).toEqual({ errCode: 100008, errMsg: 'getChannelsLiveInfo:fail injected errcode 100008' })
    }
    expect((await ask('getChannelsLiveNoticeInfo', { finderUserName: SHOP })).result).toBeDefined()
    emu.channels.setFault(SHOP, 'getChannelsLiveInfo', null)
    expect((await ask('getChannelsLiveInfo', { finderUserName: SHOP })).result?.status).toBe(2)
  })

  it('fails only the next `times` calls when given, including reserveChannelsLive by the notice owner', async () => {
    emu.channels.setNotice(SHOP, { noticeId: 'n1', startTime: emu.clock.nowSeconds() + 60 })
    emu.channels.setFault(SHOP, 'reserveChannelsLive', 1416104, { times: 1 })
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).error?.errCode).toBe(1416104)
    expect((await ask('reserveChannelsLive', { noticeId: 'n1' })).result?.state).toBe(6)
    expect(emu.channels.get(SHOP).faults).toEqual({})
  })
})

describe('base library', () => {
  it('has no Channels API below 2.15.0: canIUse is false and a call fails as not supported', async () => {
    emu.channels.setLive(SHOP, { status: 'live' })
    wx.baseLibrary = '2.14.0'
    expect(['getChannelsLiveInfo', 'openChannelsLive', 'getChannelsLiveNoticeInfo', 'reserveChannelsLive', 'channel-live'].map((s) => wx.canIUse(s))).toEqual([false, false, false, false, false])
    expect((await ask('getChannelsLiveInfo', { finderUserName: SHOP })).error).toEqual({ errMsg: 'getChannelsLiveInfo:fail not supported', errCode: NOT_SUPPORTED_ERRCODE })
    expect(wx.getAppBaseInfo().SDKVersion).toBe('2.14.0')
    expect(wx.getSystemInfoSync().SDKVersion).toBe('2.14.0')
  })

  it('below 2.29.0 leaves out replayStatus and otherInfos and ignores a time range; no channel-live; 2.19.0 has notices', async () => {
    const now = emu.clock.nowSeconds()
    emu.channels.setLive(SHOP, { status: 'ended', feedId: 'export/old', startedAt: now - 86_400 })
    emu.channels.setLive(SHOP, { status: 'live', feedId: 'export/new' })
    wx.baseLibrary = '2.19.0'
    expect([wx.canIUse('getChannelsLiveNoticeInfo'), wx.canIUse('reserveChannelsLive'), wx.canIUse('channel-live'), wx.canIUse('getChannelsLiveInfo.success.replayStatus')]).toEqual([true, true, false, false])
    const { result } = await ask('getChannelsLiveInfo', { finderUserName: SHOP, startTime: 0, endTime: now - 3600 })
    expect(result).toMatchObject({ feedId: 'export/new' })
    expect(result).not.toHaveProperty('replayStatus')
    expect(result).not.toHaveProperty('otherInfos')
    expect(wx.calls.at(-1)).toEqual({ api: 'getChannelsLiveInfo', options: { finderUserName: SHOP, startTime: 0, endTime: now - 3600 }, result })
  })

  it('below 2.19.2 openChannelsLive needs feedId and nonceId', async () => {
    emu.channels.setLive(SHOP, { status: 'live', feedId: 'export/b', nonceId: '2' })
    wx.baseLibrary = '2.19.1'
    expect((await ask('openChannelsLive', { finderUserName: SHOP })).error).toMatchObject({ errCode: 40097, errMsg: expect.stringContaining('feedId: required below base library 2.19.2') })
    expect((await ask('openChannelsLive', { finderUserName: SHOP, feedId: 'export/b', nonceId: '2' })).result).toBeDefined()
    wx.baseLibrary = '2.29.0'
    expect(wx.canIUse('channel-live')).toBe(true)
    expect(wx.canIUse('navigateTo')).toBe(false)
  })

  it('refuses a base library that is not a version', () => {
    expect(() => (wx.baseLibrary = '3')).toThrow(/baseLibrary: "3" is not a base library version/)
  })

  it('logs each call with its options (no callbacks) and its answer, newest last, and calls back after the caller went on', async () => {
    let calledBack = false
    wx.getChannelsLiveInfo({ finderUserName: 'sphNobody', fail: () => (calledBack = true) })
    expect(calledBack).toBe(false)
    await wx.settled()
    expect(calledBack).toBe(true)
    expect(wx.calls).toEqual([{ api: 'getChannelsLiveInfo', options: { finderUserName: 'sphNobody' }, error: expect.objectContaining({ errCode: 1416100 }) }])
  })
})

describe('control', () => {
  it('seeds the demo account live now with a reservable notice, and emu.reset() removes every account', async () => {
    emu.channels.seedDemo()
    const live = await ask('getChannelsLiveInfo', { finderUserName: DEMO_FINDER_USER_NAME })
    expect(live.result).toMatchObject({ status: 2, otherInfos: [expect.objectContaining({ status: 3, replayStatus: 1 })] })
    expect((await ask('getChannelsLiveNoticeInfo', { finderUserName: DEMO_FINDER_USER_NAME })).result).toMatchObject({ reservable: true, status: 0 })
    await emu.reset()
    expect(emu.channels.list()).toEqual({ accounts: [] })
  })

  it('POST /__sandbox/seed brings back the demo Channels account and keeps the others', async () => {
    emu.channels.setLive(SHOP, { status: 'preparing' })
    expect((await http('POST', '/__sandbox/seed', { preset: 'demo' })).status).toBe(200)
    expect(emu.channels.list().accounts.map((a) => [a.finderUserName, a.live?.status])).toEqual([
      [SHOP, 'preparing'],
      [DEMO_FINDER_USER_NAME, 'live'],
    ])
  })

  it('offers every operation over /__sandbox/channels, listed by GET /__sandbox/', async () => {
    const index = (await http('GET', '/__sandbox/')).body.routes.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)
    for (const op of ['live', 'notice', 'faults', 'reserve-choice']) {
      expect(index).toContain(`PUT /__sandbox/channels/{finderUserName}/${op}`)
      expect(index).toContain(`DELETE /__sandbox/channels/{finderUserName}/${op}`)
    }
    expect((await http('PUT', `/__sandbox/channels/${SHOP}/live`, { status: 'ended', feedId: 'export/a' })).status).toBe(200)
    expect((await http('PUT', `/__sandbox/channels/${SHOP}/replay`, { replayStatus: 'generating' })).body.live).toMatchObject({ status: 'ended', replayStatus: 'generating' })
    expect((await http('PUT', `/__sandbox/channels/${SHOP}/notice`, { noticeId: 'n1', startTime: emu.clock.nowSeconds() + 60 })).body.notice).toMatchObject({ noticeId: 'n1', status: 'usable' })
    expect((await http('PUT', `/__sandbox/channels/${SHOP}/faults`, { api: 'openChannelsLive', errCode: 100008, times: 2 })).body.faults).toEqual({ openChannelsLive: { errCode: 100008, remaining: 2 } })
    expect((await http('PUT', `/__sandbox/channels/${SHOP}/reserve-choice`, { openid: '*', choice: 'cancel' })).body.reserveChoices).toEqual({ '*': 'cancel' })
    expect((await http('GET', '/__sandbox/channels')).body.accounts.map((a: { finderUserName: string }) => a.finderUserName)).toEqual([SHOP])
    for (const op of ['faults', 'reserve-choice', 'notice', 'live']) expect((await http('DELETE', `/__sandbox/channels/${SHOP}/${op}`)).status).toBe(200)
    expect((await http('GET', `/__sandbox/channels/${SHOP}`)).body).toMatchObject({ live: null, notice: null, faults: {}, reserveChoices: {} })
    expect((await http('DELETE', `/__sandbox/channels/${SHOP}`)).body).toEqual({ removed: SHOP })
    expect((await http('GET', `/__sandbox/channels/${SHOP}`)).status).toBe(404)
  })

  it.each([
    ['PUT', `/__sandbox/channels/${SHOP}/live`, { status: 'onAir' }, /live: status: /],
    ['PUT', `/__sandbox/channels/${SHOP}/live`, { status: 'never', feedId: 'x' }, /live: feedId: an account that never went live has no feedId/],
    ['PUT', `/__sandbox/channels/${SHOP}/live`, { status: 'live', startedAt: 1.5 }, /live: startedAt: must be whole Unix seconds/],
    ['PUT', `/__sandbox/channels/${SHOP}/live`, { status: 'live', extra: 1 }, /live: .*extra/],
    ['PUT', `/__sandbox/channels/${SHOP}/live`, '[1,2]', /body: must be a JSON object/],
    ['PUT', `/__sandbox/channels/${SHOP}/live`, '{"status":', /body: not valid JSON/],
    ['PUT', '/__sandbox/channels/notAChannelsId/live', { status: 'live' }, /finderUserName: must be a Channels id/],
    ['PUT', `/__sandbox/channels/${SHOP}/notice`, { startTime: '123' }, /notice: startTime: /],
    ['PUT', `/__sandbox/channels/${SHOP}/notice`, { startTime: 1, headUrl: 'javascript:alert(1)' }, /notice: headUrl: must be an http\(s\) URL or empty/],
    ['PUT', `/__sandbox/channels/${SHOP}/faults`, { api: 'getChannelsLiveInfo', errCode: 0 }, /fault: errCode: must not be 0/],
    ['PUT', `/__sandbox/channels/${SHOP}/faults`, { api: 'wx.login', errCode: 1 }, /fault: api: /],
    ['PUT', `/__sandbox/channels/${SHOP}/faults`, { api: 'openChannelsLive', errCode: 1, when: 'now' }, /fault: when: not a field/],
    ['PUT', `/__sandbox/channels/${SHOP}/reserve-choice`, { openid: 'bad id!', choice: 'reserve' }, /reserve-choice: openid: must be "\*" or an openid/],
    ['PUT', `/__sandbox/channels/${SHOP}/reserve-choice`, { openid: '*', choice: 'maybe' }, /reserve-choice: choice: /],
    ['PUT', `/__sandbox/channels/${SHOP}/replay`, { replayStatus: 'ready' }, /replay: sphTestShop0001 never went live/],
    ['PUT', `/__sandbox/channels/%E0%A4%A/live`, { status: 'live' }, /finderUserName: .* is not valid percent-encoding/],
  ])('refuses %s %s %j with a 400 naming the field and rule', async (method, route, body, message) => {
    emu.channels.setAccount(SHOP)
    const reply = await http(method, route, body)
    expect(reply.status).toBe(400)
    expect(reply.body.error).toMatch(message)
  })

  it('answers 404 for an account that does not exist and 405 for a method a route does not take', async () => {
    expect((await http('PUT', '/__sandbox/channels/sphNobody/faults', { api: 'openChannelsLive', errCode: 1 })).status).toBe(404)
    expect((await http('POST', `/__sandbox/channels/${SHOP}/live`, { status: 'live' })).status).toBe(405)
  })
})

describe('the client route under hostile input', () => {
  const post = (api: string, body: unknown, headers?: Record<string, string>) => http('POST', `/__client/channels/${api}`, body, headers)

  it.each([
    [{ finderUserName: SHOP }, 400, /openid: required/],
    [{ openid: 'has space', finderUserName: SHOP }, 400, /openid: required/],
    [{ openid: VIEWER, finderUserName: SHOP, noticeId: 'x' }, 400, /noticeId: not an option of getChannelsLiveInfo/],
    ['not json', 400, /body: not valid JSON/],
    ['[]', 400, /body: must be a JSON object/],
    ['', 400, /body: empty/],
    [{ openid: VIEWER, finderUserName: SHOP, __proto__x: 1, constructor: { prototype: {} } }, 400, /constructor|__proto__x/],
  ])('refuses %j with %i naming the problem', async (body, status, message) => {
    const reply = await post('getChannelsLiveInfo', body)
    expect(reply.status).toBe(status)
    expect(reply.body.error).toMatch(message)
  })

  it('answers 404 for an unknown API, 405 for GET, 415 for another content type, 413 for a huge body', async () => {
    expect((await post('getChannelsFeed', { openid: VIEWER })).status).toBe(404)
    expect((await http('GET', '/__client/channels/getChannelsLiveInfo')).status).toBe(405)
    expect((await post('getChannelsLiveInfo', 'finderUserName=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415)
    expect((await post('getChannelsLiveInfo', { openid: VIEWER, finderUserName: 'x'.repeat(100_000) })).status).toBe(413)
  })

  it('answers mistyped option values as WeChat does, with 40097 naming the field', async () => {
    emu.channels.setLive(SHOP, { status: 'live' })
    for (const body of [{ finderUserName: ['a'] }, { finderUserName: SHOP, startTime: 'yesterday' }, { finderUserName: SHOP, endTime: 1e300 }, { finderUserName: 'x'.repeat(200) }]) {
      const reply = await post('getChannelsLiveInfo', { openid: VIEWER, ...body })
      expect(reply.status).toBe(200)
      expect(reply.body.errCode).toBe(40097)
    }
    const reply = await post('reserveChannelsLive', { openid: VIEWER, noticeId: { $ne: null } })
    expect(reply.body).toEqual({ errCode: 40097, errMsg: 'reserveChannelsLive:fail noticeId: required, a non-empty string' })
  })
})
