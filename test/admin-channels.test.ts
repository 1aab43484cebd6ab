/**
 * The merchant's Channels live report and the dashboard's Channels row. `channelsStatus` through the built
 * liveAdmin (the project's live.config.json baked in) over problems and aggregates the fold wrote from stored
 * batches: each reported errcode with the merchant's sentence, the last 7 days' entries and reservations, admins
 * only. The setups a build of this repository does not have (no Channels account, Mini Program Live off) run in
 * process with the setup port given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineDriver } from '../emulator/db/engine-store'
import { parseCsv } from '../src/admin/batch/csv'
import { CHANNELS_REACH, CHANNELS_REPORT_DAYS, DEMO_ACCOUNT_NOTE } from '../src/admin/actions/channels'
import { CHANNELS_ERRCODES, channelsErrorText } from '../src/channels/client-api'
import { shanghaiDay } from '../src/live/day'
import { DEMO_FINDER_USER_NAME, LIVE_KIND_NAMES } from '../src/setup/live-setup'
import { CHANNELS_ROOM_ID, STATS_COLLECTIONS, dailyDocId, seqKeyOf, type DailyStatsDoc, type StatsBatchDoc, type StoredEvent } from '../src/stats/docs'
import { runFold } from '../src/stats/fold'
import { zeroCounts, type Counts } from '../src/stats/metrics'
import { readLiveSetup } from '../tools/live-setup'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'
import { startInProcessAdmin } from './admin-inprocess'

// 2026-11-28 10:00 in Beijing.
const T0 = Date.UTC(2026, 10, 28, 2, 0, 0)
const DAY_MS = 86_400_000
const TODAY = shanghaiDay(T0)
const day = (n: number) => shanghaiDay(T0 - n * DAY_MS)
const UNKNOWN_ERRCODE = 987654

const error = (api: 'getChannelsLiveInfo' | 'reserveChannelsLive', errCode: number, atMs: number): StoredEvent => ({ kind: 'channels_error', atMs, channel: 'home', api, errCode, day: shanghaiDay(atMs) })

function daily(d: string, roomId: number, channel: string, counts: Partial<Counts>): DailyStatsDoc {
  return { _id: dailyDocId(d, roomId, channel), day: d, roomId, channel, counts: { ...zeroCounts(), ...counts }, kinds: {}, lastFold: 'f-1', updatedAt: 1 }
}

/** Entries and reservations of the Channels account over ten days (three of them outside the report), and a Live room. */
const AGGREGATES: DailyStatsDoc[] = [
  daily(day(9), CHANNELS_ROOM_ID, 'home', { entered: 50, subscribed: 50 }),
  daily(day(6), CHANNELS_ROOM_ID, 'home', { entered: 4, subscribed: 1 }),
  daily(day(2), CHANNELS_ROOM_ID, 'home', { entered: 3 }),
  daily(day(2), CHANNELS_ROOM_ID, 'poster1', { entered: 2, subscribed: 2, reached: 9 }),
  daily(TODAY, CHANNELS_ROOM_ID, 'home', { subscribed: 1 }),
  daily(day(2), 101, 'home', { reached: 10, entered: 6 }),
]

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness()
  h.emu.clock.freeze()
  h.emu.clock.set(T0 / 1000)
  h.emu.engine.insert(STATS_COLLECTIONS.daily, AGGREGATES as unknown as Record<string, unknown>[])
  // The problems as the fold keeps them from what devices reported: an unknown errcode seen last, 100008 twice.
  const at = T0 - 3600_000
  const batch: StatsBatchDoc = {
    _id: 'b-channels-1',
    seqKey: seqKeyOf(at, 'b-channels-1'),
    at,
    source: 'viewer',
    viewer: 'k0123456789abcdef0123456',
    events: [error('getChannelsLiveInfo', 100008, at - 9 * DAY_MS), error('getChannelsLiveInfo', 100008, at - 1000), error('reserveChannelsLive', UNKNOWN_ERRCODE, at)],
  }
  h.emu.engine.insert(STATS_COLLECTIONS.batches, [batch as unknown as Record<string, unknown>])
  expect(await runFold({ db: createEngineDriver(h.emu.engine), nowMs: T0, budgetMs: 20_000 })).toMatchObject({ status: 'ok', channelsProblems: 3 })
}, 120_000)

