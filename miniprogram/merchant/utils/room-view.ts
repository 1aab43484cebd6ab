/**
 * Rooms as the merchant's list shows them: which tab a room sits in, its status in the console's words, its times
 * in Shanghai, and which actions its state allows (edit only before the start, delete never while on air).
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.getLiveInfo.html
 */
import * as rules from '../generated/rules'
import { formatShanghai } from './time'

/** One room of getLiveInfo's reply as liveAdmin answers it (camelCase); only the fields the pages read. */
export interface LiveRoomInfo {
  roomid: number
  name: string
  coverImg: string
  shareImg: string
  feedsImg?: string
  liveStatus: number
  startTime: number
  endTime: number
  anchorName: string
  liveType?: number
  closeLike?: number
  closeGoods?: number
  closeComment?: number
  closeKf?: number
  closeReplay?: number
  isFeedsPublic?: number
}

export type RoomTab = 'upcoming' | 'live' | 'ended'

export interface TabDef {
  key: RoomTab
  label: string
}

/** The list's tabs, labelled as the platform names the states. */
export const ROOM_TABS: readonly TabDef[] = [
  { key: 'upcoming', label: rules.LIVE_STATUS_TEXT.upcoming.zh },
  { key: 'live', label: rules.LIVE_STATUS_TEXT.live.zh },
  { key: 'ended', label: rules.LIVE_STATUS_TEXT.ended.zh },
]

export interface RoomRow {
  roomId: number
  name: string
  anchorName: string
  coverImg: string
  tab: RoomTab
  statusText: string
  timeText: string
  startTime: number
  /** Replay shown only on ended rooms: on, off, or empty when the platform did not say. */
  replayText: string
  canEdit: boolean
  canDelete: boolean
}

type StatusName = keyof typeof rules.LiveStatus

const NAME_OF_CODE = new Map<number, StatusName>(
  (Object.keys(rules.LiveStatus) as StatusName[]).map((name) => [rules.LiveStatus[name], name]),
)

const ON_AIR: readonly number[] = rules.ON_AIR_STATUSES

/** Upcoming before the start; live while on air (paused and abnormal may resume); everything else is over. */
export function tabOf(liveStatus: number): RoomTab {
  if (liveStatus === rules.LiveStatus.upcoming) return 'upcoming'
  return ON_AIR.includes(liveStatus) ? 'live' : 'ended'
}

/** The status in the MP console's words; a code the platform adds later is shown with its number. */
export function statusText(liveStatus: number): string {
  const name = NAME_OF_CODE.get(liveStatus)
  return name ? rules.LIVE_STATUS_TEXT[name].zh : `状态 ${liveStatus}`
}

/** `2026-11-28 20:00 – 22:00`, or both dates when the live crosses midnight in Shanghai. */
export function roomTimeText(startTime: number, endTime: number): string {
  const start = formatShanghai(startTime)
  const end = formatShanghai(endTime)
  return start.slice(0, 10) === end.slice(0, 10) ? `${start} – ${end.slice(11)}` : `${start} – ${end}`
}

function replayText(room: LiveRoomInfo, tab: RoomTab): string {
  if (tab !== 'ended' || room.closeReplay === undefined) return ''
  return room.closeReplay === 0 ? '回放已开启' : '未开启回放'
}

export function roomRow(room: LiveRoomInfo): RoomRow {
  const tab = tabOf(room.liveStatus)
  return {
    roomId: room.roomid,
    name: room.name,
    anchorName: room.anchorName,
    coverImg: room.coverImg,
    tab,
    statusText: statusText(room.liveStatus),
    timeText: roomTimeText(room.startTime, room.endTime),
    startTime: room.startTime,
    replayText: replayText(room, tab),
    canEdit: room.liveStatus === rules.LiveStatus.upcoming,
    canDelete: !ON_AIR.includes(room.liveStatus),
  }
}

/** Rows per tab: the next start first among upcoming rooms, the latest first elsewhere. */
export function groupRooms(rooms: readonly LiveRoomInfo[]): Record<RoomTab, RoomRow[]> {
  const out: Record<RoomTab, RoomRow[]> = { upcoming: [], live: [], ended: [] }
  for (const room of rooms) {
    const row = roomRow(room)
    out[row.tab].push(row)
  }
  out.upcoming.sort((a, b) => a.startTime - b.startTime || a.roomId - b.roomId)
  out.live.sort((a, b) => b.startTime - a.startTime || b.roomId - a.roomId)
  out.ended.sort((a, b) => b.startTime - a.startTime || b.roomId - a.roomId)
  return out
}
