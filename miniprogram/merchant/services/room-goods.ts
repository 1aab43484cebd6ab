/**
 * Goods inside a live room: the room as getLiveInfo reads it, the warehouse to import from (every audit state,
 * so the picker can say why an item cannot be imported), import, push, sale, order, removal and the explanation clip.
 */
import * as rules from '../generated/rules'
import type { LiveInfoRoom, SaleState, WarehouseGoods } from '../utils/console-view'
import { AdminError, runAdmin } from './call'

interface LiveInfoReply {
  total: number
  roomInfo: LiveInfoRoom[]
}

/** The room with its goods and switches; rejects `not_found` when the platform no longer lists it. */
export async function loadRoom(roomId: number): Promise<LiveInfoRoom> {
  const data = await runAdmin<LiveInfoReply>('getLiveInfo', { start: 0, limit: 1, roomId })
  const room = (data.roomInfo ?? []).find((r) => r.roomid === roomId)
  if (!room) {
    const missing = rules.describeErrcode(300022)
    throw new AdminError({ code: 'not_found', field: 'roomId', errcode: 300022, zh: missing.zh, en: missing.en })
  }
  return room
}

interface GoodsListReply {
  goods: Omit<WarehouseGoods, 'auditStatus'>[]
  total: number
}

const PAGE = 100
/** goodsList is asked per audit state; approved first, as the picker lists them. */
const AUDIT_ORDER = [rules.AuditStatus.Approved, rules.AuditStatus.UnderReview, rules.AuditStatus.NotAudited, rules.AuditStatus.Rejected] as const

/** Every warehouse item with its audit state, page by page (goodsList answers at most 100 at a time). */
export async function loadWarehouse(): Promise<WarehouseGoods[]> {
  const out: WarehouseGoods[] = []
  for (const status of AUDIT_ORDER) {
    for (let offset = 0; ; offset += PAGE) {
      const page = await runAdmin<GoodsListReply>('goodsList', { status, offset, limit: PAGE })
      for (const g of page.goods ?? []) out.push({ ...g, auditStatus: status })
      if (!page.goods?.length || offset + page.goods.length >= page.total) break
    }
  }
  return out
}

export function importGoods(roomId: number, ids: number[]): Promise<{ ids: number[] }> {
  return runAdmin('importGoods', { roomId, ids })
}

export function pushGoods(roomId: number, goodsId: number): Promise<{ pushed: true }> {
  return runAdmin('goodsPush', { roomId, goodsId })
}

export function setSale(roomId: number, goodsId: number, onSale: SaleState): Promise<{ onSale: SaleState }> {
  return runAdmin('goodsSale', { roomId, goodsId, onSale })
}

/** Sends the room's whole order; resolves the order the function confirms. */
export async function sortGoods(roomId: number, ids: number[]): Promise<number[]> {
  const data = await runAdmin<{ order: number[] }>('goodsSort', { roomId, goods: ids.map((goodsId) => ({ goodsId })) })
  return data.order
}

export function removeGoods(roomId: number, goodsId: number): Promise<unknown> {
  return runAdmin('goodsDeleteInRoom', { roomId, goodsId })
}

/** The explanation clip's download URL (made a few minutes after the item was pushed and explained). */
export async function goodsVideo(roomId: number, goodsId: number): Promise<string> {
  const data = await runAdmin<{ url: string }>('goodsVideo', { roomId, goodsId })
  return data.url
}
