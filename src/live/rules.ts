/**
 * Live rules for room and goods input that a schema alone cannot say: display widths, the time window against
 * the clock, price pairs, page paths, WeChat IDs. The only home of each rule: the merchant back office checks
 * input with them before any Live call, and the sandbox answers with them as the platform would.
 * Each check returns null when the input is fine, or a RuleProblem: the errcode WeChat answers, the field to
 * fix, and a sentence in Chinese and English made of the field, the errcode's text (errors.ts) and the rule.
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.createRoom.html
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.goodsAdd.html
 */
import { describeErrcode } from './errors'

export interface RuleProblem {
  errcode: number
  /** The input field to change (dotted for nested fields, e.g. `users.0.username`). */
  field: string
  zh: string
  en: string
}

/** One rule in words, both languages. */
export interface RuleText {
  zh: string
  en: string
}

/** A problem with `field`: the errcode's own sentence, then the rule it broke. */
export function ruleProblem(errcode: number, field: string, rule: RuleText): RuleProblem {
  const text = describeErrcode(errcode)
  return { errcode, field, zh: `${field}：${text.zh}（${rule.zh}）`, en: `${field}: ${text.en} (${rule.en})` }
}

// ---------- names ----------

/** Widths count one CJK character as 2, so "3–17 Chinese characters" is 6–34 units. */
export const ROOM_NAME_WIDTH = { min: 6, max: 34 } as const
export const ANCHOR_NAME_WIDTH = { min: 4, max: 30 } as const
export const GOODS_NAME_WIDTH = { min: 1, max: 28 } as const

// Han, CJK punctuation, kana, Hangul and fullwidth forms display double-width in WeChat's count.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u

/** Display width as WeChat counts it: one CJK character = 2, anything else = 1 per code point. */
export function textWidth(s: string): number {
  let width = 0
  for (const ch of s) width += WIDE.test(ch) ? 2 : 1
  return width
}

function widthRule(range: { min: number; max: number }): RuleText {
  const cjk = `${Math.ceil(range.min / 2)}–${Math.floor(range.max / 2)}`
  return {
    zh: `${cjk} 个汉字，宽度 ${range.min}–${range.max}，一个汉字计 2`,
    en: `${cjk} Chinese characters, width ${range.min}–${range.max}, one CJK character counting 2`,
  }
}

function checkWidth(field: string, value: string, range: { min: number; max: number }, errcode: number): RuleProblem | null {
  const w = textWidth(value)
  return w >= range.min && w <= range.max ? null : ruleProblem(errcode, field, widthRule(range))
}

/** Room name: 3–17 CJK (6–34 units). */
export function checkRoomName(name: string): RuleProblem | null {
  return checkWidth('name', name, ROOM_NAME_WIDTH, 300002)
}

/** Anchor nickname: 2–15 CJK (4–30 units). */
export function checkAnchorName(anchorName: string): RuleProblem | null {
  return checkWidth('anchorName', anchorName, ANCHOR_NAME_WIDTH, 300034)
}

/** Goods name: at most 14 CJK (28 units), not empty. */
export function checkGoodsName(name: string, field = 'name'): RuleProblem | null {
  return checkWidth(field, name, GOODS_NAME_WIDTH, 300002)
}

// ---------- room time window ----------

/** startTime must be at least this far ahead of now. */
export const ROOM_MIN_LEAD_SECONDS = 10 * 60
/** startTime must be at most this far ahead (6 months, counted as calendar months from now). */
export const ROOM_MAX_LEAD_MONTHS = 6
/** endTime − startTime bounds. */
export const ROOM_MIN_DURATION_SECONDS = 30 * 60
export const ROOM_MAX_DURATION_SECONDS = 24 * 60 * 60

/** The errcode for a time window WeChat rejects; the docs name none, 200002 (parameter error) is the generic one. */
export const ROOM_TIME_ERRCODE = 200002

