/**
 * The mini-program's database channel: the same `database.*` actions the admin wire has, but executed as a
 * CLIENT (a viewer with an openid, or anonymous): security rules enforced, `limit` capped at 20, `{openid}`
 * substituted, `_openid` stamped on create. The HTTP layer (`emulator/server/client-http.ts`) only translates.
 */
import type { Clock } from '../clock'
import { type DatabaseEngine, type Doc, DbError, type Filter, type Sort, type Projection } from '../db/types'
import { isPlainObject } from '../db/values'
import { createEjsonCodec, type EjsonCodec } from '../server/ejson'
import {
  type CheckRequest,
  type CollectionRules,
  type RuleDecision,
  type RuleSet,
  type Viewer,
  checkCreate,
  checkQuery,
  documentPins,
  updatePins,
} from './rules'

export const CLIENT_MAX_LIMIT = 20
export const WATCH_MAX_DOCS = 5000
export const OPENID_PLACEHOLDER = '{openid}'
// stands in for `{openid}` when the viewer has none: a value no stored document can hold, so nothing matches
const NO_OPENID = '\u0000no-openid(anonymous viewer)'

export type ClientAction =
  | 'database.getDocument'
  | 'database.calculateDocument'
  | 'database.insertDocument'
  | 'database.modifyDocument'
  | 'database.removeDocument'
  | 'database.aggregateDocuments'

export const CLIENT_ACTIONS: readonly ClientAction[] = [
  'database.getDocument',
  'database.calculateDocument',
  'database.insertDocument',
  'database.modifyDocument',
  'database.removeDocument',
  'database.aggregateDocuments',
]

export interface ClientChannelOptions {
  engine: DatabaseEngine
  /** A RuleSet, or a getter so hot-reloaded rules apply to the next request. */
  rules: RuleSet | (() => RuleSet)
  clock: Pick<Clock, 'nowMs'>
}

export interface WatchParams {
  collectionName: string
  /** EJSON string of the query; absent = whole collection. */
  query?: string
  /** EJSON string `{field: 1 | -1}`. */
  order?: string
  limit?: number
}

export type DocChangeType = 'init' | 'add' | 'update' | 'replace' | 'remove'
export type QueueType = 'init' | 'enqueue' | 'update' | 'dequeue'

export interface DocChange {
  id: number
  dataType: DocChangeType
  queueType: QueueType
  docId: string
  doc: Doc | Record<string, never>
}

export interface WatchSnapshot {
  id: number
  type?: 'init'
  docChanges: DocChange[]
  docs: Doc[]
}

export interface WatchHandlers {
  onSnapshot(snapshot: WatchSnapshot): void
  onError(error: DbError): void
}

type Params = Record<string, unknown>

function str(params: Params, field: string): string {
  const v = params[field]
  if (typeof v !== 'string' || v === '') throw new DbError('INVALID_PARAM', `${field}: must be a non-empty string`)
  return v
}

function optionalInt(params: Params, field: string, min: number): number | undefined {
  const v = params[field]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new DbError('INVALID_PARAM', `${field}: must be an integer ≥ ${min}`)
  }
  return v
}

function optionalBool(params: Params, field: string, fallback: boolean): boolean {
  const v = params[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') throw new DbError('INVALID_PARAM', `${field}: must be true or false`)
  return v
}

/** Replace the `{openid}` placeholder in every string value (not keys), recursively. */
export function substituteOpenid<T>(value: T, replacement: unknown): T {
  if (value === OPENID_PLACEHOLDER) return replacement as T
  if (Array.isArray(value)) return value.map((v) => substituteOpenid(v, replacement)) as T
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = substituteOpenid(v, replacement)
    return out as T
  }
  return value
}

function touchesOpenid(update: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(update)) {
    if (k === '_openid' || k.startsWith('_openid.')) return true
    if (k.startsWith('$') && isPlainObject(v) && Object.keys(v).some((p) => p === '_openid' || p.startsWith('_openid.'))) return true
  }
  return false
}

const OPERATION_NAMES: Record<string, string> = {
  read: 'read',
  create: 'create',
  update: 'update',
  delete: 'remove',
}

export class ClientChannel {
  private readonly engine: DatabaseEngine
  private readonly rulesOf: () => RuleSet
  private readonly clock: Pick<Clock, 'nowMs'>
  private readonly codec: EjsonCodec

  constructor(options: ClientChannelOptions) {
    this.engine = options.engine
    const { rules } = options
    this.rulesOf = typeof rules === 'function' ? rules : () => rules
    this.clock = options.clock
    this.codec = createEjsonCodec(options.clock)
  }

