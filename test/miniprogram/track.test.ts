/**
 * The device tracker (miniprogram/services/track.ts) against a stubbed wx: batches of at most the server's size,
 * every event one the server's own check accepts, a batch id kept across retries and restarts, refusals dropped,
 * failures retried with backoff; the goods-page helper; the relay page's parsing held equal to the server's; the
 * generated device facts held equal to src/stats.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BUILTIN_CHANNELS, CHANNEL_CODE_RE, RELAY_PAGE, parseQrScene, parseRelayQuery, qrScene, relayQuery } from '../../src/stats/channels'
import { BATCH_EVENTS_MAX, BATCH_ID_RE, EVENT_PAST_MAX_MS, checkEvent } from '../../src/stats/events'
import { DEVICE_STATS_FILE, deviceStatsSource } from '../../scripts/mp-stats'
import { CHANNELS } from '../../miniprogram/utils/share'
import { parseQuery, parseScene, relayTarget } from '../../miniprogram/entry/utils/relay'

/** The tracker's surface (it is loaded by path: its `wx` typings belong to the mini-program's own tsconfig). */
interface Tracker {
  FLUSH_AFTER_MS: number
  track(event: Record<string, unknown>): void
  flushTracking(): Promise<void>
  resumeTracking(): void
  pendingTracking(): { batches: { batchId: string; events: unknown[] }[]; queue: unknown[] }
  trackEnter(roomId: number, channel: string): void
  trackGoodsVisit(options: Record<string, string | undefined> | undefined, goodsId?: number): boolean
}
const TRACKER: string = '../../miniprogram/services/track'
type Attribution = typeof import('../../miniprogram/services/attribution')

interface Call {
  name: string
  data: { batchId: string; events: Record<string, unknown>[] }
}

let storage: Map<string, unknown>
let calls: Call[]
let answer: (call: Call) => Promise<{ result: unknown }>
let tracker: Tracker
let attribution: Attribution

const accepted = (call: Call) => Promise.resolve({ result: { ok: true, data: { batchId: call.data.batchId, accepted: call.data.events.length, duplicate: false, capped: 0, refused: [] } } })

/** A fresh launch of the mini-program: module state gone, wx storage kept. */
async function launch(): Promise<void> {
  vi.clearAllTimers()
  vi.resetModules()
  tracker = (await import(/* @vite-ignore */ TRACKER)) as Tracker
  attribution = await import('../../miniprogram/services/attribution')
}

