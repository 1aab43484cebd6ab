/**
 * Room times as the merchant reads and picks them: wall-clock time in Asia/Shanghai (UTC+8 all year, no daylight
 * saving), whatever zone the phone is set to. Only UTC getters and Date.UTC are used here, never the device's zone.
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.createRoom.html
 */

/** Asia/Shanghai's offset from UTC; China has kept no daylight saving since 1991. */
export const SHANGHAI_OFFSET_SECONDS = 8 * 3600

/** The wall-clock form pickers and the page use: `YYYY-MM-DD HH:mm`. */
export const WALL_CLOCK_FORMAT = 'YYYY-MM-DD HH:mm'

export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** The Shanghai wall clock at a Unix time (seconds). */
export function shanghaiParts(seconds: number): WallClock {
  const d = new Date((seconds + SHANGHAI_OFFSET_SECONDS) * 1000)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() }
}

/** `YYYY-MM-DD HH:mm` in Shanghai for a Unix time (seconds). */
export function formatShanghai(seconds: number): string {
  const p = shanghaiParts(seconds)
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}

/** The Unix time (seconds) of a Shanghai wall clock; null when the date does not exist (Feb 30, 24:00…). */
export function fromShanghai(w: WallClock): number | null {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)
  const seconds = ms / 1000 - SHANGHAI_OFFSET_SECONDS
  const back = shanghaiParts(seconds)
  const same = back.year === w.year && back.month === w.month && back.day === w.day && back.hour === w.hour && back.minute === w.minute
  return Number.isFinite(ms) && same ? seconds : null
}

/** A `YYYY-MM-DD HH:mm` (seconds allowed, `/` as date separator allowed) read as Shanghai time; null if malformed. */
export function parseShanghai(text: string): number | null {
  const m = /^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::\d{2})?\s*$/.exec(text)
  if (!m) return null
  return fromShanghai({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]) })
}

/** The first whole minute at or after `seconds` (pickers choose minutes; a start must not fall before the window). */
export function ceilToMinute(seconds: number): number {
  return Math.ceil(seconds / 60) * 60
}

/** A span in the merchant's words: `30 分钟`, `24 小时`, `1 小时 30 分钟`. */
export function durationText(seconds: number): string {
  const minutes = Math.round(seconds / 60)
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h === 0) return `${m} 分钟`
  return m === 0 ? `${h} 小时` : `${h} 小时 ${m} 分钟`
}
