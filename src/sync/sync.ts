/**
 * One run of the room, goods and replay sync (issue 3). Pure use case over two ports: the LiveApi and the
 * CacheStore. A run:
 *   1. takes the lease (atomic, with expiry) or leaves at once when another run holds it;
 *   2. marks replays that expired (no Live call);
 *   3. reads the head of the room list (newest start first) down to rooms that are final and older than a
 *      horizon, checking order, the list's `total` and rooms missing from the head; any doubt starts a full
 *      sweep, and a full sweep also runs on a period; only a complete, clean sweep marks rooms deleted;
 *   4. fetches replays that are due, then goods audit states that are due;
 *   5. records its calls in the ledger, writes the public status document and releases the lease with its
 *      checkpoint. Everything is bounded by a time budget, so a 3-second run still moves forward.
 */
import { randomBytes } from 'node:crypto'
import type { RoomDoc, SyncStatusDoc } from '../cache/schema'
import type { LiveApi } from '../live/client'
import { LiveReplyError, LiveTransportError, WxApiError, describeErrcode, isEmptyRoomList } from '../live/errors'
import { CallGate, type GatedApi, StopCalling } from './gate'
import { decodeIds, encodeIds } from './idset'
import {
  type PlatformRoom,
  buildRoomDoc,
  isKnownStatus,
  privateFields,
  roomChanged,
  withReplay,
} from './normalize'
import { type CacheStore, type SweepProgress, type SyncCheckpoint } from './ports'
import { type ReplayTiming, afterLook, mergeSegments, newReplayTask, replayDoc, summarize } from './replays'

export interface SyncConfig {
  /** How often the timer fires; replays are polled at this pace while they are due. */
  cadenceMs: number
  /** A full sweep at least this often, to catch edits and deletions of old rooms. */
  fullSweepEveryMs: number
  /** The head read goes down to rooms that started before now minus this (and past every open room). */
  headHorizonMs: number
  pageSize: number
  /** Rows re-read at the start of each sweep page to prove it continues the previous one. */
  overlap: number
  /** A head longer than this many pages is read as a full sweep instead. */
  maxHeadPages: number
  /** Share of each API's daily quota this sync may spend (the rest is the merchant's, for admin calls). */
  quotaShare: number
  callTimeoutMs: number
  /** No Live call starts with less budget than this left. */
  minCallMs: number
  /** Budget kept back for the ledger, status and checkpoint writes at the end. */
  reserveMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  goodsAuditEveryMs: number
  maxReplayLooksPerRun: number
  replay: Omit<ReplayTiming, 'cadenceMs'>
}

const MIN = 60_000
const HOUR = 60 * MIN

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  cadenceMs: MIN,
  fullSweepEveryMs: 6 * HOUR,
  headHorizonMs: 2 * HOUR,
  pageSize: 100,
  overlap: 3,
  maxHeadPages: 5,
  quotaShare: 0.5,
  callTimeoutMs: 8_000,
  minCallMs: 250,
  reserveMs: 600,
  backoffBaseMs: 30_000,
  backoffMaxMs: 15 * MIN,
  goodsAuditEveryMs: 10 * MIN,
  maxReplayLooksPerRun: 60,
  replay: {
    firstDelayMs: 5 * MIN,
    fastWindowMs: 30 * MIN,
    maxDelayMs: 2 * HOUR,
    giveUpAfterMs: 3 * 24 * HOUR,
    keepLookingMs: 2 * HOUR,
    settledAfterMs: 6 * HOUR,
  },
}

export interface SyncInput {
  live: LiveApi
  store: CacheStore
  /** Business time (the emulator shifts the function's Date; the benchmark passes its simulated clock). */
  nowMs: () => number
  /** Milliseconds this run may take, from the function's remaining time. */
  budgetMs: number
  /** Wall milliseconds for the budget; defaults to `nowMs`. A test passes a fake to make the budget bite. */
  elapsedMs?: () => number
  config?: Partial<SyncConfig>
  /** Lease owner id; random by default. */
  owner?: string
}

