/**
 * Room status in the viewer's words. Pure: unit-tested in Node.
 * `LiveStatus` is a copy of src/live/status.ts, not an import: the mini-program package ships only files under
 * miniprogram/. test/miniprogram/viewer-logic.test.ts fails when the two differ.
 */

export const LiveStatus = {
  live: 101,
  upcoming: 102,
  ended: 103,
  banned: 104,
  paused: 105,
  abnormal: 106,
  expired: 107,
} as const
export type LiveStatusName = keyof typeof LiveStatus

const NAMES = Object.keys(LiveStatus) as LiveStatusName[]

/** The name of a live_status code, or undefined for a code this build does not know. */
export function liveStatusName(code: number): LiveStatusName | undefined {
  return NAMES.find((n) => LiveStatus[n] === code)
}

export type BadgeTone = 'live' | 'upcoming' | 'warn' | 'replay' | 'muted'

export interface Badge {
  text: string
  tone: BadgeTone
}

const BADGES: Record<LiveStatusName, Badge> = {
  live: { text: '直播中', tone: 'live' },
  upcoming: { text: '预告', tone: 'upcoming' },
  ended: { text: '已结束', tone: 'muted' },
  banned: { text: '已封禁', tone: 'muted' },
  // Paused and abnormal rooms stay in the live list, but the viewer is told the truth before entering.
  paused: { text: '暂停中', tone: 'warn' },
  abnormal: { text: '主播暂时离开', tone: 'warn' },
  expired: { text: '已过期', tone: 'muted' },
}

/** Badge for a room; an ended room whose replay is available reads "回放". Unknown codes say so. */
export function badgeOf(liveStatus: number, replayState?: string): Badge {
  const name = liveStatusName(liveStatus)
  if (name === 'ended' && replayState === 'available') return { text: '回放', tone: 'replay' }
  return name === undefined ? { text: '状态未知', tone: 'muted' } : BADGES[name]
}

/** Why a room cannot be entered, in the viewer's words; empty when it can (the plugin shows previews too). */
const CLOSED_TEXT: Record<LiveStatusName, string> = {
  live: '',
  upcoming: '',
  paused: '',
  abnormal: '',
  ended: '直播已结束，暂无回放',
  banned: '直播间已被封禁，无法进入',
  expired: '直播间已过期，无法进入',
}

export function closedRoomText(liveStatus: number): string {
  const name = liveStatusName(liveStatus)
  return name === undefined ? '直播间暂时无法进入' : CLOSED_TEXT[name]
}
