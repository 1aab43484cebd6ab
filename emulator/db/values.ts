/**
 * Value helpers shared by the engine and the wire layer: deep copies (so callers never hold a reference into
 * stored documents), plain-object checks, deep equality for "was anything modified", and document ids.
 */
import { randomBytes } from 'node:crypto'

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * Copies plain objects, arrays, Dates and RegExps. Other class instances (bson ObjectId, Decimal128, Binary…)
 * are immutable value objects and are shared as they are.
 */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => deepCopy(v)) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (value instanceof RegExp) return new RegExp(value.source, value.flags) as T
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = deepCopy(v)
    return out as T
  }
  return value
}

/** Structural equality over the value kinds documents hold; key order is ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime()
  }
  if (a instanceof RegExp || b instanceof RegExp) {
    return a instanceof RegExp && b instanceof RegExp && a.source === b.source && a.flags === b.flags
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((v, i) => deepEqual(v, b[i]))
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    if (ka.length !== Object.keys(b).length) return false
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]))
  }
  // bson value objects: compare their canonical JSON forms when they offer one
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ja = (a as { toJSON?: () => unknown }).toJSON
    const jb = (b as { toJSON?: () => unknown }).toJSON
    if (typeof ja === 'function' && typeof jb === 'function' && a.constructor === b.constructor) {
      return JSON.stringify(ja.call(a)) === JSON.stringify(jb.call(b))
    }
  }
  return false
}

/** CloudBase document ids look like 32 lowercase hex characters. */
export function newDocId(): string {
  return randomBytes(16).toString('hex')
}
