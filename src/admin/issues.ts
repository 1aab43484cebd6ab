/**
 * A schema issue as the merchant reads it: the field (dotted path) and the broken rule in Chinese and English.
 * The English text is zod's own (the locale src/live/zod.ts loads); the Chinese comes from zod's zh-CN locale,
 * so no rule is worded twice by hand. A rule from src/live/rules.ts carries its errcode in `params.errcode`.
 */
import type * as z from '../live/zod'
import zhCN from 'zod/v4/locales/zh-CN.js'

const zh = zhCN()

export interface IssueProblem {
  field: string
  zh: string
  en: string
  errcode?: number
}

export function fieldOf(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(params)'
}

function zhText(issue: z.core.$ZodIssue): string {
  // A custom issue is ours: its Chinese travels in params.zh (zh-CN has no sentence for it); English otherwise.
  if (issue.code === 'custom') return typeof issue.params?.zh === 'string' ? issue.params.zh : issue.message
  const out = zh.localeError(issue as unknown as z.core.$ZodRawIssue)
  return typeof out === 'string' ? out : (out?.message ?? issue.message)
}

export function issueProblem(issue: z.core.$ZodIssue | undefined, prefix: readonly PropertyKey[] = []): IssueProblem {
  if (!issue) return { field: '(params)', zh: '参数不合法', en: 'invalid params' }
  const path = [...prefix, ...issue.path]
  // unrecognized_keys names the keys itself; the field is the first unknown key.
  if (issue.code === 'unrecognized_keys' && issue.keys.length) path.push(issue.keys[0])
  const field = fieldOf(path)
  const errcode = issue.code === 'custom' && typeof issue.params?.errcode === 'number' ? (issue.params.errcode as number) : undefined
  const p: IssueProblem = { field, zh: `${field}：${zhText(issue)}`, en: `${field}: ${issue.message}` }
  if (errcode !== undefined) p.errcode = errcode
  return p
}
