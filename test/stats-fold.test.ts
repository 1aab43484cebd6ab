/**
 * The statistics fold (src/stats/fold.ts), in process over the emulator's database engine: the sums it writes,
 * its settle lag, its lease, that a run dying after any number of writes loses nothing and counts nothing twice,
 * that a recorded pending range is redone exactly, retention, that a run's reads depend on new batches only, and
 * Channels live events: counted under the Channels account, their errors kept as bounded problems per API and errcode.
 */
import { describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { createEngineDriver } from '../emulator/db/engine-store'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { countingDriver } from '../bench/sync-map-driver'
import { type DocDriver, type RawDoc, REMOVE_MATCH_MAX } from '../src/sync/driver'
import { LEASE_MARGIN_MS } from '../src/sync/lease'
import { CHANNELS_ROOM_ID, dailyDocId, seqKeyOf, STATS_COLLECTIONS, type StatsBatchDoc, type StoredEvent } from '../src/stats/docs'
import { addProblem, CHANNELS_PROBLEMS_ID, CHANNELS_PROBLEMS_MAX, mergeProblems, type ChannelsProblem, type ChannelsProblemsDoc } from '../src/stats/problems'
import { TRACK_TIMEOUT_S } from '../src/stats/events'
import { DEFAULT_FOLD_CONFIG, FOLD_STATE_ID, parseRetentionDays, removeFolded, RETENTION_DAYS_DEFAULT, runFold, type FoldInput } from '../src/stats/fold'
import { shanghaiDay } from '../src/live/day'

const C = STATS_COLLECTIONS
const NOW = Date.UTC(2026, 10, 28, 4, 0, 0)
const DAY = shanghaiDay(NOW)
const SETTLE_MS = TRACK_TIMEOUT_S * 1000 + DEFAULT_FOLD_CONFIG.settleMarginMs
const BUDGET = 20_000
/** Far enough on for a crashed run's lease to have expired. */
const AFTER_LEASE = BUDGET + LEASE_MARGIN_MS + 1

function freshDb(): { db: DocDriver; engine: ReturnType<typeof createMemoryEngine> } {
  const engine = createMemoryEngine({ clock: createClock() })
  for (const name of Object.values(C)) engine.createCollection(name)
  return { db: createEngineDriver(engine), engine }
}

const ev = {
  impression: (roomId: number, channel: string, atMs: number): StoredEvent => ({ kind: 'impression', atMs, roomId, channel, section: 'live', day: shanghaiDay(atMs) }),
  land: (roomId: number, channel: string, atMs: number): StoredEvent => ({ kind: 'land', atMs, roomId, channel, scene: 1047, day: shanghaiDay(atMs) }),
  enter: (roomId: number, channel: string, atMs: number, entryKind: 'qrcode' | 'share' | 'other', shared = false): StoredEvent => ({
    kind: 'enter',
    atMs,
    roomId,
    channel,
    scene: entryKind === 'qrcode' ? 1047 : entryKind === 'share' ? 1007 : 1001,
    ...(shared ? { shared: true } : {}),
    day: shanghaiDay(atMs),
    entryKind,
  }),
  replay: (roomId: number, channel: string, atMs: number, seconds: number): StoredEvent => ({ kind: 'replay', atMs, roomId, channel, seconds, day: shanghaiDay(atMs) }),
  goods: (roomId: number, channel: string, atMs: number): StoredEvent => ({ kind: 'goods', atMs, roomId, channel, goodsId: 9, day: shanghaiDay(atMs) }),
  order: (roomId: number, channel: string, atMs: number, amountFen: number, orderId: string): StoredEvent => ({
    kind: 'order',
    atMs,
    roomId,
    channel,
    orderId,
    amountFen,
    goods: [{ goodsId: 9, quantity: 1 }],
    day: shanghaiDay(atMs),
  }),
}

let batchSerial = 0
function batch(at: number, events: StoredEvent[]): StatsBatchDoc {
  const id = `b-${String(++batchSerial).padStart(6, '0')}`
  return { _id: id, seqKey: seqKeyOf(at, id), at, source: 'viewer', viewer: 'k0123456789abcdef0123456', events }
}

async function put(db: DocDriver, batches: StatsBatchDoc[]): Promise<void> {
  for (const b of batches) expect(await db.insert(C.batches, b as unknown as RawDoc)).toBe('ok')
}

/** Every aggregate, keyed by id, without the bookkeeping fields a redo may legitimately differ in. */
async function aggregates(db: DocDriver): Promise<Record<string, unknown>> {
  const docs = await db.find(C.daily, {}, { limit: 1000, orderBy: { field: '_id', dir: 'asc' } })
  return Object.fromEntries(docs.map(({ _id, counts, kinds, day, roomId, channel }) => [_id, { day, roomId, channel, counts, kinds }]))
}

const fold = (db: DocDriver, nowMs: number, extra: Partial<FoldInput> = {}) => runFold({ db, nowMs, budgetMs: BUDGET, ...extra })

/**
 * A driver whose write requests fail after the first `k`, as a run killed mid-way stops: the (k+1)th write either
 * never reaches the database, or (`lostReply`) is applied and its answer lost.
 */
function dyingAfter(inner: DocDriver, k: number, lostReply = false): DocDriver {
  let writes = 0
  const write = async <T>(op: () => Promise<T>): Promise<T> => {
    writes++
    if (writes <= k) return op()
    if (lostReply && writes === k + 1) await op()
    throw new Error(`killed after ${k} writes`)
  }
  return {
    find: (c, w, o) => inner.find(c, w, o),
    count: (c, w) => inner.count(c, w),
    set: (c, id, d) => write(() => inner.set(c, id, d)),
    update: (c, w, p) => write(() => inner.update(c, w, p)),
    insert: (c, d) => write(() => inner.insert(c, d)),
    remove: (c, w) => write(() => inner.remove(c, w)),
  }
}

/** Six batches over two rooms and three channels, two pages at page size 4. */
function sampleHistory(): StatsBatchDoc[] {
  const t = NOW - 3600_000
  return [
    batch(t, [ev.impression(7, 'home', t - 5000), ev.impression(7, 'home', t - 4000), ev.impression(8, 'home', t - 3000)]),
    batch(t + 1000, [ev.land(7, 'poster1', t), ev.enter(7, 'poster1', t + 500, 'qrcode')]),
    batch(t + 2000, [ev.enter(7, 'home', t + 1000, 'other'), ev.enter(7, 'share_room', t + 1500, 'share', true), ev.goods(7, 'home', t + 1800)]),
    batch(t + 3000, [ev.replay(8, 'share_replay', t + 2000, 30.4), ev.replay(8, 'share_replay', t + 2500, 59.6)]),
    batch(t + 4000, [ev.order(7, 'poster1', t + 3000, 12_900, 'A1'), ev.enter(7, 'poster1', t + 3500, 'qrcode')]),
    batch(t + 5000, [ev.order(7, 'home', t + 4000, 5_000, 'A2'), ev.impression(8, 'home', t + 4500)]),
  ]
}

const zero = { reached: 0, taps: 0, entered: 0, sharedEntries: 0, subscribed: 0, shares: 0, replayPlays: 0, replaySeconds: 0, goodsClicks: 0, orders: 0, gmvFen: 0 }

/** The sample history's aggregates, worked out by hand. */
const SAMPLE_AGGREGATES = {
  [dailyDocId(DAY, 7, 'home')]: { day: DAY, roomId: 7, channel: 'home', counts: { ...zero, reached: 2, entered: 1, goodsClicks: 1, orders: 1, gmvFen: 5_000 }, kinds: { other: 1 } },
  [dailyDocId(DAY, 7, 'poster1')]: { day: DAY, roomId: 7, channel: 'poster1', counts: { ...zero, reached: 1, entered: 2, orders: 1, gmvFen: 12_900 }, kinds: { qrcode: 2 } },
  [dailyDocId(DAY, 7, 'share_room')]: { day: DAY, roomId: 7, channel: 'share_room', counts: { ...zero, entered: 1, sharedEntries: 1 }, kinds: { share: 1 } },
  [dailyDocId(DAY, 8, 'home')]: { day: DAY, roomId: 8, channel: 'home', counts: { ...zero, reached: 2 }, kinds: {} },
  [dailyDocId(DAY, 8, 'share_replay')]: { day: DAY, roomId: 8, channel: 'share_replay', counts: { ...zero, replayPlays: 2, replaySeconds: 90 }, kinds: {} },
}

describe('the fold adds new batches into per (day, room, channel) aggregates', () => {
  it('sums every counter, the entries by entry kind, orders and GMV, one document per room, day and channel', async () => {
    const { db } = freshDb()
    const history = sampleHistory()
    await put(db, history)
    const report = await fold(db, NOW, { config: { pageSize: 4 } })
    expect(report).toMatchObject({ status: 'ok', foldedBatches: 6, foldedEvents: 14, skippedEvents: 0, aggregatesWritten: 5 + 3, error: null })
    expect(report.checkpoint).toBe(history[5].seqKey)
    expect(await aggregates(db)).toEqual(SAMPLE_AGGREGATES)
    // The aggregates hold no viewer: nothing that names one was stored with them.
    expect(JSON.stringify(await db.find(C.daily, {}, { limit: 100 }))).not.toMatch(/viewer|openid|k0123/)
  })

  it('keeps adding: a later run folds only the new batches into the same documents', async () => {
    const { db } = freshDb()
    await put(db, sampleHistory())
    await fold(db, NOW)
    const t = NOW + 60_000
    await put(db, [batch(t, [ev.enter(7, 'poster1', t, 'qrcode'), ev.order(7, 'poster1', t, 100, 'A3')])])
    const report = await fold(db, t + SETTLE_MS)
    expect(report).toMatchObject({ status: 'ok', foldedBatches: 1, foldedEvents: 2, aggregatesWritten: 1 })
    const poster = (await aggregates(db))[dailyDocId(DAY, 7, 'poster1')] as { counts: typeof zero; kinds: Record<string, number> }
    expect(poster.counts).toMatchObject({ entered: 3, orders: 2, gmvFen: 13_000 })
    expect(poster.kinds).toEqual({ qrcode: 3 })
  })

  it('waits behind the settle lag: a batch accepted less than the track timeout plus the margin ago is left for later', async () => {
    const { db } = freshDb()
    const at = NOW - SETTLE_MS + 1
    await put(db, [batch(at, [ev.impression(7, 'home', at)])])
    expect(await fold(db, NOW)).toMatchObject({ status: 'ok', foldedBatches: 0, checkpoint: '' })
    expect(await aggregates(db)).toEqual({})
    expect(await fold(db, NOW + 1)).toMatchObject({ status: 'ok', foldedBatches: 1 })
    expect(Object.keys(await aggregates(db))).toEqual([dailyDocId(DAY, 7, 'home')])
  })

  it('skips stored events it cannot read, says so, and counts the rest of their batch', async () => {
    const { db } = freshDb()
    const t = NOW - 60_000
    const broken = batch(t, [ev.impression(7, 'home', t)])
    ;(broken.events as unknown[]).push({ kind: 'impression', roomId: 'seven' }, null, { kind: 'teleport', day: DAY, roomId: 7, channel: 'home' })
    await put(db, [broken, { ...batch(t + 1, []), events: 'not a list' } as unknown as StatsBatchDoc])
    const report = await fold(db, NOW)
    expect(report).toMatchObject({ status: 'ok', foldedBatches: 2, foldedEvents: 1, skippedEvents: 3 })
    expect(report.notes.join(' ')).toMatch(/3 stored event\(s\)/)
    expect((await aggregates(db))[dailyDocId(DAY, 7, 'home')]).toMatchObject({ counts: { reached: 1 } })
  })
})

describe('the lease', () => {
  it('a second run while the first holds the lease does nothing; once the lease expires a run goes ahead', async () => {
    const { db } = freshDb()
    await put(db, sampleHistory())
    // A run that died holding the lease: the lease (a failed claim, then the state's creation) and nothing else.
    await expect(fold(dyingAfter(db, 2), NOW)).resolves.toMatchObject({ status: 'failed' })
    const busy = await fold(db, NOW + 1000)
    expect(busy).toMatchObject({ status: 'busy', foldedBatches: 0, writes: 1 })
    expect(await aggregates(db)).toEqual({})
    expect(await fold(db, NOW + AFTER_LEASE)).toMatchObject({ status: 'ok', foldedBatches: 6 })
    expect(await aggregates(db)).toEqual(SAMPLE_AGGREGATES)
  })

  it('releases the lease at the end of a run, so the next minute’s run does not wait', async () => {
    const { db } = freshDb()
    await put(db, sampleHistory())
    expect(await fold(db, NOW)).toMatchObject({ status: 'ok' })
    expect(await fold(db, NOW + 60_000)).toMatchObject({ status: 'ok', foldedBatches: 0 })
    const [state] = await db.find(C.state, { _id: FOLD_STATE_ID }, { limit: 1 })
    expect(state).toMatchObject({ leaseOwner: null, leaseExpiresAt: 0, pending: null, checkpoint: expect.any(String) })
  })

  it('a run that lost its lease stops before writing another range', async () => {
    const { db } = freshDb()
    await put(db, sampleHistory())
    // The other run steals the lease between this run's pages: every later state write of this run must fail.
    let pages = 0
    const thief: DocDriver = {
      ...db,
      find: async (c, w, o) => {
        const docs = await db.find(c, w, o)
        if (c === C.batches && ++pages === 2) await db.update(C.state, { _id: FOLD_STATE_ID }, { set: { leaseOwner: 'other', leaseExpiresAt: NOW + 99_000 } })
        return docs
      },
    }
    const report = await fold(thief, NOW, { config: { pageSize: 4 } })
    expect(report).toMatchObject({ status: 'lost_lease', foldedBatches: 4 })
    const sums = await aggregates(db)
    expect((sums[dailyDocId(DAY, 7, 'home')] as { counts: typeof zero }).counts.orders).toBe(0)
  })
})

describe('a run that dies after any number of writes loses nothing and counts nothing twice', () => {
  it('for every write point of a clean run, dying there and then running cleanly gives the hand-worked aggregates', async () => {
    const clean = freshDb()
    await put(clean.db, sampleHistory())
    const reference = await fold(clean.db, NOW, { config: { pageSize: 2 } })
    expect(reference.status).toBe('ok')
    expect(await aggregates(clean.db)).toEqual(SAMPLE_AGGREGATES)
    expect(reference.writes).toBeGreaterThan(10)

    for (const lostReply of [false, true]) {
      for (let k = 0; k <= reference.writes; k++) {
        const at = `write ${k + 1}${lostReply ? ' (applied, reply lost)' : ''}`
        const { db } = freshDb()
        await put(db, sampleHistory())
        const dying = await fold(dyingAfter(db, k, lostReply), NOW, { config: { pageSize: 2 } })
        // The last write releases the lease: losing it only leaves the lease to expire, and the run says so.
        if (k < reference.writes - 1) expect(dying.status, `dying at ${at}`).toBe('failed')
        else if (k === reference.writes - 1) expect(dying.notes.join(' '), `dying at ${at}`).toMatch(/lease was not released/)
        const after = await fold(db, NOW + AFTER_LEASE, { config: { pageSize: 2 } })
        expect(after.status, `clean run after dying at ${at}`).toBe('ok')
        expect(await aggregates(db), `aggregates after dying at ${at}`).toEqual(SAMPLE_AGGREGATES)
        // And a third run finds nothing left to do.
        expect(await fold(db, NOW + 2 * AFTER_LEASE, { config: { pageSize: 2 } })).toMatchObject({ foldedBatches: 0, aggregatesWritten: 0 })
      }
    }
  })

  it('redoes exactly the recorded pending range: the aggregates that already hold it are skipped, the others written', async () => {
    const { db } = freshDb()
    const history = sampleHistory()
    await put(db, history)
    // Writes: the lease (a claim that finds no state, then its creation), the first page's pending range, then its
    // three new aggregates (a guarded update that finds none, then the insert). Die after the first aggregate.
    const dying = await fold(dyingAfter(db, 5), NOW, { config: { pageSize: 2 } })
    expect(dying).toMatchObject({ status: 'failed', pending: { from: '', to: history[1].seqKey } })
    const [state] = await db.find(C.state, { _id: FOLD_STATE_ID }, { limit: 1 })
    expect(state.pending).toEqual({ from: '', to: history[1].seqKey })

    const redo = await fold(db, NOW + AFTER_LEASE, { config: { pageSize: 2 } })
    expect(redo.redone).toEqual({ from: '', to: history[1].seqKey })
    expect(redo).toMatchObject({ status: 'ok', foldedBatches: 6, aggregatesAlreadyApplied: 1 })
    expect(await aggregates(db)).toEqual(SAMPLE_AGGREGATES)
  })

  it('a run that outlived its lease cannot add its old range again over the newer ranges a later run folded', async () => {
    const { db } = freshDb()
    await put(db, sampleHistory())
    let later: Promise<unknown> | null = null
    // The stalled run reaches its first aggregate write; meanwhile its lease expires and a later run folds everything.
    const stalled: DocDriver = {
      ...db,
      update: async (c, w, p) => {
        if (c === C.daily && !later) await (later = fold(db, NOW + AFTER_LEASE, { config: { pageSize: 2 } }))
        return db.update(c, w, p)
      },
    }
    const zombie = await fold(stalled, NOW, { config: { pageSize: 2 } })
    await expect(later).resolves.toMatchObject({ status: 'ok', foldedBatches: 6 })
    expect(zombie.status).toBe('lost_lease')
    expect(await aggregates(db)).toEqual(SAMPLE_AGGREGATES)
  })

  it('a run out of time in the middle of a range leaves it pending, and the next run finishes it without counting twice', async () => {
    const { db } = freshDb()
    await put(db, sampleHistory())
    let clock = 0
    // Each database request takes 1 s of a 3.4 s budget: the run stops part-way through its first range.
    const slow: DocDriver = Object.fromEntries(
      Object.entries(db).map(([name, fn]) => [name, (...args: unknown[]) => ((clock += 1000), (fn as (...a: unknown[]) => unknown)(...args))]),
    ) as unknown as DocDriver
    const first = await runFold({ db: slow, nowMs: NOW, budgetMs: 3400, elapsedMs: () => clock, config: { pageSize: 4, minPageMs: 0, reserveMs: 0 } })
    expect(first.status).toBe('more')
    expect(first.pending).not.toBeNull()
    const second = await fold(db, NOW + 60_000)
    expect(second).toMatchObject({ status: 'ok', redone: first.pending })
    expect(await aggregates(db)).toEqual(SAMPLE_AGGREGATES)
  })
})

describe('raw batches are removed once folded and older than the retention age', () => {
  const DAY_MS = 86_400_000

  it('removes only batches that are both folded and older than the age, and keeps the aggregates', async () => {
    const { db } = freshDb()
    const old = Array.from({ length: 5 }, (_, i) => batch(NOW - 10 * DAY_MS + i, [ev.impression(7, 'home', NOW - 10 * DAY_MS + i)]))
    const recent = Array.from({ length: 3 }, (_, i) => batch(NOW - 2 * DAY_MS + i, [ev.impression(7, 'home', NOW - 2 * DAY_MS + i)]))
    await put(db, [...old, ...recent])
    // First run: folds only the first three old batches (page size 3, then out of time), so two old ones are not folded yet.
    let clock = 0
    const ticking: DocDriver = Object.fromEntries(
      Object.entries(db).map(([name, fn]) => [name, (...args: unknown[]) => ((clock += 100), (fn as (...a: unknown[]) => unknown)(...args))]),
    ) as unknown as DocDriver
    const first = await runFold({ db: ticking, nowMs: NOW, budgetMs: 1100, elapsedMs: () => clock, config: { pageSize: 3, minPageMs: 500, reserveMs: 0 } })
    expect(first).toMatchObject({ status: 'more', foldedBatches: 3, checkpoint: old[2].seqKey, removed: 0 })
    // Time ran out before removal; a run with time folds the rest and removes the five old batches, never the recent ones.
    const second = await fold(db, NOW + 60_000)
    expect(second).toMatchObject({ status: 'ok', foldedBatches: 5, removed: 5, retentionDays: RETENTION_DAYS_DEFAULT })
    const left = await db.find(C.batches, {}, { limit: 100, orderBy: { field: 'seqKey', dir: 'asc' } })
    expect(left.map((d) => d._id)).toEqual(recent.map((b) => b._id))
    expect((await aggregates(db))[dailyDocId(shanghaiDay(NOW - 10 * DAY_MS), 7, 'home')]).toMatchObject({ counts: { reached: 5 } })
  })

  it('keeps unfolded batches however old: only what lies at or behind the checkpoint is removed', async () => {
    const { db } = freshDb()
    const old = Array.from({ length: 4 }, (_, i) => batch(NOW - 10 * DAY_MS + i, [ev.impression(7, 'home', NOW - 10 * DAY_MS + i)]))
    const recent = batch(NOW - DAY_MS, [ev.impression(7, 'home', NOW - DAY_MS)])
    await put(db, [...old, recent])
    const cutoff = NOW - 7 * DAY_MS
    expect(await removeFolded(db, '', cutoff, 100, () => true)).toBe(0)
    expect(await removeFolded(db, old[1].seqKey, cutoff, 100, () => true)).toBe(2)
    expect((await db.find(C.batches, {}, { limit: 10, orderBy: { field: 'seqKey', dir: 'asc' } })).map((d) => d._id)).toEqual([old[2]._id, old[3]._id, recent._id])
    // A checkpoint past every batch still keeps the ones younger than the age.
    expect(await removeFolded(db, recent.seqKey, cutoff, 100, () => true)).toBe(2)
    expect((await db.find(C.batches, {}, { limit: 10 })).map((d) => d._id)).toEqual([recent._id])
  })

  it('takes the age from STATS_RAW_RETENTION_DAYS, and a bad value is an error in the report that removes nothing', async () => {
    const { db } = freshDb()
    const at = NOW - 3 * DAY_MS
    await put(db, [batch(at, [ev.impression(7, 'home', at)])])
    const bad = await fold(db, NOW, { env: { STATS_RAW_RETENTION_DAYS: 'two' } })
    expect(bad).toMatchObject({ status: 'ok', foldedBatches: 1, removed: 0, retentionDays: null })
    expect(bad.error).toMatchObject({ field: 'STATS_RAW_RETENTION_DAYS' })
    expect(bad.error?.en).toMatch(/whole number of days from 1 to 366.*"two"/)
    expect(await db.count(C.batches, {})).toBe(1)
    expect(await fold(db, NOW + 60_000, { env: { STATS_RAW_RETENTION_DAYS: '7' } })).toMatchObject({ removed: 0, retentionDays: 7 })
    expect(await fold(db, NOW + 120_000, { env: { STATS_RAW_RETENTION_DAYS: '2' } })).toMatchObject({ removed: 1, retentionDays: 2, error: null })
  })

  it('reads the age strictly: unset is the default, and zero, fractions, signs and huge values are refused', () => {
    expect(parseRetentionDays(undefined)).toEqual({ ok: true, days: RETENTION_DAYS_DEFAULT })
    expect(parseRetentionDays(' ')).toEqual({ ok: true, days: RETENTION_DAYS_DEFAULT })
    expect(parseRetentionDays(' 30 ')).toEqual({ ok: true, days: 30 })
    for (const bad of ['0', '1.5', '-3', '+3', '367', '1e2', '7d', '９']) expect(parseRetentionDays(bad).ok, bad).toBe(false)
  })

  it('bounds removal per run, and no remove call matches more than the read cap', async () => {
    const { db } = freshDb()
    const at = NOW - 9 * DAY_MS
    const many = Array.from({ length: 2 * REMOVE_MATCH_MAX + 500 }, (_, i) => batch(at + i, [ev.impression(7, 'home', at + i)]))
    await put(db, many)
    const removedPerCall: number[] = []
    const watching: DocDriver = { ...db, remove: async (c, w) => { const n = await db.remove(c, w); removedPerCall.push(n); return n } }
    const first = await fold(watching, NOW, { config: { removeMaxPerRun: 2 * REMOVE_MATCH_MAX } })
    expect(first).toMatchObject({ foldedBatches: many.length, removed: 2 * REMOVE_MATCH_MAX })
    const second = await fold(watching, NOW + 60_000)
    expect(second.removed).toBe(500)
    expect(removedPerCall).toEqual([REMOVE_MATCH_MAX, REMOVE_MATCH_MAX, 500])
    expect(await db.count(C.batches, {})).toBe(0)
  })
})

describe('a run reads only what is new', () => {
  it('the reads and the documents read for the newest batch are the same with 10 or 600 batches of history', async () => {
    const cost = async (history: number) => {
      const { db } = freshDb()
      const start = NOW - 3600_000
      await put(db, Array.from({ length: history }, (_, i) => batch(start + i * 1000, [ev.impression(1 + (i % 5), 'home', start + i * 1000), ev.enter(1 + (i % 5), 'home', start + i * 1000, 'other')])))
      expect(await fold(db, NOW)).toMatchObject({ status: 'ok', foldedBatches: history })
      await put(db, [batch(NOW, [ev.enter(3, 'poster1', NOW, 'qrcode')])])
      let reads = 0
      let docsRead = 0
      const counted = countingDriver(db, () => undefined, (_c, n) => ((reads += 1), (docsRead += n)))
      const report = await fold(counted, NOW + SETTLE_MS)
      expect(report).toMatchObject({ status: 'ok', foldedBatches: 1, aggregatesWritten: 1 })
      expect(report.reads).toBe(reads)
      return { reads, docsRead, writes: report.writes }
    }
    const small = await cost(10)
    const large = await cost(600)
    expect(large).toEqual(small)
    // The lease read, the one page (a single batch) and the retention read that finds nothing to remove.
    expect(small).toEqual({ reads: 3, docsRead: 2, writes: 6 })
  })
})

describe('Channels live events', () => {
  const chEnter = (channel: string, atMs: number, status: 'live' | 'ended' = 'live'): StoredEvent => ({
    kind: 'channels_enter', atMs, channel, scene: 1001, via: 'component', status, day: shanghaiDay(atMs), entryKind: 'other',
  })
  const chReserve = (channel: string, atMs: number, outcome: 'reserved' | 'dismissed' | 'alreadyReserved'): StoredEvent => ({
    kind: 'channels_reserve', atMs, channel, noticeId: 'notice-1', outcome, day: shanghaiDay(atMs),
  })
  const chError = (api: 'getChannelsLiveInfo' | 'openChannelsLive', errCode: number, atMs: number): StoredEvent => ({
    kind: 'channels_error', atMs, channel: 'home', api, errCode, day: shanghaiDay(atMs),
  })
  const t = NOW - 3600_000

  /** Entries and reservations under the Channels account, and errors from two APIs, over three pages at page size 2. */
  function channelsHistory(): StatsBatchDoc[] {
    return [
      batch(t, [chEnter('home', t), chEnter('home', t + 10, 'ended'), chError('getChannelsLiveInfo', 100008, t + 20)]),
      batch(t + 1000, [chReserve('home', t + 30, 'reserved'), chReserve('home', t + 40, 'dismissed'), chError('getChannelsLiveInfo', 100008, t - 50_000)]),
      batch(t + 2000, [chEnter('share_home', t + 60), ev.enter(7, 'home', t + 70, 'other')]),
      batch(t + 3000, [chReserve('home', t + 80, 'alreadyReserved'), chError('openChannelsLive', 40097, t + 90)]),
      batch(t + 4000, [chError('getChannelsLiveInfo', 100008, t + 100_000)]),
    ]
  }

  const CHANNELS_AGGREGATES = {
    [dailyDocId(DAY, CHANNELS_ROOM_ID, 'home')]: { day: DAY, roomId: CHANNELS_ROOM_ID, channel: 'home', counts: { ...zero, entered: 2, subscribed: 1 }, kinds: { other: 2 } },
    [dailyDocId(DAY, CHANNELS_ROOM_ID, 'share_home')]: { day: DAY, roomId: CHANNELS_ROOM_ID, channel: 'share_home', counts: { ...zero, entered: 1 }, kinds: { other: 1 } },
    [dailyDocId(DAY, 7, 'home')]: { day: DAY, roomId: 7, channel: 'home', counts: { ...zero, entered: 1 }, kinds: { other: 1 } },
  }
  const PROBLEMS = [
    { api: 'getChannelsLiveInfo', errCode: 100008, count: 3, firstSeenMs: t - 50_000, lastSeenMs: t + 100_000 },
    { api: 'openChannelsLive', errCode: 40097, count: 1, firstSeenMs: t + 90, lastSeenMs: t + 90 },
  ]
  const problemsOf = async (db: DocDriver) => (await db.find(C.problems, { _id: CHANNELS_PROBLEMS_ID }, { limit: 1 }))[0] as unknown as ChannelsProblemsDoc

  it('counts entries and reservations under the Channels account (room 0), and errors only as problems per API and errcode', async () => {
    const { db } = freshDb()
    await put(db, channelsHistory())
    const report = await fold(db, NOW + 200_000, { config: { pageSize: 2 } })
    expect(report).toMatchObject({ status: 'ok', foldedBatches: 5, foldedEvents: 11, skippedEvents: 0, channelsProblems: 4 })
    // an error event makes no aggregate of its own: only the entries and the reservation are counted
    expect(await aggregates(db)).toEqual(CHANNELS_AGGREGATES)
    const doc = await problemsOf(db)
    expect(doc).toMatchObject({ problems: PROBLEMS, dropped: 0, lastFold: report.checkpoint })
    expect(JSON.stringify(doc)).not.toMatch(/viewer|openid|k0123/)
  })

  it('skips a stored error it cannot read (unknown API, no errcode) and counts the rest', async () => {
    const { db } = freshDb()
    const broken = batch(t, [chError('openChannelsLive', 1416104, t)])
    ;(broken.events as unknown[]).push({ ...chError('openChannelsLive', 1, t), api: 'getWeRunData' }, { ...chError('openChannelsLive', 1, t), errCode: 'x' })
    await put(db, [broken])
    expect(await fold(db, NOW)).toMatchObject({ foldedEvents: 1, skippedEvents: 2, channelsProblems: 1 })
    expect((await problemsOf(db)).problems).toEqual([{ api: 'openChannelsLive', errCode: 1416104, count: 1, firstSeenMs: t, lastSeenMs: t }])
  })

  it(`keeps at most ${CHANNELS_PROBLEMS_MAX} problems, dropping the least recently seen and counting what it dropped`, async () => {
    const { db } = freshDb()
    const codes = Array.from({ length: CHANNELS_PROBLEMS_MAX + 5 }, (_, i) => 500_000 + i)
    // one page: code i last seen at t + i, so the five oldest go
    await put(db, [batch(t, codes.slice(0, 30).map((c, i) => chError('openChannelsLive', c, t + i))), batch(t + 1, codes.slice(30).map((c, i) => chError('openChannelsLive', c, t + 30 + i)))])
    await fold(db, NOW)
    const doc = await problemsOf(db)
    expect(doc.problems).toHaveLength(CHANNELS_PROBLEMS_MAX)
    expect(doc.dropped).toBe(5)
    expect(doc.problems[0]).toMatchObject({ errCode: codes.at(-1) })
    expect(doc.problems.map((p) => p.errCode)).not.toContain(codes[4])
    expect(doc.problems.map((p) => p.errCode)).toContain(codes[5])
    // a later report of a kept pair moves it to the front without growing the list
    await put(db, [batch(NOW, [chError('openChannelsLive', codes[5], NOW)])])
    await fold(db, NOW + SETTLE_MS)
    const after = await problemsOf(db)
    expect(after.problems).toHaveLength(CHANNELS_PROBLEMS_MAX)
    expect(after.problems[0]).toMatchObject({ errCode: codes[5], count: 2, firstSeenMs: t + 5, lastSeenMs: NOW })
  })

  it('merges and bounds the same way whatever the order: newest first, ties by API then errcode', () => {
    const sums = new Map<string, ChannelsProblem>()
    addProblem(sums, 'openChannelsLive', 2, 50)
    addProblem(sums, 'getChannelsLiveInfo', 2, 50)
    addProblem(sums, 'getChannelsLiveInfo', 1, 70)
    addProblem(sums, 'getChannelsLiveInfo', 1, 10)
    const stored: ChannelsProblem[] = [{ api: 'getChannelsLiveInfo', errCode: 1, count: 4, firstSeenMs: 5, lastSeenMs: 20 }]
    expect(mergeProblems(stored, sums, 2)).toEqual({
      problems: [
        { api: 'getChannelsLiveInfo', errCode: 1, count: 6, firstSeenMs: 5, lastSeenMs: 70 },
        { api: 'getChannelsLiveInfo', errCode: 2, count: 1, firstSeenMs: 50, lastSeenMs: 50 },
      ],
      dropped: 1,
    })
  })

  it('for every write point of a clean run, dying there and then running cleanly gives the same aggregates and problems', async () => {
    const clean = freshDb()
    await put(clean.db, channelsHistory())
    const reference = await fold(clean.db, NOW + 200_000, { config: { pageSize: 2 } })
    expect(reference.status).toBe('ok')
    const { problems } = await problemsOf(clean.db)
    expect(problems).toEqual(PROBLEMS)
    for (const lostReply of [false, true]) {
      for (let k = 0; k <= reference.writes; k++) {
        const at = `write ${k + 1}${lostReply ? ' (applied, reply lost)' : ''}`
        const { db } = freshDb()
        await put(db, channelsHistory())
        await fold(dyingAfter(db, k, lostReply), NOW + 200_000, { config: { pageSize: 2 } })
        expect((await fold(db, NOW + 200_000 + AFTER_LEASE, { config: { pageSize: 2 } })).status, at).toBe('ok')
        expect(await aggregates(db), at).toEqual(CHANNELS_AGGREGATES)
        expect((await problemsOf(db)).problems, at).toEqual(PROBLEMS)
      }
    }
  })
})