  /**
   * Run one `database.*` action for a viewer. Params are the SDK's wire params (EJSON strings); the result is
   * the reply's `data` payload (documents as EJSON strings). Throws DbError (code → errCode on the wire).
   */
  execute(viewer: Viewer, action: string, params: Params): Record<string, unknown> {
    switch (action) {
      case 'database.getDocument':
        return this.getDocument(viewer, params)
      case 'database.calculateDocument':
        return this.calculateDocument(viewer, params)
      case 'database.insertDocument':
        return this.insertDocument(viewer, params)
      case 'database.modifyDocument':
        return this.modifyDocument(viewer, params)
      case 'database.removeDocument':
        return this.removeDocument(viewer, params)
      case 'database.aggregateDocuments':
        return this.aggregateDocuments(viewer, params)
      default:
        throw new DbError(
          'INVALID_PARAM',
          `action: ${JSON.stringify(action)} is not available to a mini-program client (allowed: ${CLIENT_ACTIONS.join(', ')})`,
        )
    }
  }

  /**
   * Register a real-time query for a viewer: rules are checked once, then `onSnapshot` gets the init snapshot
   * (every match, not capped at 20) and a snapshot after each change that alters the result. Returns `close`.
   */
  watch(viewer: Viewer, params: WatchParams, handlers: WatchHandlers): () => void {
    // throws DbError (denied, missing collection, bad params) before anything is sent
    const p: Params = { ...params }
    const collection = this.collection(p)
    const filter = this.query(viewer, p)
    const sort = this.order(p)
    const limit = optionalInt(p, 'limit', 1)
    this.enforce(viewer, collection, checkQuery(this.rules(collection), 'read', filter, this.checkRequest(viewer)), 'read', 'watch')

    const run = (): Doc[] => {
      const docs = this.engine.find(collection, filter, { sort, limit: limit ?? WATCH_MAX_DOCS + 1 })
      if (docs.length > WATCH_MAX_DOCS) {
        throw new DbError('DATABASE_REQUEST_FAILED', `watch on ${collection}: more than ${WATCH_MAX_DOCS} documents match; narrow the query`)
      }
      return docs
    }

    let snapshotId = 0
    let changeId = 0
    let current = run()
    handlers.onSnapshot({
      id: snapshotId++,
      type: 'init',
      docs: current,
      docChanges: current.map((doc) => ({ id: changeId++, dataType: 'init', queueType: 'init', docId: doc._id, doc })),
    })

    let closed = false
    const unsubscribe = this.engine.onChange((event) => {
      if (closed || event.collection !== collection) return
      let next: Doc[]
      try {
        next = run()
      } catch (e) {
        close()
        handlers.onError(e instanceof DbError ? e : new DbError('SYS_ERR', (e as Error).message))
        return
      }
      const before = new Map(current.map((d) => [d._id, d]))
      const after = new Map(next.map((d) => [d._id, d]))
      const changes: DocChange[] = []
      const causeType: DocChangeType = event.type === 'add' ? 'add' : event.type === 'remove' ? 'remove' : event.type
      for (const doc of next) {
        const old = before.get(doc._id)
        if (!old) {
          changes.push({ id: changeId++, dataType: doc._id === event.docId ? causeType : 'update', queueType: 'enqueue', docId: doc._id, doc })
        } else if (doc._id === event.docId) {
          changes.push({ id: changeId++, dataType: causeType, queueType: 'update', docId: doc._id, doc })
        }
      }
      for (const old of current) {
        if (after.has(old._id)) continue
        // left the result: removed, changed so it no longer matches, or pushed out by the limit
        const dataType: DocChangeType = old._id === event.docId ? causeType : 'update'
        changes.push({ id: changeId++, dataType, queueType: 'dequeue', docId: old._id, doc: event.doc && old._id === event.docId ? event.doc : old })
      }
      current = next
      if (changes.length) handlers.onSnapshot({ id: snapshotId++, docs: next, docChanges: changes })
    })

    const close = () => {
      if (closed) return
      closed = true
      unsubscribe()
    }
    return close
  }

  // -------------------------------------------------------------------------------------------------------

  private rules(collection: string): CollectionRules {
    return this.rulesOf().get(collection)
  }

  private checkRequest(viewer: Viewer): CheckRequest {
    return {
      viewer,
      nowMs: this.clock.nowMs(),
      getDocument: (coll, id) => {
        if (!this.engine.hasCollection(coll)) return null
        return this.engine.find(coll, { _id: id }, { limit: 1 })[0] ?? null
      },
    }
  }

