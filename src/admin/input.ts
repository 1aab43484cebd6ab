/**
 * Bounds every admin event meets before any schema runs: the event of a cloud function is whatever the caller
 * sent, so size, nesting, string length and key names are checked first (a refusal names the field and the
 * limit), and then keys a schema does not know are refused at any depth (zod objects drop them silently, and a
 * typo such as `closeKF` must not become a room with replay on).
 */
import * as z from '../live/zod'
import { fieldOf } from './issues'
import { defOf } from './schema-def'

/** The limits, in one place; docs/ADMIN-API.md states them from here. */
export const INPUT_LIMITS = {
  /** Serialized event size; the largest real input is a pushMessage of 2,000 openids (~60 KB). */
  maxBytes: 256 * 1024,
  maxDepth: 8,
  maxStringLength: 4096,
  maxArrayLength: 2000,
  maxKeys: 64,
} as const

/** Keys no object of an event may have (prototype pollution); docs/ADMIN-API.md lists them from here. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export interface InputProblem {
  field: string
  zh: string
  en: string
}

function problem(path: readonly PropertyKey[], zh: string, en: string): InputProblem {
  const field = fieldOf(path)
  return { field, zh: `${field}：${zh}`, en: `${field}: ${en}` }
}

/** First bound the value breaks, walking depth first; null when within every bound. */
export function checkBounds(value: unknown, path: PropertyKey[] = [], depth = 0): InputProblem | null {
  if (depth > INPUT_LIMITS.maxDepth) return problem(path, `嵌套超过 ${INPUT_LIMITS.maxDepth} 层`, `nested deeper than ${INPUT_LIMITS.maxDepth} levels`)
  if (typeof value === 'string') {
    return value.length > INPUT_LIMITS.maxStringLength
      ? problem(path, `文本长度超过 ${INPUT_LIMITS.maxStringLength}`, `longer than ${INPUT_LIMITS.maxStringLength} characters`)
      : null
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : problem(path, '须为有限数字', 'must be a finite number')
  }
  if (value === null || typeof value === 'boolean') return null
  if (Array.isArray(value)) {
    if (value.length > INPUT_LIMITS.maxArrayLength) {
      return problem(path, `数组元素超过 ${INPUT_LIMITS.maxArrayLength} 个`, `more than ${INPUT_LIMITS.maxArrayLength} items`)
    }
    for (let i = 0; i < value.length; i++) {
      const p = checkBounds(value[i], [...path, i], depth + 1)
      if (p) return p
    }
    return null
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value)
    if (keys.length > INPUT_LIMITS.maxKeys) return problem(path, `字段超过 ${INPUT_LIMITS.maxKeys} 个`, `more than ${INPUT_LIMITS.maxKeys} fields`)
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) return problem([...path, key], '不允许的字段名', 'this field name is not allowed')
      const p = checkBounds((value as Record<string, unknown>)[key], [...path, key], depth + 1)
      if (p) return p
    }
    return null
  }
  return problem(path, '须为 JSON 值', 'must be a JSON value')
}

/** Serialized size of a JSON value, or Infinity when it cannot be serialized. */
export function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8')
  } catch {
    return Infinity
  }
}


/**
 * The first key of `value` (at any depth) that `schema` does not declare, as a path; null when there is none.
 * Loose objects (a declared catch-all) accept any key; unions accept a key any member knows.
 */
export function unknownKeyPath(schema: z.ZodMiniType, value: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  const def = defOf(schema)
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return def.innerType ? unknownKeyPath(def.innerType, value, path) : null
    case 'pipe':
      return def.in ? unknownKeyPath(def.in, value, path) : null
    case 'array':
      if (!Array.isArray(value) || !def.element) return null
      for (let i = 0; i < value.length; i++) {
        const found = unknownKeyPath(def.element, value[i], [...path, i])
        if (found) return found
      }
      return null
    case 'union': {
      const options = def.options ?? []
      // Only when no member takes the value without an unknown key is there one to report.
      let first: PropertyKey[] | null = null
      for (const option of options) {
        const found = unknownKeyPath(option, value, path)
        if (!found) return null
        first ??= found
      }
      return first
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
      const shape = def.shape ?? {}
      const loose = def.catchall !== undefined && defOf(def.catchall).type !== 'never'
      for (const [key, v] of Object.entries(value)) {
        // Own keys only: `valueOf` or `toString` sent as a field must not find Object.prototype's function.
        const field = Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined
        if (!field) {
          if (loose) continue
          return [...path, key]
        }
        const found = unknownKeyPath(field, v, [...path, key])
        if (found) return found
      }
      return null
    }
    default:
      return null
  }
}
