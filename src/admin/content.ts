/**
 * Content checks before a room or goods is submitted: words that get a live banned. First the merchant's own
 * sensitive-word list (kept in `live_admin_settings`, edited by admins), then the platform's text check
 * (`security.msgSecCheck`) where the function has it. A hit names the field and the word.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
 */
import { ADMIN_COLLECTIONS } from './store'
import { AdminFailure } from './reply'
import type { ActionContext } from './types'

/** `_id` of the settings document holding the list. */
export const WORDS_DOC = 'sensitive-words'
/** Bounds of the list, so one read and one scan stay cheap. */
export const WORD_LIMITS = { maxWords: 2000, maxWordLength: 32 } as const

export interface TextField {
  /** The input field (`name`, `anchorName`, `goodsInfo.name`). */
  field: string
  text: string
}

/** The merchant's words, as stored (trimmed, non-empty, de-duplicated); [] when never set. */
export async function readWords(ctx: ActionContext): Promise<string[]> {
  const [doc] = await ctx.ports.docs.find(ADMIN_COLLECTIONS.settings, { _id: WORDS_DOC }, { limit: 1 })
  const words = doc?.words
  return Array.isArray(words) ? words.filter((w): w is string => typeof w === 'string' && w !== '') : []
}

/** The first listed word a text contains (case-insensitive), or null. */
export function findWord(text: string, words: readonly string[]): string | null {
  const lower = text.toLowerCase()
  for (const w of words) if (lower.includes(w.toLowerCase())) return w
  return null
}

/** Throws invalid_argument naming the field and the word on the first hit; resolves when every text passes. */
export async function checkTexts(ctx: ActionContext, fields: readonly TextField[]): Promise<void> {
  const present = fields.filter((f) => f.text !== '')
  if (present.length === 0) return
  const words = await readWords(ctx)
  for (const f of present) {
    const word = findWord(f.text, words)
    if (word !== null) {
      throw new AdminFailure({
        code: 'invalid_argument',
        field: f.field,
        word,
        zh: `${f.field}：含有敏感词“${word}”（商家敏感词表），请修改后再提交`,
        en: `${f.field}: contains the sensitive word "${word}" (the merchant's word list); change it and submit again`,
      })
    }
  }
  const platform = ctx.ports.textCheck
  if (!platform || ctx.caller.openid === null) return
  for (const f of present) {
    const verdict = await platform.check(f.text, ctx.caller.openid)
    if (!verdict.pass) {
      throw new AdminFailure({
        code: 'invalid_argument',
        field: f.field,
        ...(verdict.keyword ? { word: verdict.keyword } : {}),
        ...(verdict.label !== undefined ? { label: verdict.label } : {}),
        zh: `${f.field}：未通过微信内容安全检测${verdict.keyword ? `（“${verdict.keyword}”）` : ''}，请修改后再提交`,
        en: `${f.field}: refused by WeChat's content security check${verdict.keyword ? ` ("${verdict.keyword}")` : ''}; change it and submit again`,
      })
    }
  }
}
