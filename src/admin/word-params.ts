/**
 * The sensitive-word list's bounds and the params of the actions that edit it, apart from the actions so the
 * phone's form check (form-rules.ts) runs the same schema without bundling the content check.
 */
import * as z from '../live/zod'

/** Bounds of the list, so one read and one scan stay cheap. */
export const WORD_LIMITS = { maxWords: 2000, maxWordLength: 32 } as const

const wordList = z.array(z.string().check(z.maxLength(WORD_LIMITS.maxWordLength))).check(z.maxLength(WORD_LIMITS.maxWords))

/** setSensitiveWords: the whole list (empty allowed). */
export const wordsParams = z.object({ words: wordList })

/** addSensitiveWords, removeSensitiveWords: at least one word. */
export const nonEmptyWordsParams = z.object({ words: wordList.check(z.minLength(1)) })
