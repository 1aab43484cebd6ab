/** The Channels panel's reply and what the panel shows of it: pure, so its wording is pinned without a page. */
import { formatShanghai } from './time'

/** Whether viewers reach the Channels live, as liveAdmin's channelsStatus says it (docs/ADMIN-API.md channelsStatus). */
export type ChannelsReachState = 'notConfigured' | 'problems' | 'reached' | 'quiet'

export interface ChannelsProblemReport {
  api: string
  errCode: number
  count: number
  firstSeenMs: number
  lastSeenMs: number
  /** Seen within the report's days. */
  recent: boolean
  /** What the merchant should do about it. */
  zh: string
  en: string
}

/** liveAdmin's channelsStatus reply. */
export interface ChannelsStatus {
  miniProgramLive: boolean
  account: { finderUserName: string; demo: boolean; demoNote: { zh: string; en: string } | null } | null
  reach: { state: ChannelsReachState; zh: string; en: string }
  problems: ChannelsProblemReport[]
  droppedProblems: number
  days: Array<{ day: string; entered: number; subscribed: number }>
  total: { entered: number; subscribed: number }
}

export interface ProblemRow {
  key: string
  /** "getChannelsLiveInfo · 错误码 100008" */
  title: string
  /** "共 3 次，最近 2026-11-28 09:00（北京时间）", and when it has not come back within the report's days. */
  seen: string
  /** What to do, as liveAdmin words it. */
  advice: string
  recent: boolean
}

export interface PanelView {
  configured: boolean
  account: string
  demoNote: string
  reach: string
  /** problems | reached | quiet | notConfigured: the panel's colour. */
  state: string
  problems: ProblemRow[]
  dropped: string
  days: number
  totals: string
}

export function panelView(s: ChannelsStatus): PanelView {
  const days = s.days.length
  return {
    configured: s.account !== null,
    account: s.account?.finderUserName ?? '',
    demoNote: s.account?.demoNote?.zh ?? '',
    reach: s.reach.zh,
    state: s.reach.state,
    problems: s.problems.map((p) => ({
      key: `${p.api}:${p.errCode}`,
      title: `${p.api} · 错误码 ${p.errCode}`,
      seen: `共 ${p.count} 次，最近 ${formatShanghai(Math.floor(p.lastSeenMs / 1000))}（北京时间）${p.recent ? '' : `，近 ${days} 天未再出现`}`,
      advice: p.zh,
      recent: p.recent,
    })),
    dropped: s.droppedProblems > 0 ? `另有 ${s.droppedProblems} 类较早的问题未保留` : '',
    days,
    totals: `近 ${days} 天：进入 ${s.total.entered} 次，预约 ${s.total.subscribed} 次`,
  }
}
