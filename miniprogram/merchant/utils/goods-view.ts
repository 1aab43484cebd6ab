/**
 * The goods warehouse as the merchant sees it: tabs by audit state, one row per goods item with the actions its
 * state allows, prices in words, and the day's review budget. Pure (no wx), so the branches are unit-tested.
 */
import * as rules from '../generated/rules'
import { priceText } from '../../utils/format'
import { formatShanghai } from './time'

export type AuditStatusCode = (typeof rules.AuditStatus)[keyof typeof rules.AuditStatus]

/** The merchant's word for each audit state, keyed by the platform's code. */
export const AUDIT_TEXT: Readonly<Record<AuditStatusCode, string>> = {
  [rules.AuditStatus.NotAudited]: '未审核',
  [rules.AuditStatus.UnderReview]: '审核中',
  [rules.AuditStatus.Approved]: '审核通过',
  [rules.AuditStatus.Rejected]: '审核驳回',
}

/** TDesign tag theme per audit state. */
const AUDIT_THEME: Readonly<Record<AuditStatusCode, string>> = {
  [rules.AuditStatus.NotAudited]: 'default',
  [rules.AuditStatus.UnderReview]: 'warning',
  [rules.AuditStatus.Approved]: 'success',
  [rules.AuditStatus.Rejected]: 'danger',
}

export interface AuditTab {
  value: AuditStatusCode
  label: string
}

/** The warehouse's tabs in the platform's order (0 not audited … 3 rejected). */
export const AUDIT_TABS: readonly AuditTab[] = (Object.values(rules.AuditStatus) as AuditStatusCode[])
  .sort((a, b) => a - b)
  .map((value) => ({ value, label: AUDIT_TEXT[value] }))

export function isAuditStatus(v: unknown): v is AuditStatusCode {
  return AUDIT_TABS.some((t) => t.value === v)
}

/** One goods item as goodsList / goodsInfo answer it (prices in yuan). */
export interface GoodsItem {
  goodsId: number
  name: string
  coverImgUrl: string
  url: string
  priceType: number
  price: number
  price2?: number
  thirdPartyAppid?: string
}

export interface GoodsRow {
  goodsId: number
  name: string
  cover: string
  priceNow: string
  priceWas: string
  statusText: string
  statusTheme: string
  canEdit: boolean
  canWithdraw: boolean
  canResubmit: boolean
  canDelete: boolean
}

const PRICE_TYPE_NAME: Readonly<Record<number, 'fixed' | 'range' | 'discount'>> = {
  [rules.PriceType.Fixed]: 'fixed',
  [rules.PriceType.Range]: 'range',
  [rules.PriceType.Discount]: 'discount',
}

/** Yuan (as the warehouse keeps them) to fen, rounded so 19.99 is exactly 1999. */
const fen = (yuan: number): number => Math.round(yuan * 100)

/** The price in words, as the viewer's room shows it. */
export function goodsPriceText(g: Pick<GoodsItem, 'priceType' | 'price' | 'price2'>): { now: string; was: string } {
  return priceText(PRICE_TYPE_NAME[g.priceType] ?? 'fixed', fen(g.price), g.price2 === undefined ? null : fen(g.price2))
}

/**
 * A list row with the actions its state allows: editing when goodsUpdate may change something, withdrawing only
 * under review, resubmitting what is not under review nor approved, deleting anything not under review.
 */
export function goodsRow(g: GoodsItem, status: AuditStatusCode): GoodsRow {
  const price = goodsPriceText(g)
  return {
    goodsId: g.goodsId,
    name: g.name,
    cover: g.coverImgUrl,
    priceNow: price.now,
    priceWas: price.was,
    statusText: AUDIT_TEXT[status],
    statusTheme: AUDIT_THEME[status],
    canEdit: rules.goodsUpdatableFields(status).length > 0,
    canWithdraw: status === rules.AuditStatus.UnderReview,
    canResubmit: status === rules.AuditStatus.NotAudited || status === rules.AuditStatus.Rejected,
    canDelete: status !== rules.AuditStatus.UnderReview,
  }
}

/** The reviewBudget reply (resetsAt an ISO time). */
export interface ReviewBudget {
  limit: number
  used: number
  left: number
  exhausted: boolean
  resetsAt: string
}

export interface BudgetView {
  known: boolean
  left: number
  /** Whether a new review may be submitted now. */
  canSubmit: boolean
  text: string
}

export const BUDGET_UNKNOWN: BudgetView = { known: false, left: 0, canSubmit: true, text: '' }

/** The budget in the merchant's words; at 0 it says when submitting opens again. */
export function budgetView(b: Pick<ReviewBudget, 'left' | 'resetsAt'> & { limit?: number }, nowMs: number): BudgetView {
  const left = Math.max(0, b.left)
  const at = Date.parse(b.resetsAt)
  if (left === 0) {
    // the budget resets on Beijing time, whatever the phone's zone
    const when = Number.isFinite(at) ? `北京时间 ${formatShanghai(Math.floor(at / 1000))}` : '明天'
    return { known: true, left, canSubmit: false, text: `今天的提审次数已用完，${when} 起可再提交审核` }
  }
  const of = b.limit !== undefined ? `（每天 ${b.limit} 次）` : ''
  return { known: true, left, canSubmit: true, text: `今天还能提交审核 ${left} 次${of}` }
}

/** The budget a 300012 refusal carries (reviewBudgetLeft, resetsAt); null when the error says nothing of it. */
export function budgetFromError(body: Record<string, unknown> | undefined): Pick<ReviewBudget, 'left' | 'resetsAt'> | null {
  if (!body || typeof body.reviewBudgetLeft !== 'number') return null
  return { left: body.reviewBudgetLeft, resetsAt: typeof body.resetsAt === 'string' ? body.resetsAt : '' }
}
