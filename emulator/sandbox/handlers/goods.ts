/**
 * Goods endpoints: goods inside a room (import, shelf, push, sort, clip), the pendant key, and the goods
 * warehouse with its audit flow. Rules: https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/commodity-api.html and, for goods in a room,
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/studio-api.html.
 */
import type { GoodsFields } from '../../../src/live/schemas'
import { checkGoodsName, checkGoodsPrice, checkGoodsUpdateFields, checkGoodsUrl } from '../../../src/live/rules'
import { LiveStatus, OPEN_STATUSES } from '../../../src/live/status'
import type { Room, RoomGoods, WarehouseGoods } from '../model'
import { LiveError } from '../wire'
import { type Handler, type Handlers, type HandlerContext, enforce, goodsAudit, requireRoom, requireStatus } from './context'

// ---------- goods in a room ----------


function pushingNow(ctx: HandlerContext, room: Room): number | null {
  return room.pushing && ctx.now < room.pushing.until ? room.pushing.goodsId : null
}

function roomGoodsOf(room: Room, goodsId: number): RoomGoods {
  const rg = room.goods.find((g) => g.goodsId === goodsId)
  if (!rg) throw new LiveError(300053, `goodsId: ${goodsId} is not in room ${room.roomId}`)
  return rg
}

const importGoods: Handler<'importGoods'> = (ctx, p) => {
  const { state } = ctx
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'importing goods')
  for (const id of p.ids) {
    const g = state.goods.get(id)
    if (!g) throw new LiveError(300024, `ids: goods ${id} not found`)
    if (goodsAudit(ctx, g) !== 2) throw new LiveError(300025, `ids: goods ${id} is not approved`)
  }
  // Import appends: goods already in the room stay where they are.
  const fresh = [...new Set(p.ids)].filter((id) => !room.goods.some((g) => g.goodsId === id))
  const cap = state.options.roomGoodsCap
  if (room.goods.length + fresh.length > cap) {
    throw new LiveError(300033, `ids: a room holds at most ${cap} goods (has ${room.goods.length})`)
  }
  for (const id of fresh) room.goods.push({ goodsId: id, onSale: 1 })
  return {}
}

const goodsSale: Handler<'goodsSale'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  const rg = room.goods.find((g) => g.goodsId === p.goodsId)
  if (!rg) throw new LiveError(300024, `goodsId: ${p.goodsId} not found in room ${room.roomId}`)
  if (pushingNow(ctx, room) === p.goodsId) throw new LiveError(300049, `goodsId: ${p.goodsId} is being pushed; retry later`)
  rg.onSale = p.onSale
  return {}
}

const goodsDeleteInRoom: Handler<'goodsDeleteInRoom'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  roomGoodsOf(room, p.goodsId)
  if (pushingNow(ctx, room) === p.goodsId) throw new LiveError(300047, `goodsId: ${p.goodsId} is being pushed; retry later`)
  room.goods = room.goods.filter((g) => g.goodsId !== p.goodsId)
  return {}
}

const goodsPush: Handler<'goodsPush'> = (ctx, p) => {
  const { state } = ctx
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, [LiveStatus.live], 'pushing goods (the room must be live)')
  if (!state.goods.has(p.goodsId)) throw new LiveError(300024, `goodsId: ${p.goodsId} not found`)
  const rg = roomGoodsOf(room, p.goodsId)
  if (rg.onSale !== 1) throw new LiveError(300052, `goodsId: ${p.goodsId} is off shelf and cannot be pushed`)
  const current = pushingNow(ctx, room)
  if (current !== null) throw new LiveError(300047, `goods ${current} is being pushed; one at a time`)
  room.pushing = { goodsId: p.goodsId, until: ctx.now + state.options.pushSeconds }
  rg.explainedAt = ctx.now
  return {}
}

const goodsSort: Handler<'goodsSort'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'sorting goods')
  const order: number[] = []
  for (const [i, item] of p.goods.entries()) {
    const id = Number(item.goodsId)
    if (!Number.isInteger(id) || id <= 0) throw new LiveError(200002, `goods.${i}.goodsId: must be a positive integer`)
    if (!room.goods.some((g) => g.goodsId === id)) throw new LiveError(300053, `goods.${i}.goodsId: ${id} is not in room ${room.roomId}`)
    if (!order.includes(id)) order.push(id)
  }
  // Listed goods first in the given order; unlisted ones keep their relative order after them.
  const rank = new Map(order.map((id, i) => [id, i]))
  const listed = room.goods.filter((g) => rank.has(g.goodsId)).sort((a, b) => rank.get(a.goodsId)! - rank.get(b.goodsId)!)
  room.goods = [...listed, ...room.goods.filter((g) => !rank.has(g.goodsId))]
  return {}
}