export interface SyncError {
  errcode: number | null
  zh: string
  en: string
}

export interface SyncOutcome {
  status: 'ok' | 'partial' | 'failed' | 'busy' | 'backoff'
  calls: Record<string, number>
  roomsWritten: number
  roomsDeleted: number
  replaysWritten: number
  goodsUpdated: number
  sweep: 'none' | 'progress' | 'complete' | 'tainted'
  error: SyncError | null
  notes: string[]
}

interface Run {
  owner: string
  store: CacheStore
  gate: CallGate
  cp: SyncCheckpoint
  cfg: SyncConfig
  timing: ReplayTiming
  nowMs: number
  now: Date
  out: SyncOutcome
}

/** Asia/Shanghai day (UTC+8, no DST), as the Live quotas count. */
export function shanghaiDayOf(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
}

export async function runSync(input: SyncInput): Promise<SyncOutcome> {
  const cfg: SyncConfig = { ...DEFAULT_SYNC_CONFIG, ...input.config, replay: { ...DEFAULT_SYNC_CONFIG.replay, ...input.config?.replay } }
  const elapsed = input.elapsedMs ?? input.nowMs
  const t0 = elapsed()
  const nowMs = input.nowMs()
  const now = new Date(nowMs)
  const day = shanghaiDayOf(nowMs)
  const owner = input.owner ?? randomBytes(8).toString('hex')
  const out: SyncOutcome = {
    status: 'ok',
    calls: {},
    roomsWritten: 0,
    roomsDeleted: 0,
    replaysWritten: 0,
    goodsUpdated: 0,
    sweep: 'none',
    error: null,
    notes: [],
  }
  const { store } = input

  // The lease outlives the budget, so a run that is killed simply lets it expire.
  const cp = await store.acquireLease(owner, nowMs, input.budgetMs + 30_000)
  if (!cp) return { ...out, status: 'busy', notes: ['another run holds the lease'] }

  const ledger = await store.readLedger(day)
  const gate = new CallGate({
    live: input.live,
    ledger,
    quotaShare: cfg.quotaShare,
    day,
    exhausted: cp.quotaExhausted,
    timeLeftMs: () => input.budgetMs - cfg.reserveMs - (elapsed() - t0),
    minCallMs: cfg.minCallMs,
    callTimeoutMs: cfg.callTimeoutMs,
  })
  const run: Run = { owner, store, gate, cp, cfg, timing: { ...cfg.replay, cadenceMs: cfg.cadenceMs }, nowMs, now, out }
  let listFresh = false

  try {
    await expireReplays(run)
    if (cp.backoff && cp.backoff.until > nowMs) {
      out.status = 'backoff'
      out.notes.push(`backing off until ${new Date(cp.backoff.until).toISOString()} after ${cp.backoff.failures} failed run(s)`)
    } else {
      listFresh = await step(run, () => listStep(run))
      if (out.status !== 'partial') await step(run, () => replayStep(run))
      if (out.status !== 'partial') await step(run, () => goodsStep(run))
      cp.backoff = null
    }
  } catch (e) {
    failRun(run, e)
  }

  out.calls = { ...gate.made }
  await store.addToLedger(day, gate.made)
  await writeStatus(run, listFresh)
  const kept = await store.saveCheckpoint(owner, cp, true)
  if (!kept) out.notes.push('the lease expired before the run ended; its checkpoint was not saved')
  return out
}

/** Runs one step; a budget stop makes the run partial, a quota stop skips the step. Upstream errors propagate. */
async function step(run: Run, fn: () => Promise<boolean | void>): Promise<boolean> {
  try {
    return (await fn()) !== false
  } catch (e) {
    if (!(e instanceof StopCalling)) throw e
    if (e.reason === 'budget') {
      run.out.status = 'partial'
      run.out.notes.push('time budget spent; the checkpoint carries on next run')
    } else {
      run.out.notes.push(e.message)
      if (e.api === 'getLiveInfo') {
        run.out.error = quotaError(e)
        run.out.status = 'partial'
      }
    }
    return false
  }
}