beforeEach(async () => {
  vi.useFakeTimers({ now: Date.now() })
  vi.spyOn(console, 'warn').mockImplementation(() => {})
  storage = new Map()
  calls = []
  answer = accepted
  vi.stubGlobal('wx', {
    getStorageSync: (key: string) => (storage.has(key) ? structuredClone(storage.get(key)) : ''),
    setStorageSync: (key: string, value: unknown) => void storage.set(key, structuredClone(value)),
    getEnterOptionsSync: () => ({ scene: 1089, query: {} }),
    cloud: {
      callFunction: vi.fn((o: Call) => {
        const call = structuredClone({ name: o.name, data: o.data })
        calls.push(call)
        return answer(call)
      }),
    },
  })
  await launch()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

const impression = (roomId: number) => ({ kind: 'impression' as const, roomId, channel: 'home', section: 'live' as const })

describe('device tracker', () => {
  it('sends batches of at most BATCH_EVENTS_MAX events, each with its own id, every event one the server accepts', async () => {
    for (let i = 1; i <= 2 * BATCH_EVENTS_MAX + 20; i++) tracker.track(impression(i))
    await tracker.flushTracking()
    await tracker.flushTracking()
    expect(calls.map((c) => [c.name, c.data.events.length])).toEqual([
      ['track', BATCH_EVENTS_MAX],
      ['track', BATCH_EVENTS_MAX],
      ['track', 20],
    ])
    expect(new Set(calls.map((c) => c.data.batchId)).size).toBe(3)
    for (const c of calls) {
      expect(c.data.batchId).toMatch(BATCH_ID_RE)
      c.data.events.forEach((e, i) => expect(checkEvent(e, i, Date.now())).toMatchObject({ ok: true }))
    }
    expect(calls.flatMap((c) => c.data.events.map((e) => e.roomId))).toEqual(Array.from({ length: 120 }, (_, i) => i + 1))
    expect(tracker.pendingTracking()).toEqual({ batches: [], queue: [] })
  })

  it('sends on its own a short while after the first event, and at once when a batch is full', async () => {
    tracker.track(impression(1))
    await vi.advanceTimersByTimeAsync(tracker.FLUSH_AFTER_MS - 100)
    expect(calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(200)
    expect(calls).toHaveLength(1)
    for (let i = 0; i < BATCH_EVENTS_MAX; i++) tracker.track(impression(2))
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toHaveLength(2)
    expect(calls[1].data.events).toHaveLength(BATCH_EVENTS_MAX)
  })

  it('retries a failed call with the same batch id, waiting longer each time, and sends nothing twice once it lands', async () => {
    let failures = 3
    answer = (call) => (failures-- > 0 ? Promise.reject(new Error('network down')) : accepted(call))
    tracker.track(impression(7))
    tracker.track({ kind: 'share', roomId: 7, channel: 'share_room' })
    await tracker.flushTracking()
    expect(calls).toHaveLength(1)
    const id = calls[0].data.batchId
    await vi.advanceTimersByTimeAsync(1_999)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1) // 2 s after the first failure
    expect(calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(3_999)
    expect(calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1) // then 4 s
    await vi.advanceTimersByTimeAsync(8_000) // then 8 s
    expect(calls).toHaveLength(4)
    expect(calls.map((c) => c.data.batchId)).toEqual([id, id, id, id])
    expect(calls[3].data).toEqual(calls[0].data)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toHaveLength(4)
    expect(tracker.pendingTracking().batches).toEqual([])
  })

  it('retries a batch the function could not take (unavailable, no reply) and drops one it refused as malformed', async () => {
    const replies: unknown[] = [
      { ok: false, error: { code: 'unavailable', zh: '暂不可用', en: 'unavailable' } },
      undefined,
      { ok: false, error: { code: 'invalid_argument', field: 'events', zh: 'events：须为 1–50 个事件', en: 'events: 1–50 events' } },
    ]
    answer = () => Promise.resolve({ result: replies.shift() })
    tracker.track(impression(3))
    await tracker.flushTracking()
    await vi.advanceTimersByTimeAsync(2_000)
    await vi.advanceTimersByTimeAsync(4_000)
    expect(calls).toHaveLength(3)
    expect(new Set(calls.map((c) => c.data.batchId)).size).toBe(1)
    expect(tracker.pendingTracking().batches).toEqual([])
    expect(vi.mocked(console.warn).mock.calls.some((c) => String(c[0]).includes('refused, dropped'))).toBe(true)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(calls).toHaveLength(3)
  })

  it('keeps queued events and cut batches in wx storage across a restart, and sends the batch under its first id', async () => {
    answer = () => Promise.reject(new Error('offline'))
    tracker.track(impression(11))
    await tracker.flushTracking()
    const id = calls[0].data.batchId
    tracker.track(impression(12))
    await launch() // the app was killed: timers and module state gone, storage kept
    calls = []
    answer = accepted
    tracker.resumeTracking()
    await vi.advanceTimersByTimeAsync(tracker.FLUSH_AFTER_MS)
    expect(calls.map((c) => [c.data.batchId === id, c.data.events.map((e) => e.roomId)])).toEqual([
      [true, [11]],
      [false, [12]],
    ])
    expect(tracker.pendingTracking()).toEqual({ batches: [], queue: [] })
  })

  it('drops events older than the server accepts when cutting a batch, and malformed ones at once', async () => {
    tracker.track(impression(1))
    vi.setSystemTime(Date.now() + EVENT_PAST_MAX_MS + 1_000)
    tracker.track(impression(2))
    tracker.track({ kind: 'tap', roomId: 0, channel: 'home', section: 'live' })
    tracker.track({ kind: 'tap', roomId: 5, channel: 'bad channel!', section: 'live' })
    await tracker.flushTracking()
    expect(calls.flatMap((c) => c.data.events.map((e) => e.roomId))).toEqual([2])
  })

  it('records an enter with the visit’s scene, marked shared when a sharer’s card brought the viewer', async () => {
    await attribution.recordAppShow({ scene: 1007, query: {} }, async () => ({ room_id: 5, share_openid: 'o-sharer' }), Date.now())
    tracker.trackEnter(5, 'direct')
    await launch()
    tracker.trackEnter(6, 'home') // no App.onShow seen: the scene comes from wx.getEnterOptionsSync
    await tracker.flushTracking()
    const events = calls.flatMap((c) => c.data.events)
    expect(events).toMatchObject([
      { kind: 'enter', roomId: 5, channel: 'direct', scene: 1007, shared: true },
      { kind: 'enter', roomId: 6, channel: 'home', scene: 1089, shared: false },
    ])
  })
})

describe('trackGoodsVisit', () => {
  const params = (channel: string) => encodeURIComponent(JSON.stringify({ channel, path: 'entry/pages/relay/index?roomId=8&ch=poster1' }))

  it('records a goods visit under the room and the channel custom_params carries, with the goods id when given', async () => {
    expect(tracker.trackGoodsVisit({ room_id: '8', custom_params: params('poster1') }, 42)).toBe(true)
    // the plugin may hand the query over encoded once more
    expect(tracker.trackGoodsVisit({ room_id: '8', custom_params: encodeURIComponent(params('sms2')) })).toBe(true)
    await tracker.flushTracking()
    expect(calls[0].data.events).toMatchObject([
      { kind: 'goods', roomId: 8, channel: 'poster1', goodsId: 42 },
      { kind: 'goods', roomId: 8, channel: 'sms2' },
    ])
    expect(calls[0].data.events[1]).not.toHaveProperty('goodsId')
  })

  it('uses the visit’s channel without custom_params, and records nothing for a page not opened from a room', async () => {
    await attribution.recordAppShow({ scene: 1001, query: { channel: 'share_home' } }, async () => ({}), Date.now())
    expect(tracker.trackGoodsVisit({ room_id: '9' })).toBe(true)
    for (const bad of [undefined, {}, { room_id: '' }, { room_id: '0' }, { room_id: '12abc' }, { room_id: '99999999999999999999' }]) {
      expect(tracker.trackGoodsVisit(bad)).toBe(false)
    }
    await tracker.flushTracking()
    expect(calls.flatMap((c) => c.data.events)).toMatchObject([{ kind: 'goods', roomId: 9, channel: 'share_home' }])
  })
})

describe('device copies of the server’s stats facts', () => {
  it('ships miniprogram/generated/stats.ts exactly as npm run mp:stats writes it from src/stats', () => {
    expect(readFileSync(DEVICE_STATS_FILE, 'utf8')).toBe(deviceStatsSource())
  })

  it('names the relay page as a page of the entry subpackage, and the share channels as the built-in ones', () => {
    const app = JSON.parse(readFileSync(join(__dirname, '../../miniprogram/app.json'), 'utf8')) as { subpackages: { root: string; pages: string[] }[] }
    const pages = app.subpackages.flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))
    expect(pages).toContain(RELAY_PAGE)
    expect(RELAY_PAGE.startsWith('entry/')).toBe(true)
    expect(Object.values(CHANNELS).sort()).toEqual(Object.keys(BUILTIN_CHANNELS).sort())
  })

  const digits = fc.stringMatching(/^-?[0-9]{0,18}$/)
  const code = fc.oneof(fc.stringMatching(CHANNEL_CODE_RE), fc.constantFrom(...Object.keys(BUILTIN_CHANNELS)), fc.string({ maxLength: 10 }))

  it('reads a QR scene exactly as parseQrScene does', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(digits, fc.constantFrom('.', '', '..', '_'), code).map(([a, dot, c]) => a + dot + c), fc.string({ maxLength: 40 })), (scene) => {
        expect(parseScene(scene)).toEqual(parseQrScene(scene))
      }),
      { numRuns: 3000 },
    )
  })

  it('reads a link query exactly as parseRelayQuery does', () => {
    const value = fc.oneof(digits, code, fc.constant(undefined), fc.integer(), fc.constant(['1']))
    fc.assert(
      fc.property(fc.record({ roomId: value, ch: value }), (query) => {
        expect(parseQuery(query)).toEqual(parseRelayQuery(query))
      }),
      { numRuns: 3000 },
    )
  })

  it('reads back what the server issues: a QR scene URL-encoded in options.scene, or the link query', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.stringMatching(CHANNEL_CODE_RE), (roomId, c) => {
        const scene = qrScene(roomId, c)
        const expected = parseQrScene(scene ?? '')
        if (scene) expect(relayTarget({ scene: encodeURIComponent(scene) })).toEqual(expected)
        const query = Object.fromEntries(new URLSearchParams(relayQuery(roomId, c)))
        expect(relayTarget(query)).toEqual(parseRelayQuery(query))
      }),
    )
    expect(relayTarget({ scene: '%E0%A4%A' })).toBeNull()
  })
})
