/**
 * The content check as actions: admins edit the merchant's sensitive-word list, and a page asks `checkContent`
 * while the merchant types, before anything is submitted. The room and goods actions run the same check
 * (`checkTexts` in src/admin/content.ts) before their Live call.
 */
import * as z from '../../live/zod'
import { TEXT_CHECK_MAX_CHARS } from '../../cloud/text-check'
import {
  TEXT_CHECK_ENV,
  WORD_LIMITS,
  describeWords,
  inspectTexts,
  normaliseWords,
  textCheckSetting,
  updateWords,
} from '../content'
import { defineAction, type ActionDef } from '../types'
import { nonEmptyWordsParams, wordsParams } from '../word-params'

/** Texts one checkContent call takes: a room form has a handful of fields, a goods form fewer. */
export const CHECK_CONTENT_MAX_TEXTS = 20


const LIST_REPLY = '{words: string[], count, maxWords, maxWordLength, changed: boolean}'

function listReply(words: string[], changed: boolean) {
  return { words, count: words.length, maxWords: WORD_LIMITS.maxWords, maxWordLength: WORD_LIMITS.maxWordLength, changed }
}

export const contentActions: Readonly<Record<string, ActionDef>> = {
  getSensitiveWords: defineAction({
    name: 'getSensitiveWords',
    who: 'admin',
    mutates: false,
    summary: { zh: '查看商家敏感词表与微信内容安全检测是否开启', en: "The merchant's sensitive-word list, and whether WeChat's text check is on" },
    params: z.object({}),
    reply: `{words: string[], count, maxWords, maxWordLength, updatedAt: Date | null, updatedBy: openid | null, platformCheck: "on" | "off" (env ${TEXT_CHECK_ENV})}`,
    calls: [],
    run: async (ctx) => {
      const list = await describeWords(ctx)
      return {
        words: list.words,
        count: list.words.length,
        maxWords: WORD_LIMITS.maxWords,
        maxWordLength: WORD_LIMITS.maxWordLength,
        updatedAt: list.updatedAt,
        updatedBy: list.updatedBy,
        platformCheck: textCheckSetting(ctx.ports.env),
      }
    },
  }),

  setSensitiveWords: defineAction({
    name: 'setSensitiveWords',
    who: 'admin',
    mutates: true,
    summary: {
      zh: `替换整个商家敏感词表（去除首尾空白、忽略大小写去重；空词按序号拒绝；最多 ${WORD_LIMITS.maxWords} 个、每个最多 ${WORD_LIMITS.maxWordLength} 字）`,
      en: `Replace the whole sensitive-word list (trimmed, de-duplicated ignoring case; an empty word is refused by its index; at most ${WORD_LIMITS.maxWords} words of at most ${WORD_LIMITS.maxWordLength} characters)`,
    },
    params: wordsParams,
    reply: LIST_REPLY,
    calls: [],
    run: async (ctx, p) => {
      const words = normaliseWords(p.words)
      const r = await updateWords(ctx, 'words', () => words)
      return listReply(r.words, r.changed)
    },
  }),

  addSensitiveWords: defineAction({
    name: 'addSensitiveWords',
    who: 'admin',
    mutates: true,
    summary: { zh: '向商家敏感词表添加词（已有的词忽略）', en: 'Add words to the sensitive-word list (words already listed are ignored)' },
    params: nonEmptyWordsParams,
    reply: LIST_REPLY,
    calls: [],
    run: async (ctx, p) => {
      const added = normaliseWords(p.words)
      const r = await updateWords(ctx, 'words', (current) => normaliseWords([...current, ...added]))
      return listReply(r.words, r.changed)
    },
  }),

  removeSensitiveWords: defineAction({
    name: 'removeSensitiveWords',
    who: 'admin',
    mutates: true,
    summary: { zh: '从商家敏感词表删除词（忽略大小写；不在表中的词忽略）', en: 'Remove words from the sensitive-word list (ignoring case; words not listed are ignored)' },
    params: nonEmptyWordsParams,
    reply: LIST_REPLY,
    calls: [],
    run: async (ctx, p) => {
      const gone = new Set(normaliseWords(p.words).map((w) => w.toLowerCase()))
      const r = await updateWords(ctx, 'words', (current) => current.filter((w) => !gone.has(w.toLowerCase())))
      return listReply(r.words, r.changed)
    },
  }),

  checkContent: defineAction({
    name: 'checkContent',
    who: 'admin',
    mutates: false,
    summary: {
      zh: '提交前检查文本：先查商家敏感词表，再做微信内容安全检测（已开启时）；列出每个字段命中的词',
      en: "Check texts before submitting: the merchant's word list, then WeChat's text check where it is on; every field's hits listed",
    },
    params: z.object({
      texts: z
        .array(
          z.object({
            field: z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_.]{0,63}$/, 'a field name: a letter, then letters, digits, _ or . (at most 64)')),
            text: z.string().check(z.maxLength(TEXT_CHECK_MAX_CHARS)),
          }),
        )
        .check(z.minLength(1), z.maxLength(CHECK_CONTENT_MAX_TEXTS)),
    }),
    reply:
      '{pass: boolean, hits: {field, source: "merchant" | "platform", word?, words?, suggest?, label?, zh, en}[], textCheck: {platform: "off" | "no_user" | "not_asked" | "passed" | "refused" | "unavailable", errcode?, zh, en}} (unavailable: the platform failed and the texts count as passed)',
    calls: [],
    run: async (ctx, p) => {
      const { hits, report } = await inspectTexts(ctx, p.texts)
      return { pass: hits.length === 0, hits, textCheck: report }
    },
  }),
}
