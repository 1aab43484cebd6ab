/**
 * Live API errcodes with sentences a merchant understands, and the error classes every transport throws.
 * Source: the error tables of https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/studio-api.html, commodity-api.html, role-manage.html and
 * subscribe-api.html, plus the platform codes of cloud call and access_token, and those of the text check.
 * Tests assert on `errcode`; the sentences are for people.
 */
import type * as z from './zod'

export interface ErrcodeText {
  zh: string
  en: string
}

/** Every errcode the Live APIs (and the token / cloud-call layers around them) are known to return. */
export const LIVE_ERRCODES: Readonly<Record<number, ErrcodeText>> = {
  // Platform and common
  [-1]: { zh: '系统繁忙，请稍后重试', en: 'System busy, please retry later' },
  1: { zh: '尚未创建直播间', en: 'No live room has been created yet' },
  1001: { zh: '请求参数不合法', en: 'Illegal request parameter' },
  1003: { zh: '商品 ID 不存在', en: 'Goods id does not exist' },
  1007: { zh: '未获取到数据', en: 'Got no data' },
  2003: { zh: '操作失败（未公开的错误）', en: 'Operation failed (undocumented error)' },
  10001: { zh: '小程序直播功能已关闭', en: 'The Mini Program Live feature is switched off' },
  40001: { zh: 'access_token 无效或 AppSecret 错误', en: 'Invalid access_token or AppSecret' },
  41001: { zh: '缺少 access_token 参数', en: 'The access_token parameter is missing' },
  42001: { zh: 'access_token 已过期', en: 'The access_token has expired' },
  43001: { zh: '需要使用 GET 请求', en: 'This API requires the GET method' },
  45009: { zh: '接口调用已达今日上限', en: 'The daily call quota of this API has been reached' },
  47001: { zh: '请求体格式不正确', en: 'The request body format is invalid' },
  48001: {
    zh: '接口未授权：未开通直播或缺少直播权限集',
    en: 'API unauthorized: Live is not enabled or the account lacks the Live permission set',
  },
  200002: { zh: '参数错误', en: 'Parameter error' },
  [-604101]: {
    zh: '云函数未声明调用该接口的权限（config.json 的 permissions.openapi，修改后约 10 分钟生效）',
    en: 'The cloud function has no permission to call this API (declare it in config.json permissions.openapi; changes take about 10 minutes)',
  },
  [-604100]: { zh: '接口不存在', en: 'Open API not found' },
  [-604102]: { zh: '接口调用超时', en: 'Open API call timed out' },
  [-604103]: { zh: '接口系统错误', en: 'Open API system error' },
  [-601001]: { zh: '云调用系统错误', en: 'Cloud call system error' },

  // Goods warehouse
  300001: { zh: '禁止创建或更新商品（或禁止编辑直播间）', en: 'Creating or updating goods (or editing the room) is banned' },
  300002: { zh: '名称长度不符合规则', en: 'The name length does not meet the rules' },
  300003: { zh: '价格不合法', en: 'The price is invalid' },
  300004: { zh: '商品名称存在违规内容', en: 'The goods name contains forbidden content' },
  300005: { zh: '商品图片存在违规内容', en: 'The goods image contains forbidden content' },
  300006: { zh: '图片上传失败或 media_id 已过期', en: 'Image upload failed or the media_id has expired' },
  300007: { zh: '页面路径不在线上版本中', en: 'The page path is not in the online version of the mini program' },
  300008: { zh: '添加商品失败', en: 'Adding the goods failed' },
  300009: { zh: '撤回审核失败', en: 'Withdrawing the review failed' },
  300010: { zh: '商品审核状态不允许此操作', en: 'The goods audit state does not allow this operation' },
  300011: { zh: '接口不能操作在管理后台添加的商品', en: 'The API may not touch goods created in the MP console' },
  300012: { zh: '今日提审次数已用完（每天 500 次）', en: 'No review quota left today (500 per day)' },
  300013: { zh: '提交审核失败', en: 'Submitting for review failed' },
  300014: { zh: '商品审核中，不能删除', en: 'The goods is under review and cannot be deleted' },
  300015: { zh: '商品不存在，不能删除', en: 'The goods does not exist and cannot be deleted' },
  300017: { zh: '商品未提交审核', en: 'The goods has not been submitted for review' },
  300018: { zh: '图片尺寸过大（宽或高超过 300 像素）', en: 'The image is too large (width or height over 300 px)' },
  300021: { zh: '商品已添加，但提交审核失败', en: 'The goods was added, but submitting it for review failed' },

  // Rooms
  300022: { zh: '直播间不存在', en: 'The live room does not exist' },
  300023: { zh: '直播间当前状态不允许此操作', en: 'The live room state does not allow this operation' },
  300024: { zh: '商品不存在', en: 'The goods does not exist' },
  300025: { zh: '商品未审核通过', en: 'The goods has not been approved' },
  300026: { zh: '直播间商品已满', en: 'The live room goods list is full' },
  300027: { zh: '导入商品失败', en: 'Importing goods failed' },
  300028: { zh: '直播间名称存在违规内容', en: 'The room name contains forbidden content' },
  300029: { zh: '主播昵称存在违规内容', en: 'The anchor nickname contains forbidden content' },
  300030: { zh: '主播微信号不合法', en: 'The anchor WeChat ID is invalid' },
  300031: { zh: '直播间封面图不合规', en: 'The room cover image is not allowed' },
  300032: { zh: '直播间分享图不合规', en: 'The room share image is not allowed' },
  300033: { zh: '超过直播间商品数量上限', en: 'Over the live room goods cap' },
  300034: { zh: '主播昵称长度不符合规则', en: 'The anchor nickname length does not meet the rules' },
  300035: { zh: '主播微信号不存在', en: 'The anchor WeChat ID does not exist' },
  300036: {
    zh: '主播微信号未实名认证，请用主播微信扫码完成认证',
    en: 'The anchor WeChat ID is not real-name verified; scan the returned QR code with the anchor WeChat to verify',
  },
  300037: { zh: '购物直播频道封面图不合规', en: 'The feeds (shopping channel) cover image is not allowed' },
  300038: { zh: '未在小程序管理后台配置客服', en: 'Customer service is not configured in the MP console' },
  300039: { zh: '主播副号微信号不合法', en: 'The sub-anchor WeChat ID is invalid' },
  300040: { zh: '名称含有特殊字符', en: 'The name contains special characters' },
  300041: { zh: '创建者微信号不合法', en: 'The creator WeChat ID is invalid' },
  300044: { zh: '商品没有讲解视频', en: 'The goods has no explanation video' },
  300045: { zh: '讲解视频尚未生成', en: 'The explanation video has not been generated yet' },
  300047: { zh: '已有商品正在推送，请稍后再试', en: 'Another goods item is being pushed; retry later' },
  300048: { zh: '获取商品列表失败', en: 'Fetching the goods list failed' },
  300049: { zh: '商品推送中，不能上下架', en: 'Goods cannot be put on or off shelf while one is being pushed' },
  300052: { zh: '已下架的商品不能推送', en: 'Off-shelf goods cannot be pushed' },
  300053: { zh: '商品不在该直播间中', en: 'The goods is not in this live room' },

  // Members and roles
  400001: { zh: '微信号不合法', en: 'The WeChat ID is invalid' },
  400002: { zh: '该微信号需要先实名认证', en: 'The WeChat ID must be real-name verified first' },
  400003: { zh: '该角色人数已达上限', en: 'The cap for this role has been reached' },
  400004: { zh: '该微信号已设置过该角色', en: 'The WeChat ID already has this role' },
  400005: { zh: '主播还有未开播的直播间，不能删除', en: 'The anchor still has rooms that have not started and cannot be removed' },

  // Sub-anchor
  500002: { zh: '主播副号未实名认证', en: 'The sub-anchor is not real-name verified' },
  500004: { zh: '主播副号重复', en: 'Duplicate sub-anchor' },
  500005: { zh: '主播副号与主播相同', en: 'The sub-anchor is the same as the main anchor' },

  // Lists and subscriber push
  9410000: { zh: '直播间列表为空', en: 'The room list is empty' },
  9410001: { zh: '获取直播间失败', en: 'Fetching rooms failed' },
  9410002: { zh: '获取商品失败', en: 'Fetching goods failed' },
  9410003: { zh: '获取回放失败', en: 'Fetching the replay failed' },
  9410005: { zh: '今天已有其他直播间推送过消息（每天只能推送一个直播间）', en: 'Another room was already pushed today (one room per day)' },
  9410006: { zh: '直播间不在直播中', en: 'The room is not live' },

  // The text check the admin function runs before submitting (security.msgSecCheck, version 2):
  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
  40003: { zh: 'openid 无效', en: 'Invalid openid' },
  40129: { zh: '场景值错误（只支持 1 资料、2 评论、3 论坛、4 社交日志）', en: 'Invalid scene (only 1 profile, 2 comment, 3 forum, 4 social log)' },
  43104: { zh: 'appid 与 openid 不匹配', en: 'The appid does not match the openid' },
  44002: { zh: '传递的参数为空', en: 'A required parameter is empty' },
  61010: { zh: '该用户近两小时未访问过小程序，无法检测', en: 'The user has not visited the mini program in the last two hours, so the text cannot be checked' },
}