const goodsVideo: Handler<'goodsVideo'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  if (!ctx.state.goods.has(p.goodsId)) throw new LiveError(300024, `goodsId: ${p.goodsId} not found`)
  const rg = roomGoodsOf(room, p.goodsId)
  if (rg.explainedAt === undefined) throw new LiveError(300044, `goodsId: ${p.goodsId} has no explanation video in room ${room.roomId}`)
  if (ctx.now < rg.explainedAt + ctx.state.options.goodsVideoDelaySeconds) {
    throw new LiveError(300045, `goodsId: ${p.goodsId} explanation video is not generated yet`)
  }
  return { url: `${ctx.state.options.assetBaseUrl}/clip/${room.roomId}/${p.goodsId}.mp4` }
}

const setGoodsKey: Handler<'setGoodsKey'> = (ctx, p) => {
  ctx.state.vendorGoodsKey = [...p.goodsKey]
  return {}
}

const getGoodsKey: Handler<'getGoodsKey'> = (ctx) => ({ vendorGoodsKey: [...ctx.state.vendorGoodsKey] })

// ---------- warehouse ----------

/** Field rules of goods/add and goods/update, in the platform's order; the cover is checked only when it is new. */
function checkGoodsRules(ctx: HandlerContext, g: GoodsFields, coverIsNew: boolean): void {
  if (coverIsNew && !ctx.state.liveMedia(g.coverImgUrl)) {
    throw new LiveError(300006, `coverImgUrl: media_id ${g.coverImgUrl} does not exist or has expired (3 days)`)
  }
  enforce(checkGoodsName(g.name))
  enforce(checkGoodsPrice(g))
  enforce(checkGoodsUrl(g.url, ctx.state.options.onlinePages))
}

/** Field rules of a new warehouse goods item; throws the errcode WeChat would answer. */
export function checkGoodsFields(ctx: HandlerContext, g: GoodsFields): void {
  checkGoodsRules(ctx, g, true)
}

function requireGoods(ctx: HandlerContext, goodsId: number, notFound = 1003): WarehouseGoods {
  const g = ctx.state.goods.get(goodsId)
  if (!g) throw new LiveError(notFound, `goodsId: goods ${goodsId} does not exist`)
  if (g.thirdPartyTag !== 1 && g.thirdPartyTag !== 2) {
    throw new LiveError(300011, `goodsId: goods ${goodsId} was created in the MP console; the API may not change it`)
  }
  return g
}

/** Takes one review from today's budget (shared by goods/add and goods/audit), or answers 300012. */
function spendReview(ctx: HandlerContext): void {
  const used = ctx.state.reviewsByDay.get(ctx.day) ?? 0
  if (used >= ctx.state.options.reviewBudget) {
    throw new LiveError(300012, `no review quota left today (${ctx.state.options.reviewBudget} per day)`)
  }
  ctx.state.reviewsByDay.set(ctx.day, used + 1)
}

/** Settles an automatic approval into the record before a state-changing read. */
function settle(ctx: HandlerContext, g: WarehouseGoods): WarehouseGoods {
  g.auditStatus = goodsAudit(ctx, g)
  return g
}

const goodsAdd: Handler<'goodsAdd'> = (ctx, p) => {
  const { state } = ctx
  checkGoodsFields(ctx, p.goodsInfo)
  spendReview(ctx)
  const gi = p.goodsInfo
  const g: WarehouseGoods = {
    goodsId: state.nextGoodsId++,
    auditId: state.nextAuditId++,
    name: gi.name,
    coverImgUrl: gi.coverImgUrl,
    priceType: gi.priceType,
    price: gi.price,
    url: gi.url,
    thirdPartyAppid: gi.thirdPartyAppid ?? '',
    thirdPartyTag: 2,
    auditStatus: 1,
    submittedAt: ctx.now,
    createdAt: ctx.now,
  }
  if (gi.priceType !== 1 && gi.price2 !== undefined) g.price2 = gi.price2
  if (gi.goodsKey) g.goodsKey = [...gi.goodsKey]
  state.goods.set(g.goodsId, g)
  return { goodsId: g.goodsId, auditId: g.auditId }
}

const goodsResetAudit: Handler<'goodsResetAudit'> = (ctx, p) => {
  const g = settle(ctx, requireGoods(ctx, p.goodsId))
  if (g.auditStatus !== 1) throw new LiveError(300017, `goodsId: goods ${g.goodsId} is not under review (audit_status ${g.auditStatus})`)
  if (g.auditId !== p.auditId) throw new LiveError(300009, `auditId: ${p.auditId} is not the current audit of goods ${g.goodsId}`)
  g.auditStatus = 0
  return {}
}

