/**
 * `npm run bench:stats [-- --sizes 100000,500000,1000000] [--json FILE]`: what folding the newest batch costs
 * (time, database reads and writes) with 100,000, 500,000 and 1,000,000 events of history, incrementally (the
 * `liveStats` fold, src/stats/fold.ts) against a full rescan of every batch at the same size, in one run.
 *
 * The database is the map driver with an ordered index on `seqKey`, as database/collections.json declares it for
 * `live_stats_batches`, so a range read walks the index like the real one instead of scanning. History is made of
 * viewer batches as devices send them (1 to 50 events, mostly a handful) plus single-order batches, spread over the
 * last three days across 40 rooms and 15 channels, and is folded once before measuring. Then, per size:
 *   - incremental: one new batch arrives, time passes the settle lag, one fold run (the median of several);
 *   - rescan: every batch read in seqKey pages of 1000, summed from nothing, every aggregate written.
 * The two must end with the same aggregates; the bench checks it and says so. Last, the `track` use case's
 * throughput (events a second for one instance) and its database reads and writes per batch, over the same driver.
 */
import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type { DocDriver, RawDoc } from '../src/sync/driver'
import { cond } from '../src/sync/driver'
import { shanghaiDay } from '../src/live/day'
import { BUILTIN_CHANNELS, type EntryKind } from '../src/stats/channels'
import { seqKeyOf, STATS_COLLECTIONS as C, type StatsBatchDoc, type StoredEvent } from '../src/stats/docs'
import { TRACK_TIMEOUT_S } from '../src/stats/events'
import { DEFAULT_FOLD_CONFIG, FOLD_PAGE_MAX, newAggregate, runFold, sumBatches } from '../src/stats/fold'
import { trackBatch } from '../src/stats/track'
import { seededRandom } from './random'
import { countingDriver, createMapDriver } from './sync-map-driver'

export const DEFAULT_SIZES = [100_000, 500_000, 1_000_000]
/** Incremental runs per size; the median is reported (each is a fraction of a millisecond, so one would be noise). */
const INCREMENTAL_RUNS = 21
const SETTLE_MS = TRACK_TIMEOUT_S * 1000 + DEFAULT_FOLD_CONFIG.settleMarginMs
/** liveStats' own budget would do; a large one keeps the catch-up before measuring to a single call. */
const BUDGET_MS = 20_000

export interface Args {
  sizes: number[]
  json: string | null
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { sizes: DEFAULT_SIZES, json: null }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]]
    if (flag === '--sizes') {
      const sizes = (value ?? '').split(',').map((s) => Number(s.trim()))
      if (!value || sizes.some((n) => !Number.isInteger(n) || n < 100 || n > 5_000_000)) throw new Error(`--sizes: whole numbers of events from 100 to 5000000, comma-separated, got ${value ?? 'nothing'}`)
      if (sizes.some((n, j) => j > 0 && n <= sizes[j - 1])) throw new Error(`--sizes: each size must be larger than the one before, got ${value}`)
      args.sizes = sizes
      i++
    } else if (flag === '--json') {
      if (!value) throw new Error('--json: a file name is needed')
      args.json = value
      i++
    } else {
      throw new Error(`unknown option ${flag} (use --sizes N,N,… and --json FILE)`)
    }
  }
  return args
}

// ---------- the workload ----------

const ROOMS = Array.from({ length: 40 }, (_, i) => 1000 + i)
const CHANNELS = [...Object.keys(BUILTIN_CHANNELS), ...Array.from({ length: 10 }, (_, i) => `ch${i + 1}`)]
const SECTIONS = ['live', 'upcoming', 'replay'] as const
const ENTRY: Array<[EntryKind, number]> = [['share', 1007], ['qrcode', 1047], ['urllink', 1194], ['other', 1001]]

