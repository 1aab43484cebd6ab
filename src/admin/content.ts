/**
 * Content checks before a room or goods is submitted: words that get a live banned. First the merchant's own
 * sensitive-word list (kept in `live_admin_settings`, edited by admins), then, where the function's environment
 * turns it on, the platform's text check (`security.msgSecCheck`). A hit names the field and the word.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
 */
import { ADMIN_COLLECTIONS } from './store'
import { WORD_LIMITS } from './word-params'
import { AdminFailure, fail } from './reply'
import type { ActionContext, TextVerdict } from './types'
import { labelName } from '../cloud/text-check'
import { describeErrcode, errcodeOf } from '../live/errors'

/** `_id` of the settings document holding the list. */
export const WORDS_DOC = 'sensitive-words'
export { WORD_LIMITS }

/** The function environment variable that turns the platform's check on (`on`) or off (`off`, unset or empty). */
export const TEXT_CHECK_ENV = 'LIVE_TEXT_CHECK'
/** One platform check taking longer than this counts as unavailable, so a slow platform cannot eat the run. */
export const PLATFORM_CHECK_TIMEOUT_MS = 3000
/** Time kept for the action's own Live call after the checks. */
const DEADLINE_MARGIN_MS = 1000
/** Attempts at a word-list edit that another admin's concurrent edit overtook, before giving up. */
const WRITE_ATTEMPTS = 5

export interface TextField {
  /** The input field (`name`, `anchorName`, `goodsInfo.name`). */
  field: string
  text: string
}

/**
 * What became of the platform's layer: `off` (not turned on), `no_user` (a call without a WeChat user: the API
 * needs an openid), `not_asked` (every text already hit the merchant's list), `passed`, `refused` (a text was
 * refused), `unavailable` (it failed: the text went ahead).
 */
export type PlatformStatus = 'off' | 'no_user' | 'not_asked' | 'passed' | 'refused' | 'unavailable'

export interface TextCheckReport {
  platform: PlatformStatus
  /** The platform's errcode when it was unavailable because of one. */
  errcode?: number
  zh: string
  en: string
}

export interface TextHit {
  field: string
  source: 'merchant' | 'platform'
  /** The word to change: the first listed word found, or the platform's keyword when it names one. */
  word?: string
  /** Every listed word the text contains (merchant list). */
  words?: string[]
  suggest?: TextVerdict['suggest']
  label?: number
  zh: string
  en: string
}

// ---------- the switch ----------

/** `on` or `off` from the environment; any other value is refused by name, so a typo never silently disables it. */
export function textCheckSetting(env: Readonly<Record<string, string | undefined>>): 'on' | 'off' {
  const raw = (env[TEXT_CHECK_ENV] ?? '').trim().toLowerCase()
  if (raw === 'on') return 'on'
  if (raw === '' || raw === 'off') return 'off'
  fail('not_configured', {
    zh: `云函数环境变量 ${TEXT_CHECK_ENV} 的值须为 on 或 off（现为 ${JSON.stringify(env[TEXT_CHECK_ENV]).slice(0, 40)}）`,
    en: `The function's ${TEXT_CHECK_ENV} environment variable must be on or off (it is ${JSON.stringify(env[TEXT_CHECK_ENV]).slice(0, 40)})`,
  }, { field: TEXT_CHECK_ENV })
}

// ---------- the merchant's list ----------

interface WordsDoc {
  words: string[]
  revision: number
  updatedAt: Date | null
  updatedBy: string | null
}

async function readWordsDoc(ctx: ActionContext): Promise<WordsDoc | null> {
  const [doc] = await ctx.ports.docs.find(ADMIN_COLLECTIONS.settings, { _id: WORDS_DOC }, { limit: 1 })
  if (!doc) return null
  const words = Array.isArray(doc.words) ? doc.words.filter((w): w is string => typeof w === 'string' && w !== '') : []
  return {
    words,
    revision: typeof doc.revision === 'number' ? doc.revision : 0,
    updatedAt: doc.updatedAt instanceof Date ? doc.updatedAt : null,
    updatedBy: typeof doc.updatedBy === 'string' ? doc.updatedBy : null,
  }
}

/** The merchant's words, as stored (trimmed, non-empty, de-duplicated); [] when never set. */
export async function readWords(ctx: ActionContext): Promise<string[]> {
  return (await readWordsDoc(ctx))?.words ?? []
}

/** The list with its last change, for the settings page. */
export async function describeWords(ctx: ActionContext): Promise<{ words: string[]; updatedAt: Date | null; updatedBy: string | null }> {
  const doc = await readWordsDoc(ctx)
  return { words: doc?.words ?? [], updatedAt: doc?.updatedAt ?? null, updatedBy: doc?.updatedBy ?? null }
}

const charCount = (s: string): number => [...s].length

/**
 * Words as the list keeps them: trimmed, each non-empty and at most WORD_LIMITS.maxWordLength characters, the
 * first of words equal but for case kept (the match ignores case). Refusals name the index (`words.3`).
 */