const goodsAudit_: Handler<'goodsAudit'> = (ctx, p) => {
  const g = settle(ctx, requireGoods(ctx, p.goodsId))
  if (g.auditStatus === 1 || g.auditStatus === 2) {
    throw new LiveError(300010, `goodsId: goods ${g.goodsId} is ${g.auditStatus === 1 ? 'under review' : 'already approved'}`)
  }
  spendReview(ctx)
  g.auditStatus = 1
  g.auditId = ctx.state.nextAuditId++
  g.submittedAt = ctx.now
  return { auditId: g.auditId }
}

const goodsDelete: Handler<'goodsDelete'> = (ctx, p) => {
  const g = settle(ctx, requireGoods(ctx, p.goodsId, 300015))
  if (g.auditStatus === 1) throw new LiveError(300014, `goodsId: goods ${g.goodsId} is under review and cannot be deleted`)
  ctx.state.goods.delete(g.goodsId)
  // Deleting from the warehouse also removes the goods from every room, irreversibly.
  for (const room of ctx.state.rooms.values()) {
    if (room.goods.some((x) => x.goodsId === g.goodsId)) room.goods = room.goods.filter((x) => x.goodsId !== g.goodsId)
  }
  return {}
}

const goodsUpdate: Handler<'goodsUpdate'> = (ctx, p) => {
  const gi = p.goodsInfo
  const g = settle(ctx, requireGoods(ctx, gi.goodsId))
  const changing = Object.keys(gi).filter((k) => k !== 'goodsId' && gi[k as keyof typeof gi] !== undefined)
  enforce(checkGoodsUpdateFields(g.auditStatus, changing))
  const merged: GoodsFields = {
    coverImgUrl: gi.coverImgUrl ?? g.coverImgUrl,
    name: gi.name ?? g.name,
    priceType: gi.priceType ?? g.priceType,
    price: gi.price ?? g.price,
    url: gi.url ?? g.url,
  }
  const price2 = gi.price2 ?? g.price2
  if (price2 !== undefined) merged.price2 = price2
  // An unchanged cover may be an old media_id; only a new one must be alive.
  checkGoodsRules(ctx, merged, gi.coverImgUrl !== undefined)
  g.coverImgUrl = merged.coverImgUrl
  g.name = merged.name
  g.priceType = merged.priceType
  g.price = merged.price
  if (merged.priceType === 1) delete g.price2
  else if (merged.price2 !== undefined) g.price2 = merged.price2
  g.url = merged.url
  if (gi.thirdPartyAppid !== undefined) g.thirdPartyAppid = gi.thirdPartyAppid
  if (gi.goodsKey !== undefined) g.goodsKey = [...gi.goodsKey]
  return {}
}

/** A warehouse item as both warehouse reads show it (goodsInfo adds its audit state). */
function warehouseView(ctx: HandlerContext, g: WarehouseGoods) {
  return {
    goodsId: g.goodsId,
    coverImgUrl: ctx.state.mediaUrl(g.coverImgUrl),
    name: g.name,
    price: g.price,
    url: g.url,
    priceType: g.priceType,
    thirdPartyTag: g.thirdPartyTag,
    thirdPartyAppid: g.thirdPartyAppid,
    ...(g.price2 !== undefined ? { price2: g.price2 } : {}),
  }
}

const goodsInfo: Handler<'goodsInfo'> = (ctx, p) => {
  const goods = []
  for (const id of p.goodsIds) {
    const g = ctx.state.goods.get(id)
    if (!g) continue
    goods.push({ ...warehouseView(ctx, g), auditStatus: goodsAudit(ctx, g) })
  }
  return { goods, total: goods.length }
}

const goodsList: Handler<'goodsList'> = (ctx, p) => {
  const limit = Math.min(p.limit ?? 30, 100)
  const matching: WarehouseGoods[] = []
  for (const g of ctx.state.goods.values()) if (goodsAudit(ctx, g) === p.status) matching.push(g)
  matching.sort((a, b) => b.goodsId - a.goodsId)
  const goods = matching.slice(p.offset, p.offset + limit).map((g) => warehouseView(ctx, g))
  return { goods, total: matching.length }
}

export const goodsHandlers = {
  importGoods,
  goodsSale,
  goodsDeleteInRoom,
  goodsPush,
  goodsSort,
  goodsVideo,
  setGoodsKey,
  getGoodsKey,
  goodsAdd,
  goodsResetAudit,
  goodsAudit: goodsAudit_,
  goodsDelete,
  goodsUpdate,
  goodsInfo,
  goodsList,
} satisfies Partial<Handlers>
