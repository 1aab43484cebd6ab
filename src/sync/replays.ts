/**
 * Replays: merging what get_replay lists into what we hold (the platform drops expired segments; we keep
 * them so the page can say "expired"), summarising, and the retry schedule after a room ends.
 */
import { type ReplayDoc, type ReplaySegment, type ReplaySummary, replayDocId } from '../cache/schema'
import type * as z from '../live/zod'
import type { liveReplay } from '../live/schemas'
import type { ReplayTask } from './ports'

export type PlatformReplay = z.output<typeof liveReplay>

export interface ReplayTiming {
  cadenceMs: number
  /** The platform produces a replay "within about 10 minutes": first look this long after the end. */
  firstDelayMs: number
  /** Until this long after the end, look every run (a viewer should see the replay within one cadence). */
  fastWindowMs: number
  /** Longest wait between looks once the fast window has passed. */
  maxDelayMs: number
  /** With no segment by then, the replay is 'none'. */
  giveUpAfterMs: number
  /** After the last new segment, keep looking this long for more (a reconnect splits a replay). */
  keepLookingMs: number
  /** A room first seen already ended whose newest segment is older than this ended long ago: one look settles it. */
  settledAfterMs: number
}

function parseTime(iso: string): Date | null {
  const ms = Date.parse(iso)
  return Number.isFinite(ms) ? new Date(ms) : null
}

/** Segments we hold plus the ones just listed, by media URL, in play order (create time). */
export function mergeSegments(held: ReplaySegment[], listed: PlatformReplay[]): { segments: ReplaySegment[]; added: number } {
  const byUrl = new Map(held.map((s) => [s.mediaUrl, s]))
  let added = 0
  for (const r of listed) {
    const createTime = parseTime(r.createTime)
    const expireTime = parseTime(r.expireTime)
    if (!createTime || !expireTime || !r.mediaUrl) continue
    const prev = byUrl.get(r.mediaUrl)
    if (!prev) added++
    byUrl.set(r.mediaUrl, { index: 0, mediaUrl: r.mediaUrl, createTime, expireTime })
  }
  const segments = [...byUrl.values()]
    .sort((a, b) => a.createTime.getTime() - b.createTime.getTime() || a.mediaUrl.localeCompare(b.mediaUrl))
    .map((s, index) => ({ ...s, index }))
  return { segments, added }
}

/** Available while any segment is unexpired; expired once all are; `whenEmpty` when we hold none. */
export function summarize(segments: ReplaySegment[], now: Date, whenEmpty: 'pending' | 'none'): ReplaySummary {
  if (segments.length === 0) return { state: whenEmpty, segments: 0, expiresAt: null }
  const live = segments.filter((s) => s.expireTime.getTime() > now.getTime())
  if (live.length === 0) return { state: 'expired', segments: segments.length, expiresAt: null }
  const expiresAt = new Date(Math.min(...live.map((s) => s.expireTime.getTime())))
  return { state: 'available', segments: segments.length, expiresAt }
}

export function replayDoc(roomId: number, segments: ReplaySegment[], state: ReplaySummary['state'], now: Date): ReplayDoc {
  return { _id: replayDocId(roomId), roomId, segments, state, syncedAt: now }
}

/** The task for a room just seen ended with replay on. `justEnded`: we saw it open before (not a backfill). */
export function newReplayTask(roomId: number, nowMs: number, justEnded: boolean, t: ReplayTiming): ReplayTask {
  return { roomId, endedSeenAt: nowMs, sawEnd: justEnded, nextTryAt: justEnded ? nowMs + t.firstDelayMs : nowMs, tries: 0, lastNewAt: null }
}

export type NextStep = { kind: 'again'; task: ReplayTask } | { kind: 'done'; giveUp: boolean }

/**
 * What to do after one look: look again (when), or stop (and whether nothing ever came). Every delay counts
 * from when the sync saw the room ended (`endedSeenAt`), never from its planned end: a live may overrun that
 * by hours. `newestCreateMs` is the create time of the newest segment held after the look.
 */
export function afterLook(
  task: ReplayTask,
  look: { held: number; added: number; newestCreateMs: number | null },
  nowMs: number,
  t: ReplayTiming,
): NextStep {
  if (!task.sawEnd) {
    // First seen already ended: it ended at an unknown time before endedSeenAt, so only what the platform
    // lists can date it.
    const firstLook = task.tries === 0 && task.lastNewAt === null
    if (firstLook && look.newestCreateMs !== null && nowMs - look.newestCreateMs > t.settledAfterMs) return { kind: 'done', giveUp: false }
    if (look.held === 0) {
      // A replay comes within minutes of the end, which was before endedSeenAt: one more look after the fast window.
      if (nowMs - task.endedSeenAt >= t.fastWindowMs) return { kind: 'done', giveUp: true }
      return { kind: 'again', task: { ...task, tries: task.tries + 1, nextTryAt: task.endedSeenAt + t.fastWindowMs } }
    }
  }
  const tries = look.added > 0 ? 0 : task.tries + 1
  const lastNewAt = look.added > 0 ? nowMs : task.lastNewAt
  const backoff = (n: number) => Math.min(t.maxDelayMs, t.cadenceMs * 2 ** Math.min(n, 20))
  if (look.held === 0) {
    const sinceEnd = nowMs - task.endedSeenAt
    if (sinceEnd > t.giveUpAfterMs) return { kind: 'done', giveUp: true }
    const delay = sinceEnd < t.fastWindowMs ? t.cadenceMs : backoff(tries)
    return { kind: 'again', task: { ...task, tries, lastNewAt, nextTryAt: nowMs + delay } }
  }
  if (nowMs - (lastNewAt ?? task.endedSeenAt) > t.keepLookingMs) return { kind: 'done', giveUp: false }
  const delay = look.added > 0 ? t.cadenceMs : backoff(tries)
  return { kind: 'again', task: { ...task, tries, lastNewAt, nextTryAt: nowMs + delay } }
}
