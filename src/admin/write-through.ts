/**
 * After the platform accepted a change viewers see (a room created, edited or deleted, a switch, goods in a room),
 * the cache is updated at once through the sync's own write-through (src/sync/write-through.ts), from the room as
 * getLiveInfo now lists it, so a sync run afterwards finds nothing to change. The change already happened: a
 * failure here never turns the action into an error, it leaves the room for the next sync run and says so.
 */
import { isEmptyRoomList } from '../live/errors'
import { isLiveStatus } from '../live/status'
import type { PlatformRoom } from '../sync/normalize'
import { writeThroughRoom, writeThroughRoomDeleted } from '../sync/write-through'
import type { ActionContext } from './types'

/** Rows asked per getLiveInfo page (its cap). */
const PAGE = 100
/** Pages read at most to find one room (the list is newest start first; an old room may be deep). */
export const REFRESH_MAX_PAGES = 20
/** Time kept back for the reply after the last page. */
const REPLY_MARGIN_MS = 300

/** What the cache now says about the room: `written`, `unchanged`, or `pending` (the next sync run will do it). */
export type CacheOutcome = 'written' | 'unchanged' | 'pending'

/** The room as getLiveInfo lists it now, or null when it is not in the list (or time ran out). */
export async function findPlatformRoom(ctx: ActionContext, roomId: number): Promise<PlatformRoom | null> {
  const { live, nowMs, deadlineMs } = ctx.ports
  let start = 0
  for (let page = 0; page < REFRESH_MAX_PAGES; page++) {
    if (nowMs() > deadlineMs - REPLY_MARGIN_MS) return null
    let reply
    try {
      reply = await live.getLiveInfo({ start, limit: PAGE })
    } catch (e) {
      if (isEmptyRoomList(e)) return null
      throw e
    }
    const found = reply.roomInfo.find((r) => r.roomid === roomId)
    if (found) return found
    // The platform may serve fewer rows than asked (50 a page has been seen): step by what came, stop at total.
    start += reply.roomInfo.length
    const more = reply.total !== undefined ? start < reply.total : reply.roomInfo.length === PAGE
    if (reply.roomInfo.length === 0 || !more) return null
  }
  return null
}

/** Re-reads one room from the platform and writes it through to the cache. Never throws. */
export async function refreshRoom(ctx: ActionContext, roomId: number): Promise<CacheOutcome> {
  try {
    const room = await findPlatformRoom(ctx, roomId)
    if (!room || !isLiveStatus(room.liveStatus)) return 'pending'
    const { written } = await writeThroughRoom(ctx.ports.cache, room, new Date(ctx.ports.nowMs()))
    return written ? 'written' : 'unchanged'
  } catch {
    return 'pending'
  }
}

/** The platform deleted the room: hide it in the cache now. Never throws. */
export async function refreshRoomDeleted(ctx: ActionContext, roomId: number): Promise<CacheOutcome> {
  try {
    return (await writeThroughRoomDeleted(ctx.ports.cache, roomId, new Date(ctx.ports.nowMs()))) ? 'written' : 'unchanged'
  } catch {
    return 'pending'
  }
}
