/**
 * zod building blocks and enums for the Live catalogue. Request shapes are camelCase (as the client takes
 * them); reply shapes are camelCase after wx-server-sdk's snake→camel conversion, loose so that fields the
 * platform adds later do not break a sync. Source: the endpoint pages under https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/.
 */
import * as z from './zod'
import { checkGoodsPrice, hasAtMostTwoDecimals } from './rules'
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

/** A string that is not empty. */
export const text = z.string().check(z.minLength(1))
/** A whole number above zero. */
export const positiveInt = z.int().check(z.positive())
/** 0 = enabled / off, 1 = disabled / on, per field (close*, isFeedsPublic, banComment, onSale). */
export const flag = z.literal([0, 1])
export const roomId = positiveInt
export const goodsId = positiveInt
/** Images are media_ids from /cgi-bin/media/upload, never URLs. */
export const mediaId = text
export const wechatId = text
export const yuan = z
  .number()
  .check(z.positive(), z.refine(hasAtMostTwoDecimals, { message: 'price must be yuan with at most 2 decimals' }))

/** The room fields createRoom and editRoom share; each request extends this one shape. */
export const roomFields = z.object({
  name: text,
  coverImg: mediaId,
  startTime: positiveInt,
  endTime: positiveInt,
  anchorName: text,
  anchorWechat: wechatId,
  shareImg: mediaId,
  feedsImg: mediaId,
  isFeedsPublic: z.optional(flag),
  closeLike: flag,
  closeGoods: flag,
  closeComment: flag,
  closeReplay: z.optional(flag),
  closeShare: z.optional(flag),
  closeKf: z.optional(flag),
})
export type RoomFields = z.output<typeof roomFields>

/**
 * price2 must come with a range or discount price type (a missing parameter); then the price pair rule of
 * rules.ts, whose issue carries the rule's errcode in `params.errcode` (the sandbox answers with it). An update
 * may send priceType without price (the stored price stays): then only the presence of price2 is checked.
 */
export function checkPricePair(
  g: { priceType?: number; price?: number; price2?: number },
  ctx: z.core.$RefinementCtx,
): void {
  if (g.priceType === undefined) return
  if (g.priceType !== PriceType.Fixed && g.price2 === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['price2'],
      message: `required when priceType is ${g.priceType}`,
      params: { zh: `价格类型为 ${g.priceType}（区间价或折扣价）时必须填写` },
    })
    return
  }
  if (g.price === undefined) return
  const problem = checkGoodsPrice({ priceType: g.priceType, price: g.price, price2: g.price2 })
  // A bad price itself is already reported by the `yuan` field schema.
  if (problem && problem.field !== 'price') {
    // the issue names its field itself (src/admin/issues.ts), so the rule's sentence goes without it
    const bare = (text: string, sep: string): string => (text.startsWith(problem.field + sep) ? text.slice(problem.field.length + sep.length) : text)
    ctx.addIssue({ code: 'custom', path: [problem.field], message: bare(problem.en, ': '), params: { errcode: problem.errcode, zh: bare(problem.zh, '：') } })
  }
}

/** A warehouse goods item as goods/add takes it; goods/update takes any part of it beside the goodsId. */
export const goodsFields = z.object({
  coverImgUrl: mediaId,
  name: text,
  priceType: priceTypeSchema,
  price: yuan,
  price2: z.optional(yuan),
  url: text,
  thirdPartyAppid: z.optional(z.string()),
  goodsKey: z.optional(z.array(text)),
})
export type GoodsFields = z.output<typeof goodsFields>

export const goodsInfoAdd = goodsFields.check(z.superRefine(checkPricePair))

export const goodsInfoUpdate = z.extend(z.partial(goodsFields), { goodsId }).check(z.superRefine(checkPricePair))

// ---------- reply pieces ----------

export const emptyReply = z.looseObject({})

/** A goods item inside getLiveInfo room_info[].goods; price here is in fen. */
export const roomGoods = z.looseObject({
  goodsId: z.int(),
  name: z.string(),
  coverImg: z.string(),
  url: z.string(),
  price: z.number(),
  price2: z.optional(z.number()),
  priceType: z.optional(z.int()),
  thirdPartyAppid: z.optional(z.string()),
})

export const roomInfo = z.looseObject({
  roomid: z.int(),
  name: z.string(),
  coverImg: z.string(),
  shareImg: z.string(),
  feedsImg: z.optional(z.string()),
  // Plain int, not liveStatusSchema: a status WeChat adds later must not fail the whole sync.
  liveStatus: z.int(),
  startTime: z.int(),
  endTime: z.int(),
  anchorName: z.string(),
  liveType: z.optional(z.int()),
  closeLike: z.optional(z.int()),
  closeGoods: z.optional(z.int()),
  closeComment: z.optional(z.int()),
  closeKf: z.optional(z.int()),
  closeReplay: z.optional(z.int()),
  isFeedsPublic: z.optional(z.int()),
  createrOpenid: z.optional(z.string()),
  goods: z._default(z.array(roomGoods), []),
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
  price2: z.optional(z.number()),
  priceType: z.int(),
  auditStatus: z.int(),
  thirdPartyTag: z.optional(z.int()),
  thirdPartyAppid: z.optional(z.string()),
})

/** getapproved goods item (camelCase already on the wire). */
export const approvedGoods = z.looseObject({
  goodsId: z.int(),
  name: z.string(),
  coverImgUrl: z.string(),
  url: z.string(),
  priceType: z.int(),
  price: z.number(),
  price2: z.optional(z.number()),
  thirdPartyTag: z.optional(z.int()),
  thirdPartyAppid: z.optional(z.string()),
})

export const assistant = z.looseObject({
  timestamp: z.optional(z.int()),
  headimg: z.optional(z.string()),
  nickname: z.string(),
  alias: z.string(),
  openid: z.optional(z.string()),
})

export const member = z.looseObject({
  username: z.string(),
  nickname: z.optional(z.string()),
  openid: z.optional(z.string()),
  headingimg: z.optional(z.string()),
  roleList: z.array(z.int()),
  updateTimestamp: z.optional(z.union([z.string(), z.number()])),
})

export const follower = z.looseObject({
  openid: z.string(),
  subscribeTime: z.int(),
  roomId: z.optional(z.int()),
  roomStatus: z.optional(z.int()),
})
