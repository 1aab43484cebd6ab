/**
 * What a document must be to be stored, checked at write time so a bad value is refused with a clear error instead
 * of surfacing later as a crash, a corrupt file or a different value read back: at most MAX_DOCUMENT_NESTING levels
 * and MAX_DOCUMENT_BYTES of BSON, and only the value types CloudBase documents store (string, number, boolean, null,
 * object, array, date; GeoJSON is objects of those):
 * https://developers.weixin.qq.com/miniprogram/en/dev/wxcloud/guide/database/data-type.html
 */
import { calculateObjectSize } from 'bson'
import { MAX_DOCUMENT_BYTES, MAX_DOCUMENT_NESTING } from './limits'
import { DbError } from './types'

function refuse(message: string): never {
  throw new DbError('INVALID_PARAM', message)
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value !== 'object' || value === null) return typeof value
  const bsonType = (value as { _bsontype?: unknown })._bsontype
  if (typeof bsonType === 'string') return `EJSON ${bsonType}`
  return (value as object).constructor?.name ?? 'object'
}

/** Throws INVALID_PARAM naming the path of the first value that cannot be stored; `field` names the document. */
export function checkStorable(doc: Record<string, unknown>, field: string): void {
  // the document itself is level 1; every object or array inside adds one (MongoDB's counting)
  const stack: { value: unknown; path: string; level: number }[] = [{ value: doc, path: field, level: 1 }]
  while (stack.length > 0) {
    const { value, path, level } = stack.pop()!
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') continue
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) refuse(`${path}: invalid date (a date must be a real instant to be stored)`)
      continue
    }
    const isArray = Array.isArray(value)
    const isObject = !isArray && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
    if (!isArray && !isObject) {
      refuse(`${path}: ${describe(value)} values cannot be stored (CloudBase stores strings, numbers, booleans, null, objects, arrays and dates)`)
    }
    if (level > MAX_DOCUMENT_NESTING) refuse(`${field}: nested deeper than ${MAX_DOCUMENT_NESTING} levels`)
    if (isArray) (value as unknown[]).forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, level: level + 1 }))
    else for (const [k, v] of Object.entries(value as Record<string, unknown>)) stack.push({ value: v, path: `${path}.${k}`, level: level + 1 })
  }
  const bytes = calculateObjectSize(doc)
  if (bytes > MAX_DOCUMENT_BYTES) refuse(`${field}: ${bytes} bytes of BSON, over the ${MAX_DOCUMENT_BYTES}-byte (16 MB) document limit`)
}
