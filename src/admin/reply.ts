/**
 * The one reply shape of the merchant admin function, and how every failure becomes it. The function never
 * throws to its caller: a use case throws AdminFailure (or lets a Live error through) and the dispatcher turns
 * whatever arrived into `{ok: false, error}` with a code from ADMIN_ERROR_CODES, the WeChat errcode when there
 * is one, and a sentence in Chinese and English. Stacks never leave the function.
 */
import { describeErrcode, LiveParamsError, LiveReplyError, LiveTransportError, WxApiError, errcodeOf } from '../live/errors'
import type { RuleProblem } from '../live/rules'
import { issueProblem } from './issues'

export const ADMIN_ERROR_CODES = [
  'invalid_argument',
  'permission_denied',
  'not_found',
  'failed_precondition',
  'resource_exhausted',
  'upstream',
  'unavailable',
  'not_configured',
  'live_off',
] as const
export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number]

export interface AdminErrorBody {
  code: AdminErrorCode
  /** The input field to change, dotted (`goodsInfo.price2`). */
  field?: string
  /** WeChat's errcode when the platform (or a rule that mirrors it) refused. */
  errcode?: number
  zh: string
  en: string
  /** Details the merchant needs: `qrcodeUrl` for 300036, `reviewBudgetLeft` for 300012, per-row errors… */
  [detail: string]: unknown
}

export type AdminReply<T = unknown> = { ok: true; data: T } | { ok: false; error: AdminErrorBody }

/** A refusal decided by a use case; its body is the reply's error as is. */
export class AdminFailure extends Error {
  override readonly name = 'AdminFailure'
  constructor(readonly body: AdminErrorBody) {
    super(`${body.code}${body.field ? ` (${body.field})` : ''}: ${body.en}`)
  }
}

export function fail(code: AdminErrorCode, text: { zh: string; en: string }, extra: Omit<Partial<AdminErrorBody>, 'code' | 'zh' | 'en'> = {}): never {
  throw new AdminFailure({ code, ...extra, zh: text.zh, en: text.en })
}

/** A rule of src/live/rules.ts that the input broke: the merchant fixes `field`. */
export function ruleFailure(problem: RuleProblem, prefix = ''): AdminFailure {
  return new AdminFailure({
    code: 'invalid_argument',
    field: prefix + problem.field,
    errcode: problem.errcode,
    zh: prefix ? `${prefix}${problem.zh}` : problem.zh,
    en: prefix ? `${prefix}${problem.en}` : problem.en,
  })
}

/**
 * How each WeChat errcode reads to the caller. Codes not listed are `upstream` (the platform refused for a
 * reason we pass on as is). The sentences stay in src/live/errors.ts; this table only classifies.
 */