function quotaError(e: StopCalling): SyncError {
  if (e.reason === 'quotaExhausted') return { errcode: 45009, ...describeErrcode(45009) }
  return {
    errcode: null,
    zh: `同步已用完今天分给它的 ${e.api} 调用额度，明天 0 点（北京时间）恢复`,
    en: `The sync has spent its share of today's ${e.api} quota; it resumes at midnight (Beijing time)`,
  }
}

export function describeFailure(e: unknown): SyncError {
  if (e instanceof WxApiError) return { errcode: e.errcode, zh: e.zh, en: e.en }
  if (e instanceof LiveTransportError) {
    if (e.kind === 'timeout') return { errcode: null, zh: '直播接口超时未响应', en: 'The Live API did not answer in time' }
    if (e.kind === 'not-json') return { errcode: null, zh: '直播接口返回了无法解析的内容', en: 'The Live API answered with something that is not JSON' }
    if (e.kind === 'http-status') {
      return { errcode: null, zh: `直播接口 HTTP 错误 ${e.httpStatus ?? ''}`.trim(), en: `The Live API failed with HTTP ${e.httpStatus ?? 'error'}` }
    }
    return { errcode: null, zh: '无法连接直播接口', en: `Could not reach the Live API (${e.kind})` }
  }
  if (e instanceof LiveReplyError) return { errcode: null, zh: '直播接口返回的数据格式不符', en: 'The Live API reply did not have the expected shape' }
  const rec = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}
  if (typeof rec.errCode === 'number') {
    return { errcode: rec.errCode, zh: `云开发错误 ${rec.errCode}`, en: `CloudBase error ${rec.errCode}: ${String(rec.errMsg ?? '')}` }
  }
  return { errcode: null, zh: '同步出错', en: `Sync failed: ${e instanceof Error ? e.message : String(e)}` }
}

function failRun(run: Run, e: unknown): void {
  const { cp, out, nowMs, cfg } = run
  out.status = 'failed'
  out.error = describeFailure(e)
  if (e instanceof WxApiError && e.errcode === 45009) {
    // Today's quota is gone: calling again before midnight only burns time.
    cp.quotaExhausted = { ...cp.quotaExhausted, [e.endpointId]: shanghaiDayOf(nowMs) }
    return
  }
  const failures = (cp.backoff?.failures ?? 0) + 1
  cp.backoff = { failures, until: nowMs + Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** (failures - 1)) }
}

async function writeStatus(run: Run, listFresh: boolean): Promise<void> {
  const { store, out, now, cp } = run
  const prev = await store.readStatus()
  const success = out.status !== 'failed' && out.status !== 'backoff' && out.error === null && listFresh
  const doc: SyncStatusDoc = {
    _id: 'public',
    lastRunAt: now,
    lastSuccessAt: success ? now : (prev?.lastSuccessAt ?? null),
    lastFullSweepAt: cp.lastFullSweepAt !== null ? new Date(cp.lastFullSweepAt) : null,
    listedRooms: await store.countRooms({ listed: true }),
    lastError: success ? null : out.error ? { at: now, ...out.error } : (prev?.lastError ?? null),
  }
  await store.writeStatus(doc)
}

// ---------- the room list ----------

interface Page {
  rows: PlatformRoom[]
  total: number | undefined
  empty: boolean
}

async function readPage(gate: CallGate, start: number, limit: number): Promise<Page> {
  try {
    const res = await gate.call('getLiveInfo', { start, limit })
    return { rows: res.roomInfo, total: res.total, empty: false }
  } catch (e) {
    // 9410000 is how the platform says "no rooms at all".
    if (isEmptyRoomList(e)) return { rows: [], total: 0, empty: true }
    throw e
  }
}

