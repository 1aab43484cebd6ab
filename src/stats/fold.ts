/**
 * The statistics fold: one run of the `liveStats` timer, a pure use case over a DocDriver, the run's clock and its
 * time budget (like the sync). It adds new raw batches (`live_stats_batches`, written by `track`) into the
 * per-(day, room, channel) aggregates (`live_stats_daily`), never rereading what it already folded:
 *
 *   1. take the lease in `live_stats_state` (a conditional update with expiry): a second run at the same time leaves;
 *   2. a pending range left by a run that died half-way is redone first, exactly that range;
 *   3. batches after the checkpoint that have settled (`at` at least TRACK_TIMEOUT_S plus a margin ago) are read in
 *      seqKey order, a page at a time; each page's sums are recorded as pending BEFORE any aggregate changes, each
 *      aggregate gets one atomic update guarded by its `lastFold` (Channels API errors: the one problems document,
 *      a compare-and-set on its `lastFold`, src/stats/problems.ts), and the checkpoint then moves past the page;
 *   4. raw batches already folded and older than the retention age are removed, a bounded number per run.
 *
 * A fold id is the range's last seqKey, so fold ids only grow: an aggregate whose `lastFold` is not below the id has
 * this range already (a redo skips it), and a run that outlived its lease cannot add an old range over a newer one.
 */
import { randomBytes } from 'node:crypto'
import { cond, type DocDriver, type RawDoc, REMOVE_MATCH_MAX, type Where } from '../sync/driver'
import { LEASE_MARGIN_MS } from '../sync/lease'
import { CHANNEL_TOKEN_RE, ENTRY_KINDS, type EntryKind } from './channels'
import { dailyDocId, isChannelsEvent, roomKeyOf, seqKeyOf, STATS_COLLECTIONS, type DailyStatsDoc, type StatsBatchDoc, type StoredEvent } from './docs'
import { EVENT_SCHEMAS, TRACK_TIMEOUT_S } from './events'
import { addProblem, applyProblems, type ChannelsProblem } from './problems'
import { CHANNELS_APIS } from '../channels/client-api'
import { COUNTER_NAMES, countsOfEvent, countsOfOrder, type Counts, type KindCounts, zeroCounts } from './metrics'

const C = STATS_COLLECTIONS
/** The fold's one state document in `live_stats_state`. */
export const FOLD_STATE_ID = 'fold'
const DAY_MS = 86_400_000

/** Server reads return at most 1000 documents (https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/collection/Collection.limit.html). */
export const FOLD_PAGE_MAX = 1000

export interface FoldConfig {
  /** Batches read and folded together (one pending range); at most FOLD_PAGE_MAX. */
  pageSize: number
  /** Added to the track function's timeout before a batch counts as settled: clock drift and the insert's own time. */
  settleMarginMs: number
  /** No page starts with less of the budget left than this. */
  minPageMs: number
  /** Kept back for the last checkpoint write and the lease release. */
  reserveMs: number
  /** Raw batches one run may remove. */
  removeMaxPerRun: number
}

export const DEFAULT_FOLD_CONFIG: FoldConfig = {
  pageSize: FOLD_PAGE_MAX,
  settleMarginMs: 5_000,
  minPageMs: 500,
  reserveMs: 300,
  removeMaxPerRun: 5 * REMOVE_MATCH_MAX,
}

/** How long raw batches are kept once folded: the fold's environment variable and its default. */
export const RETENTION_ENV = 'STATS_RAW_RETENTION_DAYS'
export const RETENTION_DAYS_DEFAULT = 7
/** A year: longer keeps a raw event store nobody reads (the aggregates already hold every figure). */
export const RETENTION_DAYS_MAX = 366

export interface FoldProblem {
  field?: string
  zh: string
  en: string
}