/** Latest allowed start for a room created at `nowSeconds` (calendar months, UTC arithmetic). */
export function latestRoomStart(nowSeconds: number): number {
  const d = new Date(nowSeconds * 1000)
  d.setUTCMonth(d.getUTCMonth() + ROOM_MAX_LEAD_MONTHS)
  return Math.floor(d.getTime() / 1000)
}

/** endTime after startTime: the part of the window that holds without a clock (rooms seeded in the past). */
export function checkRoomOrder(startTime: number, endTime: number): RuleProblem | null {
  if (endTime > startTime) return null
  return ruleProblem(ROOM_TIME_ERRCODE, 'endTime', { zh: '结束时间须晚于开始时间', en: 'must be after startTime' })
}

/**
 * Room time window (all Unix seconds): start ≥ now + 10 min, start ≤ now + 6 months,
 * 30 min ≤ end − start ≤ 24 h.
 */
export function checkRoomTimes(startTime: number, endTime: number, nowSeconds: number): RuleProblem | null {
  if (startTime < nowSeconds + ROOM_MIN_LEAD_SECONDS) {
    return ruleProblem(ROOM_TIME_ERRCODE, 'startTime', { zh: '开播时间须在 10 分钟以后', en: 'must be at least 10 minutes from now' })
  }
  if (startTime > latestRoomStart(nowSeconds)) {
    return ruleProblem(ROOM_TIME_ERRCODE, 'startTime', { zh: '开播时间不能晚于 6 个月以后', en: 'must be at most 6 months from now' })
  }
  const duration = endTime - startTime
  if (duration < ROOM_MIN_DURATION_SECONDS) {
    return ruleProblem(ROOM_TIME_ERRCODE, 'endTime', { zh: '直播时长至少 30 分钟', en: 'must be at least 30 minutes after startTime' })
  }
  if (duration > ROOM_MAX_DURATION_SECONDS) {
    return ruleProblem(ROOM_TIME_ERRCODE, 'endTime', { zh: '直播时长不能超过 24 小时', en: 'must be at most 24 hours after startTime' })
  }
  return null
}

/**
 * What a room's create or edit input must satisfy that needs no platform state: name widths, the time window
 * (against `nowSeconds`; null checks only that the end follows the start, for rooms seeded in the past), and the
 * form of every WeChat ID with the errcode of the role it plays. The first broken rule, or null.
 */
export function checkRoomInput(
  p: {
    name: string
    anchorName: string
    anchorWechat: string
    startTime: number
    endTime: number
    subAnchorWechat?: string | undefined
    createrWechat?: string | undefined
  },
  mode: 'create' | 'edit',
  nowSeconds: number | null,
): RuleProblem | null {
  return (
    checkRoomName(p.name) ??
    checkAnchorName(p.anchorName) ??
    (nowSeconds === null ? checkRoomOrder(p.startTime, p.endTime) : checkRoomTimes(p.startTime, p.endTime, nowSeconds)) ??
    checkWechatId('anchorWechat', p.anchorWechat, mode === 'create' ? 300035 : 300030) ??
    (p.subAnchorWechat === undefined ? null : checkSubAnchorWechat(p.subAnchorWechat, p.anchorWechat)) ??
    (p.createrWechat === undefined ? null : checkWechatId('createrWechat', p.createrWechat, 300041))
  )
}

/** A sub-anchor named at creation: a well-formed WeChat ID other than the anchor's (300039). */
function checkSubAnchorWechat(sub: string, anchor: string): RuleProblem | null {
  const form = checkWechatId('subAnchorWechat', sub, 300039)
  if (form || sub !== anchor) return form
  return ruleProblem(300039, 'subAnchorWechat', { zh: '不能与主播微信号相同', en: 'must differ from anchorWechat' })
}

// ---------- room images ----------

/**
 * Temporary media ids (what room and goods images are) stay valid 3 days after upload.
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/livebroadcast/studio-management/api_createroom.html
 */
export const TEMP_MEDIA_TTL_SECONDS = 3 * 24 * 3600