function inOrder(rows: PlatformRoom[], after: { startTime: number } | null): boolean {
  let prev = after ? after.startTime : Infinity
  for (const r of rows) {
    if (r.startTime > prev) return false
    prev = r.startTime
  }
  return true
}

/** Writes the rooms that changed; schedules replay looks for rooms that just ended. */
async function applyRows(run: Run, rows: PlatformRoom[]): Promise<void> {
  const { store, now, nowMs, out } = run
  const known = rows.filter((r) => isKnownStatus(r.liveStatus))
  if (known.length < rows.length) out.notes.push(`skipped ${rows.length - known.length} room(s) with an unknown live_status`)
  if (known.length === 0) return
  const cached = await store.getRooms(known.map((r) => r.roomid))
  const written: PlatformRoom[] = []
  for (const row of known) {
    const prev = cached.get(row.roomid)
    const next = buildRoomDoc(row, prev, now)
    if (!roomChanged(prev, next)) continue
    await store.putRoom(next)
    cached.set(row.roomid, next)
    out.roomsWritten++
    written.push(row)
    if (next.replay.state === 'pending' && prev?.replay.state !== 'pending') {
      const justEnded = prev !== undefined && prev.liveStatus !== 103
      await store.putReplayTask(newReplayTask(row.roomid, nowMs, justEnded, run.timing))
    }
  }
  if (written.length === 0) return
  const priv = await store.getPrivate(written.map((r) => r.roomid))
  for (const row of written) {
    const fields = privateFields(row)
    const held = priv.get(row.roomid)
    if (!held || Object.entries(fields).some(([k, v]) => held[k] !== v)) await store.putPrivate(row.roomid, fields)
  }
}

function newSweep(nowMs: number, reason: string): SweepProgress {
  return { startedAt: nowMs, next: 0, anchor: null, seen: '', tainted: false, reason, total: null }
}

/**
 * Where the previous page's last room sits in a page read with overlap. Rooms added at the head push it down
 * by as many as `total` grew; a bigger push means the previous page lacked rows (shorter than promised from
 * its front or middle), so what we saw cannot prove a room is gone. Returns the index, or a reason.
 */
function locateAnchor(
  rows: PlatformRoom[],
  anchorId: number,
  overlapUsed: number,
  totals: { before: number | null; now: number | undefined },
): { index: number } | { lost: string } {
  const index = rows.findIndex((r) => r.roomid === anchorId)
  if (index < 0) return { lost: 'the next page did not continue the previous one (rooms moved between pages)' }
  const grew = totals.before !== null && totals.now !== undefined ? Math.max(0, totals.now - totals.before) : 0
  if (index - (overlapUsed - 1) > grew) return { lost: 'a page returned fewer rows than it promised' }
  return { index }
}

async function listStep(run: Run): Promise<boolean> {
  const { cp, cfg, nowMs } = run
  const due = cp.lastFullSweepAt === null || nowMs - cp.lastFullSweepAt >= cfg.fullSweepEveryMs
  if (!cp.sweep && due) cp.sweep = newSweep(nowMs, cp.lastFullSweepAt === null ? 'first sweep' : 'periodic')
  let fresh = false
  // A sweep starting at offset 0 is itself the freshest head read.
  if (!cp.sweep || cp.sweep.next > 0) {
    const headSeen = new Set<number>()
    const sweepBefore = cp.sweep
    const doubt = await headRead(run, headSeen)
    // A sweep spread over several runs never reads the head again: rooms created (or moved there) since it
    // began are seen only by the head reads in between, and must not count as missing when it finishes.
    if (sweepBefore && cp.sweep === sweepBefore) {
      sweepBefore.seen = encodeIds([...decodeIds(sweepBefore.seen), ...headSeen])
    }
    fresh = true
    if (doubt && !cp.sweep) {
      cp.sweep = newSweep(nowMs, doubt)
      run.out.notes.push(`full sweep: ${doubt}`)
    }
  }
  if (cp.sweep) {
    const wasAtStart = cp.sweep.next === 0
    await continueSweep(run)
    if (wasAtStart) fresh = true
  }
  return fresh
}