/** The retention age in days from the variable's text; unset or blank means the default. */
export function parseRetentionDays(raw: string | undefined): { ok: true; days: number } | { ok: false; problem: FoldProblem } {
  if (raw === undefined || raw.trim() === '') return { ok: true, days: RETENTION_DAYS_DEFAULT }
  const text = raw.trim()
  const days = /^\d+$/.test(text) ? Number(text) : NaN
  if (Number.isInteger(days) && days >= 1 && days <= RETENTION_DAYS_MAX) return { ok: true, days }
  return {
    ok: false,
    problem: {
      field: RETENTION_ENV,
      zh: `${RETENTION_ENV}：须为 1 到 ${RETENTION_DAYS_MAX} 的整数天数（现为 "${text.slice(0, 40)}"），原始事件本次未清理`,
      en: `${RETENTION_ENV}: must be a whole number of days from 1 to ${RETENTION_DAYS_MAX} (got "${text.slice(0, 40)}"); no raw events were removed this run`,
    },
  }
}

/** A range of batches: seqKey above `from` up to and including `to`. Its fold id is `to`. */
export interface FoldRange {
  from: string
  to: string
}

export interface FoldStateDoc {
  _id: typeof FOLD_STATE_ID
  leaseOwner: string | null
  leaseExpiresAt: number
  /** seqKey of the last batch folded ('' before the first). */
  checkpoint: string
  /** A range whose sums may be partly applied; the next run redoes it before anything else. */
  pending: FoldRange | null
  /** Every batch accepted up to this server time (ms) is in the aggregates: the dashboards' "as of". */
  foldedThroughMs: number
  savedAt: number
}

export interface FoldReport {
  status: 'ok' | 'more' | 'busy' | 'lost_lease' | 'failed'
  /** The pending range a crashed run left, redone first. */
  redone: FoldRange | null
  foldedBatches: number
  foldedEvents: number
  /** Stored events the fold could not read (never expected: track writes only checked events); each skipped. */
  skippedEvents: number
  aggregatesWritten: number
  /** Aggregates a redo found already holding the range. */
  aggregatesAlreadyApplied: number
  /** Channels API problems the devices reported, added to `live_stats_problems` (src/stats/problems.ts). */
  channelsProblems: number
  removed: number
  /** Database requests: reads (find, count) and writes (insert, set, update, remove). */
  reads: number
  writes: number
  checkpoint: string
  /** Every batch accepted up to this server time (ms) is folded. */
  foldedThroughMs: number
  /** Left for the next run when time ran out in the middle of a range. */
  pending: FoldRange | null
  retentionDays: number | null
  error: FoldProblem | null
  notes: string[]
}

export interface FoldInput {
  db: DocDriver
  /** The run's business time, read once. */
  nowMs: number
  /** Milliseconds this run may take. */
  budgetMs: number
  /** Wall clock for the budget (ms); a test passes a fake to make the budget bite. */
  elapsedMs?: () => number
  /** The function's environment (STATS_RAW_RETENTION_DAYS). */
  env?: Readonly<Record<string, string | undefined>>
  config?: Partial<FoldConfig>
  owner?: string
}

// ---------- summing ----------

