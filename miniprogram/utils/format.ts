/** Pure formatting in the viewer's words (Chinese, device local time). No wx here: unit-tested in Node. */

const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** Fen (integer) to a yuan string with two decimals, computed in integers so 1999 is exactly "19.99". */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.round(fen))
  return `${sign}${Math.floor(abs / 100)}.${pad2(abs % 100)}`
}

export interface PriceText {
  /** What the viewer pays (or the range). */
  now: string
  /** The struck-through original price for discounts, else empty. */
  was: string
}

/** Price label for a room's goods: fixed ¥p, range ¥p–p2, discount ¥p2 (was ¥p). */
export function priceText(priceType: 'fixed' | 'range' | 'discount', price: number, price2: number | null): PriceText {
  if (priceType === 'range' && price2 !== null) return { now: `¥${yuan(price)}–${yuan(price2)}`, was: '' }
  if (priceType === 'discount' && price2 !== null) return { now: `¥${yuan(price2)}`, was: `¥${yuan(price)}` }
  return { now: `¥${yuan(price)}`, was: '' }
}

function hm(d: Date): string {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`
}

function dayNumber(d: Date): number {
  // Local calendar day, so "today"/"tomorrow" follow the viewer's own midnight.
  return Math.floor(new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() / DAY + 0.5)
}

/** "今天 20:00", "明天 09:30", "后天 …", "3月5日 20:00", "2027年3月5日 20:00". */
export function startWords(startMs: number, nowMs: number): string {
  const start = new Date(startMs)
  const now = new Date(nowMs)
  const days = dayNumber(start) - dayNumber(now)
  if (days === 0) return `今天 ${hm(start)}`
  if (days === 1) return `明天 ${hm(start)}`
  if (days === 2) return `后天 ${hm(start)}`
  if (days === -1) return `昨天 ${hm(start)}`
  const md = `${start.getMonth() + 1}月${start.getDate()}日 ${hm(start)}`
  return start.getFullYear() === now.getFullYear() ? md : `${start.getFullYear()}年${md}`
}

/**
 * Time left before a room starts: days+hours far out, hours+minutes today, minutes+seconds in the last hour,
 * "即将开播" once the planned start has passed (the anchor may simply be late).
 */
export function countdownText(startMs: number, nowMs: number): string {
  const left = startMs - nowMs
  if (left <= 0) return '即将开播'
  if (left >= DAY) return `${Math.floor(left / DAY)}天${Math.floor((left % DAY) / HOUR)}小时后开播`
  if (left >= HOUR) return `${Math.floor(left / HOUR)}小时${Math.floor((left % HOUR) / MINUTE)}分后开播`
  const seconds = Math.floor(left / 1000)
  return `${Math.floor(seconds / 60)}分${pad2(seconds % 60)}秒后开播`
}

/** "刚刚", "5 分钟前", "3 小时前", "2 天前". */
export function agoText(thenMs: number, nowMs: number): string {
  const diff = Math.max(0, nowMs - thenMs)
  if (diff < MINUTE) return '刚刚'
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} 分钟前`
  if (diff < DAY) return `${Math.floor(diff / HOUR)} 小时前`
  return `${Math.floor(diff / DAY)} 天前`
}

/** Absolute date-time for expiries: "2027年3月5日 20:00" style, year dropped when it is this year. */
export function dateTimeWords(ms: number, nowMs: number): string {
  const d = new Date(ms)
  const md = `${d.getMonth() + 1}月${d.getDate()}日 ${hm(d)}`
  return d.getFullYear() === new Date(nowMs).getFullYear() ? md : `${d.getFullYear()}年${md}`
}