/**
 * Reads the head of the list. Returns why a full sweep is needed (order broken, a cached room missing from
 * the head, `total` disagreeing with the cache), or null. A head that reaches the end of the list cleanly is
 * a complete sweep and is finished as one.
 */
async function headRead(run: Run, seen: Set<number>): Promise<string | null> {
  const { store, gate, cfg, nowMs } = run
  const open = await store.listRoomRefs({ openOnly: true })
  let stopBefore = Math.floor((nowMs - cfg.headHorizonMs) / 1000)
  for (const r of open) stopBefore = Math.min(stopBefore, Math.floor(r.startTime.getTime() / 1000))

  let anchor: { roomId: number; startTime: number } | null = null
  let start = 0
  let total: number | undefined
  let prevTotal: number | null = null
  let ordered = true
  let reachedEnd = false
  for (let pageNo = 0; ; pageNo++) {
    if (pageNo >= cfg.maxHeadPages) return 'the head is longer than the head-page limit'
    const from = anchor ? Math.max(0, start - cfg.overlap) : 0
    const page = await readPage(gate, from, cfg.pageSize)
    if (page.empty) {
      await emptyList(run)
      return null
    }
    run.cp.emptyListSeenAt = null
    total = page.total
    let rows = page.rows
    if (anchor) {
      const at = locateAnchor(rows, anchor.roomId, start - from, { before: prevTotal, now: page.total })
      if ('lost' in at) {
        await applyRows(run, page.rows)
        for (const r of page.rows) seen.add(r.roomid)
        return at.lost
      }
      rows = rows.slice(at.index + 1)
    }
    prevTotal = page.total ?? null
    if (!inOrder(rows, anchor)) ordered = false
    await applyRows(run, page.rows)
    for (const r of page.rows) seen.add(r.roomid)
    if (!ordered) return 'a page contradicted the newest-start-first order'
    start = from + page.rows.length
    const last = page.rows[page.rows.length - 1]
    if (page.rows.length === 0 || (total !== undefined && start >= total)) {
      if (page.rows.length === 0 && total !== undefined && from < total) return 'a page was shorter than the list total promised'
      reachedEnd = true
      break
    }
    anchor = { roomId: last.roomid, startTime: last.startTime }
    if (last.startTime < stopBefore) break
  }

  if (reachedEnd) {
    // The whole list fitted in the head: a complete, clean sweep (deletions allowed).
    await finishSweep(run, { ...newSweep(nowMs, 'head reached the end'), seen: encodeIds(seen) })
    if (run.cp.sweep) run.cp.sweep = null
    return null
  }
  const boundary = anchor ? anchor.startTime : Infinity
  const newer = await store.listRoomRefs({ startAfter: new Date(boundary * 1000) })
  if (newer.some((r) => !seen.has(r.roomId))) return 'a cached room is missing from the head of the list'
  if (total !== undefined && total !== (await store.countRooms({ deleted: false }))) {
    return `the list total (${total}) differs from the cache`
  }
  return null
}

/** 9410000: believed only when a second read (next run) says it again; then every cached room is deleted. */
async function emptyList(run: Run): Promise<void> {
  const { cp, store, nowMs, now, out } = run
  const cached = await store.countRooms({ deleted: false })
  if (cached === 0) {
    cp.emptyListSeenAt = null
    cp.sweep = null
    cp.lastFullSweepAt = nowMs
    return
  }
  if (cp.emptyListSeenAt === null) {
    cp.emptyListSeenAt = nowMs
    out.notes.push('the platform says the room list is empty (9410000); waiting for a second read to believe it')
    return
  }
  const ids = (await store.listRoomRefs({})).map((r) => r.roomId)
  out.roomsDeleted += await store.markRoomsDeleted(ids, now)
  out.notes.push('the room list was empty on two reads in a row (9410000): every room is hidden until it is listed again')
  cp.emptyListSeenAt = null
  cp.sweep = null
  cp.lastFullSweepAt = nowMs
  out.sweep = 'complete'
}

