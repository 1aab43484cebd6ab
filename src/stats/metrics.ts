/**
 * The statistics a merchant reads: one home for each counter (which event adds to it), each derived figure (its
 * formula) and their names in Chinese and English. The fold, the dashboard actions, the CSV export and the merchant
 * pages all take their columns and labels from here.
 */
import type { EntryKind } from './channels'
import type { ViewerEvent, OrderReport } from './events'

export const COUNTERS = {
  reached: { zh: '触达', en: 'reached', note: 'room cards shown in the list, plus relay-page landings from codes and links' },
  taps: { zh: '卡片点击', en: 'card taps', note: 'room cards tapped' },
  entered: { zh: '进入直播间', en: 'entered', note: 'times viewers were sent into the room (entries, not distinct viewers)' },
  sharedEntries: { zh: '分享带来的进入', en: 'entries from shares', note: 'entries that came through someone’s share card' },
  subscribed: { zh: '订阅开播提醒', en: 'subscribed', note: 'start reminders subscribed' },
  shares: { zh: '分享', en: 'shares', note: 'times viewers shared the room' },
  replayPlays: { zh: '回放播放', en: 'replay plays', note: 'replay plays ended or left' },
  replaySeconds: { zh: '回放观看秒数', en: 'replay seconds', note: 'seconds of replay watched, summed' },
  goodsClicks: { zh: '商品点击', en: 'goods clicks', note: 'goods pages opened from the room’s shelf' },
  orders: { zh: '订单', en: 'orders', note: 'orders the merchant’s order flow reported' },
  gmvFen: { zh: '成交额（分）', en: 'GMV (fen)', note: 'order amounts summed, in fen' },
} as const
export type Counter = keyof typeof COUNTERS
export const COUNTER_NAMES = Object.keys(COUNTERS) as Counter[]
export type Counts = Record<Counter, number>

export function zeroCounts(): Counts {
  return Object.fromEntries(COUNTER_NAMES.map((c) => [c, 0])) as Counts
}

/** What one viewer event adds. */
export function countsOfEvent(e: ViewerEvent): Partial<Counts> {
  switch (e.kind) {
    case 'impression':
    case 'land':
      return { reached: 1 }
    case 'tap':
      return { taps: 1 }
    case 'enter':
      return e.shared ? { entered: 1, sharedEntries: 1 } : { entered: 1 }
    case 'share':
      return { shares: 1 }
    case 'subscribe':
      return { subscribed: 1 }
    case 'replay':
      return { replayPlays: 1, replaySeconds: Math.round(e.seconds) }
    case 'goods':
      return { goodsClicks: 1 }
    case 'channels_enter':
      return { entered: 1 }
    case 'channels_reserve':
      return e.outcome === 'reserved' ? { subscribed: 1 } : {}
    case 'channels_error':
      return {}
  }
}

export function countsOfOrder(o: OrderReport): Partial<Counts> {
  return { orders: 1, gmvFen: o.amountFen }
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null)

/** Figures derived from counts; null where the denominator is zero (shown as "—", never as 0). */
export const DERIVED = {
  entryRate: { zh: '进入率', en: 'entry rate', formula: 'entered ÷ reached', of: (c: Counts) => ratio(c.entered, c.reached) },
  avgReplaySeconds: { zh: '回放平均观看秒数', en: 'average replay seconds', formula: 'replaySeconds ÷ replayPlays', of: (c: Counts) => ratio(c.replaySeconds, c.replayPlays) },
  goodsClickRate: { zh: '商品点击率', en: 'goods clicks per entry', formula: 'goodsClicks ÷ entered', of: (c: Counts) => ratio(c.goodsClicks, c.entered) },
  ordersPerK: { zh: '千次进入订单数', en: 'orders per 1,000 entries', formula: 'orders × 1000 ÷ entered', of: (c: Counts) => ratio(c.orders * 1000, c.entered) },
  // GPM as Channels live names it, but per 1,000 of our own entries: the platform gives no viewer count for Mini Program Live.
  gmvPerKFen: { zh: '千次进入成交额（分，GPM）', en: 'GMV per 1,000 entries (fen, GPM)', formula: 'gmvFen × 1000 ÷ entered', of: (c: Counts) => ratio(c.gmvFen * 1000, c.entered) },
} as const
export type Derived = keyof typeof DERIVED
export const DERIVED_NAMES = Object.keys(DERIVED) as Derived[]

export function derive(c: Counts): Record<Derived, number | null> {
  return Object.fromEntries(DERIVED_NAMES.map((d) => [d, DERIVED[d].of(c)])) as Record<Derived, number | null>
}

/** Adds `b` into `a` (mutating `a`), for totals over days or channels. */
export function addCounts(a: Counts, b: Partial<Counts>): Counts {
  for (const k of COUNTER_NAMES) a[k] += b[k] ?? 0
  return a
}

/** Entries by entry kind, kept beside the counters so the channel table can say how a channel's viewers came. */
export type KindCounts = Partial<Record<EntryKind, number>>
