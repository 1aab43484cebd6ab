/**
 * The emulator's document database: collections of plain documents in memory, queried and updated with
 * mingo (a MongoDB query language implementation), optionally persisted: every write is appended to a journal
 * before the call returns, and compacted into one EJSON file per collection at load, on `flush()` and when the
 * journal grows past `compactBytes`.
 *
 * Everything is synchronous on purpose: JavaScript runs one call at a time, so every method, including
 * `findOneAndUpdate`, is atomic without locks. Documents are copied in and out, so no caller can reach into
 * the stored state.
 */
import { Aggregator } from 'mingo/aggregator'
import { Query } from 'mingo/query'
import { update as mingoUpdate } from 'mingo'
import { compare as mingoCompare, resolve as mingoResolve } from 'mingo/util'
import { join } from 'node:path'
import type { Clock } from '../clock'
import {
  type ChangeEvent,
  type ChangeType,
  type DatabaseEngine,
  type Doc,
  DbError,
  type Filter,
  type FindOptions,
  type Sort,
  type UpdateOptions,
  type UpdateResult,
} from './types'
import { checkCount, MINGO_OPTIONS, runBounded } from './bounded'
import { QUERY_TIME_LIMIT_MS } from './limits'
import { type LoadProblem, describeLoadProblem, JournalWriter } from '../durable'
import { encodeJournalRecord, JOURNAL_FILE, type JournalRecord, loadCollections, loadJournal, writeCollection } from './persistence'
import { checkStorable } from './storable'
import { deepCopy, deepEqual, isPlainObject, newDocId } from './values'

export interface MemoryEngineOptions {
  clock: Clock
  /** Folder holding one `<collection>.json` per collection and the journal; omit for a memory-only database. */
  dataDir?: string
  /** Journal size (bytes) past which the collection files are rewritten and the journal cleared. Default 8 MiB. */
  compactBytes?: number
  /** Told about each data file that could not be loaded (it was moved aside); default: a console warning. */
  onLoadProblem?: (problem: LoadProblem) => void
  /** How long one request may compute before it answers SERVER_TIMEOUT (default QUERY_TIME_LIMIT_MS). */
  queryTimeLimitMs?: number
}

/** CloudBase collection names: letters, digits, `_`, `-` and `.`; must start with a letter, digit or `_`. */
const COLLECTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

class Collection {
  readonly docs: Doc[] = []
  readonly byId = new Map<string, Doc>()
  /** Insertion order of each document, so id lookups can return matches in natural order without a scan. */
  private readonly order = new WeakMap<Doc, number>()
  private nextOrder = 0

  add(doc: Doc): void {
    this.docs.push(doc)
    this.byId.set(doc._id, doc)
    this.order.set(doc, this.nextOrder++)
  }

  replace(old: Doc, next: Doc): void {
    const i = this.docs.indexOf(old)
    this.docs[i] = next
    this.byId.set(next._id, next)
    this.order.set(next, this.order.get(old) ?? this.nextOrder++)
  }

  /**
   * The documents a filter can match. A top-level `_id` equality or `$in` (doc(id), batched reads by id: the
   * sync's common case) is answered from the id map in natural order; anything else scans.
   */
  candidates(filter: Filter): Doc[] {
    const ids = idsPinnedBy(filter._id)
    if (ids === null) return this.docs
    const found = [...new Set(ids)].map((id) => this.byId.get(id)).filter((d): d is Doc => d !== undefined)
    return found.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0))
  }

  delete(doc: Doc): void {
    this.docs.splice(this.docs.indexOf(doc), 1)
    this.byId.delete(doc._id)
  }

  /** Natural (insertion) rank of a stored document; documents no longer stored rank last. */
  rankOf(id: string): number {
    const doc = this.byId.get(id)
    return (doc && this.order.get(doc)) ?? Number.MAX_SAFE_INTEGER
  }
}

