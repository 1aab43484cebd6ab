/** The subscribers page's view logic: followers as rows, counts per room, and a push reply in the merchant's words. */
import * as rules from '../generated/rules'
import { shanghaiTimeFromSeconds } from './people-format'

export interface FollowerRow {
  openid: string
  roomId: number
  since: string
}

interface FollowerRaw {
  openid?: unknown
  roomId?: unknown
  subscribeTime?: unknown
}

export function followerRows(list: unknown): FollowerRow[] {
  if (!Array.isArray(list)) return []
  const rows: FollowerRow[] = []
  for (const raw of list as FollowerRaw[]) {
    if (typeof raw !== 'object' || raw === null || typeof raw.openid !== 'string') continue
    rows.push({ openid: raw.openid, roomId: typeof raw.roomId === 'number' ? raw.roomId : 0, since: shanghaiTimeFromSeconds(raw.subscribeTime) })
  }
  return rows
}

export interface RoomCount {
  roomId: number
  count: number
}

/** How many of the loaded followers subscribed in each room, most first (roomId 0: no room recorded). */
export function countsByRoom(rows: readonly FollowerRow[]): RoomCount[] {
  const counts = new Map<number, number>()
  for (const r of rows) counts.set(r.roomId, (counts.get(r.roomId) ?? 0) + 1)
  return [...counts].map(([roomId, count]) => ({ roomId, count })).sort((a, b) => b.count - a.count || a.roomId - b.roomId)
}

export interface LiveRoomRow {
  roomId: number
  name: string
  anchor: string
}

/** Rooms on air now, from a getLiveInfo reply: the only ones that can be pushed. */
export function liveRoomRows(roomInfo: unknown): LiveRoomRow[] {
  if (!Array.isArray(roomInfo)) return []
  return (roomInfo as { roomid?: unknown; name?: unknown; anchorName?: unknown; liveStatus?: unknown }[])
    .filter((r) => typeof r === 'object' && r !== null && typeof r.roomid === 'number' && r.liveStatus === rules.LiveStatus.live)
    .map((r) => ({ roomId: r.roomid as number, name: typeof r.name === 'string' ? r.name : '', anchor: typeof r.anchorName === 'string' ? r.anchorName : '' }))
}

/** One pushRoomToFollowers reply, the fields the page reads. */
export interface PushReply {
  roomId: number
  day: string
  resetsOn: string
  done: boolean
  pushed: number
  pushedToday: number
  failures: { count: number; errcode: number | null; kind: 'refused' | 'uncertain' }[]
}

export interface PushSummary {
  roomId: number
  done: boolean
  sent: number
  failed: number
  text: string
}

/** What the merchant reads after a push run (or several): sent today, failed, and whether to continue. */
export function pushSummary(last: PushReply, failures: PushReply['failures']): PushSummary {
  const failed = failures.reduce((n, f) => n + f.count, 0)
  const parts = [`直播间 ${last.roomId} 今天（${last.day}）已推送给 ${last.pushedToday} 位订阅用户`]
  if (failed > 0) {
    const errcodes = [...new Set(failures.map((f) => f.errcode).filter((c): c is number => c !== null))]
    const why = errcodes.map((c) => `${rules.describeErrcode(c).zh}（错误码 ${c}）`).join('；')
    const uncertain = failures.some((f) => f.kind === 'uncertain') ? '，其中结果不明的不会再推送' : ''
    parts.push(`${failed} 位没有推送成功${why ? `：${why}` : ''}${uncertain}`)
  }
  parts.push(last.done ? '已全部完成' : '还没有推送完，可以点「继续推送」接着推，已推送的不会重复')
  return { roomId: last.roomId, done: last.done, sent: last.pushedToday, failed, text: parts.join('；') }
}

/** Followers shown for a room filter (null: every room). */
export function followersOf(rows: readonly FollowerRow[], roomId: number | null): FollowerRow[] {
  return roomId === null ? [...rows] : rows.filter((r) => r.roomId === roomId)
}
