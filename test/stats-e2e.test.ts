/**
 * The statistics pipeline end to end, every step the BUILT function in its own process: simulated viewers send
 * batches to `track`, a merchant's order flow (a fixture function) reports orders through `cloud.callFunction`,
 * and `liveStats`, fired by its timer once the batches have settled, folds them into `live_stats_daily`; Channels
 * live events end under the Channels account and their errors in `live_stats_problems`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../emulator/emulator'
import { startOrderFlowEnv, type OrderFlowEnv } from './order-flow-env'
import { shanghaiDay } from '../src/live/day'
import { TRACK_TIMEOUT_S } from '../src/stats/events'
import { STATS_COLLECTIONS, dailyDocId, type DailyStatsDoc } from '../src/stats/docs'
import { zeroCounts, type Counts } from '../src/stats/metrics'
import type { FoldReport } from '../src/stats/fold'
import { CHANNELS_ROOM_ID } from '../src/stats/docs'
import { CHANNELS_PROBLEMS_ID } from '../src/stats/problems'

// 2026-11-28 10:00 in Beijing: far from midnight, so "an hour ago" is the same day and a day ago is the one before.
const T0 = Date.UTC(2026, 10, 28, 2, 0, 0)
const DAY = shanghaiDay(T0)
const YESTERDAY = shanghaiDay(T0 - 86_400_000)

const VIEWERS = { a: 'viewer-openid-e2e-00000000a', b: 'viewer-openid-e2e-00000000b', c: 'viewer-openid-e2e-00000000c' }

let env: OrderFlowEnv
let emu: Emulator

beforeAll(async () => {
  // the fold is fired by hand once the batches have settled
  env = await startOrderFlowEnv(['track', 'liveStats'], { timers: false })
  emu = env.emu
  emu.clock.freeze()
  emu.clock.set(T0 / 1000)
}, 120_000)

afterAll(async () => {
  await env?.stop()
})

const run = (name: string, event: Record<string, unknown>, openid?: string): Promise<any> => env.run(name, event, openid)

async function send(openid: string, batchId: string, events: Record<string, unknown>[]) {
  const reply = await run('track', { batchId, events }, openid)
  expect(reply.ok, JSON.stringify(reply)).toBe(true)
  return reply.data as { accepted: number; duplicate: boolean; refused: unknown[] }
}

const at = T0 - 3_600_000

function daily(day: string, roomId: number, channel: string): DailyStatsDoc | undefined {
  return emu.engine.find(STATS_COLLECTIONS.daily, { _id: dailyDocId(day, roomId, channel) })[0] as unknown as DailyStatsDoc | undefined
}

describe('track → liveStats → live_stats_daily', () => {
  it('ends in exactly the counts per room, day and channel, a replayed batch counted once, and no openid stored anywhere', async () => {
    // Viewer a: the home list, one bad event among good ones, and a card seen yesterday.
    const a = await send(VIEWERS.a, 'e2e-batch-a-0001', [
      { kind: 'impression', atMs: at, roomId: 501, channel: 'home', section: 'live' },
      { kind: 'impression', atMs: at, roomId: 501, channel: 'home', section: 'live' },
      { kind: 'tap', atMs: at, roomId: 501, channel: 'home', section: 'live' },
      { kind: 'enter', atMs: at, roomId: 501, channel: 'home', scene: 1001 },
      { kind: 'share', atMs: at, roomId: 501, channel: 'home' },
      { kind: 'subscribe', atMs: at, roomId: 501, channel: 'home' },
      { kind: 'goods', atMs: at, roomId: 501, channel: 'home', goodsId: -1 },
      { kind: 'impression', atMs: T0 - 86_400_000, roomId: 501, channel: 'home', section: 'upcoming' },
    ])
    expect(a).toMatchObject({ accepted: 7, duplicate: false })
    expect(a.refused).toHaveLength(1)

    // Viewer b: a poster's QR code, replays and goods; the batch is sent again as a retry would.
    const bEvents = [
      { kind: 'land', atMs: at, roomId: 501, channel: 'poster1', scene: 1047 },
      { kind: 'enter', atMs: at, roomId: 501, channel: 'poster1', scene: 1047 },
      { kind: 'replay', atMs: at, roomId: 501, channel: 'poster1', seconds: 45 },
      { kind: 'replay', atMs: at, roomId: 501, channel: 'poster1', seconds: 60 },
      { kind: 'goods', atMs: at, roomId: 501, channel: 'poster1', goodsId: 9 },
      { kind: 'goods', atMs: at, roomId: 501, channel: 'poster1', goodsId: 9 },
    ]
    expect(await send(VIEWERS.b, 'e2e-batch-b-0001', bEvents)).toMatchObject({ accepted: 6, duplicate: false })
    expect(await send(VIEWERS.b, 'e2e-batch-b-0001', bEvents)).toMatchObject({ accepted: 0, duplicate: true })

    // Viewer c: someone's share card into room 501, and the home list of room 502.
    expect(
      await send(VIEWERS.c, 'e2e-batch-c-0001', [
        { kind: 'enter', atMs: at, roomId: 501, channel: 'share_room', scene: 1007, shared: true },
        { kind: 'goods', atMs: at, roomId: 501, channel: 'share_room' },
        { kind: 'impression', atMs: at, roomId: 502, channel: 'home', section: 'live' },
        { kind: 'enter', atMs: at, roomId: 502, channel: 'home', scene: 1001 },
      ]),
    ).toMatchObject({ accepted: 4 })

    // The merchant's order flow reports two orders, the first one twice.
    const order = (orderId: string, channel: string, amountFen: number) => ({ orderId, roomId: 501, channel, amountFen, goods: [{ goodsId: 9, quantity: 1 }], paidAtMs: at })
    expect((await run('orderFlow', { order: order('e2e-order-1', 'poster1', 12_900) })).result).toMatchObject({ ok: true, data: { duplicate: false } })
    expect((await run('orderFlow', { order: order('e2e-order-2', 'share_room', 5_000) })).result).toMatchObject({ ok: true, data: { duplicate: false } })
    expect((await run('orderFlow', { order: order('e2e-order-1', 'poster1', 12_900) })).result).toMatchObject({ ok: true, data: { duplicate: true } })

    // Once every batch has settled behind track's timeout (plus the fold's margin), the timer folds them.
    emu.clock.advance(TRACK_TIMEOUT_S + 60)
    const fold = await emu.fireTimer('liveStats')
    if (fold.status !== 'ok') throw new Error(`liveStats failed: ${JSON.stringify(fold)}`)
    expect(fold.result as FoldReport).toMatchObject({ status: 'ok', foldedBatches: 5, foldedEvents: 19, skippedEvents: 0, error: null })

    const expected: Array<[string, number, string, Partial<Counts>, Record<string, number>]> = [
      [DAY, 501, 'home', { reached: 2, taps: 1, entered: 1, shares: 1, subscribed: 1 }, { other: 1 }],
      [DAY, 501, 'poster1', { reached: 1, entered: 1, replayPlays: 2, replaySeconds: 105, goodsClicks: 2, orders: 1, gmvFen: 12_900 }, { qrcode: 1 }],
      [DAY, 501, 'share_room', { entered: 1, sharedEntries: 1, goodsClicks: 1, orders: 1, gmvFen: 5_000 }, { share: 1 }],
      [DAY, 502, 'home', { reached: 1, entered: 1 }, { other: 1 }],
      [YESTERDAY, 501, 'home', { reached: 1 }, {}],
    ]
    for (const [day, roomId, channel, counts, kinds] of expected) {
      const doc = daily(day, roomId, channel)
      expect(doc, `${day} ${roomId} ${channel}`).toBeDefined()
      expect(doc!.counts, `${day} ${roomId} ${channel}`).toEqual({ ...zeroCounts(), ...counts })
      expect(doc!.kinds, `${day} ${roomId} ${channel}`).toEqual(kinds)
    }
    expect(emu.engine.count(STATS_COLLECTIONS.daily, {})).toBe(expected.length)

    // A second run finds nothing new and changes nothing.
    const before = JSON.stringify(emu.engine.find(STATS_COLLECTIONS.daily, {}, { sort: { _id: 1 } }))
    emu.clock.advance(60)
    const again = await emu.fireTimer('liveStats')
    expect(again.status === 'ok' && (again.result as FoldReport)).toMatchObject({ status: 'ok', foldedBatches: 0 })
    const after = emu.engine.find(STATS_COLLECTIONS.daily, {}, { sort: { _id: 1 } }) as unknown as DailyStatsDoc[]
    expect(JSON.stringify(after.map(({ updatedAt: _u, ...d }) => d))).toBe(JSON.stringify((JSON.parse(before) as DailyStatsDoc[]).map(({ updatedAt: _u, ...d }) => d)))

    // No document of any collection holds a viewer's openid.
    const everything = JSON.stringify(emu.engine.listCollections().map((c) => emu.engine.find(c, {})))
    for (const openid of Object.values(VIEWERS)) expect(everything).not.toContain(openid)
  })

  it('counts Channels live entries and reservations under the Channels account, and keeps its errors as problems without a viewer', async () => {
    const before = emu.engine.count(STATS_COLLECTIONS.daily, {})
    expect(
      await send(VIEWERS.a, 'e2e-channels-a-01', [
        { kind: 'channels_enter', atMs: at, channel: 'home', scene: 1001, via: 'component', status: 'live', feedId: 'feed-1' },
        { kind: 'channels_reserve', atMs: at, channel: 'home', noticeId: 'notice-1', outcome: 'reserved' },
        { kind: 'channels_error', atMs: at, channel: 'home', api: 'getChannelsLiveInfo', errCode: 100008 },
      ]),
    ).toMatchObject({ accepted: 3, duplicate: false, refused: [] })
    expect(
      await send(VIEWERS.b, 'e2e-channels-b-01', [
        { kind: 'channels_enter', atMs: at + 1, channel: 'poster1', scene: 1047, via: 'api', status: 'ended' },
        { kind: 'channels_reserve', atMs: at + 2, channel: 'home', noticeId: 'notice-1', outcome: 'alreadyReserved' },
        { kind: 'channels_error', atMs: at + 3, channel: 'home', api: 'getChannelsLiveInfo', errCode: 100008 },
        // an API the Channels facts do not name is refused by track, never stored
        { kind: 'channels_error', atMs: at + 3, channel: 'home', api: 'getWeRunData', errCode: 1 },
      ]),
    ).toMatchObject({ accepted: 3, refused: [{ index: 3, field: 'events.3.api' }] })

    emu.clock.advance(TRACK_TIMEOUT_S + 60)
    const fold = await emu.fireTimer('liveStats')
    if (fold.status !== 'ok') throw new Error(`liveStats failed: ${JSON.stringify(fold)}`)
    expect(fold.result as FoldReport).toMatchObject({ status: 'ok', foldedBatches: 2, foldedEvents: 6, skippedEvents: 0, channelsProblems: 2 })

    expect(daily(DAY, CHANNELS_ROOM_ID, 'home')).toMatchObject({ roomId: CHANNELS_ROOM_ID, counts: { ...zeroCounts(), entered: 1, subscribed: 1 }, kinds: { other: 1 } })
    expect(daily(DAY, CHANNELS_ROOM_ID, 'poster1')).toMatchObject({ counts: { ...zeroCounts(), entered: 1 }, kinds: { qrcode: 1 } })
    expect(emu.engine.count(STATS_COLLECTIONS.daily, {})).toBe(before + 2)
    const [problems] = emu.engine.find(STATS_COLLECTIONS.problems, { _id: CHANNELS_PROBLEMS_ID }) as Array<Record<string, unknown>>
    expect(problems).toMatchObject({ problems: [{ api: 'getChannelsLiveInfo', errCode: 100008, count: 2, firstSeenMs: at, lastSeenMs: at + 3 }], dropped: 0 })
    for (const openid of Object.values(VIEWERS)) expect(JSON.stringify(problems)).not.toContain(openid)
  })
})
