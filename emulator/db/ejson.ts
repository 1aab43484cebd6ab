/**
 * EJSON as the CloudBase database wire speaks it. @cloudbase/database 1.4.3 sends queries, updates and
 * documents as canonical EJSON strings (bson 4) and parses each returned document with `EJSON.parse` (relaxed
 * by default). bson 6 here reads and writes the same Extended JSON v2 text, so the formats meet.
 *
 * Decoding is relaxed (numbers become plain numbers, so mingo sorts and compares them), then two CloudBase
 * specifics are resolved: `db.serverDate()` becomes the emulator clock's time, and bson regular expressions
 * become JavaScript RegExps that the query engine understands.
 */
import { BSONRegExp, EJSON } from 'bson'
import type { Clock } from '../clock'
import { MAX_WIRE_NESTING } from './limits'
import { DbError, MalformedInputError } from './types'
import { isPlainObject } from './values'

export interface EjsonCodec {
  /** Parses one EJSON string; errors name `field`. */
  decode(text: string, field: string): unknown
  /** Parses one EJSON string that must hold an object. */
  decodeObject(text: string, field: string): Record<string, unknown>
  /** Canonical EJSON of one document, as the SDK expects in `data.list[]`. */
  encode(value: unknown): string
}

const SERVER_DATE = '$tcb_server_date'

// JavaScript has no x (extended) or l (locale) flags; the other bson options map one to one
const JS_FLAGS = new Set(['i', 'm', 's', 'u', 'g', 'y'])

function toRegExp(re: BSONRegExp, field: string): RegExp {
  const unsupported = [...re.options].filter((f) => !JS_FLAGS.has(f))
  if (unsupported.length) {
    throw new DbError('INVALID_PARAM', `${field}: regular expression option "${unsupported.join('')}" is not supported`)
  }
  try {
    return new RegExp(re.pattern, re.options)
  } catch (e) {
    throw new DbError('INVALID_PARAM', `${field}: invalid regular expression (${(e as Error).message})`)
  }
}

function resolve(value: unknown, nowMs: () => number, field: string, depth: number): unknown {
  if (value instanceof BSONRegExp) return toRegExp(value, field)
  if (value instanceof Date && Number.isNaN(value.getTime())) {
    throw new DbError('INVALID_PARAM', `${field}: invalid date (outside what a JavaScript date can hold)`)
  }
  // checked while walking: a hostile nesting depth must not overflow the stack before the guard sees it
  if (depth > MAX_WIRE_NESTING) throw new MalformedInputError(`${field}: nested deeper than ${MAX_WIRE_NESTING} levels`)
  if (Array.isArray(value)) return value.map((v) => resolve(v, nowMs, field, depth + 1))
  if (!isPlainObject(value)) return value
  const keys = Object.keys(value)
  if (keys.length === 1 && keys[0] === SERVER_DATE) {
    const spec = value[SERVER_DATE]
    const offset = isPlainObject(spec) && spec.offset !== undefined ? spec.offset : 0
    if (typeof offset !== 'number' || !Number.isFinite(offset)) {
      throw new DbError('INVALID_PARAM', `${field}: serverDate offset must be a finite number of milliseconds`)
    }
    const date = new Date(nowMs() + offset)
    if (Number.isNaN(date.getTime())) {
      throw new DbError('INVALID_PARAM', `${field}: serverDate offset ${offset} ms gives a date outside what a JavaScript date can hold`)
    }
    return date
  }
  // defineProperty, not assignment: a key such as "__proto__" must stay data (the guard then refuses it by name)
  const out: Record<string, unknown> = {}
  for (const k of keys) Object.defineProperty(out, k, { value: resolve(value[k], nowMs, field, depth + 1), enumerable: true, writable: true, configurable: true })
  return out
}

export function decodeEjson(text: string, field: string, nowMs: () => number): unknown {
  if (typeof text !== 'string') throw new DbError('INVALID_PARAM', `${field}: must be an EJSON string`)
  let parsed: unknown
  try {
    parsed = EJSON.parse(text, { relaxed: true })
  } catch (e) {
    throw new MalformedInputError(`${field}: not valid EJSON (${(e as Error).message})`)
  }
  return resolve(parsed, nowMs, field, 0)
}

export function encodeEjson(value: unknown): string {
  // canonical keeps int vs double and writes Dates as {"$date":{"$numberLong":…}}, which bson 4 reads back as Date
  return EJSON.stringify(value, { relaxed: false })
}

export function createEjsonCodec(clock: Pick<Clock, 'nowMs'>): EjsonCodec {
  const nowMs = () => clock.nowMs()
  return {
    decode: (text, field) => decodeEjson(text, field, nowMs),
    decodeObject(text, field) {
      const value = decodeEjson(text, field, nowMs)
      if (!isPlainObject(value)) throw new DbError('INVALID_PARAM', `${field}: must encode an object`)
      return value
    },
    encode: encodeEjson,
  }
}