export function normaliseWords(words: readonly string[], field = 'words'): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  words.forEach((raw, i) => {
    const w = raw.trim()
    if (w === '') fail('invalid_argument', { zh: `${field}.${i}：不能为空`, en: `${field}.${i}: must not be empty` }, { field: `${field}.${i}` })
    if (charCount(w) > WORD_LIMITS.maxWordLength) {
      fail('invalid_argument', {
        zh: `${field}.${i}：最多 ${WORD_LIMITS.maxWordLength} 个字符`,
        en: `${field}.${i}: at most ${WORD_LIMITS.maxWordLength} characters`,
      }, { field: `${field}.${i}` })
    }
    const key = w.toLowerCase()
    if (seen.has(key)) return
    seen.add(key)
    out.push(w)
  })
  return out
}

function checkWordCount(words: readonly string[], field: string): void {
  if (words.length > WORD_LIMITS.maxWords) {
    fail('resource_exhausted', {
      zh: `${field}：敏感词表最多 ${WORD_LIMITS.maxWords} 个词（此次修改后为 ${words.length} 个）`,
      en: `${field}: the word list holds at most ${WORD_LIMITS.maxWords} words (this change would make it ${words.length})`,
    }, { field })
  }
}

/**
 * Applies `change` to the stored list and writes it only if nobody changed it meanwhile (a revision number, as
 * two admins may edit at once); resolves the list written. `change` may throw to refuse.
 */
export async function updateWords(ctx: ActionContext, field: string, change: (current: string[]) => string[]): Promise<{ words: string[]; changed: boolean }> {
  const { docs } = ctx.ports
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const current = await readWordsDoc(ctx)
    const before = current?.words ?? []
    const next = change(before)
    checkWordCount(next, field)
    if (next.length === before.length && next.every((w, i) => w === before[i])) return { words: before, changed: false }
    const body = { words: next, updatedAt: new Date(ctx.ports.nowMs()), updatedBy: ctx.caller.openid ?? '' }
    if (current === null) {
      if ((await docs.insert(ADMIN_COLLECTIONS.settings, { _id: WORDS_DOC, ...body, revision: 1 })) === 'ok') return { words: next, changed: true }
      continue
    }
    const n = await docs.update(ADMIN_COLLECTIONS.settings, { _id: WORDS_DOC, revision: current.revision }, { set: { ...body, revision: current.revision + 1 } })
    if (n === 1) return { words: next, changed: true }
  }
  fail('unavailable', { zh: '敏感词表正被同时修改，请稍后重试', en: 'The word list is being changed by someone else at the same time; retry in a moment' })
}

/** Every listed word a text contains (case-insensitive), in list order. */
export function findWords(text: string, words: readonly string[]): string[] {
  const lower = text.toLowerCase()
  return words.filter((w) => lower.includes(w.toLowerCase()))
}

/** The first listed word a text contains (case-insensitive), or null. */
export function findWord(text: string, words: readonly string[]): string | null {
  return findWords(text, words)[0] ?? null
}

function merchantHit(field: string, words: string[]): TextHit {
  const word = words[0]
  return {
    field,
    source: 'merchant',
    word,
    words,
    zh: `${field}：含有敏感词“${word}”（商家敏感词表），请修改后再提交`,
    en: `${field}: contains the sensitive word "${word}" (the merchant's word list); change it and submit again`,
  }
}

function platformHit(field: string, v: TextVerdict): TextHit {
  const name = labelName(v.label)
  const kw = v.keyword ? { zh: `“${v.keyword}”，`, en: `"${v.keyword}", ` } : { zh: '', en: '' }
  const how = v.suggest === 'risky' ? { zh: '违规', en: 'violating' } : { zh: '疑似违规', en: 'possibly violating' }
  return {
    field,
    source: 'platform',
    ...(v.keyword ? { word: v.keyword } : {}),
    suggest: v.suggest,
    label: v.label,
    zh: `${field}：微信内容安全检测认为${how.zh}（${kw.zh}${name.zh}），请修改后再提交`,
    en: `${field}: WeChat's text check finds it ${how.en} (${kw.en}${name.en}); change it and submit again`,
  }
}

// ---------- the platform's layer ----------

/**
 * Decision: when the platform's check fails (an errcode, a timeout, a malformed reply), the text goes ahead on the
 * merchant's list alone and the reply says so. The check is an early warning: createRoom and goodsAdd refuse
 * forbidden names themselves (300028, 300029, 300004), so an outage of the text check must not stop the merchant.
 */
