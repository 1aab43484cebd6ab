/** Times on the people pages, to the second, in the shop's time zone (Asia/Shanghai) whatever the phone's own zone is. */
import { SHANGHAI_OFFSET_SECONDS } from './time'

const SHANGHAI_OFFSET_MS = SHANGHAI_OFFSET_SECONDS * 1000

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** Milliseconds, a Date, an ISO string or a Date as the cloud function serialises it (`{$date}`) → epoch ms; null if unreadable. */
export function toMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : null
  if (typeof v === 'string' && v !== '') {
    const ms = Date.parse(v)
    return Number.isFinite(ms) ? ms : null
  }
  if (typeof v === 'object' && v !== null && '$date' in v) return toMs((v as { $date: unknown }).$date)
  return null
}

/** "2026-11-27 21:05:09" in Asia/Shanghai; "—" when the time is missing or unreadable. */
export function shanghaiTime(v: unknown): string {
  const ms = toMs(v)
  if (ms === null) return '—'
  const d = new Date(ms + SHANGHAI_OFFSET_MS)
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
}

/** Seconds since the epoch (the platform's timestamps) in Asia/Shanghai. */
export function shanghaiTimeFromSeconds(s: unknown): string {
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? shanghaiTime(s * 1000) : '—'
}