afterAll(async () => {
  await h?.stop()
})

describe('channelsStatus', () => {
  it('answers the configured account, the problems newest first with what to do, and the last 7 days’ entries and reservations', async () => {
    const reply = await h.call('channelsStatus', {})
    if (!reply.ok) throw new Error(reply.error.en)
    const d = reply.data
    const setup = readLiveSetup()
    expect(d.miniProgramLive).toBe(setup.miniProgramLive)
    // the repository ships the demo account, which the merchant is told to replace
    expect(setup.channels?.finderUserName).toBe(DEMO_FINDER_USER_NAME)
    expect(d.account).toEqual({ finderUserName: DEMO_FINDER_USER_NAME, demo: true, demoNote: DEMO_ACCOUNT_NOTE })
    expect(d.reach).toEqual({ state: 'problems', ...CHANNELS_REACH.problems })
    expect(d.problems).toEqual([
      { api: 'reserveChannelsLive', errCode: UNKNOWN_ERRCODE, count: 1, firstSeenMs: T0 - 3600_000, lastSeenMs: T0 - 3600_000, recent: true, ...channelsErrorText(UNKNOWN_ERRCODE) },
      { api: 'getChannelsLiveInfo', errCode: 100008, count: 2, firstSeenMs: T0 - 3600_000 - 9 * DAY_MS, lastSeenMs: T0 - 3601_000, recent: true, ...CHANNELS_ERRCODES[100008] },
    ])
    // 100008 reads as the account's verification or subject, an unknown errcode as the generic sentence with its number
    expect(d.problems[1].zh).toContain('同主体')
    expect(d.problems[0].zh).toBe(`视频号接口返回错误码 ${UNKNOWN_ERRCODE}`)
    expect(d.droppedProblems).toBe(0)
    expect(d.days.map((x: { day: string }) => x.day)).toEqual(Array.from({ length: CHANNELS_REPORT_DAYS }, (_, i) => day(CHANNELS_REPORT_DAYS - 1 - i)))
    expect(d.days[0]).toEqual({ day: day(6), entered: 4, subscribed: 1 })
    expect(d.days.find((x: { day: string }) => x.day === day(2))).toEqual({ day: day(2), entered: 5, subscribed: 2 })
    expect(d.days.at(-1)).toEqual({ day: TODAY, entered: 0, subscribed: 1 })
    expect(d.total).toEqual({ entered: 9, subscribed: 4 })
  })

  it('refuses a viewer, and no reply holds an openid', async () => {
    expect(await h.call('channelsStatus', {}, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(await h.call('channelsStatus', {}, null)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    const text = JSON.stringify(await h.call('channelsStatus', {}))
    expect(text).not.toMatch(/openid|k0123/i)
    expect(text).not.toContain(OWNER)
  })

  it('refuses params it does not take, naming the field', async () => {
    expect(await h.call('channelsStatus', { finderUserName: 'sphOther' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'finderUserName' } })
  })
})

describe('channelsStatus in other setups', () => {
  it('says Channels live is not set up when the setup has no account, and still lists what devices reported', async () => {
    const a = startInProcessAdmin({ setup: { miniProgramLive: true, channels: null } })
    const reply = await a.raw({ action: 'channelsStatus', params: {} })
    expect(reply).toMatchObject({ ok: true, data: { account: null, reach: { state: 'notConfigured', ...CHANNELS_REACH.notConfigured }, problems: [], total: { entered: 0, subscribed: 0 } } })
    expect(reply.ok && reply.data.reach.zh).toMatch(/^视频号直播未配置/)
  })

  it('says viewers reach it when they entered or reserved in the last 7 days with nothing reported since, and quiet otherwise', async () => {
    const setup = { miniProgramLive: false, channels: { finderUserName: 'sphShopReal01' } }
    const a = startInProcessAdmin({ setup })
    const now = a.kit.clock.nowMs()
    const quiet = await a.raw({ action: 'channelsStatus', params: {} })
    expect(quiet).toMatchObject({ ok: true, data: { miniProgramLive: false, account: { finderUserName: 'sphShopReal01', demo: false, demoNote: null }, reach: { state: 'quiet' } } })
    a.engine.insert(STATS_COLLECTIONS.daily, [daily(shanghaiDay(now), CHANNELS_ROOM_ID, 'home', { entered: 1 })] as unknown as Record<string, unknown>[])
    // a problem last seen before the 7 days is listed, but no longer says viewers fail to reach the account
    const old = now - 8 * DAY_MS
    a.engine.insert(STATS_COLLECTIONS.problems, [{ _id: 'channels', problems: [{ api: 'getChannelsLiveInfo', errCode: 1416100, count: 3, firstSeenMs: old, lastSeenMs: old }], dropped: 2, lastFold: 'x', updatedAt: old }])
    const reached = await a.raw({ action: 'channelsStatus', params: {} })
    expect(reached).toMatchObject({ ok: true, data: { reach: { state: 'reached' }, total: { entered: 1, subscribed: 0 }, droppedProblems: 2 } })
    expect(reached.ok && reached.data.problems).toEqual([{ api: 'getChannelsLiveInfo', errCode: 1416100, count: 3, firstSeenMs: old, lastSeenMs: old, recent: false, ...CHANNELS_ERRCODES[1416100] }])
  })
})

describe('the dashboard’s Channels live row', () => {
  const RANGE = { from: day(2), to: TODAY }
  const channelsName = LIVE_KIND_NAMES.channelsLive.zh

  it('lists the Channels account beside the Live rooms under its own name, never as an unknown room', async () => {
    const reply = await h.call('statsRooms', RANGE)
    if (!reply.ok) throw new Error(reply.error.en)
    const byId = Object.fromEntries(reply.data.rooms.map((r: { roomId: number }) => [r.roomId, r]))
    expect(byId[CHANNELS_ROOM_ID]).toMatchObject({ kind: 'channelsLive', name: channelsName, counts: { entered: 5, subscribed: 3, reached: 9 } })
    expect(byId[101]).toMatchObject({ kind: 'miniProgramLive', name: null, counts: { entered: 6 } })
    const room = await h.call('statsRoom', { roomId: CHANNELS_ROOM_ID, ...RANGE })
    expect(room).toMatchObject({ ok: true, data: { room: { roomId: CHANNELS_ROOM_ID, kind: 'channelsLive', name: channelsName }, total: { counts: { entered: 5, subscribed: 3 } } } })
    expect(room.ok && room.data.channels.map((c: { channel: string }) => c.channel)).toEqual(['home', 'poster1'])
    expect(await h.call('statsRoom', { roomId: -1, ...RANGE })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'roomId' } })
  })

  it('exports the Channels row with its name and no room number', async () => {
    const reply = await h.call('statsExport', RANGE)
    if (!reply.ok) throw new Error(reply.error.en)
    const res = await fetch(reply.data.url)
    const parsed = parseCsv((await res.text()).replace(/^\uFEFF/, ''), 100)
    if (!parsed.ok) throw new Error(parsed.problem.en)
    expect(parsed.records.find((r) => r[1] === channelsName)?.slice(0, 3)).toEqual(['—', channelsName, '9'])
  })

  it('shows the Channels row whether Mini Program Live is on or off', async () => {
    for (const miniProgramLive of [true, false]) {
      const a = startInProcessAdmin({ setup: { miniProgramLive, channels: { finderUserName: 'sphShopReal01' } } })
      const today = shanghaiDay(a.kit.clock.nowMs())
      a.engine.insert(STATS_COLLECTIONS.daily, [daily(today, CHANNELS_ROOM_ID, 'home', { entered: 2 })] as unknown as Record<string, unknown>[])
      const reply = await a.raw({ action: 'statsRooms', params: { from: today, to: today } })
      expect(reply, String(miniProgramLive)).toMatchObject({ ok: true, data: { rooms: [{ roomId: CHANNELS_ROOM_ID, kind: 'channelsLive', name: channelsName, counts: { entered: 2 } }] } })
    }
  })
})
