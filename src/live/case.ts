/**
 * Key-case converters that reproduce wx-server-sdk 4.0.2's `utils.convertCase` (recursive mode) exactly,
 * so the HTTPS transport and the sandbox see the same keys a cloud call produces. Only keys change; values,
 * including strings inside arrays, are never touched. Objects are "plain" by Object.prototype.toString
 * (`[object Object]`), as in the SDK; Dates, Buffers and class instances with a custom tag pass through.
 */

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  return Object.prototype.toString.call(x) === '[object Object]'
}

/** `roomId` → `room_id`; every capital after index 0 gets `_` (so `userID` → `user_i_d`, as the SDK does). */
export function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (m: string, i: number) => `${i ? '_' : ''}${m.toLowerCase()}`)
}

/** `room_info` → `roomInfo`; only `_` followed by a lowercase letter is converted (`roomid` stays). */
export function camelKey(key: string): string {
  return key.replace(/_[a-z]/g, (m: string) => m[1].toUpperCase())
}

function convert(value: unknown, keyFn: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => convert(item, keyFn))
  if (!isPlainRecord(value)) return value
  // Same order as the SDK: copy, then rename key by key (a later duplicate wins).
  const out: Record<string, unknown> = { ...value }
  for (const key of Object.keys(out)) {
    const v = out[key]
    const converted = keyFn(key)
    out[converted] = Array.isArray(v) || isPlainRecord(v) ? convert(v, keyFn) : v
    if (converted !== key) delete out[key]
  }
  return out
}

/** Keys in `keep` stay as they are (a reply that mixes casings on the wire). */
export function toSnakeKeys<T>(value: T, keep?: ReadonlySet<string>): unknown {
  return convert(value, keep ? (k) => (keep.has(k) ? k : snakeKey(k)) : snakeKey)
}

export function toCamelKeys<T>(value: T): unknown {
  return convert(value, camelKey)
}
