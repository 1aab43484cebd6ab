/**
 * zod building blocks and enums for the Live catalogue. Request shapes are camelCase (as the client takes
 * them); reply shapes are camelCase after wx-server-sdk's snake→camel conversion, loose so that fields the
 * platform adds later do not break a sync. Source: live-api.md §2–§4.
 */
import { z } from 'zod'
import { hasAtMostTwoDecimals } from './rules'
import { LIVE_STATUS_CODES } from './status'

// ---------- enums ----------

export const liveStatusSchema = z.literal(LIVE_STATUS_CODES)

export const AuditStatus = { NotAudited: 0, UnderReview: 1, Approved: 2, Rejected: 3 } as const
export type AuditStatus = (typeof AuditStatus)[keyof typeof AuditStatus]
export const auditStatusSchema = z.literal([0, 1, 2, 3])

export const PriceType = { Fixed: 1, Range: 2, Discount: 3 } as const
export type PriceType = (typeof PriceType)[keyof typeof PriceType]
export const priceTypeSchema = z.literal([1, 2, 3])

/** Member roles; SuperAdmin cannot be set through the API, All (-1) is for queries only. */
export const RoleId = { All: -1, SuperAdmin: 0, Admin: 1, Anchor: 2, Operator: 3 } as const
export type RoleId = (typeof RoleId)[keyof typeof RoleId]
export const assignableRoleSchema = z.literal([1, 2, 3])
export const roleQuerySchema = z.literal([-1, 0, 1, 2, 3])

// ---------- request pieces ----------

/** 0 = enabled / off, 1 = disabled / on, per field (close*, isFeedsPublic, banComment, onSale). */
export const flag = z.literal([0, 1])
export const roomId = z.int().positive()
export const goodsId = z.int().positive()
/** Images are media_ids from /cgi-bin/media/upload, never URLs. */
export const mediaId = z.string().min(1)
export const wechatId = z.string().min(1)
export const yuan = z
  .number()
  .positive()
  .refine(hasAtMostTwoDecimals, { message: 'price must be yuan with at most 2 decimals' })

/** The room fields shared by createRoom and editRoom. */
export const roomFields = {
  name: z.string().min(1),
  coverImg: mediaId,
  startTime: z.int().positive(),
  endTime: z.int().positive(),
  anchorName: z.string().min(1),
  anchorWechat: wechatId,
  shareImg: mediaId,
  feedsImg: mediaId,
  isFeedsPublic: flag.optional(),
  closeLike: flag,
  closeGoods: flag,
  closeComment: flag,
  closeReplay: flag.optional(),
  closeShare: flag.optional(),
  closeKf: flag.optional(),
}

/** priceType 2 (range) and 3 (discount) need price2; 3 also needs current (price2) ≤ original (price). */
export function checkPricePair(
  g: { priceType?: number; price?: number; price2?: number },
  ctx: z.core.$RefinementCtx,
): void {
  if (g.priceType === undefined) return
  if ((g.priceType === 2 || g.priceType === 3) && g.price2 === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['price2'],
      message: `price2 is required when priceType is ${g.priceType}`,
    })
  }
  if (g.priceType === 2 && g.price !== undefined && g.price2 !== undefined && g.price2 < g.price) {
    ctx.addIssue({ code: 'custom', path: ['price2'], message: 'price2 (upper bound) must be ≥ price for priceType 2' })
  }
}

export const goodsInfoAdd = z
  .object({
    coverImgUrl: mediaId,
    name: z.string().min(1),
    priceType: priceTypeSchema,
    price: yuan,
    price2: yuan.optional(),
    url: z.string().min(1),
    thirdPartyAppid: z.string().optional(),
    goodsKey: z.array(z.string().min(1)).optional(),
  })
  .superRefine(checkPricePair)

export const goodsInfoUpdate = z
  .object({
    goodsId,
    coverImgUrl: mediaId.optional(),
    name: z.string().min(1).optional(),
    priceType: priceTypeSchema.optional(),
    price: yuan.optional(),
    price2: yuan.optional(),
    url: z.string().min(1).optional(),
    thirdPartyAppid: z.string().optional(),
    goodsKey: z.array(z.string().min(1)).optional(),
  })
  .superRefine(checkPricePair)

// ---------- reply pieces ----------

export const emptyReply = z.looseObject({})

/** A goods item inside getLiveInfo room_info[].goods; price here is in fen. */
export const roomGoods = z.looseObject({
  goodsId: z.int(),
  name: z.string(),
  coverImg: z.string(),
  url: z.string(),
  price: z.number(),
  price2: z.number().optional(),
  priceType: z.int().optional(),
  thirdPartyAppid: z.string().optional(),
})

export const roomInfo = z.looseObject({
  roomid: z.int(),
  name: z.string(),
  coverImg: z.string(),
  shareImg: z.string(),
  feedsImg: z.string().optional(),
  // Plain int, not liveStatusSchema: a status WeChat adds later must not fail the whole sync.
  liveStatus: z.int(),
  startTime: z.int(),
  endTime: z.int(),
  anchorName: z.string(),
  liveType: z.int().optional(),
  closeLike: z.int().optional(),
  closeGoods: z.int().optional(),
  closeComment: z.int().optional(),
  closeKf: z.int().optional(),
  closeReplay: z.int().optional(),
  isFeedsPublic: z.int().optional(),
  createrOpenid: z.string().optional(),
  goods: z.array(roomGoods).default([]),
})

export const liveReplay = z.looseObject({
  createTime: z.string(),
  expireTime: z.string(),
  mediaUrl: z.string(),
})

/** getgoodswarehouse goods item (snake on the wire, camel here). */
export const warehouseGoods = z.looseObject({
  goodsId: z.int(),
  name: z.string(),
  coverImgUrl: z.string(),
  url: z.string(),
  price: z.number(),
  price2: z.number().optional(),
  priceType: z.int(),
  auditStatus: z.int(),
  thirdPartyTag: z.int().optional(),
  thirdPartyAppid: z.string().optional(),
})

/** getapproved goods item (camelCase already on the wire). */
export const approvedGoods = z.looseObject({
  goodsId: z.int(),
  name: z.string(),
  coverImgUrl: z.string(),
  url: z.string(),
  priceType: z.int(),
  price: z.number(),
  price2: z.number().optional(),
  thirdPartyTag: z.int().optional(),
  thirdPartyAppid: z.string().optional(),
})

export const assistant = z.looseObject({
  timestamp: z.int().optional(),
  headimg: z.string().optional(),
  nickname: z.string(),
  alias: z.string(),
  openid: z.string().optional(),
})

export const member = z.looseObject({
  username: z.string(),
  nickname: z.string().optional(),
  openid: z.string().optional(),
  headingimg: z.string().optional(),
  roleList: z.array(z.int()),
  updateTimestamp: z.union([z.string(), z.number()]).optional(),
})

export const follower = z.looseObject({
  openid: z.string(),
  subscribeTime: z.int(),
  roomId: z.int().optional(),
  roomStatus: z.int().optional(),
})