/** Size cap of each room image and the errcode WeChat answers for it (createRoom's field table). */
export const ROOM_IMAGE_RULES = {
  coverImg: { errcode: 300031, maxBytes: 2 * 1024 * 1024 },
  shareImg: { errcode: 300032, maxBytes: 1024 * 1024 },
  feedsImg: { errcode: 300037, maxBytes: 100 * 1024 },
} as const
export type RoomImageField = keyof typeof ROOM_IMAGE_RULES

/** An image of `bytes` bytes used as the room's `field`. */
export function checkRoomImageSize(field: RoomImageField, bytes: number): RuleProblem | null {
  const rule = ROOM_IMAGE_RULES[field]
  if (bytes > 0 && bytes <= rule.maxBytes) return null
  const kb = rule.maxBytes / 1024
  const limit = kb >= 1024 ? `${kb / 1024} MB` : `${kb} KB`
  return ruleProblem(rule.errcode, field, { zh: `图片须非空且不超过 ${limit}`, en: `the image must be non-empty and at most ${limit}` })
}

// ---------- share code ----------

/**
 * A share code's custom params travel in the live-player plugin page's query and come back to the mini-program
 * (https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/live-player-plugin.html); beyond 600
 * characters they arrive cut, so a longer value is refused, never cut. Counted on the encoded form, as it travels.
 */
export const SHARED_CODE_PARAMS_MAX = 600

/**
 * getSharedCode's `params`: a JSON object, given as is or as encodeURIComponent(JSON.stringify(object)).
 * The encoded form to send, or the problem (1001, as WeChat answers a bad params value).
 */
