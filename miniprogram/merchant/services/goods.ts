/** The goods warehouse through liveAdmin: list by audit state, add, edit, review, withdraw, delete, the day's budget. */
import { runAdmin } from './call'
import type { AuditStatusCode, GoodsItem, ReviewBudget } from '../utils/goods-view'

export interface GoodsPage {
  goods: GoodsItem[]
  total: number
  /** What goodsUpdate may change in this state. */
  updatableFields: string[]
}

/** One page of the warehouse in one audit state. */
export function listGoods(status: AuditStatusCode, offset: number, limit: number): Promise<GoodsPage> {
  return runAdmin<GoodsPage>('goodsList', { status, offset, limit })
}

export interface GoodsDetail extends GoodsItem {
  auditStatus: AuditStatusCode
  updatableFields: string[]
  mirrored: boolean
}

/** One goods item with its audit state and the fields it may change; null when the platform no longer has it. */
export async function getGoods(goodsId: number): Promise<GoodsDetail | null> {
  const data = await runAdmin<{ goods: GoodsDetail[] }>('goodsInfo', { goodsIds: [goodsId] })
  return data.goods.find((g) => g.goodsId === goodsId) ?? null
}

export function reviewBudget(): Promise<ReviewBudget> {
  return runAdmin<ReviewBudget>('reviewBudget', {})
}

export interface Submitted {
  goodsId: number
  auditId: number
  reviewBudgetLeft: number
}

/** Adds a goods item and submits it for review (spends one of the day's reviews). */
export function addGoods(goodsInfo: Record<string, unknown>): Promise<Submitted> {
  return runAdmin<Submitted>('goodsAdd', { goodsInfo })
}

/** Changes the given fields of a goods item (only what its audit state allows). */
export function updateGoods(goodsId: number, changes: Record<string, unknown>): Promise<{ goodsId: number; changed: string[] }> {
  return runAdmin('goodsUpdate', { goodsInfo: { ...changes, goodsId } })
}

/** Submits a goods item for review again (spends one of the day's reviews). */
export function resubmitGoods(goodsId: number): Promise<Submitted> {
  return runAdmin<Submitted>('goodsAudit', { goodsId })
}

/** Withdraws a goods item from review (the review spent is not returned). */
export function withdrawGoods(goodsId: number): Promise<{ goodsId: number; auditStatus: number }> {
  return runAdmin('goodsResetAudit', { goodsId })
}

export function deleteGoods(goodsId: number): Promise<{ goodsId: number }> {
  return runAdmin('goodsDelete', { goodsId })
}

/** Pages of refreshGoodsAudit read at most in one refresh (100 goods each). */
const REFRESH_MAX_PAGES = 20

/** Asks the platform for every mirrored goods item's audit state; how many changed state. */
export async function refreshAuditStates(): Promise<{ checked: number; changed: number }> {
  let after: number | null = null
  let checked = 0
  let changed = 0
  for (let page = 0; page < REFRESH_MAX_PAGES; page++) {
    const reply: { checked: number; changed: unknown[]; next: number | null } = await runAdmin('refreshGoodsAudit', after === null ? {} : { after })
    checked += reply.checked
    changed += reply.changed.length
    after = reply.next
    if (after === null) break
  }
  return { checked, changed }
}