export function describeErrcode(code: number): ErrcodeText {
  const known = LIVE_ERRCODES[code]
  if (known) return known
  return { zh: `未知错误（错误码 ${code}）`, en: `Unknown error (errcode ${code})` }
}

/** WeChat appends ` rid: xxxxxxxx-xxxxxxxx-xxxxxxxx` to error messages; the rid is what WeChat support asks for. */
export function ridFromErrmsg(errmsg: string): string | undefined {
  const m = /\brid:\s*([0-9a-zA-Z-]+)/.exec(errmsg)
  return m ? m[1] : undefined
}

/**
 * Where an anchor scans to finish real-name verification in the "小程序直播" mini-program, as createRoom's field
 * table gives it. 300036's own `qrcode_url` does not survive a cloud call (wx-server-sdk keeps only errcode and
 * errmsg), so this link stands in when the reply did not carry one.
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.createRoom.html
 */
export const REALNAME_QRCODE_URL = 'https://res.wx.qq.com/op_res/9rSix1dhHfK4rR049JL0PHJ7TpOvkuZ3mE0z7Ou_Etvjf-w1J_jVX0rZqeStLfwh'

export interface WxApiErrorInit {
  errcode: number
  errmsg: string
  endpointId: string
  rid?: string
  qrcodeUrl?: string
  /** What the errcode means for this API, when its own catalogue words it (the link APIs); else LIVE_ERRCODES. */
  text?: ErrcodeText
}

