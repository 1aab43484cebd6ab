/** The merchant's sensitive-word list and checking a text against it. Reference: docs/ADMIN-API.md (the word actions, checkContent). */
import { runAdmin } from './call'
import { hitRows, type HitRow, type WordLimits } from '../utils/people-words'
import { shanghaiTime } from '../utils/people-format'

export interface WordList extends WordLimits {
  words: string[]
  /** "on" when WeChat's own text check also runs. */
  platformCheck: 'on' | 'off'
  updated: string
}

interface ListReply {
  words?: unknown
  maxWords?: unknown
  maxWordLength?: unknown
  platformCheck?: unknown
  updatedAt?: unknown
}

function toList(data: ListReply, fallback?: WordList): WordList {
  const words = Array.isArray(data.words) ? data.words.filter((w): w is string => typeof w === 'string') : []
  return {
    words,
    maxWords: typeof data.maxWords === 'number' ? data.maxWords : (fallback?.maxWords ?? 0),
    maxWordLength: typeof data.maxWordLength === 'number' ? data.maxWordLength : (fallback?.maxWordLength ?? 0),
    platformCheck: data.platformCheck === 'on' ? 'on' : data.platformCheck === 'off' ? 'off' : (fallback?.platformCheck ?? 'off'),
    updated: data.updatedAt !== undefined ? shanghaiTime(data.updatedAt) : (fallback?.updated ?? '—'),
  }
}

export async function getWords(): Promise<WordList> {
  return toList(await runAdmin<ListReply>('getSensitiveWords'))
}

/** Adds words (those listed already are ignored by the function); the list after. */
export async function addWords(words: string[], before: WordList): Promise<WordList & { changed: boolean }> {
  const data = await runAdmin<ListReply & { changed?: boolean }>('addSensitiveWords', { words })
  return { ...toList(data, before), changed: data.changed === true }
}

export async function removeWords(words: string[], before: WordList): Promise<WordList & { changed: boolean }> {
  const data = await runAdmin<ListReply & { changed?: boolean }>('removeSensitiveWords', { words })
  return { ...toList(data, before), changed: data.changed === true }
}

export interface TextVerdict {
  pass: boolean
  hits: HitRow[]
  /** What WeChat's own check did (off, passed, refused, could not be reached…), in Chinese. */
  platformNote: string
}

/** Checks a text as a room or goods name would be checked at submit. */
export async function checkText(text: string): Promise<TextVerdict> {
  const data = await runAdmin<{ pass?: boolean; hits?: unknown; textCheck?: { zh?: unknown } }>('checkContent', { texts: [{ field: 'text', text }] })
  return { pass: data.pass === true, hits: hitRows(data.hits), platformNote: typeof data.textCheck?.zh === 'string' ? data.textCheck.zh : '' }
}