function reportOf(status: PlatformStatus, cause?: unknown): TextCheckReport {
  switch (status) {
    case 'off':
      return {
        platform: status,
        zh: `未开启微信内容安全检测（云函数环境变量 ${TEXT_CHECK_ENV}=on 可开启），只按商家敏感词表检查`,
        en: `WeChat's text check is off (set the function's ${TEXT_CHECK_ENV}=on to turn it on); only the merchant's word list was checked`,
      }
    case 'no_user':
      return {
        platform: status,
        zh: '此次调用没有微信用户，微信内容安全检测需要用户 openid，只按商家敏感词表检查',
        en: "This call has no WeChat user and WeChat's text check needs one's openid; only the merchant's word list was checked",
      }
    case 'not_asked':
      return {
        platform: status,
        zh: '文本已命中商家敏感词表，未再做微信内容安全检测',
        en: "The text already hit the merchant's word list; WeChat's text check was not asked",
      }
    case 'passed':
      return { platform: status, zh: '微信内容安全检测已通过（未命中商家敏感词表的文本）', en: "WeChat's text check passed the texts that were clear of the merchant's word list" }
    case 'refused':
      return { platform: status, zh: '未通过微信内容安全检测', en: "Refused by WeChat's text check" }
    case 'unavailable': {
      const errcode = errcodeOf(cause)
      const why = errcode !== undefined ? describeErrcode(errcode) : cause === TIMED_OUT ? { zh: '检测超时', en: 'the check timed out' } : { zh: '调用失败', en: 'the call failed' }
      return {
        platform: status,
        ...(errcode !== undefined ? { errcode } : {}),
        zh: `微信内容安全检测暂不可用（${why.zh}），已按商家敏感词表放行；创建直播间或商品时平台仍会审核名称`,
        en: `WeChat's text check was unavailable (${why.en}); the text went ahead on the merchant's word list, and the platform still checks names when the room or goods is created`,
      }
    }
  }
}

const TIMED_OUT = Symbol('timed out')

/** The platform's verdict on one text, or throws what made it fail (TIMED_OUT past its time). */
async function platformVerdict(ctx: ActionContext, text: string, openid: string): Promise<TextVerdict> {
  const wait = Math.min(PLATFORM_CHECK_TIMEOUT_MS, ctx.ports.deadlineMs - ctx.ports.nowMs() - DEADLINE_MARGIN_MS)
  if (wait <= 0) throw TIMED_OUT
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), wait)
  })
  try {
    return await Promise.race([ctx.ports.textCheck!.check(text, openid), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Checks every non-empty text: the merchant's list first, then the platform for the texts that passed it.
 * `firstOnly` stops at the first merchant-list hit without asking the platform (submissions refuse on one hit).
 */
export async function inspectTexts(ctx: ActionContext, fields: readonly TextField[], firstOnly = false): Promise<{ hits: TextHit[]; report: TextCheckReport }> {
  const present = fields.filter((f) => f.text !== '')
  const setting = textCheckSetting(ctx.ports.env)
  const words = present.length > 0 ? await readWords(ctx) : []
  const hits: TextHit[] = []
  const clean: TextField[] = []
  for (const f of present) {
    const found = findWords(f.text, words)
    if (found.length > 0) {
      hits.push(merchantHit(f.field, found))
      if (firstOnly) break
    } else clean.push(f)
  }
  const port = ctx.ports.textCheck
  if (setting === 'off' || port === null) return { hits, report: reportOf('off') }
  const openid = ctx.caller.openid
  if (openid === null) return { hits, report: reportOf('no_user') }
  if ((firstOnly && hits.length > 0) || clean.length === 0) return { hits, report: reportOf(hits.length > 0 ? 'not_asked' : 'passed') }
  const outcomes = await Promise.allSettled(clean.map((f) => platformVerdict(ctx, f.text, openid)))
  let failure: { cause: unknown } | null = null
  let refused = false
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') failure ??= { cause: o.reason }
    else if (o.value.suggest !== 'pass') {
      hits.push(platformHit(clean[i].field, o.value))
      refused = true
    }
  })
  // A refusal outranks an outage: a text the platform did refuse stays refused.
  if (refused) return { hits, report: reportOf('refused') }
  if (failure) return { hits, report: reportOf('unavailable', (failure as { cause: unknown }).cause) }
  return { hits, report: reportOf('passed') }
}

/**
 * For actions that submit text: throws invalid_argument naming the field and the word on the first hit, else
 * resolves what the platform's layer did (put it in the reply as `textCheck`, so an outage is visible).
 */
export async function checkTexts(ctx: ActionContext, fields: readonly TextField[]): Promise<TextCheckReport> {
  const { hits, report } = await inspectTexts(ctx, fields, true)
  const hit = hits[0]
  if (hit) {
    throw new AdminFailure({
      code: 'invalid_argument',
      field: hit.field,
      ...(hit.word !== undefined ? { word: hit.word } : {}),
      ...(hit.label !== undefined ? { label: hit.label, suggest: hit.suggest } : {}),
      source: hit.source,
      zh: hit.zh,
      en: hit.en,
    })
  }
  return report
}

/** What the content check reports beside a submission: whether WeChat's text check ran, and why not. */
export const TEXT_CHECK_NOTE =
  "textCheck: {platform: 'off' | 'no_user' | 'not_asked' | 'passed' | 'unavailable', errcode?, zh, en} (unavailable: WeChat's check could not answer and the name went ahead on the word list alone)"