/** The `_id` values a filter's top-level `_id` condition allows, or null when it does not pin them. */
function idsPinnedBy(condition: unknown): string[] | null {
  if (typeof condition === 'string') return [condition]
  if (!isPlainObject(condition)) return null
  const keys = Object.keys(condition)
  if (keys.length !== 1) return null
  if (keys[0] === '$eq' && typeof condition.$eq === 'string') return [condition.$eq]
  if (keys[0] === '$in' && Array.isArray(condition.$in) && condition.$in.every((v) => typeof v === 'string')) return condition.$in as string[]
  return null
}

function mingoError(what: string, e: unknown): DbError {
  if (e instanceof DbError) return e
  // a value too large or too deep for V8 (string length, call stack) is the request's fault, not the emulator's
  if (e instanceof RangeError) return new DbError('INVALID_PARAM', `${what}: ${e.message}`)
  return new DbError('DATABASE_REQUEST_FAILED', `${what}: ${(e as Error).message ?? String(e)}`)
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new DbError('INVALID_PARAM', `${field}: must be an object`)
  return value
}

function compileFilter(filter: Filter): Query {
  requireObject(filter, 'query')
  try {
    return new Query(filter, MINGO_OPTIONS)
  } catch (e) {
    throw mingoError('query', e)
  }
}

/** Splits an update into mingo operators: `$op` keys pass through, plain fields become `$set` (merge mode). */
function toModifier(update: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const modifier: Record<string, Record<string, unknown>> = {}
  for (const [key, value] of Object.entries(update)) {
    if (key.startsWith('$')) {
      modifier[key] = { ...(modifier[key] ?? {}), ...requireObject(value, `data.${key}`) }
    } else {
      modifier.$set = { ...(modifier.$set ?? {}), [key]: value }
    }
  }
  return modifier
}

/** Sets a dotted path on a plain object, creating intermediate objects. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts[parts.length - 1]] = value
}

/** Equality conditions of a filter, the way MongoDB seeds an upserted document from its query. */
function seedFromFilter(filter: Filter, into: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const part of value) if (isPlainObject(part)) seedFromFilter(part, into)
      continue
    }
    if (key.startsWith('$')) continue
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$eq' in value && Object.keys(value).length === 1) setPath(into, key, deepCopy(value.$eq))
      continue
    }
    setPath(into, key, deepCopy(value))
  }
  return into
}

/** Reads a dotted path the simple way (objects and numeric array indexes); undefined when absent. */
function readPath(doc: unknown, path: string): unknown {
  let node = doc
  for (const part of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)]
    else if (isPlainObject(node)) node = node[part]
    else return undefined
  }
  return node
}

const NUMERIC_OPS = ['$inc', '$mul']
const ARRAY_OPS = ['$push', '$addToSet', '$pop', '$pull', '$pullAll']

/** MongoDB (and so CloudBase) refuses these mismatches; mingo would silently skip them. */
function checkOperandTypes(doc: Doc, modifier: Record<string, Record<string, unknown>>): void {
  for (const op of NUMERIC_OPS) {
    for (const [path, amount] of Object.entries(modifier[op] ?? {})) {
      if (typeof amount !== 'number') throw new DbError('DATABASE_REQUEST_FAILED', `data.${op}.${path}: must be a number`)
      const current = readPath(doc, path)
      if (current !== undefined && current !== null && typeof current !== 'number') {
        throw new DbError('DATABASE_REQUEST_FAILED', `data.${op}.${path}: cannot apply ${op} to a non-numeric field (document ${doc._id})`)
      }
    }
  }
  for (const op of ARRAY_OPS) {
    for (const path of Object.keys(modifier[op] ?? {})) {
      const current = readPath(doc, path)
      if (current !== undefined && !Array.isArray(current)) {
        throw new DbError('DATABASE_REQUEST_FAILED', `data.${op}.${path}: cannot apply ${op} to a non-array field (document ${doc._id})`)
      }
    }
  }
}

