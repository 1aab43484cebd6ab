/**
 * How many rows of a kind the platform takes today: the daily quota of the row's endpoint (goods: the 500
 * reviews goods/add and goods/audit share) less what the call ledger (live_api_ledger, the home of calls per
 * Asia/Shanghai day) counts for the endpoints sharing it. The platform's own 45009/300012 stays the last word.
 */
import { shanghaiDay } from '../../live/day'
import type { ActionContext } from '../types'
import { quotaOf, type RowKind } from './kinds'

const DAY_MS = 86_400_000
const SHANGHAI_OFFSET_MS = 8 * 3600_000

/** The next Asia/Shanghai midnight after `ms`, when the day's quotas reset (Unix ms). */
export function nextShanghaiMidnight(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - SHANGHAI_OFFSET_MS
}

export interface DayBudget {
  day: string
  quota: number
  left: number
  /** When the quota resets (Unix ms). */
  resetsAt: number
}

export async function budgetToday(ctx: ActionContext, kind: RowKind): Promise<DayBudget> {
  const now = ctx.ports.nowMs()
  const day = shanghaiDay(now)
  const { quota, shared } = quotaOf(kind.quotaEndpoint)
  const ledger = await ctx.ports.cache.readLedger(day)
  const used = shared.reduce((n, id) => n + (ledger[id] ?? 0), 0)
  return { day, quota, left: Math.max(0, quota - used), resetsAt: nextShanghaiMidnight(now) }
}
