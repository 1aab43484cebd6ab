/** Status badge for every live_status, in the viewer's words. Pure: unit-tested in Node. */

export type BadgeTone = 'live' | 'upcoming' | 'warn' | 'replay' | 'muted'

export interface Badge {
  text: string
  tone: BadgeTone
}

const BADGES: Record<number, Badge> = {
  101: { text: '直播中', tone: 'live' },
  102: { text: '预告', tone: 'upcoming' },
  103: { text: '已结束', tone: 'muted' },
  104: { text: '已封禁', tone: 'muted' },
  // Paused and abnormal rooms stay in the live list, but the viewer is told the truth before entering.
  105: { text: '暂停中', tone: 'warn' },
  106: { text: '主播暂时离开', tone: 'warn' },
  107: { text: '已过期', tone: 'muted' },
}

/** Badge for a room; an ended room whose replay is available reads "回放". Unknown codes say so. */
export function badgeOf(liveStatus: number, replayState?: string): Badge {
  if (liveStatus === 103 && replayState === 'available') return { text: '回放', tone: 'replay' }
  return BADGES[liveStatus] ?? { text: '状态未知', tone: 'muted' }
}

/** Whether entering the plugin room makes sense right now (the plugin itself shows previews too). */
export function isEnterable(liveStatus: number): boolean {
  return liveStatus === 101 || liveStatus === 102 || liveStatus === 105 || liveStatus === 106
}

/** Why a room cannot be entered, in the viewer's words; empty when it can. */
export function closedRoomText(liveStatus: number): string {
  if (isEnterable(liveStatus)) return ''
  if (liveStatus === 103) return '直播已结束，暂无回放'
  if (liveStatus === 104) return '直播间已被封禁，无法进入'
  if (liveStatus === 107) return '直播间已过期，无法进入'
  return '直播间暂时无法进入'
}
