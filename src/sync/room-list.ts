/**
 * Step 3 of a run: the room list. The head read (newest start first, down to rooms that are final and older
 * than a horizon) checks order, the list's `total` and rooms missing from the head; any doubt starts a full
 * sweep, and a full sweep also runs on a period. Only a complete, clean sweep marks rooms deleted, and only
 * while the run still holds the lease. Both read through the one walk in list-walk.ts.
 */
import { decodeIds, encodeIds } from './idset'
import { leaseStillHeld } from './lease'
import { startOfList, walkList } from './list-walk'
import type { SweepProgress } from './ports'
import type { Run } from './run'

/** Reads the list as far as this run needs; true when it read the head of the list (the cache is fresh). */
export async function syncRoomList(run: Run): Promise<boolean> {
  const { cp, cfg, nowMs } = run
  const due = cp.lastFullSweepAt === null || nowMs - cp.lastFullSweepAt >= cfg.fullSweepEveryMs
  if (!cp.sweep && due) cp.sweep = newSweep(nowMs, cp.lastFullSweepAt === null ? 'first sweep' : 'periodic')
  let fresh = false
  // A sweep starting at offset 0 is itself the freshest head read.
  if (!cp.sweep || cp.sweep.next > 0) {
    const headSeen = new Set<number>()
    const sweepBefore = cp.sweep
    const doubt = await readHead(run, headSeen)
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

function newSweep(nowMs: number, reason: string): SweepProgress {
  return { ...startOfList(), startedAt: nowMs, seen: '', tainted: false, reason }
}

/**
 * Reads the head of the list. Returns why a full sweep is needed (a page in doubt, a cached room missing from
 * the head, `total` disagreeing with the cache), or null. A head that reaches the end of the list cleanly is
 * a complete sweep and is finished as one.
 */
async function readHead(run: Run, seen: Set<number>): Promise<string | null> {
  const { store, cfg, nowMs } = run
  const open = await store.listRoomRefs({ openOnly: true })
  let stopBefore = Math.floor((nowMs - cfg.headHorizonMs) / 1000)
  for (const r of open) stopBefore = Math.min(stopBefore, Math.floor(r.startTime.getTime() / 1000))

  const pos = startOfList()
  let pages = 0
  const result = await walkList<'empty' | 'end' | 'horizon' | { doubt: string }>(run, pos, seen, async (page) => {
    if (page.kind === 'empty') return 'empty'
    pages++
    if (page.doubt !== null) return { doubt: page.doubt }
    if (page.atEnd) return 'end'
    if (page.rows[page.rows.length - 1].startTime < stopBefore) return 'horizon'
    if (pages >= cfg.maxHeadPages) return { doubt: 'the head is longer than the head-page limit' }
    return undefined
  })
  if (result === 'empty') {
    await emptyList(run)
    return null
  }
  if (typeof result === 'object') return result.doubt
  if (result === 'end' || result === undefined) {
    // The whole list fitted in the head: a complete, clean sweep (deletions allowed).
    await finishSweep(run, { ...newSweep(nowMs, 'head reached the end'), seen: encodeIds(seen) })
    if (run.cp.sweep) run.cp.sweep = null
    return null
  }
  const boundary = pos.anchor ? pos.anchor.startTime : Infinity
  const newer = await store.listRoomRefs({ startAfter: new Date(boundary * 1000) })
  if (newer.some((r) => !seen.has(r.roomId))) return 'a cached room is missing from the head of the list'
  const total = pos.total ?? null
  if (total !== null && total !== (await store.countRooms({ deleted: false }))) {
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

/** Carries the sweep on from its checkpoint until the list ends or the budget stops the run. */
async function continueSweep(run: Run): Promise<void> {
  const { cp, out } = run
  const sweep = cp.sweep
  if (!sweep) return
  const seen = decodeIds(sweep.seen)
  let pages = 0
  const save = () => {
    sweep.seen = encodeIds(seen)
  }
  try {
    await walkList(run, sweep, seen, async (page) => {
      if (page.kind === 'empty') {
        cp.sweep = null
        await emptyList(run)
        return true
      }
      pages++
      if (page.doubt !== null) {
        sweep.tainted = true
        out.notes.push(`${page.doubt}; this sweep will not delete anything`)
      }
      if (page.atEnd) {
        save()
        await finishSweep(run, sweep)
        cp.sweep = null
        return true
      }
      out.sweep = 'progress'
      if (pages % 10 === 0) save()
      return undefined
    })
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
    if (!(await leaseStillHeld(run))) {
      out.notes.push('the lease was lost before the sweep finished; it deletes nothing')
      out.sweep = 'tainted'
      return
    }
    out.roomsDeleted += await store.markRoomsDeleted(missing, now)
  }
  cp.lastFullSweepAt = nowMs
  out.sweep = 'complete'
}