  private enforce(viewer: Viewer, collection: string, decision: RuleDecision, op: string, verb: string): void {
    if (decision.allowed) return
    const who = viewer.openid ? `viewer ${viewer.openid}` : 'an anonymous viewer'
    throw new DbError(
      'DATABASE_PERMISSION_DENIED',
      `database permission denied: ${verb} on collection ${collection} by ${who} (${OPERATION_NAMES[op] ?? op}): ${decision.reason}`,
    )
  }

  /** Missing collections answer -502005 before any rule is looked at, as CloudBase does. */
  private collection(params: Params): string {
    const name = str(params, 'collectionName')
    if (!this.engine.hasCollection(name)) {
      throw new DbError('DATABASE_COLLECTION_NOT_EXIST', `collection ${name} does not exist`)
    }
    return name
  }

  private query(viewer: Viewer, params: Params): Filter {
    const q = params.query
    if (q === undefined || q === null || q === '') return {}
    if (typeof q !== 'string') throw new DbError('INVALID_PARAM', 'query: must be an EJSON string')
    const decoded = this.codec.decodeObject(q, 'query')
    return substituteOpenid(decoded, viewer.openid ?? NO_OPENID)
  }

  private order(params: Params): Sort | undefined {
    const o = params.order
    if (o === undefined || o === null || o === '') return undefined
    if (typeof o !== 'string') throw new DbError('INVALID_PARAM', 'order: must be an EJSON string')
    const decoded = this.codec.decodeObject(o, 'order')
    const sort: Sort = {}
    for (const [field, dir] of Object.entries(decoded)) {
      if (dir !== 1 && dir !== -1) throw new DbError('INVALID_PARAM', `order.${field}: must be 1 or -1`)
      sort[field] = dir
    }
    return sort
  }

  private projection(params: Params): Projection | undefined {
    const p = params.projection
    if (p === undefined || p === null || p === '') return undefined
    if (typeof p !== 'string') throw new DbError('INVALID_PARAM', 'projection: must be an EJSON string')
    return this.codec.decodeObject(p, 'projection') as Projection
  }

  private queryType(params: Params): 'WHERE' | 'DOC' {
    const t = params.queryType ?? 'WHERE'
    if (t !== 'WHERE' && t !== 'DOC') throw new DbError('INVALID_PARAM', 'queryType: must be "WHERE" or "DOC"')
    return t
  }

  private getDocument(viewer: Viewer, params: Params): Record<string, unknown> {
    const collection = this.collection(params)
    const queryType = this.queryType(params)
    const filter = this.query(viewer, params)
    const verb = queryType === 'DOC' ? 'doc.get' : 'collection.get'
    this.enforce(viewer, collection, checkQuery(this.rules(collection), 'read', filter, this.checkRequest(viewer)), 'read', verb)
    const requested = optionalInt(params, 'limit', 0)
    // the client default and maximum are both 20 (the SDK sends 100 when no limit() was set)
    const limit = queryType === 'DOC' ? 1 : Math.min(requested || CLIENT_MAX_LIMIT, CLIENT_MAX_LIMIT)
    const docs = this.engine.find(collection, filter, {
      sort: this.order(params),
      skip: optionalInt(params, 'offset', 0),
      limit,
      projection: this.projection(params),
    })
    return { list: docs.map((d) => this.codec.encode(d)), limit, offset: optionalInt(params, 'offset', 0) ?? 0 }
  }

  private calculateDocument(viewer: Viewer, params: Params): Record<string, unknown> {
    const collection = this.collection(params)
    const filter = this.query(viewer, params)
    this.enforce(viewer, collection, checkQuery(this.rules(collection), 'read', filter, this.checkRequest(viewer)), 'read', 'collection.count')
    return { total: this.engine.count(collection, filter) }
  }

  private insertDocument(viewer: Viewer, params: Params): Record<string, unknown> {
    const collection = this.collection(params)
    const data = params.data
    if (!Array.isArray(data) || data.length === 0) throw new DbError('INVALID_PARAM', 'data: must be a non-empty array of EJSON strings')
    const docs = data.map((text, i) => this.newDocument(viewer, this.codec.decodeObject(text as string, `data[${i}]`)))
    const rules = this.rules(collection)
    for (const doc of docs) this.enforce(viewer, collection, checkCreate(rules, doc, this.checkRequest(viewer)), 'create', 'collection.add')
    return { insertedIds: this.engine.insert(collection, docs) }
  }