export class Workload {
  private readonly rand = seededRandom(20261128)
  private serial = 0
  events = 0
  batches = 0
  /** Server time of the newest batch. */
  lastAt = 0
  constructor(private readonly db: DocDriver) {}

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]
  }

  /** Events in one device batch: mostly a handful, now and then a long one, never past the 50 a batch may hold. */
  private batchSize(): number {
    return Math.min(50, 1 + Math.floor(-Math.log(1 - this.rand()) * 7))
  }

  private event(atMs: number, roomId: number, channel: string): StoredEvent {
    const day = shanghaiDay(atMs)
    const r = this.rand()
    if (r < 0.5) return { kind: 'impression', atMs, roomId, channel, section: this.pick(SECTIONS), day }
    if (r < 0.62) return { kind: 'tap', atMs, roomId, channel, section: this.pick(SECTIONS), day }
    if (r < 0.74) {
      const [entryKind, scene] = this.pick(ENTRY)
      return { kind: 'enter', atMs, roomId, channel, scene, ...(entryKind === 'share' ? { shared: true } : {}), day, entryKind }
    }
    if (r < 0.78) return { kind: 'land', atMs, roomId, channel, scene: 1047, day }
    if (r < 0.81) return { kind: 'share', atMs, roomId, channel, day }
    if (r < 0.83) return { kind: 'subscribe', atMs, roomId, channel, day }
    if (r < 0.88) return { kind: 'replay', atMs, roomId, channel, seconds: Math.round(this.rand() * 1800), day }
    return { kind: 'goods', atMs, roomId, channel, goodsId: 1 + Math.floor(this.rand() * 200), day }
  }

  /** One batch accepted at `at`: a viewer's device batch, or (one in a hundred) an order the merchant reported. */
  async add(at: number): Promise<void> {
    const id = `b-${String(++this.serial).padStart(12, '0')}`
    const roomId = this.pick(ROOMS)
    const channel = this.pick(CHANNELS)
    let doc: StatsBatchDoc
    if (this.rand() < 0.01) {
      const event: StoredEvent = { kind: 'order', atMs: at, roomId, channel, orderId: `o${this.serial}`, amountFen: 100 + Math.floor(this.rand() * 50_000), goods: [{ goodsId: 7, quantity: 1 }], day: shanghaiDay(at) }
      doc = { _id: `o-${id.slice(2)}`, seqKey: '', at, source: 'order', viewer: null, events: [event] }
    } else {
      const events = Array.from({ length: this.batchSize() }, (_, i) => this.event(at - 1000 * i, roomId, channel))
      doc = { _id: id, seqKey: '', at, source: 'viewer', viewer: `k${String(this.serial % 5000).padStart(23, '0')}`, events }
    }
    doc.seqKey = seqKeyOf(at, doc._id)
    await this.db.insert(C.batches, doc as unknown as RawDoc)
    this.events += doc.events.length
    this.batches++
    this.lastAt = Math.max(this.lastAt, at)
  }

  /** Adds batches until the history holds `events` events, spread evenly from `fromMs` to `toMs`. */
  async growTo(events: number, fromMs: number, toMs: number): Promise<void> {
    const expectedBatches = Math.max(1, Math.ceil((events - this.events) / 7.5))
    const step = Math.max(1, Math.floor((toMs - fromMs) / expectedBatches))
    let at = fromMs
    while (this.events < events) {
      await this.add(at)
      at = Math.min(toMs, at + step)
    }
  }
}

// ---------- measuring ----------

export interface Cost {
  ms: number
  /** Read requests, and the documents they returned. */
  reads: number
  docsRead: number
  /** Documents written (inserted, updated, replaced). */
  writes: number
}

function meter(db: DocDriver): { driver: DocDriver; take(): Omit<Cost, 'ms'> } {
  let reads = 0
  let docsRead = 0
  let writes = 0
  const driver = countingDriver(db, (_c, n) => void (writes += n), (_c, n) => void ((reads += 1), (docsRead += n)))
  return {
    driver,
    take() {
      const out = { reads, docsRead, writes }
      reads = docsRead = writes = 0
      return out
    },
  }
}

