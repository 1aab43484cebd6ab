/**
 * The one walk over the room list (newest start first), shared by the head read and the full sweep. Each page
 * after the first re-reads `overlap` rows, so the previous page's last room (the anchor) must reappear: that
 * proves no row fell between the two pages. The walk writes the rooms that changed, records every id it read,
 * and tells its caller after each page whether the page can be trusted and whether the list ended; the head
 * read stops at the first doubt, the sweep carries on but will not delete.
 */
import { isEmptyRoomList } from '../live/errors'
import type { CallGate } from './gate'
import { LiveStatus, isLiveStatus } from '../live/status'
import { type PlatformRoom, buildRoomDoc, privateFields, roomChanged } from './normalize'
import type { ListPosition } from './ports'
import { newReplayTask } from './replays'
import type { Run } from './run'

/** What the walk saw on one page: 9410000 (no rooms at all), or rows with a verdict. */
export type WalkedPage =
  | { kind: 'empty' }
  | {
      kind: 'rows'
      rows: PlatformRoom[]
      /** Why this page cannot prove the walk saw every row (null when it can). */
      doubt: string | null
      /** Nothing more to read. */
      atEnd: boolean
    }

export const DOUBT = {
  moved: 'the next page did not continue the previous one (rooms moved between pages)',
  fewer: 'a page returned fewer rows than it promised',
  order: 'a page contradicted the newest-start-first order',
  short: 'a page was shorter than the list total promised',
} as const

export function startOfList(): ListPosition {
  return { next: 0, anchor: null, total: null }
}

/**
 * Reads pages from `pos` until `visit` returns a value (which the walk returns) or the list ends (undefined);
 * `pos` advances page by page, so the caller may persist it. Every page's rows are written and their ids
 * added to `seen` before `visit` sees it.
 */
export async function walkList<S>(
  run: Run,
  pos: ListPosition,
  seen: Set<number>,
  visit: (page: WalkedPage) => Promise<S | undefined>,
): Promise<S | undefined> {
  const { gate, cfg, cp } = run
  for (;;) {
    const from = pos.anchor ? Math.max(0, pos.next - cfg.overlap) : 0
    const nextBefore = pos.next
    const hadAnchor = pos.anchor !== null
    const page = await readPage(gate, from, cfg.pageSize)
    if (!page) return visit({ kind: 'empty' })
    cp.emptyListSeenAt = null
    let doubt: string | null = null
    let fresh = page.rows
    if (pos.anchor) {
      const at = locateAnchor(page.rows, pos.anchor.roomId, pos.next - from, { before: pos.total ?? null, now: page.total })
      if ('lost' in at) doubt = at.lost
      else fresh = page.rows.slice(at.index + 1)
    }
    if (doubt === null && !inOrder(fresh, pos.anchor)) doubt = DOUBT.order
    pos.total = page.total ?? null
    await applyRows(run, page.rows)
    for (const r of page.rows) seen.add(r.roomid)
    pos.next = from + page.rows.length
    const last = page.rows[page.rows.length - 1]
    if (last) pos.anchor = { roomId: last.roomid, startTime: last.startTime }
    // Without a total, a page that brings no row past the previous one is the end (re-reading it never moves on).
    const atEnd = page.rows.length === 0 || (page.total !== undefined ? pos.next >= page.total : hadAnchor && pos.next <= nextBefore)
    if (atEnd && doubt === null && page.rows.length === 0 && page.total !== undefined && from < page.total) doubt = DOUBT.short
    const stop = await visit({ kind: 'rows', rows: page.rows, doubt, atEnd })
    if (stop !== undefined || atEnd) return stop
  }
}

/** One list page, or null for 9410000 (how the platform says "no rooms at all"). */
async function readPage(gate: CallGate, start: number, limit: number): Promise<{ rows: PlatformRoom[]; total: number | undefined } | null> {
  try {
    const res = await gate.call('getLiveInfo', { start, limit })
    return { rows: res.roomInfo, total: res.total }
  } catch (e) {
    if (isEmptyRoomList(e)) return null
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
  if (index < 0) return { lost: DOUBT.moved }
  const grew = totals.before !== null && totals.now !== undefined ? Math.max(0, totals.now - totals.before) : 0
  if (index - (overlapUsed - 1) > grew) return { lost: DOUBT.fewer }
  return { index }
}

/** Writes the rooms that changed; schedules replay looks for rooms that just ended. */
async function applyRows(run: Run, rows: PlatformRoom[]): Promise<void> {
  const { store, now, nowMs, out } = run
  const known = rows.filter((r) => isLiveStatus(r.liveStatus))
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
      const justEnded = prev !== undefined && prev.liveStatus !== LiveStatus.ended
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