/** A WeChat reply with errcode ≠ 0 (from either transport). */
export class WxApiError extends Error {
  override readonly name = 'WxApiError'
  readonly errcode: number
  readonly errmsg: string
  readonly endpointId: string
  readonly rid?: string
  /** For 300036: where the anchor scans to finish real-name verification. */
  readonly qrcodeUrl?: string
  readonly zh: string
  readonly en: string

  constructor(init: WxApiErrorInit) {
    const text = init.text ?? describeErrcode(init.errcode)
    super(`${init.endpointId}: errcode ${init.errcode}: ${text.en} (${init.errmsg})`)
    this.errcode = init.errcode
    this.errmsg = init.errmsg
    this.endpointId = init.endpointId
    const rid = init.rid ?? ridFromErrmsg(init.errmsg)
    if (rid !== undefined) this.rid = rid
    const qrcodeUrl = init.qrcodeUrl ?? (init.errcode === 300036 ? REALNAME_QRCODE_URL : undefined)
    if (qrcodeUrl !== undefined) this.qrcodeUrl = qrcodeUrl
    this.zh = text.zh
    this.en = text.en
  }
}

function issueLines(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message} [${i.code}]`)
    .join('; ')
}

/** Params rejected before anything was sent. Names the field and the rule. */
export class LiveParamsError extends Error {
  override readonly name = 'LiveParamsError'
  readonly endpointId: string
  readonly issues: readonly z.core.$ZodIssue[]
  constructor(endpointId: string, issues: readonly z.core.$ZodIssue[]) {
    super(`${endpointId}: invalid params: ${issueLines(issues)}`)
    this.endpointId = endpointId
    this.issues = issues
  }
}

/** A success reply whose shape does not match the catalogue (the platform changed, or the sandbox is wrong). */
export class LiveReplyError extends Error {
  override readonly name = 'LiveReplyError'
  readonly endpointId: string
  readonly issues: readonly z.core.$ZodIssue[]
  readonly reply: unknown
  constructor(endpointId: string, issues: readonly z.core.$ZodIssue[], reply: unknown) {
    super(`${endpointId}: reply does not match the catalogue: ${issueLines(issues)}`)
    this.endpointId = endpointId
    this.issues = issues
    this.reply = reply
  }
}

export type TransportFailure = 'http-status' | 'not-json' | 'network' | 'timeout' | 'unsupported'

/** The call never produced a WeChat JSON reply: network failure, timeout, non-2xx, or a body that is not JSON. */
export class LiveTransportError extends Error {
  override readonly name = 'LiveTransportError'
  readonly endpointId: string
  readonly kind: TransportFailure
  readonly httpStatus?: number
  /** The start of the body, for diagnosis. */
  readonly bodySnippet?: string
  constructor(
    endpointId: string,
    kind: TransportFailure,
    detail: string,
    extra: { httpStatus?: number; bodySnippet?: string; cause?: unknown } = {},
  ) {
    super(`${endpointId}: ${kind}: ${detail}`, extra.cause !== undefined ? { cause: extra.cause } : undefined)
    this.endpointId = endpointId
    this.kind = kind
    if (extra.httpStatus !== undefined) this.httpStatus = extra.httpStatus
    if (extra.bodySnippet !== undefined) this.bodySnippet = extra.bodySnippet
  }
}

/** Reads the WeChat code from a WxApiError or from a raw CloudSDKError-shaped object (`errCode`). */
export function errcodeOf(e: unknown): number | undefined {
  if (e instanceof WxApiError) return e.errcode
  if (typeof e === 'object' && e !== null) {
    const rec = e as Record<string, unknown>
    if (typeof rec.errcode === 'number') return rec.errcode
    if (typeof rec.errCode === 'number') return rec.errCode
  }
  return undefined
}

/** getLiveInfo answers an empty list with errcode 9410000 (thrown by the SDK); callers treat it as zero rooms. */
export function isEmptyRoomList(e: unknown): boolean {
  return errcodeOf(e) === 9410000
}

/** 45009 (an API's daily quota) or 300012 (the goods review budget): gone until Asia/Shanghai midnight. */
export function isQuotaExhausted(e: unknown): boolean {
  const code = errcodeOf(e)
  return code === 45009 || code === 300012
}

/** The access_token was revoked, rotated elsewhere or expired: fetch a new one and retry once. */
export function isTokenExpired(e: unknown): boolean {
  const code = errcodeOf(e)
  return code === 40001 || code === 42001
}

/** Worth one more try later: system busy, open API timeout, or the network/5xx failed us. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof LiveTransportError) {
    return e.kind === 'network' || e.kind === 'timeout' || (e.httpStatus !== undefined && e.httpStatus >= 500)
  }
  const code = errcodeOf(e)
  return code === -1 || code === -604102 || code === -604103
}
