/**
 * The sync's database port over wx-server-sdk's `cloud.database()`. The db object is passed in, so this file
 * imports no SDK; the structural types below name only the calls we make. Server reads are always given an
 * explicit limit (default 100, cap 1000), and object values are written with `_.set` so they replace rather
 * than merge key by key (the SDK flattens nested objects in update data to dotted paths).
 */
import { createCacheStore } from '../sync/store'
import { type DocDriver, type Patch, type RawDoc, type Where, isCond } from '../sync/driver'
import type { CacheStore } from '../sync/ports'

/** Opaque command values (`_.in([...])`, `_.inc(1)`…) that the SDK serialises itself. */
type Command = object

export interface WxCommand {
  in(values: unknown[]): Command
  lte(v: unknown): Command
  lt(v: unknown): Command
  gte(v: unknown): Command
  gt(v: unknown): Command
  neq(v: unknown): Command
  inc(n: number): Command
  set(v: unknown): Command
}

export interface WxQuery {
  where(q: Record<string, unknown>): WxQuery
  orderBy(field: string, dir: 'asc' | 'desc'): WxQuery
  skip(n: number): WxQuery
  limit(n: number): WxQuery
  field(p: Record<string, boolean>): WxQuery
  get(): Promise<{ data: unknown[] }>
  count(): Promise<{ total: number }>
  update(o: { data: Record<string, unknown> }): Promise<{ stats: { updated: number } }>
  remove(): Promise<{ stats: { removed: number } }>
}

export interface WxCollection extends WxQuery {
  doc(id: string): { set(o: { data: Record<string, unknown> }): Promise<unknown> }
  add(o: { data: Record<string, unknown> }): Promise<{ _id: string | number }>
}

export interface WxDatabase {
  command: WxCommand
  collection(name: string): WxCollection
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]'
}

export function createDatabaseDriver(db: WxDatabase): DocDriver {
  const _ = db.command

  function query(where: Where): Record<string, unknown> {
    const q: Record<string, unknown> = {}
    for (const [field, v] of Object.entries(where)) {
      if (!isCond(v)) {
        q[field] = v
        continue
      }
      const value = v.value
      q[field] =
        v.op === 'in'
          ? _.in(Array.isArray(value) ? value : [value])
          : v.op === 'lte'
            ? _.lte(value)
            : v.op === 'lt'
              ? _.lt(value)
              : v.op === 'gte'
                ? _.gte(value)
                : v.op === 'gt'
                  ? _.gt(value)
                  : _.neq(value)
    }
    return q
  }

  function data(patch: Patch): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(patch.set ?? {})) out[k] = isPlainObject(v) ? _.set(v) : v
    for (const [k, n] of Object.entries(patch.inc ?? {})) out[k] = _.inc(n)
    return out
  }

  async function exists(collection: string, id: string): Promise<boolean> {
    const res = await db.collection(collection).where({ _id: id }).limit(1).get()
    return res.data.length > 0
  }

  return {
    async find(collection, where, opts) {
      let q: WxQuery = db.collection(collection).where(query(where))
      if (opts.orderBy) q = q.orderBy(opts.orderBy.field, opts.orderBy.dir)
      if (opts.skip) q = q.skip(opts.skip)
      q = q.limit(Math.min(opts.limit, 1000))
      if (opts.fields) q = q.field(Object.fromEntries(opts.fields.map((f) => [f, true])))
      const res = await q.get()
      return res.data as RawDoc[]
    },
    async count(collection, where) {
      return (await db.collection(collection).where(query(where)).count()).total
    },
    async set(collection, id, doc) {
      // doc().set() refuses an _id in its data; the id is the doc() argument.
      const { _id: _drop, ...rest } = doc
      await db.collection(collection).doc(id).set({ data: rest })
    },
    async update(collection, where, patch) {
      const res = await db.collection(collection).where(query(where)).update({ data: data(patch) })
      return res.stats.updated
    },
    async insert(collection, doc) {
      try {
        await db.collection(collection).add({ data: doc })
        return 'ok'
      } catch (e) {
        // The SDK has no numeric code for a duplicate _id; asking is the reliable test.
        if (await exists(collection, doc._id)) return 'duplicate'
        throw e
      }
    },
    async remove(collection, where) {
      return (await db.collection(collection).where(query(where)).remove()).stats.removed
    },
  }
}

export function createDatabaseStore(db: WxDatabase): CacheStore {
  return createCacheStore(createDatabaseDriver(db))
}