export function checkSharedCodeParams(params: string | Record<string, unknown>): { encoded: string } | RuleProblem {
  let value: unknown = params
  if (typeof params === 'string') {
    try {
      value = JSON.parse(decodeURIComponent(params))
    } catch {
      value = undefined
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return ruleProblem(1001, 'params', { zh: '须为 JSON 对象，或 encodeURIComponent(JSON.stringify(对象))', en: 'must be a JSON object, or encodeURIComponent(JSON.stringify(object))' })
  }
  const encoded = encodeURIComponent(JSON.stringify(value))
  if (encoded.length > SHARED_CODE_PARAMS_MAX) {
    return ruleProblem(1001, 'params', {
      zh: `编码后 ${encoded.length} 个字符，上限 ${SHARED_CODE_PARAMS_MAX}`,
      en: `${encoded.length} characters once encoded, at most ${SHARED_CODE_PARAMS_MAX}`,
    })
  }
  return { encoded }
}

// ---------- goods ----------

/** Warehouse prices are yuan with at most 2 decimals. */
export function hasAtMostTwoDecimals(price: number): boolean {
  return Number.isFinite(price) && Math.abs(Math.round(price * 100) - price * 100) < 1e-6
}

const YUAN_RULE: RuleText = { zh: '以元为单位的正数，最多两位小数', en: 'a positive amount in yuan with at most 2 decimals' }

function isYuan(n: number | undefined): n is number {
  return n !== undefined && n > 0 && hasAtMostTwoDecimals(n)
}

/**
 * Price by type (yuan): 1 fixed needs price; 2 range needs price < price2 (lower and upper bound);
 * 3 discount needs price2 (current) < price (original).
 */
export function checkGoodsPrice(g: { priceType: number; price: number; price2?: number | undefined }): RuleProblem | null {
  if (!isYuan(g.price)) return ruleProblem(300003, 'price', YUAN_RULE)
  if (g.priceType === 1) return null
  if (!isYuan(g.price2)) {
    return ruleProblem(300003, 'price2', { zh: `priceType 为 ${g.priceType} 时必填，${YUAN_RULE.zh}`, en: `required for priceType ${g.priceType}, ${YUAN_RULE.en}` })
  }
  if (g.priceType === 2 && !(g.price < g.price2)) {
    return ruleProblem(300003, 'price2', { zh: '区间价的上限须高于 price', en: 'the upper bound must be greater than price' })
  }
  if (g.priceType === 3 && !(g.price2 < g.price)) {
    return ruleProblem(300003, 'price2', { zh: '折扣价（现价）须低于原价 price', en: 'the current price must be lower than the original price' })
  }
  return null
}

/**
 * Goods url: a page path of the mini program (`pages/x/y` or `/pages/x/y`, optional query), and one of the
 * online version's pages when they are known.
 */
export function checkGoodsUrl(url: string, onlinePages?: readonly string[]): RuleProblem | null {
  const path = url.split('?')[0].replace(/^\//, '')
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)+$/.test(path) || /^https?:/i.test(url)) {
    return ruleProblem(300007, 'url', { zh: '须为小程序页面路径，如 pages/goods/detail?id=1', en: 'must be a mini program page path such as pages/goods/detail?id=1' })
  }
  if (onlinePages && !onlinePages.some((p) => p.replace(/^\//, '') === path)) {
    return ruleProblem(300007, 'url', { zh: `页面 ${path} 不在线上版本中`, en: `page ${path} is not in the online version` })
  }
  return null
}

/** goods/add's goodsInfo fields, which goods/update may change one by one. */
export const GOODS_INFO_FIELDS = ['coverImgUrl', 'name', 'priceType', 'price', 'price2', 'url', 'thirdPartyAppid', 'goodsKey'] as const
export type GoodsInfoField = (typeof GOODS_INFO_FIELDS)[number]

/** The only fields approved goods may change: the price type and the prices. */
const GOODS_PRICE_FIELDS: readonly GoodsInfoField[] = ['priceType', 'price', 'price2']

/**
 * goods/update fields each audit state allows: approved (2) only the price type and prices, under review (1)
 * none, not audited (0) all. Rejected (3) is not named by the docs; it is edited to be resubmitted, so all.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/commodity-api.html
 */
export function goodsUpdatableFields(auditStatus: number): readonly GoodsInfoField[] {
  if (auditStatus === 1) return []
  if (auditStatus === 2) return GOODS_PRICE_FIELDS
  return GOODS_INFO_FIELDS
}

/** The fields a goods/update sends (`changing`), against what the goods' audit state allows; 300010 otherwise. */
export function checkGoodsUpdateFields(auditStatus: number, changing: readonly string[]): RuleProblem | null {
  const allowed = goodsUpdatableFields(auditStatus)
  if (allowed.length === 0) {
    return ruleProblem(300010, 'goodsId', { zh: '审核中的商品不能修改，请先撤回审核', en: 'goods under review cannot be changed; withdraw the review first' })
  }
  const refused = changing.find((f) => !(allowed as readonly string[]).includes(f))
  if (refused === undefined) return null
  return ruleProblem(300010, refused, {
    zh: `审核通过的商品只能修改 ${allowed.join('、')}`,
    en: `approved goods may change only ${allowed.join(', ')}`,
  })
}

// ---------- people ----------

/** WeChat ID format: 6–20 characters, a letter first, then letters, digits, `_` or `-`. */
export function isWechatId(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_-]{5,19}$/.test(s)
}

/**
 * Members each role may have, by role id (1 admin, 2 anchor, 3 operator); more answers 400003.
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/livebroadcast/role-management/api_getrolelistdw.html
 */
export const ROLE_CAPS: Readonly<Record<1 | 2 | 3, number>> = { 1: 10, 2: 500, 3: 500 }

/** What each role id is called, for refusals, replies and the merchant's role page. */
export const ROLE_TEXT: Readonly<Record<1 | 2 | 3, { zh: string; en: string }>> = {
  1: { zh: '管理员', en: 'admin' },
  2: { zh: '主播', en: 'anchor' },
  3: { zh: '运营者', en: 'operator' },
}

/** A WeChat ID in `field`; the errcode depends on the role the ID plays (anchor, creator, member…). */
export function checkWechatId(field: string, value: string, errcode: number): RuleProblem | null {
  if (isWechatId(value)) return null
  return ruleProblem(errcode, field, { zh: '微信号须为 6–20 位，以字母开头，可含字母、数字、_ 和 -', en: 'a WeChat ID is 6–20 letters, digits, _ or -, starting with a letter' })
}
