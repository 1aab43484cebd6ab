/**
 * Live business rules that need the clock or a width count, kept out of the zod schemas so the client and
 * the sandbox share one source. Each check returns the errcode WeChat would answer, or null when fine.
 * Source: live-api.md §2.1, §2.2, §4.
 */

/** startTime must be at least this far ahead of now. */
export const ROOM_MIN_LEAD_SECONDS = 10 * 60
/** startTime must be at most this far ahead (6 months, counted as calendar months from now). */
export const ROOM_MAX_LEAD_MONTHS = 6
/** endTime − startTime bounds. */
export const ROOM_MIN_DURATION_SECONDS = 30 * 60
export const ROOM_MAX_DURATION_SECONDS = 24 * 60 * 60

/** Widths count one CJK character as 2, so "3–17 Chinese characters" is 6–34 units. */
export const ROOM_NAME_WIDTH = { min: 6, max: 34 } as const
export const ANCHOR_NAME_WIDTH = { min: 4, max: 30 } as const
export const GOODS_NAME_WIDTH = { min: 1, max: 28 } as const

/** The errcode for a time window WeChat rejects; the docs name none, 200002 (parameter error) is the generic one. */
export const ROOM_TIME_ERRCODE = 200002

// Han, CJK punctuation, kana, Hangul and fullwidth forms display double-width in WeChat's count.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u

/** Display width as WeChat counts it: one CJK character = 2, anything else = 1 per code point. */
export function textWidth(s: string): number {
  let width = 0
  for (const ch of s) width += WIDE.test(ch) ? 2 : 1
  return width
}

function widthWithin(s: string, range: { min: number; max: number }): boolean {
  const w = textWidth(s)
  return w >= range.min && w <= range.max
}

/** Room name: 3–17 CJK (6–34 units); else 300002. */
export function checkRoomName(name: string): number | null {
  return widthWithin(name, ROOM_NAME_WIDTH) ? null : 300002
}

/** Anchor nickname: 2–15 CJK (4–30 units); else 300034. */
export function checkAnchorName(name: string): number | null {
  return widthWithin(name, ANCHOR_NAME_WIDTH) ? null : 300034
}

/** Goods name: at most 14 CJK (28 units), not empty; else 300002. */
export function checkGoodsName(name: string): number | null {
  return widthWithin(name, GOODS_NAME_WIDTH) ? null : 300002
}

/** Latest allowed start for a room created at `nowSeconds` (calendar months, UTC arithmetic). */
export function latestRoomStart(nowSeconds: number): number {
  const d = new Date(nowSeconds * 1000)
  d.setUTCMonth(d.getUTCMonth() + ROOM_MAX_LEAD_MONTHS)
  return Math.floor(d.getTime() / 1000)
}

/**
 * Room time window (all Unix seconds): start ≥ now + 10 min, start ≤ now + 6 months,
 * 30 min ≤ end − start ≤ 24 h. Returns ROOM_TIME_ERRCODE or null.
 */
export function checkRoomTimes(startTime: number, endTime: number, nowSeconds: number): number | null {
  if (startTime < nowSeconds + ROOM_MIN_LEAD_SECONDS) return ROOM_TIME_ERRCODE
  if (startTime > latestRoomStart(nowSeconds)) return ROOM_TIME_ERRCODE
  const duration = endTime - startTime
  if (duration < ROOM_MIN_DURATION_SECONDS || duration > ROOM_MAX_DURATION_SECONDS) return ROOM_TIME_ERRCODE
  return null
}

/** Warehouse prices are yuan with at most 2 decimals. */
export function hasAtMostTwoDecimals(price: number): boolean {
  return Number.isFinite(price) && Math.abs(Math.round(price * 100) - price * 100) < 1e-6
}
