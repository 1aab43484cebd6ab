/**
 * The few document operations the sync needs, in a tiny query language every adapter translates: the
 * wx-server-sdk database (src/cloud/database-store.ts), the emulator's engine (emulator/db/engine-store.ts) and
 * the benchmark's maps (bench/sync-map-driver.ts). Keeping the language this small is what lets one store
 * implementation (store.ts) serve all three; test/doc-driver-conformance.ts pins the contract they share.
 */

export type Scalar = string | number | boolean | null | Date

/** A comparison on one field; plain scalars in a `Where` mean equality. */
export interface Cond {
  op: 'in' | 'lte' | 'lt' | 'gte' | 'gt' | 'neq'
  value: Scalar | Scalar[]
}

export const cond = {
  in: (values: Scalar[]): Cond => ({ op: 'in', value: values }),
  lte: (v: Scalar): Cond => ({ op: 'lte', value: v }),
  lt: (v: Scalar): Cond => ({ op: 'lt', value: v }),
  gte: (v: Scalar): Cond => ({ op: 'gte', value: v }),
  gt: (v: Scalar): Cond => ({ op: 'gt', value: v }),
  neq: (v: Scalar): Cond => ({ op: 'neq', value: v }),
}

export function isCond(x: unknown): x is Cond {
  return typeof x === 'object' && x !== null && !(x instanceof Date) && 'op' in x && 'value' in x
}

/** Field (dotted paths allowed) → equality value or condition; all must hold. */
export type Where = Record<string, Scalar | Cond>

export interface FindOpts {
  /** Required: server reads default to 100 rows and cap at 1000, so every read states its size. */
  limit: number
  skip?: number
  orderBy?: { field: string; dir: 'asc' | 'desc' }
  /** Only these fields (plus _id). */
  fields?: string[]
}

/**
 * `set` replaces each named field's value wholesale (objects included, not merged key by key);
 * `inc` adds to numeric fields (missing counts as 0).
 */
export interface Patch {
  set?: Record<string, unknown>
  inc?: Record<string, number>
}

export type RawDoc = Record<string, unknown> & { _id: string }

export interface DocDriver {
  find(collection: string, where: Where, opts: FindOpts): Promise<RawDoc[]>
  count(collection: string, where: Where): Promise<number>
  /** Replaces the whole document (creating it when missing). `doc` has no `_id`. */
  set(collection: string, id: string, doc: Record<string, unknown>): Promise<void>
  /** Updates every matching document atomically per document; resolves how many changed. */
  update(collection: string, where: Where, patch: Patch): Promise<number>
  /** Inserts a new document; 'duplicate' when the `_id` exists (the atomic "create if absent"). */
  insert(collection: string, doc: RawDoc): Promise<'ok' | 'duplicate'>
  /**
   * Removes every matching document; resolves how many went. CloudBase's `where().remove()` takes no `limit` or
   * `skip` (https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/collection/Collection.remove.html),
   * so one call removes all it matches: a caller bounds a call by `where` alone, at most `REMOVE_MATCH_MAX` documents.
   */
  remove(collection: string, where: Where): Promise<number>
}

/**
 * Most documents one `remove` call should match: the server's read cap (1000, the most one `get()` returns:
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/collection/Collection.limit.html),
 * so a caller picks what to remove with one bounded read and removes exactly that range.
 */
export const REMOVE_MATCH_MAX = 1000
