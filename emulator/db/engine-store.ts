/**
 * The sync's database port straight over the emulator's DatabaseEngine (no HTTP, no SDK), for the benchmark
 * and the property tests. Translates the sync's small query language (src/sync/driver.ts) to Mongo operators.
 */
import { createCacheStore } from '../../src/sync/store'
import { type DocDriver, type Patch, type RawDoc, type Where, isCond } from '../../src/sync/driver'
import type { CacheStore } from '../../src/sync/ports'
import { DbError, type DatabaseEngine, type Filter } from './types'

const MONGO_OP = { in: '$in', lte: '$lte', lt: '$lt', gte: '$gte', gt: '$gt', neq: '$ne' } as const

export function toMongoFilter(where: Where): Filter {
  const out: Filter = {}
  for (const [field, v] of Object.entries(where)) out[field] = isCond(v) ? { [MONGO_OP[v.op]]: v.value } : v
  return out
}

export function toMongoUpdate(patch: Patch): Record<string, unknown> {
  const update: Record<string, unknown> = {}
  if (patch.set && Object.keys(patch.set).length) update.$set = patch.set
  if (patch.inc && Object.keys(patch.inc).length) update.$inc = patch.inc
  return update
}

export function createEngineDriver(engine: DatabaseEngine): DocDriver {
  return {
    async find(collection, where, opts) {
      const projection = opts.fields ? Object.fromEntries(opts.fields.map((f) => [f, 1 as const])) : undefined
      return engine.find(collection, toMongoFilter(where), {
        limit: Math.min(opts.limit, 1000),
        skip: opts.skip,
        sort: opts.orderBy ? { [opts.orderBy.field]: opts.orderBy.dir === 'asc' ? 1 : -1 } : undefined,
        projection,
      }) as RawDoc[]
    },
    async count(collection, where) {
      return engine.count(collection, toMongoFilter(where))
    },
    async set(collection, id, doc) {
      engine.update(collection, { _id: id }, { ...doc }, { multi: false, upsert: true, merge: false })
    },
    async update(collection, where, patch) {
      return engine.update(collection, toMongoFilter(where), toMongoUpdate(patch), { multi: true, upsert: false, merge: true }).updated
    },
    async insert(collection, doc) {
      try {
        engine.insert(collection, [doc])
        return 'ok'
      } catch (e) {
        if (e instanceof DbError && e.code === 'DATABASE_DUPLICATE_WRITE') return 'duplicate'
        throw e
      }
    },
    async remove(collection, where) {
      return engine.remove(collection, toMongoFilter(where), { multi: true })
    },
  }
}

export function createEngineStore(engine: DatabaseEngine): CacheStore {
  return createCacheStore(createEngineDriver(engine))
}