export const ERRCODE_CLASS: Readonly<Record<number, { code: AdminErrorCode; field?: string }>> = {
  [-1]: { code: 'unavailable' },
  [-604102]: { code: 'unavailable' },
  [-604103]: { code: 'unavailable' },
  [-601001]: { code: 'unavailable' },
  [-604101]: { code: 'not_configured' },
  [-604100]: { code: 'not_configured' },
  10001: { code: 'not_configured' },
  48001: { code: 'not_configured' },
  40001: { code: 'not_configured' },
  45009: { code: 'resource_exhausted' },
  300012: { code: 'resource_exhausted' },
  1001: { code: 'invalid_argument' },
  200002: { code: 'invalid_argument' },
  47001: { code: 'invalid_argument' },
  300002: { code: 'invalid_argument', field: 'name' },
  300003: { code: 'invalid_argument', field: 'price' },
  300004: { code: 'invalid_argument', field: 'name' },
  300005: { code: 'invalid_argument', field: 'coverImgUrl' },
  300006: { code: 'invalid_argument', field: 'coverImgUrl' },
  300007: { code: 'invalid_argument', field: 'url' },
  300018: { code: 'invalid_argument', field: 'coverImgUrl' },
  300028: { code: 'invalid_argument', field: 'name' },
  300029: { code: 'invalid_argument', field: 'anchorName' },
  300030: { code: 'invalid_argument', field: 'anchorWechat' },
  300031: { code: 'invalid_argument', field: 'coverImg' },
  300032: { code: 'invalid_argument', field: 'shareImg' },
  300034: { code: 'invalid_argument', field: 'anchorName' },
  300035: { code: 'invalid_argument', field: 'anchorWechat' },
  300036: { code: 'failed_precondition', field: 'anchorWechat' },
  300037: { code: 'invalid_argument', field: 'feedsImg' },
  300039: { code: 'invalid_argument', field: 'subAnchorWechat' },
  300040: { code: 'invalid_argument', field: 'name' },
  300041: { code: 'invalid_argument', field: 'createrWechat' },
  400001: { code: 'invalid_argument', field: 'username' },
  1003: { code: 'not_found', field: 'goodsId' },
  300015: { code: 'not_found', field: 'goodsId' },
  300022: { code: 'not_found', field: 'roomId' },
  300024: { code: 'not_found', field: 'goodsId' },
  300053: { code: 'not_found', field: 'goodsId' },
  300001: { code: 'failed_precondition' },
  300010: { code: 'failed_precondition' },
  300011: { code: 'failed_precondition' },
  300014: { code: 'failed_precondition' },
  300017: { code: 'failed_precondition' },
  300023: { code: 'failed_precondition' },
  300025: { code: 'failed_precondition' },
  300026: { code: 'failed_precondition' },
  300033: { code: 'failed_precondition' },
  300038: { code: 'failed_precondition' },
  300044: { code: 'failed_precondition' },
  300045: { code: 'failed_precondition' },
  300047: { code: 'failed_precondition' },
  300049: { code: 'failed_precondition' },
  300052: { code: 'failed_precondition' },
  400002: { code: 'failed_precondition', field: 'username' },
  400003: { code: 'failed_precondition' },
  400004: { code: 'failed_precondition', field: 'username' },
  400005: { code: 'failed_precondition' },
  500002: { code: 'failed_precondition', field: 'username' },
  500004: { code: 'failed_precondition', field: 'username' },
  500005: { code: 'failed_precondition', field: 'username' },
  9410005: { code: 'failed_precondition' },
  // The link APIs (src/links/catalogue.ts): the scene, page and expiry are ours, so these mostly mean a bad setup.
  40129: { code: 'invalid_argument', field: 'code' },
  40169: { code: 'invalid_argument', field: 'code' },
  41030: { code: 'failed_precondition' },
  40165: { code: 'failed_precondition' },
  40066: { code: 'failed_precondition' },
  85079: { code: 'failed_precondition' },
  40002: { code: 'not_configured' },
  40013: { code: 'not_configured' },
  44990: { code: 'resource_exhausted' },
  85400: { code: 'resource_exhausted' },
  85401: { code: 'invalid_argument' },
  9410006: { code: 'failed_precondition', field: 'roomId' },
}

function fromWxError(e: WxApiError): AdminErrorBody {
  const cls = ERRCODE_CLASS[e.errcode] ?? { code: 'upstream' as const }
  const body: AdminErrorBody = { code: cls.code, errcode: e.errcode, zh: e.zh, en: e.en }
  if (cls.field) body.field = cls.field
  if (e.qrcodeUrl) body.qrcodeUrl = e.qrcodeUrl
  if (e.rid) body.rid = e.rid
  if (e.errcode === 300012) body.reviewBudgetLeft = 0
  return body
}

/** Whatever a use case threw, as the reply's error. Unknown throwables never show their message or stack. */
export function toErrorBody(e: unknown): AdminErrorBody {
  if (e instanceof AdminFailure) return e.body
  if (e instanceof WxApiError) return fromWxError(e)
  if (e instanceof LiveParamsError) {
    const p = issueProblem(e.issues[0])
    return { code: 'invalid_argument', field: p.field, ...(p.errcode !== undefined ? { errcode: p.errcode } : {}), zh: p.zh, en: p.en }
  }
  if (e instanceof LiveReplyError) {
    return { code: 'upstream', zh: '直播平台的回复格式与文档不符，操作结果未知，请刷新后核对', en: 'The Live platform answered in an undocumented shape; the outcome is unknown, refresh and check' }
  }
  if (e instanceof LiveTransportError) {
    const timeout = e.kind === 'timeout'
    return timeout
      ? { code: 'unavailable', zh: '直播平台响应超时，请稍后重试', en: 'The Live platform did not answer in time; retry later' }
      : { code: 'unavailable', zh: '暂时无法连接直播平台，请稍后重试', en: 'The Live platform could not be reached; retry later' }
  }
  const code = errcodeOf(e)
  if (code !== undefined) {
    const text = describeErrcode(code)
    return { code: ERRCODE_CLASS[code]?.code ?? 'upstream', errcode: code, zh: text.zh, en: text.en }
  }
  return { code: 'unavailable', zh: '服务内部错误，操作未完成，请稍后重试', en: 'Internal error; the operation did not complete, retry later' }
}
