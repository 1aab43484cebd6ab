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