/** The baseline: every batch read again in seqKey pages, summed from nothing, every aggregate written. */
export async function rescan(db: DocDriver, nowMs: number): Promise<number> {
  const horizon = nowMs - SETTLE_MS
  const all: RawDoc[] = []
  let after = ''
  for (;;) {
    const page = await db.find(C.batches, { seqKey: cond.gt(after), at: cond.lte(horizon) }, { limit: FOLD_PAGE_MAX, orderBy: { field: 'seqKey', dir: 'asc' } })
    all.push(...page)
    if (page.length < FOLD_PAGE_MAX) break
    after = String(page[page.length - 1].seqKey)
  }
  const { sums } = sumBatches(all)
  const foldId = all.length ? String(all[all.length - 1].seqKey) : ''
  for (const sum of sums.values()) {
    const { _id, ...doc } = newAggregate(sum, foldId, nowMs)
    await db.set(C.daily, _id, doc)
  }
  return sums.size
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Aggregates as the dashboards read them: counts and kinds per document id. */
async function aggregateSnapshot(db: DocDriver): Promise<string> {
  const out: string[] = []
  let after = ''
  for (;;) {
    const page = await db.find(C.daily, { _id: cond.gt(after) }, { limit: FOLD_PAGE_MAX, orderBy: { field: '_id', dir: 'asc' } })
    for (const d of page) out.push(JSON.stringify([d._id, d.counts, d.kinds]))
    if (page.length < FOLD_PAGE_MAX) break
    after = page[page.length - 1]._id
  }
  return out.join('\n')
}

export interface SizeFigures {
  events: number
  batches: number
  aggregates: number
  incremental: Cost & { runs: number }
  rescan: Cost
  ratio: { time: number; reads: number; docsRead: number; writes: number }
  agree: boolean
}

export async function measureSizes(sizes: number[]): Promise<SizeFigures[]> {
  const db = createMapDriver({ orderedIndexes: { [C.batches]: 'seqKey' } })
  const work = new Workload(db)
  const m = meter(db)
  const out: SizeFigures[] = []
  // History fills the three days before the last measurement, each size's share after the previous one's, so every
  // batch arrives after the fold's checkpoint as it would in life; the clock then moves a minute per new batch.
  const end = Date.UTC(2026, 10, 28, 4, 0, 0)
  const span = 3 * 86_400_000
  const largest = sizes[sizes.length - 1]
  for (const size of sizes) {
    const upTo = end - span + Math.round((span * size) / largest)
    await work.growTo(size, Math.max(work.lastAt + 1, end - span), upTo)
    let now = work.lastAt + SETTLE_MS + 1
    // Catch the fold up on the history (not measured): the incremental runs below start from a current checkpoint.
    for (let guard = 0; ; guard++) {
      const r = await runFold({ db, nowMs: now, budgetMs: BUDGET_MS, env: {} })
      if (r.status === 'ok') break
      if (r.status !== 'more' || guard > 10_000) throw new Error(`catch-up fold: ${r.status} ${JSON.stringify(r.error)}`)
    }
    const times: number[] = []
    let last: Omit<Cost, 'ms'> = { reads: 0, docsRead: 0, writes: 0 }
    for (let i = 0; i < INCREMENTAL_RUNS; i++) {
      now += 60_000
      await work.add(now - SETTLE_MS - 1)
      m.take()
      const t0 = performance.now()
      const r = await runFold({ db: m.driver, nowMs: now, budgetMs: BUDGET_MS, env: {} })
      times.push(performance.now() - t0)
      last = m.take()
      if (r.status !== 'ok' || r.foldedBatches !== 1) throw new Error(`incremental fold: ${r.status}, ${r.foldedBatches} batches`)
    }
    const incremental = { ms: median(times), ...last, runs: INCREMENTAL_RUNS }
    const folded = await aggregateSnapshot(db)
    // The same history summed from nothing; it rewrites every aggregate, so equal snapshots mean equal sums.
    m.take()
    const t0 = performance.now()
    const aggregates = await rescan(m.driver, now)
    const rescanCost = { ms: performance.now() - t0, ...m.take() }
    const agree = (await aggregateSnapshot(db)) === folded
    out.push({
      events: work.events,
      batches: work.batches,
      aggregates,
      incremental,
      rescan: rescanCost,
      ratio: {
        time: rescanCost.ms / incremental.ms,
        reads: rescanCost.reads / incremental.reads,
        docsRead: rescanCost.docsRead / incremental.docsRead,
        writes: rescanCost.writes / incremental.writes,
      },
      agree,
    })
  }
  return out
}

// ---------- the track function's throughput ----------

/** Device batches the track measurement sends. */
export const TRACK_BATCHES = 5000

export interface TrackFigures {
  batches: number
  events: number
  ms: number
  eventsPerSecond: number
  /** Per batch: read requests, and documents written (the batch and the viewer's minute counter). */
  readsPerBatch: number
  writesPerBatch: number
}

/**
 * The `track` use case in process over the same indexed driver, one batch after another as one instance serves
 * them: the workload's device batches as the phone sends them (without what track adds), from 2,000 viewers so
 * none reaches the per-minute cap; every batch must be accepted whole.
 */
export async function measureTrack(batches: number): Promise<TrackFigures> {
  const scratch = createMapDriver()
  const work = new Workload(scratch)
  const start = Date.UTC(2026, 10, 28, 4, 0, 0)
  for (let i = 0; work.batches < batches * 1.1; i++) await work.add(start + i * 50)
  const sends: Array<{ openid: string; at: number; envelope: { batchId: string; events: unknown[] } }> = []
  for (const doc of scratch.collection(C.batches).values()) {
    if (doc.source !== 'viewer' || sends.length >= batches) continue
    const events = (doc.events as Array<Record<string, unknown>>).map(({ day: _day, entryKind: _kind, ...sent }) => sent)
    const n = sends.length
    sends.push({ openid: `oBenchViewer${String(n % 2000).padStart(16, '0')}`, at: doc.at as number, envelope: { batchId: `bench-${String(n).padStart(10, '0')}`, events } })
  }
  const db = createMapDriver({ orderedIndexes: { [C.batches]: 'seqKey' } })
  const m = meter(db)
  let now = start
  const ports = { docs: m.driver, nowMs: () => now }
  let events = 0
  const t0 = performance.now()
  for (const s of sends) {
    now = s.at
    const out = await trackBatch(ports, s.openid, s.envelope)
    if (out.duplicate || out.refused.length) throw new Error(`track refused a bench batch: ${JSON.stringify(out.refused[0] ?? 'duplicate')}`)
    events += out.accepted
  }
  const ms = performance.now() - t0
  const cost = m.take()
  return { batches: sends.length, events, ms, eventsPerSecond: (events / ms) * 1000, readsPerBatch: cost.reads / sends.length, writesPerBatch: cost.writes / sends.length }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const ratio = (n: number) => `${n >= 100 ? int(n) : n.toFixed(1)}×`

export function formatTable(rows: SizeFigures[]): string[] {
  const lines = [
    '| history (events) | batches | incremental: ms / reads (docs) / writes | rescan: ms / reads (docs) / writes | rescan ÷ incremental: time, docs read, writes | same aggregates |',
    '|---|---|---|---|---|---|',
  ]
  for (const r of rows) {
    const inc = r.incremental
    const re = r.rescan
    lines.push(
      `| ${int(r.events)} | ${int(r.batches)} | ${inc.ms.toFixed(3)} / ${inc.reads} (${inc.docsRead}) / ${inc.writes} | ${int(re.ms)} / ${int(re.reads)} (${int(re.docsRead)}) / ${int(re.writes)} | ${ratio(r.ratio.time)}, ${ratio(r.ratio.docsRead)}, ${ratio(r.ratio.writes)} | ${r.agree ? 'yes' : 'NO'} |`,
    )
  }
  return lines
}

export function formatTrack(t: TrackFigures): string {
  return (
    `track (the use case in process, one instance): ${int(t.batches)} device batches, ${int(t.events)} events in ${int(t.ms)} ms = ` +
    `${int(t.eventsPerSecond)} events a second; per batch ${t.readsPerBatch.toFixed(2)} reads and ${t.writesPerBatch.toFixed(2)} documents written`
  )
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const t0 = performance.now()
  const rows = await measureSizes(args.sizes)
  console.log(`bench:stats — folding the newest batch, incrementally (median of ${INCREMENTAL_RUNS} runs) and by full rescan, over a seqKey-indexed database`)
  for (const line of formatTable(rows)) console.log(line)
  const first = rows[0]
  const lastRow = rows[rows.length - 1]
  console.log(
    `incremental cost from ${int(first.events)} to ${int(lastRow.events)} events: ${first.incremental.ms.toFixed(3)} → ${lastRow.incremental.ms.toFixed(3)} ms, ` +
      `reads ${first.incremental.reads} → ${lastRow.incremental.reads}, writes ${first.incremental.writes} → ${lastRow.incremental.writes}; ` +
      `at ${int(lastRow.events)} the rescan takes ${ratio(lastRow.ratio.time)} the time (target ≥ 100×: ${lastRow.ratio.time >= 100 ? 'met' : 'MISSED'})`,
  )
  const track = await measureTrack(TRACK_BATCHES)
  console.log(formatTrack(track))
  console.log(`(whole bench ${((performance.now() - t0) / 1000).toFixed(1)} s)`)
  if (args.json) writeFileSync(args.json, JSON.stringify({ incrementalRuns: INCREMENTAL_RUNS, sizes: rows, track }, null, 2))
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
