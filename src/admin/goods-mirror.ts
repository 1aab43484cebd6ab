/**
 * The warehouse mirror in `live_goods`: one document per goods item created, changed or deleted through this
 * function, written only after the platform accepted the change. Its audit fields (goodsId, auditStatus,
 * auditCheckedAt, missingUpstream) are the ones the sync's audit pass reads and writes through the CacheStore
 * (src/sync/store.ts goodsPendingAudit / setGoodsAudit / markGoodsMissing); the rest is the back office's.
 * docs/CACHE-SCHEMA.md describes every field.
 */
import { COLLECTIONS } from '../cache/schema'
import { cond, type RawDoc } from '../sync/driver'
import type { ActionContext } from './types'

/** `_id` of a goods item's mirror document. */
export const goodsDocId = (goodsId: number): string => `goods-${goodsId}`

/** The goods fields the mirror keeps, as goods/add takes them (prices in yuan, as the warehouse API has them). */
export interface MirrorFields {
  name: string
  coverImgUrl: string
  priceType: number
  price: number
  /** null for a fixed price. */
  price2: number | null
  url: string
  thirdPartyAppid: string
  goodsKey: string[] | null
}

export interface GoodsMirrorDoc extends MirrorFields {
  goodsId: number
  /** 0 not submitted, 1 under review, 2 approved, 3 rejected (the sync updates it). */
  auditStatus: number
  /** The current review's id (goods/resetaudit needs it); null when unknown (goods first mirrored on an update). */
  auditId: number | null
  createdAt: Date
  updatedAt: Date
  /** The admin's openid of the last change. */
  updatedBy: string | null
  /** Set once deleted through this function; the platform no longer has the goods. */
  deletedAt: Date | null
  missingUpstream: boolean
}

/** A new mirror document for goods as goods/add took it or getgoodswarehouse shows it. */
export function newMirrorDoc(
  ctx: ActionContext,
  g: Omit<MirrorFields, 'price2' | 'thirdPartyAppid' | 'goodsKey'> & { goodsId: number; price2?: number; thirdPartyAppid?: string; goodsKey?: string[] },
  auditStatus: number,
  auditId: number | null,
): GoodsMirrorDoc {
  const now = new Date(ctx.ports.nowMs())
  return {
    goodsId: g.goodsId,
    auditStatus,
    auditId,
    name: g.name,
    coverImgUrl: g.coverImgUrl,
    priceType: g.priceType,
    price: g.price,
    // A fixed price has no second price (the platform drops it).
    price2: g.priceType === 1 ? null : (g.price2 ?? null),
    url: g.url,
    thirdPartyAppid: g.thirdPartyAppid ?? '',
    goodsKey: g.goodsKey ?? null,
    createdAt: now,
    updatedAt: now,
    updatedBy: ctx.caller.openid,
    deletedAt: null,
    missingUpstream: false,
  }
}

/** A stored mirror row as the back office reads it, or null when the document is not one. */
export function asMirror(doc: RawDoc): GoodsMirrorDoc | null {
  if (typeof doc.goodsId !== 'number' || typeof doc.auditStatus !== 'number') return null
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  const num = (v: unknown) => (typeof v === 'number' ? v : null)
  return {
    goodsId: doc.goodsId,
    auditStatus: doc.auditStatus,
    auditId: num(doc.auditId),
    name: str(doc.name),
    coverImgUrl: str(doc.coverImgUrl),
    priceType: num(doc.priceType) ?? 1,
    price: num(doc.price) ?? 0,
    price2: num(doc.price2),
    url: str(doc.url),
    thirdPartyAppid: str(doc.thirdPartyAppid),
    goodsKey: Array.isArray(doc.goodsKey) ? doc.goodsKey.filter((k): k is string => typeof k === 'string') : null,
    createdAt: doc.createdAt instanceof Date ? doc.createdAt : new Date(0),
    updatedAt: doc.updatedAt instanceof Date ? doc.updatedAt : new Date(0),
    updatedBy: typeof doc.updatedBy === 'string' ? doc.updatedBy : null,
    deletedAt: doc.deletedAt instanceof Date ? doc.deletedAt : null,
    missingUpstream: doc.missingUpstream === true,
  }
}

/**
 * What the mirror write did: `written`; `none` (goods never mirrored, nothing to keep); `failed` (the platform
 * change stands, the mirror missed it: the reply says so, refreshGoodsAudit or the next change repairs it).
 */
export type MirrorOutcome = 'written' | 'none' | 'failed'

async function attempt(write: () => Promise<MirrorOutcome>): Promise<MirrorOutcome> {
  try {
    return await write()
  } catch {
    return 'failed'
  }
}

export async function readMirror(ctx: ActionContext, goodsId: number): Promise<GoodsMirrorDoc | null> {
  const [doc] = await ctx.ports.docs.find(COLLECTIONS.goods, { _id: goodsDocId(goodsId) }, { limit: 1 })
  return doc ? asMirror(doc) : null
}

/** Mirrored goods the platform still has, in goodsId order after `after`. */
export async function listMirrored(ctx: ActionContext, limit: number, after?: number): Promise<GoodsMirrorDoc[]> {
  const where: Record<string, ReturnType<typeof cond.gt> | number> = { missingUpstream: cond.neq(true) }
  if (after !== undefined) where.goodsId = cond.gt(after)
  const docs = await ctx.ports.docs.find(COLLECTIONS.goods, where, { limit, orderBy: { field: 'goodsId', dir: 'asc' } })
  return docs.map(asMirror).filter((d): d is GoodsMirrorDoc => d !== null)
}

/** A whole document: goods just created (goods/add) or first mirrored. */
export function putMirror(ctx: ActionContext, doc: GoodsMirrorDoc): Promise<MirrorOutcome> {
  return attempt(async () => {
    await ctx.ports.docs.set(COLLECTIONS.goods, goodsDocId(doc.goodsId), { ...doc })
    return 'written'
  })
}

/**
 * Some fields of a mirrored goods item, stamped with who and when. Goods not mirrored yet get the whole document
 * `whole` builds (null: it could not be learnt), or stay unmirrored when there is no `whole`.
 */
export function writeMirror(
  ctx: ActionContext,
  goodsId: number,
  set: Record<string, unknown>,
  whole: (() => Promise<GoodsMirrorDoc | null>) | null,
): Promise<MirrorOutcome> {
  return attempt(async () => {
    const stamp = { updatedAt: new Date(ctx.ports.nowMs()), updatedBy: ctx.caller.openid }
    if ((await ctx.ports.docs.update(COLLECTIONS.goods, { _id: goodsDocId(goodsId) }, { set: { ...set, ...stamp } })) > 0) return 'written'
    if (!whole) return 'none'
    const doc = await whole()
    if (!doc) return 'failed'
    await ctx.ports.docs.set(COLLECTIONS.goods, goodsDocId(goodsId), { ...doc })
    return 'written'
  })
}