/** Applies operators to a copy of `doc`; returns the copy (or the same object when nothing changed). */
function applyModifier(doc: Doc, modifier: Record<string, Record<string, unknown>>): Doc {
  checkOperandTypes(doc, modifier)
  const next = deepCopy(doc)
  let changed: string[]
  try {
    changed = mingoUpdate(next, modifier, undefined, undefined, { cloneMode: 'deep', queryOptions: MINGO_OPTIONS })
  } catch (e) {
    throw mingoError('data', e)
  }
  if (next._id !== doc._id) throw new DbError('INVALID_PARAM', 'data: _id cannot be modified')
  if (changed.length === 0 || deepEqual(next, doc)) return doc
  checkStorable(next, `document ${doc._id}`)
  return next
}

function validateInsert(raw: unknown, index: number): Doc {
  const doc = deepCopy(requireObject(raw, `data[${index}]`))
  if (doc._id === undefined || doc._id === null) doc._id = newDocId()
  if (typeof doc._id !== 'string' || doc._id === '') {
    throw new DbError('INVALID_PARAM', `data[${index}]._id: must be a non-empty string`)
  }
  checkStorable(doc, `data[${index}]`)
  return doc as Doc
}

type UpdatePlan =
  | { kind: 'none' }
  | { kind: 'insert'; doc: Doc }
  | { kind: 'update' | 'replace'; changes: (readonly [Doc, Doc])[] }

/** Everything an update would change, computed without touching the collection. */
function planUpdate(coll: Collection, filter: Filter, update: Record<string, unknown>, options: UpdateOptions): UpdatePlan {
  const targets = matchesIn(coll, filter, options.multi)
  if (!options.merge) {
    // doc().set(): the data replaces the whole document, keeping its _id
    const operator = Object.keys(update).find((k) => k.startsWith('$'))
    if (operator) throw new DbError('INVALID_PARAM', `data: a replacement document cannot contain operators (${operator})`)
    if (targets.length === 0) {
      if (!options.upsert) return { kind: 'none' }
      return { kind: 'insert', doc: validateInsert({ ...update, _id: update._id ?? filter._id ?? newDocId() }, 0) }
    }
    const changes = targets.map((old) => {
      if (update._id !== undefined && update._id !== old._id) {
        throw new DbError('INVALID_PARAM', 'data._id: cannot be changed by set')
      }
      const next = { ...deepCopy(update), _id: old._id } as Doc
      checkStorable(next, `document ${old._id}`)
      return [old, next] as const
    })
    return { kind: 'replace', changes }
  }
  const modifier = toModifier(update)
  const { $setOnInsert, ...always } = modifier
  if (targets.length === 0) {
    if (!options.upsert) return { kind: 'none' }
    const seed = seedFromFilter(filter)
    const base = validateInsert({ ...seed, _id: seed._id ?? newDocId() }, 0)
    const insertModifier = $setOnInsert ? { ...always, $set: { ...(always.$set ?? {}), ...$setOnInsert } } : always
    return { kind: 'insert', doc: Object.keys(insertModifier).length ? applyModifier(base, insertModifier) : base }
  }
  return { kind: 'update', changes: targets.map((old) => [old, applyModifier(old, always)] as const) }
}

/** The stored documents a filter matches (all, or the first when `multi` is false), in natural order. */
function matchesIn(coll: Collection, filter: Filter, multi: boolean): Doc[] {
  const query = compileFilter(filter)
  const out: Doc[] = []
  try {
    for (const doc of coll.candidates(filter)) {
      if (query.test(doc)) {
        out.push(doc)
        if (!multi) break
      }
    }
  } catch (e) {
    throw mingoError('query', e)
  }
  return out
}

/** One document's part in a committed write: its state after (absent for remove) and before (absent for add). */
interface Change {
  type: ChangeType
  doc?: Doc
  before?: Doc
}