async function continueSweep(run: Run): Promise<void> {
  const { cp, gate, cfg, out } = run
  const sweep = cp.sweep
  if (!sweep) return
  const seen = decodeIds(sweep.seen)
  let pages = 0
  const save = () => {
    sweep.seen = encodeIds(seen)
  }
  try {
    for (;;) {
      const from = sweep.anchor ? Math.max(0, sweep.next - cfg.overlap) : 0
      const page = await readPage(gate, from, cfg.pageSize)
      pages++
      if (page.empty) {
        cp.sweep = null
        await emptyList(run)
        return
      }
      cp.emptyListSeenAt = null
      let rows = page.rows
      if (sweep.anchor && rows.length > 0) {
        const at = locateAnchor(rows, sweep.anchor.roomId, sweep.next - from, { before: sweep.total ?? null, now: page.total })
        if ('lost' in at) {
          sweep.tainted = true
          out.notes.push(`${at.lost}; this sweep will not delete anything`)
        } else rows = rows.slice(at.index + 1)
      }
      sweep.total = page.total ?? null
      if (!inOrder(rows, sweep.anchor)) {
        sweep.tainted = true
        out.notes.push('a sweep page contradicted the newest-start-first order; it will not delete anything')
      }
      await applyRows(run, page.rows)
      for (const r of page.rows) seen.add(r.roomid)
      sweep.next = from + page.rows.length
      const last = page.rows[page.rows.length - 1]
      if (last) sweep.anchor = { roomId: last.roomid, startTime: last.startTime }
      const atEnd = page.rows.length === 0 || (page.total !== undefined && sweep.next >= page.total)
      if (atEnd) {
        if (page.rows.length === 0 && page.total !== undefined && from < page.total) {
          sweep.tainted = true
          out.notes.push('a page was shorter than the list total promised; the sweep will not delete anything')
        }
        save()
        await finishSweep(run, sweep)
        cp.sweep = null
        return
      }
      out.sweep = 'progress'
      if (pages % 10 === 0) save()
    }
  } finally {
    if (cp.sweep === sweep) save()
  }
}

async function finishSweep(run: Run, sweep: SweepProgress): Promise<void> {
  const { store, cp, nowMs, now, out } = run
  if (sweep.tainted) {
    out.sweep = 'tainted'
    return
  }
  const seen = decodeIds(sweep.seen)
  // A document written after this run began (the merchant's write-through) is newer than every read here.
  const missing = (await store.listRoomRefs({}))
    .filter((r) => !seen.has(r.roomId) && !(r.syncedAt !== null && r.syncedAt.getTime() > nowMs))
    .map((r) => r.roomId)
  if (missing.length) {
    // Deleting is the one irreversible step: only while this run still holds the lease.
    if (!(await store.saveCheckpoint(run.owner, cp, false))) {
      out.notes.push('the lease was lost before the sweep finished; it deletes nothing')
      out.sweep = 'tainted'
      return
    }
    out.roomsDeleted += await store.markRoomsDeleted(missing, now)
  }
  cp.lastFullSweepAt = nowMs
  out.sweep = 'complete'
}

// ---------- replays ----------

async function expireReplays(run: Run): Promise<void> {
  const { store, now, out } = run
  for (const room of await store.roomsWithReplayExpiring(now)) {
    const held = await store.getReplay(room.roomId)
    const summary = summarize(held?.segments ?? [], now, 'none')
    const next = withReplay(room, summary, now)
    if (!roomChanged(room, next)) continue
    if (held) await store.putReplay({ ...held, state: summary.state, syncedAt: now })
    await store.putRoom(next)
    out.roomsWritten++
  }
}

