/** The word page's view logic: the words typed (several at once), checked against the limits the function stated. */

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

/** Characters as the function counts them (code points, so an emoji is one). */
const charCount = (s: string): number => Array.from(s).length

/**
 * Why these words cannot be added to `current` under `limits`, or '' when they can: words too long are named,
 * and a list that would grow past its size says by how much.
 */
export function wordsProblem(words: readonly string[], current: readonly string[], limits: WordLimits | null): string {
  if (words.length === 0) return '请输入要添加的词，每行一个，或用逗号、空格隔开'
  if (!limits) return ''
  const tooLong = words.filter((w) => charCount(w) > limits.maxWordLength)
  if (tooLong.length > 0) return `每个词最多 ${limits.maxWordLength} 个字：${tooLong.slice(0, 3).join('、')}${tooLong.length > 3 ? ' 等' : ''}`
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
