/**
 * The goods review budget: submissions for review (goods/add and goods/audit share it, the catalogue's quota
 * bucket `review`) per Asia/Shanghai day. What this function submitted is counted in the sync's ledger
 * (`live_api_ledger`, the one home of Live calls per day); a 300012 from the platform (the budget spent elsewhere
 * too, e.g. in the MP console) is kept on the same day's document, so the budget then reads 0 until midnight.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/commodity-api.html
 */
import { COLLECTIONS } from '../cache/schema'
import { catalogue, type EndpointId } from '../live/catalogue'
import type { EndpointDef } from '../live/endpoint'
import { shanghaiDay } from '../live/day'
import { describeErrcode } from '../live/errors'
import { AdminFailure } from './reply'
import type { ActionContext } from './types'

export const REVIEW_BUCKET = 'review'

/** The endpoints whose accepted calls spend a review (goodsAdd, goodsAudit). */
export const REVIEW_ENDPOINTS: readonly EndpointId[] = (Object.keys(catalogue) as EndpointId[]).filter(
  (id) => (catalogue[id] as EndpointDef).quotaBucket === REVIEW_BUCKET,
)

/** Reviews a day: the bucket's daily quota (every endpoint in it states the same one). */
export const REVIEW_BUDGET = Math.min(...REVIEW_ENDPOINTS.map((id) => catalogue[id].dailyQuota))

/** The ledger document's field saying the platform answered 300012 that day (Unix ms of the answer). */
export const EXHAUSTED_FIELD = 'reviewExhaustedAt'

const DAY_MS = 24 * 3600_000

export interface ReviewBudget {
  /** Asia/Shanghai day the budget counts in. */
  day: string
  limit: number
  /** Submissions this function made today (the ledger). */
  used: number
  left: number
  /** The platform said 300012 today: nothing is left, whatever the count says. */
  exhausted: boolean
  /** When the budget is whole again: the next Asia/Shanghai midnight, ISO. */
  resetsAt: string
}

/** The next Asia/Shanghai midnight after `ms`. */
export function nextShanghaiMidnight(ms: number): Date {
  return new Date(Date.parse(`${shanghaiDay(ms)}T00:00:00+08:00`) + DAY_MS)
}

export async function readReviewBudget(ctx: ActionContext): Promise<ReviewBudget> {
  const now = ctx.ports.nowMs()
  const day = shanghaiDay(now)
  const ledger = await ctx.ports.cache.readLedger(day)
  const [doc] = await ctx.ports.docs.find(COLLECTIONS.apiLedger, { _id: day }, { limit: 1, fields: [EXHAUSTED_FIELD] })
  const exhausted = typeof doc?.[EXHAUSTED_FIELD] === 'number'
  const used = REVIEW_ENDPOINTS.reduce((n, id) => n + (ledger[id] ?? 0), 0)
  return {
    day,
    limit: REVIEW_BUDGET,
    used,
    left: exhausted ? 0 : Math.max(0, REVIEW_BUDGET - used),
    exhausted,
    resetsAt: nextShanghaiMidnight(now).toISOString(),
  }
}

/** The refusal when no review is left: resource_exhausted with the budget left (0) and when it resets. */
export function budgetExhausted(resetsAt: string, field?: string): AdminFailure {
  const text = describeErrcode(300012)
  const at = new Date(resetsAt)
  const shanghai = new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
  return new AdminFailure({
    code: 'resource_exhausted',
    errcode: 300012,
    ...(field ? { field } : {}),
    reviewBudgetLeft: 0,
    resetsAt,
    zh: `${text.zh}；北京时间 ${shanghai} 恢复`,
    en: `${text.en}; it resets at ${shanghai} Beijing time (${resetsAt})`,
  })
}

/** Refuses before the call when today's budget is spent; resolves the budget otherwise. */
export async function requireReview(ctx: ActionContext): Promise<ReviewBudget> {
  const budget = await readReviewBudget(ctx)
  if (budget.left <= 0) throw budgetExhausted(budget.resetsAt)
  return budget
}

/** Counts one accepted submission in the ledger; a failure here never undoes the submission. */
export async function countReview(ctx: ActionContext, endpoint: EndpointId): Promise<boolean> {
  try {
    await ctx.ports.cache.addToLedger(shanghaiDay(ctx.ports.nowMs()), { [endpoint]: 1 })
    return true
  } catch {
    return false
  }
}

/** Keeps the platform's 300012 on the day's ledger document. Never throws: the refusal is the reply either way. */
export async function markReviewsExhausted(ctx: ActionContext): Promise<void> {
  const now = ctx.ports.nowMs()
  const day = shanghaiDay(now)
  const { docs } = ctx.ports
  try {
    const set = { [EXHAUSTED_FIELD]: now }
    if ((await docs.update(COLLECTIONS.apiLedger, { _id: day }, { set })) > 0) return
    if ((await docs.insert(COLLECTIONS.apiLedger, { _id: day, day, calls: {}, ...set })) === 'duplicate') {
      await docs.update(COLLECTIONS.apiLedger, { _id: day }, { set })
    }
  } catch {
    // The reply already says 0 are left; the next 300012 records it again.
  }
}