export function createMemoryEngine(options: MemoryEngineOptions): DatabaseEngine {
  const { dataDir } = options
  const compactBytes = options.compactBytes ?? 8 * 1024 * 1024
  const limitMs = options.queryTimeLimitMs ?? QUERY_TIME_LIMIT_MS
  const bounded = <T>(what: string, compute: () => T): T => runBounded(what, compute, limitMs)
  const onLoadProblem = options.onLoadProblem ?? ((p: LoadProblem) => console.warn(`[emulator db] ${describeLoadProblem(p)}`))
  const collections = new Map<string, Collection>()
  /** Observers, each with what to tell it when the time limit stopped it mid-change (it is then dropped). */
  const listeners = new Map<(event: ChangeEvent) => void, ((error: DbError) => void) | undefined>()
  /** Collections changed since the files were last written, and dropped ones whose file must go. */
  const dirty = new Set<string>()
  let seq = 0
  const journal = dataDir ? new JournalWriter(join(dataDir, JOURNAL_FILE)) : null

  if (dataDir) {
    const loaded = loadCollections(dataDir)
    for (const [name, docs] of loaded.collections) {
      const coll = new Collection()
      for (const d of docs) coll.add(d as Doc)
      collections.set(name, coll)
    }
    for (const name of loaded.rewrite) dirty.add(name)
    const replay = loadJournal(dataDir)
    for (const record of replay.records) applyRecord(record)
    for (const problem of [...loaded.problems, ...replay.problems]) onLoadProblem(problem)
    // Start from compacted files: the journal then holds only this run's writes.
    compact()
  }

  /** Replays one journal record; after-images make a second replay of the same record harmless. */
  function applyRecord(record: JournalRecord): void {
    if ('create' in record) {
      if (!collections.has(record.create)) collections.set(record.create, new Collection())
      dirty.add(record.create)
      return
    }
    if ('drop' in record) {
      collections.delete(record.drop)
      dirty.add(record.drop)
      return
    }
    let coll = collections.get(record.c)
    if (!coll) collections.set(record.c, (coll = new Collection()))
    for (const id of record.del ?? []) {
      const old = coll.byId.get(id)
      if (old) coll.delete(old)
    }
    for (const doc of record.put ?? []) {
      if (!isPlainObject(doc) || typeof doc._id !== 'string') continue
      const old = coll.byId.get(doc._id)
      if (old) coll.replace(old, doc as Doc)
      else coll.add(doc as Doc)
    }
    dirty.add(record.c)
  }

  /** Appends before anything changes in memory, so a failed append leaves the write undone and reported. */
  function record(r: JournalRecord, collection: string): void {
    if (!journal) return
    try {
      journal.append(encodeJournalRecord(r))
    } catch (e) {
      throw new DbError('SYS_ERR', `database journal ${journal.file}: write failed, nothing was changed (${(e as Error).message})`)
    }
    dirty.add(collection)
  }

  /** Rewrites the changed collection files and clears the journal; synchronous, so no write can slip between. */
  function compact(): void {
    if (!dataDir || !journal) return
    for (const name of [...dirty].sort()) {
      writeCollection(dataDir, name, collections.get(name)?.docs ?? null)
      dirty.delete(name)
    }
    journal.clear()
  }

  function maybeCompact(): void {
    if (journal && journal.bytes > compactBytes) compact()
  }

  function get(name: string): Collection {
    const coll = typeof name === 'string' ? collections.get(name) : undefined
    if (!coll) throw new DbError('DATABASE_COLLECTION_NOT_EXIST', `collection ${String(name)} does not exist`)
    return coll
  }

  /** Journal, then memory, then observers: an observer never sees a change that a crash could still lose. */
  function commit(collection: string, coll: Collection, changes: Change[]): void {
    if (changes.length === 0) return
    const put = changes.flatMap((c) => (c.doc ? [c.doc] : []))
    const del = changes.flatMap((c) => (c.doc ? [] : [c.before!._id]))
    record({ c: collection, ...(put.length ? { put } : {}), ...(del.length ? { del } : {}) }, collection)
    for (const c of changes) {
      if (c.type === 'add') coll.add(c.doc!)
      else if (c.type === 'remove') coll.delete(c.before!)
      else coll.replace(c.before!, c.doc!)
    }
    maybeCompact()
    for (const c of changes) emit(collection, coll, c)
  }

  function emit(collection: string, coll: Collection, change: Change): void {
    const eventSeq = ++seq
    if (listeners.size === 0) return // no observer: skip the copies
    const docId = (change.doc ?? change.before)!._id
    const event: ChangeEvent = { seq: eventSeq, collection, type: change.type, docId }
    if (change.doc) {
      event.doc = deepCopy(change.doc)
      event.rank = coll.rankOf(docId)
    }
    if (change.before) event.before = deepCopy(change.before)
    // One time limit for all observers of a change (starting one per observer costs more than a watch's test):
    // the observer it stops is dropped and told, and the ones after it still see the change.
    const queue = [...listeners]
    let i = 0
    while (i < queue.length) {
      try {
        bounded('watch', () => {
          for (; i < queue.length; i++) {
            try {
              queue[i][0](event)
            } catch (e) {
              // the write is committed; a faulty observer must not turn it into an error for the writer
              console.error('[emulator db] change listener threw:', e)
            }
          }
        })
      } catch (e) {
        const [listener, onStopped] = queue[i]
        listeners.delete(listener)
        onStopped?.(e instanceof DbError ? e : new DbError('SYS_ERR', (e as Error).message))
        i++
      }
    }
  }

  async function flush(): Promise<void> {
    compact()
  }

  const matches = matchesIn

  const engine: DatabaseEngine = {
    listCollections: () => [...collections.keys()].sort(),
    hasCollection: (name) => collections.has(name),

    createCollection(name) {
      if (typeof name !== 'string' || !COLLECTION_NAME.test(name)) {
        throw new DbError(
          'INVALID_PARAM',
          `collectionName: must be 1-128 letters, digits, "_", "-" or "." and start with a letter, digit or "_" (got ${JSON.stringify(name)})`,
        )
      }
      if (collections.has(name)) {
        throw new DbError('DATABASE_COLLECTION_ALREADY_EXIST', `collection ${name} already exists`)
      }
      record({ create: name }, name)
      collections.set(name, new Collection())
      maybeCompact()
    },

    find(collection, filter, findOptions: FindOptions = {}) {
      const coll = get(collection)
      requireObject(filter, 'query')
      const { sort, skip, limit, projection } = findOptions
      if (skip !== undefined) checkCount('offset', skip, 0)
      if (limit !== undefined) checkCount('limit', limit, 0)
      return bounded('query', () => {
        try {
          // mingo sorts by grouping equal keys in arrival order, so ties keep insertion order (stable)
          const query = new Query(filter, MINGO_OPTIONS)
          let cursor = query.find(coll.candidates(filter), projection && Object.keys(projection).length ? projection : undefined)
          if (sort && Object.keys(sort).length) cursor = cursor.sort(sort)
          if (skip) cursor = cursor.skip(skip)
          if (limit !== undefined && limit > 0) cursor = cursor.limit(limit)
          return cursor.all().map((d) => deepCopy(d) as Doc)
        } catch (e) {
          throw mingoError('query', e)
        }
      })
    },

    count(collection, filter) {
      const coll = get(collection)
      return bounded('query', () => matches(coll, filter, true).length)
    },

    insert(collection, docs) {
      const coll = get(collection)
      if (!Array.isArray(docs) || docs.length === 0) throw new DbError('INVALID_PARAM', 'data: must be a non-empty array')
      const prepared = bounded('insert', () => docs.map((d, i) => validateInsert(d, i)))
      const seen = new Set<string>()
      for (const doc of prepared) {
        if (coll.byId.has(doc._id) || seen.has(doc._id)) {
          throw new DbError('DATABASE_DUPLICATE_WRITE', `duplicate _id ${doc._id} in collection ${collection}`)
        }
        seen.add(doc._id)
      }
      commit(collection, coll, prepared.map((doc) => ({ type: 'add', doc })))
      return prepared.map((d) => d._id)
    },

    update(collection, filter, update, updateOptions: UpdateOptions): UpdateResult {
      const coll = get(collection)
      requireObject(update, 'data')
      // compute every change under the time limit first; commit after, so an interrupted update changes nothing
      const plan = bounded('update', () => planUpdate(coll, filter, update, updateOptions))
      if (plan.kind === 'none') return { updated: 0 }
      if (plan.kind === 'insert') {
        if (coll.byId.has(plan.doc._id)) throw new DbError('DATABASE_DUPLICATE_WRITE', `duplicate _id ${plan.doc._id}`)
        commit(collection, coll, [{ type: 'add', doc: plan.doc }])
        return { updated: 0, upsertedId: plan.doc._id }
      }
      const type = plan.kind
      const changes: Change[] = plan.changes.filter(([old, next]) => next !== old && !deepEqual(old, next)).map(([old, next]) => ({ type, doc: next, before: old }))
      commit(collection, coll, changes)
      return { updated: changes.length }
    },

    remove(collection, filter, removeOptions) {
      const coll = get(collection)
      const targets = bounded('remove', () => matches(coll, filter, removeOptions.multi))
      commit(collection, coll, targets.map((doc) => ({ type: 'remove', before: doc })))
      return targets.length
    },

    findOneAndUpdate(collection, filter, update) {
      const coll = get(collection)
      requireObject(update, 'data')
      const planned = bounded('update', () => {
        const [old] = matches(coll, filter, false)
        if (!old) return null
        const modifier = toModifier(update)
        delete modifier.$setOnInsert
        return [old, applyModifier(old, modifier)] as const
      })
      if (!planned) return null
      const [old, next] = planned
      if (next !== old) commit(collection, coll, [{ type: 'update', doc: next, before: old }])
      return deepCopy(next)
    },

    aggregate(collection, pipeline) {
      const coll = get(collection)
      if (!Array.isArray(pipeline)) throw new DbError('INVALID_PARAM', 'stages: must be an array')
      pipeline.forEach((stage, i) => {
        if (!isPlainObject(stage) || Object.keys(stage).length !== 1 || !Object.keys(stage)[0].startsWith('$')) {
          throw new DbError('INVALID_PARAM', `stages[${i}]: must be an object with exactly one $stage key`)
        }
      })
      return bounded('aggregate', () => {
        try {
          const aggregator = new Aggregator(pipeline, {
            ...MINGO_OPTIONS,
            // $lookup / $graphLookup read other collections (copies, so the pipeline cannot touch stored state)
            collectionResolver: (name: string) => get(name).docs.map((d) => deepCopy(d)),
          })
          const result = aggregator.run(coll.docs.map((d) => deepCopy(d)))
          return result.map((d) => deepCopy(d as Record<string, unknown>))
        } catch (e) {
          throw mingoError('aggregate', e)
        }
      })
    },

    matcher(filter) {
      const query = compileFilter(filter)
      // a watch's filter is tested on every change: bounded like any query, so a hostile one cannot stall writes
      return (doc) =>
        bounded('watch', () => {
          try {
            return query.test(doc)
          } catch (e) {
            throw mingoError('query', e)
          }
        })
    },

    comparator(collection, sort?: Sort) {
      const coll = get(collection)
      const keys = Object.entries(sort ?? {})
      // the same value order mingo's $sort uses, ties in natural order, so a watch places a document where find would
      return (a, b) => {
        for (const [key, dir] of keys) {
          const c = mingoCompare(mingoResolve(a, key), mingoResolve(b, key))
          if (c !== 0) return dir * c
        }
        return coll.rankOf(a._id) - coll.rankOf(b._id)
      }
    },

    onChange(listener, onStopped) {
      listeners.set(listener, onStopped)
      return () => {
        listeners.delete(listener)
      }
    },

    reset() {
      for (const name of [...collections.keys()]) {
        record({ drop: name }, name)
        collections.delete(name)
      }
      maybeCompact()
    },

    flush,
  }
  return engine
}
