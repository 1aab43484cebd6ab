/**
 * Live statuses this device confirmed through the plugin (getLiveStatus) more recently than the cache.
 * Viewers cannot write the cache, so the freshness hint is kept on the device and applied when mapping cards.
 */
import type { StatusHint } from './views'

const KEY = 'live-status-hints'
/** A hint older than this says nothing the next sync will not say better. */
const HINT_TTL_MS = 30 * 60 * 1000

function readAll(): Record<string, StatusHint> {
  try {
    const value: unknown = wx.getStorageSync(KEY)
    return value && typeof value === 'object' ? (value as Record<string, StatusHint>) : {}
  } catch {
    return {}
  }
}

export function rememberStatus(roomId: number, liveStatus: number, atMs: number): void {
  const all = readAll()
  all[String(roomId)] = { liveStatus, atMs }
  for (const key of Object.keys(all)) if (atMs - all[key].atMs > HINT_TTL_MS) delete all[key]
  try {
    wx.setStorageSync(KEY, all)
  } catch {
    // Storage full or unavailable: the hint is an optimisation, the card falls back to the cache.
  }
}

export function statusHint(roomId: number, nowMs: number): StatusHint | null {
  const hint = readAll()[String(roomId)]
  return hint && nowMs - hint.atMs <= HINT_TTL_MS ? hint : null
}
