/**
 * WeChat's text check (`security.msgSecCheck`, version 2) as the admin function's TextCheckPort, and the facts of
 * that API the emulator answers with too: the request it takes, the reply it gives, its labels and its bounds.
 * The `cloud` object is passed in, so nothing here imports the SDK; the SDK's default case conversion turns the
 * reply's `trace_id` into `traceId`.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
 */
import * as z from '../live/zod'
import { LiveTransportError, WxApiError } from '../live/errors'
import type { TextCheckPort, TextVerdict } from '../admin/types'

/** The cloud-call name: listed in the function's `permissions.openapi`, answered by the emulator's router. */
export const TEXT_CHECK_API = 'security.msgSecCheck'
/** Characters one call may carry ("文本字数的上限为2500字"). */
export const TEXT_CHECK_MAX_CHARS = 2500
/** `version` must be 2 for the reply with `result` and `detail` (version 1 stopped being updated in 2021). */
export const TEXT_CHECK_VERSION = 2
/** Scenes the API knows: 1 profile (资料), 2 comment, 3 forum, 4 social log. */
export const TEXT_CHECK_SCENES = [1, 2, 3, 4] as const
/** Room, anchor and goods names are names a merchant shows, like profile data, so they are checked as scene 1. */
export const MERCHANT_TEXT_SCENE = 1

export const TEXT_CHECK_SUGGESTIONS = ['pass', 'review', 'risky'] as const
export type TextCheckSuggest = (typeof TEXT_CHECK_SUGGESTIONS)[number]

/** What each `label` means (100 is "normal"); a label not listed is shown by its number. */
export const TEXT_CHECK_LABELS: Readonly<Record<number, { zh: string; en: string }>> = {
  100: { zh: '正常', en: 'normal' },
  10001: { zh: '广告', en: 'advertising' },
  20001: { zh: '时政', en: 'politics' },
  20002: { zh: '色情', en: 'pornography' },
  20003: { zh: '辱骂', en: 'abuse' },
  20006: { zh: '违法犯罪', en: 'illegal activity' },
  20008: { zh: '欺诈', en: 'fraud' },
  20012: { zh: '低俗', en: 'vulgarity' },
  20013: { zh: '版权', en: 'copyright' },
  21000: { zh: '其他', en: 'other' },
}
export const NORMAL_LABEL = 100

export function labelName(label: number): { zh: string; en: string } {
  return TEXT_CHECK_LABELS[label] ?? { zh: `标签 ${label}`, en: `label ${label}` }
}

const suggest = z.enum(TEXT_CHECK_SUGGESTIONS)

/** The success reply after the SDK's camelCase conversion (errcode/errmsg are gone by then). */
export const textCheckReplySchema = z.object({
  traceId: z.optional(z.string()),
  result: z.object({ suggest, label: z.int() }),
  detail: z.optional(
    z.array(
      z.object({
        strategy: z.string(),
        errcode: z.int(),
        suggest: z.optional(suggest),
        label: z.optional(z.int()),
        keyword: z.optional(z.string()),
        prob: z.optional(z.number()),
      }),
    ),
  ),
})
export type TextCheckReply = z.output<typeof textCheckReplySchema>

/** The verdict a reply gives: the overall suggestion and label, and the first keyword a non-passing strategy hit. */
export function verdictOf(reply: TextCheckReply): TextVerdict {
  const hit = reply.detail?.find((d) => d.errcode === 0 && d.suggest !== undefined && d.suggest !== 'pass' && d.keyword)
  return {
    suggest: reply.result.suggest,
    label: reply.result.label,
    ...(hit?.keyword ? { keyword: hit.keyword } : {}),
    ...(reply.traceId ? { traceId: reply.traceId } : {}),
  }
}

/** The part of wx-server-sdk's `cloud` this adapter uses. */
export interface CloudTextCheckLike {
  openapi: { security: { msgSecCheck(p: { content: string; version: number; scene: number; openid: string }): Promise<unknown> } }
}

/**
 * Throws WxApiError for the platform's errcode (the SDK throws `{errCode, errMsg}`), LiveTransportError for a
 * call that failed otherwise or a reply of the wrong shape.
 */
export function createCloudTextCheck(cloud: CloudTextCheckLike): TextCheckPort {
  return {
    async check(text, openid) {
      let raw: unknown
      try {
        raw = await cloud.openapi.security.msgSecCheck({ content: text, version: TEXT_CHECK_VERSION, scene: MERCHANT_TEXT_SCENE, openid })
      } catch (e) {
        const rec = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}
        if (typeof rec.errCode === 'number' && rec.errCode !== 0) {
          throw new WxApiError({ errcode: rec.errCode, errmsg: typeof rec.errMsg === 'string' ? rec.errMsg : String(e), endpointId: TEXT_CHECK_API })
        }
        throw new LiveTransportError(TEXT_CHECK_API, 'network', `cloud call failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      }
      const parsed = textCheckReplySchema.safeParse(raw)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        throw new LiveTransportError(TEXT_CHECK_API, 'not-json', `reply does not match msgSecCheck's: ${issue.path.join('.') || '(reply)'}: ${issue.message}`)
      }
      return verdictOf(parsed.data)
    },
  }
}