async function fetchReplays(gate: CallGate, roomId: number) {
  const listed = []
  for (let start = 0; ; ) {
    let res
    try {
      res = await gate.call('getLiveInfo', { start, limit: 100, action: 'get_replay', roomId })
    } catch (e) {
      if (isEmptyRoomList(e)) return listed
      throw e
    }
    listed.push(...res.liveReplay)
    start += res.liveReplay.length
    if (res.liveReplay.length === 0 || res.total === undefined || start >= res.total) return listed
  }
}

async function replayStep(run: Run): Promise<void> {
  const { store, gate, nowMs, now, timing, cfg, out } = run
  const tasks = await store.dueReplayTasks(nowMs, cfg.maxReplayLooksPerRun)
  for (const task of tasks) {
    const room: RoomDoc | undefined = (await store.getRooms([task.roomId])).get(task.roomId)
    if (!room || room.deleted || room.liveStatus !== 103 || !room.replayEnabled || room.replay.state === 'none') {
      await store.dropReplayTask(task.roomId)
      continue
    }
    const listed = await fetchReplays(gate, task.roomId)
    const held = await store.getReplay(task.roomId)
    const { segments, added } = mergeSegments(held?.segments ?? [], listed)
    const nextStep = afterLook(task, { held: segments.length, added, plannedEndMs: room.endTime.getTime() }, nowMs, timing)
    const giveUp = nextStep.kind === 'done' && nextStep.giveUp
    const summary = summarize(segments, now, giveUp ? 'none' : 'pending')
    if (added > 0 || !held || held.state !== summary.state) {
      if (segments.length > 0 || giveUp) {
        await store.putReplay(replayDoc(task.roomId, segments, summary.state, now))
        out.replaysWritten++
      }
    }
    const next = withReplay(room, summary, now)
    if (roomChanged(room, next)) {
      await store.putRoom(next)
      out.roomsWritten++
    }
    if (nextStep.kind === 'again') await store.putReplayTask(nextStep.task)
    else await store.dropReplayTask(task.roomId)
  }
}

// ---------- goods audit ----------

/** getgoodswarehouse takes at most 20 ids a call (live-api.md §2.2 #32). */
export const GOODS_IDS_PER_CALL = 20

async function goodsStep(run: Run): Promise<void> {
  const { store, gate, cp, cfg, nowMs, now, out } = run
  const resuming = cp.goodsCursor !== null && cp.goodsCursor !== undefined
  if (!resuming && cp.lastGoodsAuditAt !== null && nowMs - cp.lastGoodsAuditAt < cfg.goodsAuditEveryMs) return
  // A pass cut short (budget, quota share) continues after the last goods checked, so the goods at the
  // front of the list cannot starve the rest.
  const limit = 1000
  const pending = await store.goodsPendingAudit(limit, resuming ? (cp.goodsCursor ?? undefined) : undefined)
  for (let i = 0; i < pending.length; i += GOODS_IDS_PER_CALL) {
    const batch = pending.slice(i, i + GOODS_IDS_PER_CALL)
    const res = await gate.call('goodsInfo' satisfies GatedApi, { goodsIds: batch.map((g) => g.goodsId) })
    const byId = new Map(res.goods.map((g) => [g.goodsId, g]))
    for (const row of batch) {
      const g = byId.get(row.goodsId)
      if (!g) {
        await store.markGoodsMissing(row.goodsId, now)
        continue
      }
      if (g.auditStatus !== row.auditStatus) {
        await store.setGoodsAudit(row.goodsId, g.auditStatus, now)
        out.goodsUpdated++
      }
    }
    cp.goodsCursor = batch[batch.length - 1].goodsId
  }
  if (pending.length < limit) {
    cp.goodsCursor = null
    cp.lastGoodsAuditAt = nowMs
  }
}
