/**
 * The sandbox's answer to WeChat's text check (`security.msgSecCheck`, version 2): a configurable word list plays
 * the part of the keywords a merchant sets in the MP console, so a test decides which texts are refused and how
 * (suggest `risky` or `review`, and the label). Only `content` is matched, ignoring case. The reply has the
 * documented shape: `result {suggest, label}`, `detail` per strategy (the keyword strategy names the word),
 * `trace_id`. https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
 */
import { z } from 'zod'
import {
  NORMAL_LABEL,
  TEXT_CHECK_LABELS,
  TEXT_CHECK_MAX_CHARS,
  TEXT_CHECK_SCENES,
  TEXT_CHECK_VERSION,
} from '../../src/cloud/text-check'
import { errorBody, rid } from './wire'

/** Bounds of the list, so a check stays a quick scan. */
export const TEXT_CHECK_WORD_LIMITS = { maxWords: 1000, maxWordLength: 100 } as const

export interface TextCheckWord {
  word: string
  /** One of the documented labels other than 100 (normal). */
  label: number
  suggest: 'risky' | 'review'
}

/** A word's default label when none is given: 21000 "other". */
const DEFAULT_LABEL = 21000

const wordText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(TEXT_CHECK_WORD_LIMITS.maxWordLength, `must be at most ${TEXT_CHECK_WORD_LIMITS.maxWordLength} characters`)
const label = z.int().refine((n) => n !== NORMAL_LABEL && TEXT_CHECK_LABELS[n] !== undefined, {
  message: `must be one of the documented labels other than ${NORMAL_LABEL}: ${Object.keys(TEXT_CHECK_LABELS).filter((k) => Number(k) !== NORMAL_LABEL).join(', ')}`,
})
const suggest = z.enum(['risky', 'review'])

/** A stored word, as the snapshot keeps it. */
export const textCheckWordSchema = z.object({ word: wordText, label, suggest }).strict()

/** A word as the control API takes it: a string (label 21000, risky) or `{word, label?, suggest?}`. */
const wordInput = z.preprocess(
  (v) => (typeof v === 'string' ? { word: v } : v),
  z.object({ word: wordText, label: label.default(DEFAULT_LABEL), suggest: suggest.default('risky') }).strict(),
)

/** `PUT /__sandbox/text-check`: the whole list, replacing the old one; a word listed twice (ignoring case) is refused. */
export const textCheckBodySchema = z
  .object({
    words: z.array(wordInput).max(TEXT_CHECK_WORD_LIMITS.maxWords, `must hold at most ${TEXT_CHECK_WORD_LIMITS.maxWords} words`),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<string>()
    body.words.forEach((w, i) => {
      const key = w.word.toLowerCase()
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['words', i], message: `"${w.word}" is already listed` })
      seen.add(key)
    })
  })

type Body = Record<string, unknown>

const OPENID = /^[A-Za-z0-9_-]{6,64}$/

/** The platform's refusal of a request, or null when it can be checked. */
export function textCheckRequestProblem(params: Body): Body | null {
  const { content, version, scene, openid } = params
  if (content === undefined || content === '') return errorBody(44002, 'invalid args: content: empty')
  if (typeof content !== 'string') return errorBody(47001, 'invalid args: content: must be a string')
  // Choice where the docs are silent: text past the documented 2500 characters is refused, not cut.
  if ([...content].length > TEXT_CHECK_MAX_CHARS) return errorBody(47001, `invalid args: content: over ${TEXT_CHECK_MAX_CHARS} characters`)
  if (Number(version) !== TEXT_CHECK_VERSION || (typeof version !== 'number' && typeof version !== 'string')) {
    return errorBody(47001, `invalid args: version: must be ${TEXT_CHECK_VERSION} (the sandbox speaks version 2 only)`)
  }
  if (typeof scene !== 'number' || !(TEXT_CHECK_SCENES as readonly number[]).includes(scene)) {
    return errorBody(40129, `invalid args: scene: must be one of ${TEXT_CHECK_SCENES.join(', ')}`)
  }
  if (typeof openid !== 'string' || !OPENID.test(openid)) return errorBody(40003, 'invalid openid')
  for (const key of ['title', 'nickname', 'signature']) {
    if (params[key] !== undefined && typeof params[key] !== 'string') return errorBody(47001, `invalid args: ${key}: must be a string`)
  }
  return null
}

/** The success reply for `content` against the list: the first risky word wins over the first review word. */
export function textCheckAnswer(content: string, words: readonly TextCheckWord[]): Body {
  const lower = content.toLowerCase()
  const found = words.filter((w) => lower.includes(w.word.toLowerCase()))
  const hit = found.find((w) => w.suggest === 'risky') ?? found[0]
  const keyword = hit
    ? { strategy: 'keyword', errcode: 0, suggest: hit.suggest, label: hit.label, keyword: hit.word }
    : { strategy: 'keyword', errcode: 0 }
  return {
    errcode: 0,
    errmsg: 'ok',
    result: hit ? { suggest: hit.suggest, label: hit.label } : { suggest: 'pass', label: NORMAL_LABEL },
    detail: [{ strategy: 'content_model', errcode: 0, suggest: 'pass', label: NORMAL_LABEL }, keyword],
    trace_id: rid(),
  }
}