  /** What a client-created document becomes: placeholder filled, `_openid` stamped (never taken from the client). */
  private newDocument(viewer: Viewer, raw: Record<string, unknown>): Record<string, unknown> {
    const doc = substituteOpenid(raw, viewer.openid)
    delete doc._openid
    if (viewer.openid) doc._openid = viewer.openid
    return doc
  }

  private modifyDocument(viewer: Viewer, params: Params): Record<string, unknown> {
    const collection = this.collection(params)
    const queryType = this.queryType(params)
    const filter = this.query(viewer, params)
    const merge = optionalBool(params, 'merge', true)
    const upsert = optionalBool(params, 'upsert', false)
    const multi = optionalBool(params, 'multi', queryType === 'WHERE')
    if (typeof params.data !== 'string') throw new DbError('INVALID_PARAM', 'data: must be an EJSON string')
    const update = substituteOpenid(this.codec.decodeObject(params.data, 'data'), viewer.openid)
    const rules = this.rules(collection)
    const verb = queryType === 'DOC' ? (merge ? 'doc.update' : 'doc.set') : 'collection.update'

    if (!merge) {
      // doc(id).set(): a create when nothing matches, otherwise a replacement that keeps the owner stamp
      const exists = this.engine.count(collection, filter) > 0
      const replacement = this.newDocument(viewer, update)
      if (!exists && upsert) {
        const created = typeof filter._id === 'string' ? { ...replacement, _id: filter._id } : replacement
        this.enforce(viewer, collection, checkCreate(rules, created, this.checkRequest(viewer)), 'create', verb)
      } else {
        const decision = checkQuery(rules, 'update', filter, { ...this.checkRequest(viewer), requestData: documentPins(replacement) })
        this.enforce(viewer, collection, decision, 'update', verb)
      }
      const result = this.engine.update(collection, filter, replacement, { multi: false, upsert, merge: false })
      return { updated: result.updated, ...(result.upsertedId ? { upsert_id: result.upsertedId } : {}) }
    }

    if (touchesOpenid(update)) {
      this.enforce(viewer, collection, { allowed: false, reason: '_openid is stamped by the server and cannot be changed by a client' }, 'update', verb)
    }
    const decision = checkQuery(rules, 'update', filter, { ...this.checkRequest(viewer), requestData: updatePins(update) })
    this.enforce(viewer, collection, decision, 'update', verb)
    const result = this.engine.update(collection, filter, update, { multi, upsert: false, merge: true })
    return { updated: result.updated }
  }

  private removeDocument(viewer: Viewer, params: Params): Record<string, unknown> {
    const collection = this.collection(params)
    const queryType = this.queryType(params)
    const filter = this.query(viewer, params)
    const multi = optionalBool(params, 'multi', queryType === 'WHERE')
    const verb = queryType === 'DOC' ? 'doc.remove' : 'collection.remove'
    this.enforce(viewer, collection, checkQuery(this.rules(collection), 'delete', filter, this.checkRequest(viewer)), 'delete', verb)
    return { deleted: this.engine.remove(collection, filter, { multi }) }
  }

  private aggregateDocuments(viewer: Viewer, params: Params): Record<string, unknown> {
    const collection = this.collection(params)
    const rules = this.rules(collection)
    // a pipeline has no single query condition to check, so only a collection readable by all may aggregate
    if (rules.read.source !== true) {
      this.enforce(
        viewer,
        collection,
        { allowed: false, reason: `aggregate needs "read": true, the ${rules.read.key} rule is ${JSON.stringify(rules.read.source)}` },
        'read',
        'collection.aggregate',
      )
    }
    const stages = params.stages
    if (!Array.isArray(stages)) throw new DbError('INVALID_PARAM', 'stages: must be an array of {stageKey, stageValue}')
    const pipeline = stages.map((stage, i) => {
      if (!isPlainObject(stage) || typeof stage.stageKey !== 'string' || !stage.stageKey.startsWith('$')) {
        throw new DbError('INVALID_PARAM', `stages[${i}].stageKey: must be a string like "$match"`)
      }
      if (typeof stage.stageValue !== 'string') throw new DbError('INVALID_PARAM', `stages[${i}].stageValue: must be an EJSON string`)
      const value = substituteOpenid(this.codec.decode(stage.stageValue, `stages[${i}].stageValue`), viewer.openid ?? NO_OPENID)
      return { [stage.stageKey]: value }
    })
    return { list: this.engine.aggregate(collection, pipeline).map((d) => this.codec.encode(d)) }
  }
}