/** One aggregate's increments from a set of batches. */
export interface AggregateSum {
  id: string
  day: string
  roomId: number
  channel: string
  counts: Partial<Counts>
  kinds: KindCounts
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/

/** Why a stored event cannot be counted, or null: the fold never trusts a document's shape blindly. */
function unreadable(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return 'not an object'
  const ev = e as Record<string, unknown>
  if (typeof ev.kind !== 'string' || (ev.kind !== 'order' && !Object.hasOwn(EVENT_SCHEMAS, ev.kind))) return 'unknown kind'
  if (typeof ev.day !== 'string' || !DAY_RE.test(ev.day)) return 'no day'
  if (!isChannelsEvent(ev.kind) && (typeof ev.roomId !== 'number' || !Number.isSafeInteger(ev.roomId) || ev.roomId <= 0)) return 'no room id'
  if (typeof ev.channel !== 'string' || !CHANNEL_TOKEN_RE.test(ev.channel)) return 'no channel'
  if (ev.kind === 'order' && !(typeof ev.amountFen === 'number' && Number.isSafeInteger(ev.amountFen) && ev.amountFen > 0)) return 'no amount'
  if (ev.kind === 'replay' && !(typeof ev.seconds === 'number' && Number.isFinite(ev.seconds) && ev.seconds >= 0)) return 'no seconds'
  if (ev.kind === 'enter' && ev.entryKind !== undefined && !(typeof ev.entryKind === 'string' && Object.hasOwn(ENTRY_KINDS, ev.entryKind))) return 'unknown entry kind'
  if (ev.kind === 'channels_error') {
    if (!(CHANNELS_APIS as readonly unknown[]).includes(ev.api) || !Number.isSafeInteger(ev.errCode)) return 'no api or errcode'
    if (!(typeof ev.atMs === 'number' && Number.isSafeInteger(ev.atMs) && ev.atMs > 0)) return 'no time'
  }
  return null
}

/** Adds one stored event to its aggregate's sum, or (a Channels API error, which counts nothing) to the problems. */
function addEvent(sums: Map<string, AggregateSum>, problems: Map<string, ChannelsProblem>, e: StoredEvent): void {
  if (e.kind === 'channels_error') return addProblem(problems, e.api, e.errCode, e.atMs)
  const roomId = roomKeyOf(e)
  const id = dailyDocId(e.day, roomId, e.channel)
  let sum = sums.get(id)
  if (!sum) sums.set(id, (sum = { id, day: e.day, roomId, channel: e.channel, counts: {}, kinds: {} }))
  const add = e.kind === 'order' ? countsOfOrder({ ...e, paidAtMs: e.atMs }) : countsOfEvent(e)
  for (const [k, n] of Object.entries(add) as Array<[keyof Counts, number]>) sum.counts[k] = (sum.counts[k] ?? 0) + n
  if (e.kind === 'enter' || e.kind === 'channels_enter') {
    const kind: EntryKind = e.entryKind ?? 'other'
    sum.kinds[kind] = (sum.kinds[kind] ?? 0) + 1
  }
}

/** Sums batches into aggregates and problems: the one arithmetic the fold, its tests and the benchmark's full rescan share. */
export function sumBatches(batches: readonly RawDoc[]): { sums: Map<string, AggregateSum>; problems: Map<string, ChannelsProblem>; events: number; skipped: number } {
  const sums = new Map<string, AggregateSum>()
  const problems = new Map<string, ChannelsProblem>()
  let events = 0
  let skipped = 0
  for (const b of batches) {
    const list = (b as Partial<StatsBatchDoc>).events
    if (!Array.isArray(list)) continue
    for (const e of list) {
      if (unreadable(e) !== null) {
        skipped++
        continue
      }
      addEvent(sums, problems, e as StoredEvent)
      events++
    }
  }
  return { sums, problems, events, skipped }
}

/** The aggregate document a sum creates when its (day, room, channel) has none yet. */
export function newAggregate(sum: AggregateSum, foldId: string, nowMs: number): DailyStatsDoc {
  const counts = zeroCounts()
  for (const k of COUNTER_NAMES) counts[k] += sum.counts[k] ?? 0
  return { _id: sum.id, day: sum.day, roomId: sum.roomId, channel: sum.channel, counts, kinds: { ...sum.kinds }, lastFold: foldId, updatedAt: nowMs }
}

// ---------- the run ----------

class LostLease extends Error {}
class OutOfTime extends Error {}

/** Counts the run's database requests (the report's reads and writes) around the driver it was given. */
function metered(db: DocDriver, report: FoldReport): DocDriver {
  return {
    find: (c, w, o) => (report.reads++, db.find(c, w, o)),
    count: (c, w) => (report.reads++, db.count(c, w)),
    set: (c, id, d) => (report.writes++, db.set(c, id, d)),
    update: (c, w, p) => (report.writes++, db.update(c, w, p)),
    insert: (c, d) => (report.writes++, db.insert(c, d)),
    remove: (c, w) => (report.writes++, db.remove(c, w)),
  }
}

function asState(raw: RawDoc | undefined): Pick<FoldStateDoc, 'checkpoint' | 'pending' | 'foldedThroughMs'> {
  const checkpoint = typeof raw?.checkpoint === 'string' ? raw.checkpoint : ''
  const p = raw?.pending as Partial<FoldRange> | null | undefined
  const pending = p && typeof p.from === 'string' && typeof p.to === 'string' && p.to > p.from ? { from: p.from, to: p.to } : null
  const foldedThroughMs = typeof raw?.foldedThroughMs === 'number' ? raw.foldedThroughMs : 0
  return { checkpoint, pending, foldedThroughMs }
}

/** The server time (ms) a seqKey starts with (`seqKeyOf` pads it to 15 digits before the ':'). */
function atOfSeqKey(seqKey: string): number {
  return Number(seqKey.slice(0, seqKey.indexOf(':')))
}

export function emptyFoldReport(): FoldReport {
  return {
    status: 'ok',
    redone: null,
    foldedBatches: 0,
    foldedEvents: 0,
    skippedEvents: 0,
    aggregatesWritten: 0,
    aggregatesAlreadyApplied: 0,
    channelsProblems: 0,
    removed: 0,
    reads: 0,
    writes: 0,
    checkpoint: '',
    foldedThroughMs: 0,
    pending: null,
    retentionDays: null,
    error: null,
    notes: [],
  }
}

export async function runFold(input: FoldInput): Promise<FoldReport> {
  const cfg: FoldConfig = { ...DEFAULT_FOLD_CONFIG, ...input.config }
  cfg.pageSize = Math.max(1, Math.min(FOLD_PAGE_MAX, Math.floor(cfg.pageSize)))
  const report = emptyFoldReport()
  const db = metered(input.db, report)
  const elapsed = input.elapsedMs ?? (() => Date.now())
  const t0 = elapsed()
  const timeLeft = () => input.budgetMs - cfg.reserveMs - (elapsed() - t0)
  const { nowMs } = input
  const owner = input.owner ?? randomBytes(8).toString('hex')
  const horizon = nowMs - (TRACK_TIMEOUT_S * 1000 + cfg.settleMarginMs)
  const retention = parseRetentionDays(input.env?.[RETENTION_ENV])

  let state: Awaited<ReturnType<typeof takeLease>>
  try {
    state = await takeLease(db, owner, nowMs, input.budgetMs)
  } catch (e) {
    return { ...report, status: 'failed', error: failure(e) }
  }
  if (!state) return { ...report, status: 'busy', notes: ['another run holds the lease'] }
  report.checkpoint = state.checkpoint
  let foldedThroughMs = state.foldedThroughMs

  /** A state write that only the lease holder may make; losing it ends the run at once. */
  const saveState = async (set: Record<string, unknown>) => {
    if ((await db.update(C.state, { _id: FOLD_STATE_ID, leaseOwner: owner }, { set: { ...set, savedAt: nowMs } })) !== 1) throw new LostLease()
  }

  /** Applies one range's sums; on a redo, aggregates already holding it are found first and left alone. */
  const applyRange = async (range: FoldRange, batches: RawDoc[], redo: boolean) => {
    const { sums, problems, events, skipped } = sumBatches(batches)
    const foldId = range.to
    if (!redo) await saveState({ pending: range })
    let done = new Set<string>()
    if (redo && sums.size) done = await alreadyApplied(db, [...sums.keys()], foldId)
    report.aggregatesAlreadyApplied += done.size
    for (const sum of sums.values()) {
      if (done.has(sum.id)) continue
      if (timeLeft() <= 0) throw new OutOfTime()
      if (await applySum(db, sum, foldId, nowMs)) report.aggregatesWritten++
      else report.aggregatesAlreadyApplied++
    }
    if (problems.size) {
      if (timeLeft() <= 0) throw new OutOfTime()
      // Guarded by its own lastFold, like an aggregate: a redo that finds the range there adds nothing.
      if (await applyProblems(db, problems, foldId, nowMs)) for (const p of problems.values()) report.channelsProblems += p.count
    }
    // Batches stamped in the same millisecond as the range's last one may follow it: only the millisecond before is whole.
    foldedThroughMs = Math.max(foldedThroughMs, atOfSeqKey(range.to) - 1)
    await saveState({ checkpoint: range.to, pending: null, foldedThroughMs })
    report.checkpoint = range.to
    report.foldedBatches += batches.length
    report.foldedEvents += events
    report.skippedEvents += skipped
    if (skipped) report.notes.push(`${skipped} stored event(s) in ${range.from}..${range.to} could not be read and were not counted`)
  }

  try {
    if (state.pending) {
      report.redone = state.pending
      report.pending = state.pending
      await applyRange(state.pending, await readRange(db, state.pending), true)
      report.pending = null
    }
    let caughtUp = false
    while (timeLeft() >= cfg.minPageMs) {
      const page = await db.find(C.batches, { seqKey: cond.gt(report.checkpoint), at: cond.lte(horizon) }, { limit: cfg.pageSize, orderBy: { field: 'seqKey', dir: 'asc' } })
      if (page.length === 0) {
        caughtUp = true
        break
      }
      const range = { from: report.checkpoint, to: String(page[page.length - 1].seqKey) }
      report.pending = range
      await applyRange(range, page, false)
      report.pending = null
      // A short page is the end of what has settled: no second read to learn that.
      if (page.length < cfg.pageSize) {
        caughtUp = true
        break
      }
    }
    if (caughtUp) foldedThroughMs = Math.max(foldedThroughMs, horizon)
    else report.status = 'more'
    if (retention.ok) {
      report.retentionDays = retention.days
      report.removed = await removeFolded(db, report.checkpoint, nowMs - retention.days * DAY_MS, cfg.removeMaxPerRun, () => timeLeft() >= cfg.minPageMs)
    } else {
      report.error = retention.problem
    }
  } catch (e) {
    if (e instanceof OutOfTime) {
      report.status = 'more'
      report.notes.push('time budget spent in the middle of a range; the next run redoes it')
    } else if (e instanceof LostLease) {
      report.status = 'lost_lease'
      report.notes.push('the lease expired and another run took it; this run stopped')
      return report
    } else {
      report.status = 'failed'
      report.error = failure(e)
    }
  }
  report.foldedThroughMs = foldedThroughMs
  try {
    await db.update(C.state, { _id: FOLD_STATE_ID, leaseOwner: owner }, { set: { leaseOwner: null, leaseExpiresAt: 0, foldedThroughMs, savedAt: nowMs } })
  } catch (e) {
    // The lease then simply expires; nothing the run wrote depends on releasing it.
    report.notes.push(`the lease was not released: ${e instanceof Error ? e.message : String(e)}`)
  }
  return report
}

function failure(e: unknown): FoldProblem {
  const message = e instanceof Error ? e.message : String(e)
  return { zh: `统计汇总失败：${message}`, en: `the fold failed: ${message}` }
}

/** The state, or null when another run holds the lease. */
async function takeLease(db: DocDriver, owner: string, nowMs: number, budgetMs: number): Promise<ReturnType<typeof asState> | null> {
  const expires = nowMs + budgetMs + LEASE_MARGIN_MS
  const taken = await db.update(C.state, { _id: FOLD_STATE_ID, leaseExpiresAt: cond.lte(nowMs) }, { set: { leaseOwner: owner, leaseExpiresAt: expires } })
  const [doc] = await db.find(C.state, { _id: FOLD_STATE_ID }, { limit: 1 })
  if (taken === 1) return doc && doc.leaseOwner === owner ? asState(doc) : null
  if (doc) return null
  const fresh: FoldStateDoc = { _id: FOLD_STATE_ID, leaseOwner: owner, leaseExpiresAt: expires, checkpoint: '', pending: null, foldedThroughMs: 0, savedAt: nowMs }
  return (await db.insert(C.state, fresh as unknown as RawDoc)) === 'ok' ? asState(fresh as unknown as RawDoc) : null
}

/** Exactly the batches of a recorded range (it held at most one page, so one read returns all of it). */
async function readRange(db: DocDriver, range: FoldRange): Promise<RawDoc[]> {
  const docs = await db.find(C.batches, { seqKey: cond.gt(range.from), at: cond.lte(atOfSeqKey(range.to)) }, { limit: FOLD_PAGE_MAX, orderBy: { field: 'seqKey', dir: 'asc' } })
  return docs.filter((d) => String(d.seqKey) <= range.to)
}

/** Aggregates among `ids` that already hold the range `foldId` (or a later one). */
async function alreadyApplied(db: DocDriver, ids: string[], foldId: string): Promise<Set<string>> {
  const done = new Set<string>()
  for (let i = 0; i < ids.length; i += FOLD_PAGE_MAX) {
    const where: Where = { _id: cond.in(ids.slice(i, i + FOLD_PAGE_MAX)), lastFold: cond.gte(foldId) }
    for (const d of await db.find(C.daily, where, { limit: FOLD_PAGE_MAX, fields: ['_id'] })) done.add(d._id)
  }
  return done
}

/** One atomic increment guarded by `lastFold`, or the document's creation; false when it already held this range. */
async function applySum(db: DocDriver, sum: AggregateSum, foldId: string, nowMs: number): Promise<boolean> {
  const inc: Record<string, number> = {}
  for (const [k, n] of Object.entries(sum.counts)) if (n) inc[`counts.${k}`] = n
  for (const [k, n] of Object.entries(sum.kinds)) if (n) inc[`kinds.${k}`] = n
  const changed = await db.update(C.daily, { _id: sum.id, lastFold: cond.lt(foldId) }, { inc, set: { lastFold: foldId, updatedAt: nowMs } })
  if (changed === 1) return true
  // Absent, or already holding this range: the insert tells them apart atomically.
  return (await db.insert(C.daily, newAggregate(sum, foldId, nowMs) as unknown as RawDoc)) === 'ok'
}

/**
 * Removes batches at or before the checkpoint (folded) accepted before `cutoffMs`. Both bounds are one range of
 * the seqKey index (a key starts with its server time), so the read walks only what it removes; each call removes
 * exactly the range one bounded read found, so no call matches more than REMOVE_MATCH_MAX documents.
 */
export async function removeFolded(db: DocDriver, checkpoint: string, cutoffMs: number, max: number, timeForMore: () => boolean): Promise<number> {
  if (checkpoint === '') return 0
  const cutoffKey = seqKeyOf(cutoffMs, '')
  const bound = checkpoint < cutoffKey ? cond.lte(checkpoint) : cond.lt(cutoffKey)
  let removed = 0
  while (removed < max && timeForMore()) {
    const limit = Math.min(REMOVE_MATCH_MAX, max - removed)
    const old = await db.find(C.batches, { seqKey: bound }, { limit, orderBy: { field: 'seqKey', dir: 'asc' }, fields: ['seqKey'] })
    if (old.length === 0) break
    removed += await db.remove(C.batches, { seqKey: cond.lte(String(old[old.length - 1].seqKey)) })
    if (old.length < limit) break
  }
  return removed
}
