/** The word page's view logic: the words typed (several at once), checked with the function's own params rule. */
import * as rules from '../generated/rules'

/** What the list holds at most, as getSensitiveWords states it (the function's own numbers, never a copy here). */
export interface WordLimits {
  maxWords: number
  maxWordLength: number
}

/** Words typed one a line or separated by commas, spaces or 、; blanks dropped, the first of repeats (ignoring case) kept. */
export function splitWords(input: string): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const piece of input.split(/[\s,，、;；]+/)) {
    const w = piece.trim()
    if (w === '' || seen.has(w.toLowerCase())) continue
    seen.add(w.toLowerCase())
    out.push(w)
  }
  return out
}

/**
 * Why these words cannot be added to `current`, or '' when they can: first addSensitiveWords' own params rule
 * (each broken word named), then whether the list would grow past the size the function stated in `limits`.
 */
export function wordsProblem(words: readonly string[], current: readonly string[], limits: WordLimits | null, nowSeconds: number): string {
  if (words.length === 0) return '请输入要添加的词，每行一个，或用逗号、空格隔开'
  const problems = Object.values(rules.formProblems('addSensitiveWords', { words }, nowSeconds))
  if (problems.length > 0) {
    return problems
      .slice(0, 3)
      .map((p) => {
        const index = /^words\.(\d+)$/.exec(p.field)
        return index ? `「${words[Number(index[1])]}」${p.zh.slice(p.field.length).replace(/^[：:]/, '：')}` : p.zh
      })
      .join('；')
  }
  if (!limits) return ''
  const have = new Set(current.map((w) => w.toLowerCase()))
  const grown = current.length + words.filter((w) => !have.has(w.toLowerCase())).length
  if (grown > limits.maxWords) return `敏感词表最多 ${limits.maxWords} 个词，添加后会有 ${grown} 个`
  return ''
}

/** One checkContent hit as the page lists it. */
export interface HitRow {
  key: string
  text: string
}

interface HitRaw {
  field?: unknown
  source?: unknown
  word?: unknown
  words?: unknown
  zh?: unknown
}

/** checkContent's hits in the merchant's words: which list refused and the word(s). */
export function hitRows(hits: unknown): HitRow[] {
  if (!Array.isArray(hits)) return []
  return (hits as HitRaw[])
    .filter((h) => typeof h === 'object' && h !== null)
    .map((h, i) => {
      const words = Array.isArray(h.words) ? h.words.filter((w): w is string => typeof w === 'string') : typeof h.word === 'string' ? [h.word] : []
      const source = h.source === 'platform' ? '微信内容安全检测' : '本店敏感词表'
      const sentence = typeof h.zh === 'string' && h.zh !== '' ? h.zh : `命中：${words.join('、')}`
      return { key: `${i}`, text: `${source}：${sentence}` }
    })
}
