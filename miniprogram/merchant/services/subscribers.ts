/**
 * Long-term subscribers and pushing a live room to them. A push runs as repeated pushRoomToFollowers calls (the
 * function stops before its time limit and the next call continues); the room being pushed is kept in wx storage
 * so the page offers to continue after it was left. Reference: docs/ADMIN-API.md getFollowers, pushRoomToFollowers.
 */
import { AdminError, runAdmin } from './call'
import { followerRows, liveRoomRows, type FollowerRow, type LiveRoomRow, type PushReply } from '../utils/people-subscribers'

/** Followers asked for a page; the action takes up to 2000, fewer keeps a page quick to render. */
export const FOLLOWERS_PAGE = 200

/** Rooms read to find the ones on air (getLiveInfo's largest page). */
const ROOMS_PAGE = 100

/** Refusals after which the same push may go on later. */
const RETRYABLE = new Set(['unavailable', 'network'])

const PENDING_KEY = 'merchant.subscribers.pendingPush'

export interface FollowerPage {
  rows: FollowerRow[]
  pageBreak: number | null
  more: boolean
}

export async function listFollowers(pageBreak: number | null = null): Promise<FollowerPage> {
  const data = await runAdmin<{ followers?: unknown; pageBreak?: number | null; more?: boolean }>('getFollowers', {
    limit: FOLLOWERS_PAGE,
    ...(pageBreak === null ? {} : { pageBreak }),
  })
  return { rows: followerRows(data.followers), pageBreak: typeof data.pageBreak === 'number' ? data.pageBreak : null, more: data.more === true }
}

export async function liveRooms(): Promise<LiveRoomRow[]> {
  const data = await runAdmin<{ roomInfo?: unknown }>('getLiveInfo', { start: 0, limit: ROOMS_PAGE })
  return liveRoomRows(data.roomInfo)
}

/** The room whose push was started and not finished, or null. */
export function pendingPush(): number | null {
  try {
    const v = wx.getStorageSync(PENDING_KEY) as unknown
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null
  } catch {
    return null
  }
}

function setPending(roomId: number | null): void {
  try {
    if (roomId === null) wx.removeStorageSync(PENDING_KEY)
    else wx.setStorageSync(PENDING_KEY, roomId)
  } catch {
    // storage full or unavailable: the push still runs, only the offer to continue is lost
  }
}

export interface PushRun {
  last: PushReply
  /** Failures of every call of this run. */
  failures: PushReply['failures']
}

/**
 * Pushes `roomId` to every subscriber: calls until the function says done, a call reports failures, or a call
 * makes no progress (then the push is left to continue later). `onProgress` gets each reply.
 */
export async function pushRoom(roomId: number, onProgress: (r: PushReply) => void = () => undefined): Promise<PushRun> {
  setPending(roomId)
  const failures: PushReply['failures'] = []
  for (;;) {
    let reply: PushReply
    try {
      reply = await runAdmin<PushReply>('pushRoomToFollowers', { roomId })
    } catch (e) {
      // A refusal (room not live, another room pushed today…) leaves nothing to continue; a busy platform or a
      // lost connection does.
      if (!(e instanceof AdminError) || !RETRYABLE.has(e.code)) setPending(null)
      throw e
    }
    onProgress(reply)
    failures.push(...(Array.isArray(reply.failures) ? reply.failures : []))
    if (reply.done) {
      setPending(null)
      return { last: reply, failures }
    }
    if ((Array.isArray(reply.failures) && reply.failures.length > 0) || reply.pushed <= 0) return { last: reply, failures }
  }
}

