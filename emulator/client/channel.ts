/**
 * The mini-program's database channel: the same `database.*` requests the admin wire decodes (`emulator/db/wire.ts`),
 * but executed as a CLIENT (a viewer with an openid, or anonymous): security rules enforced, `limit` capped at 20,
 * only the stages and operators the mini-program SDK offers, `{openid}` substituted, `_openid` stamped on create.
 * It takes typed requests; the HTTP layer (`emulator/server/client-http.ts`) decodes and encodes the wire.
 */
import type { Clock } from '../clock'
import { type ChangeEvent, type DatabaseEngine, type Doc, DbError } from '../db/types'
import { isPlainObject } from '../db/values'
import type { DbReplies, DbRequest, DbRequestOf, WatchRequest } from '../db/wire'
import { checkClientPipeline, checkClientOperators } from './allowed'
import { WatchResult } from './watch-result'
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

/** The actions the mini-program SDK sends; creating collections and find-and-modify are server-only. */
export const CLIENT_ACTIONS = [
  'database.getDocument',
  'database.calculateDocument',
  'database.insertDocument',
  'database.modifyDocument',
  'database.removeDocument',
  'database.aggregateDocuments',
] as const

export type ClientAction = (typeof CLIENT_ACTIONS)[number]
export type ClientRequest = DbRequestOf<ClientAction>
export type ClientReply = DbReplies[ClientAction]

export interface ClientChannelOptions {
  engine: DatabaseEngine
  /** A RuleSet, or a getter so hot-reloaded rules apply to the next request. */
  rules: RuleSet | (() => RuleSet)
  clock: Pick<Clock, 'nowMs'>
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

/**
 * The docChanges of a watch snapshot: the changed document itself (entering, updated in place, or leaving), and
 * any document that entered or left only because of it (pushed out by a `limit`, or pulled in to refill one).
 */
function changesBetween(before: Doc[], after: Doc[], event: ChangeEvent, nextId: () => number): DocChange[] {
  const was = new Set(before.map((d) => d._id))
  const is = new Set(after.map((d) => d._id))
  const changes: DocChange[] = []
  const causeType: DocChangeType = event.type
  for (const doc of after) {
    if (!was.has(doc._id)) {
      changes.push({ id: nextId(), dataType: doc._id === event.docId ? causeType : 'update', queueType: 'enqueue', docId: doc._id, doc })
    } else if (doc._id === event.docId) {
      changes.push({ id: nextId(), dataType: causeType, queueType: 'update', docId: doc._id, doc })
    }
  }
  for (const old of before) {
    if (is.has(old._id)) continue
    // left the result: removed, changed so it no longer matches, or pushed out by the limit
    const dataType: DocChangeType = old._id === event.docId ? causeType : 'update'
    changes.push({ id: nextId(), dataType, queueType: 'dequeue', docId: old._id, doc: event.doc && old._id === event.docId ? event.doc : old })
  }
  return changes
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

  constructor(options: ClientChannelOptions) {
    this.engine = options.engine
    const { rules } = options
    this.rulesOf = typeof rules === 'function' ? rules : () => rules
    this.clock = options.clock
  }

  /**
   * Run one decoded request for a viewer; the reply holds documents as values (the HTTP layer encodes them).
   * Throws DbError (code → errCode on the wire).
   */
  execute(viewer: Viewer, request: DbRequest): ClientReply {
    switch (request.action) {
      case 'database.getDocument':
        return this.getDocument(viewer, request)
      case 'database.calculateDocument':
        return this.calculateDocument(viewer, request)
      case 'database.insertDocument':
        return this.insertDocument(viewer, request)
      case 'database.modifyDocument':
        return this.modifyDocument(viewer, request)
      case 'database.removeDocument':
        return this.removeDocument(viewer, request)
      case 'database.aggregateDocuments':
        return this.aggregateDocuments(viewer, request)
      default:
        throw new DbError(
          'INVALID_PARAM',
          `action: ${JSON.stringify(request.action)} is not available to a mini-program client (allowed: ${CLIENT_ACTIONS.join(', ')})`,
        )
    }
  }

  /**
   * Register a real-time query for a viewer: rules are checked once, then `onSnapshot` gets the init snapshot
   * (every match, not capped at 20) and a snapshot after each change that alters the result. Returns `close`.
   */
  watch(viewer: Viewer, request: WatchRequest, handlers: WatchHandlers): () => void {
    // throws DbError (denied, missing collection, bad params) before anything is sent
    const collection = this.collection(request.collection)
    const filter = this.filter(viewer, request.filter)
    const { sort, limit } = request
    this.enforce(viewer, collection, this.queryDecision(viewer, collection, 'read', filter), 'read', 'watch')

    const tooMany = (docs: Doc[]) => {
      if (docs.length > WATCH_MAX_DOCS) {
        throw new DbError('DATABASE_REQUEST_FAILED', `watch on ${collection}: more than ${WATCH_MAX_DOCS} documents match; narrow the query`)
      }
      return docs
    }
    const result = new WatchResult({
      matches: this.engine.matcher(filter),
      compare: this.engine.comparator(collection, sort),
      limit,
      run: () => tooMany(this.engine.find(collection, filter, { sort, limit: limit ?? WATCH_MAX_DOCS + 1 })),
    })

    let snapshotId = 0
    let changeId = 0
    let current = result.docs
    handlers.onSnapshot({
      id: snapshotId++,
      type: 'init',
      docs: current,
      docChanges: current.map((doc) => ({ id: changeId++, dataType: 'init', queueType: 'init', docId: doc._id, doc })),
    })

    let closed = false
    const unsubscribe = this.engine.onChange((event) => {
      if (closed || event.collection !== collection) return
      let next: Doc[] | null
      try {
        next = result.apply(event)
        if (next === null) return
        tooMany(next)
      } catch (e) {
        close()
        handlers.onError(e instanceof DbError ? e : new DbError('SYS_ERR', (e as Error).message))
        return
      }
      const changes = changesBetween(current, next, event, () => changeId++)
      current = next
      if (changes.length) handlers.onSnapshot({ id: snapshotId++, docs: next, docChanges: changes })
    }, (error) => {
      // the time limit stopped this watch's work on a change: its result can no longer be trusted
      closed = true
      handlers.onError(error)
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

  /**
   * Whether `viewer` may run `op` on `collection` and the evaluator's reason, without running it: the decision a
   * request of that kind meets (filter and update after the operator allow-list and `{openid}`, a new document as
   * it would be stamped). Throws DbError as the request would for a missing collection or a refused operator.
   */
  explain(
    viewer: Viewer,
    collectionName: string,
    op: 'read' | 'create' | 'update' | 'delete',
    input: { filter?: Record<string, unknown>; doc?: Record<string, unknown>; update?: Record<string, unknown> },
  ): RuleDecision & { rule: string | boolean } {
    const collection = this.collection(collectionName)
    const rule = this.rules(collection)[op].source
    if (op === 'create') {
      const doc = input.doc ?? {}
      checkClientOperators(doc, 'document', 'data')
      return { ...this.createDecision(viewer, collection, this.newDocument(viewer, doc)), rule }
    }
    const filter = this.filter(viewer, input.filter ?? {})
    if (op === 'update') {
      const update = input.update ?? {}
      checkClientOperators(update, 'update', 'data')
      return { ...this.mergeUpdateDecision(viewer, collection, filter, substituteOpenid(update, viewer.openid)), rule }
    }
    return { ...this.queryDecision(viewer, collection, op, filter), rule }
  }

  private queryDecision(viewer: Viewer, collection: string, op: 'read' | 'delete', filter: Record<string, unknown>): RuleDecision {
    return checkQuery(this.rules(collection), op, filter, this.checkRequest(viewer))
  }

  private createDecision(viewer: Viewer, collection: string, doc: Record<string, unknown>): RuleDecision {
    return checkCreate(this.rules(collection), doc, this.checkRequest(viewer))
  }

  /** An update with operators (or fields merged as $set): `_openid` is the server's, then the update rule. */
  private mergeUpdateDecision(viewer: Viewer, collection: string, filter: Record<string, unknown>, update: Record<string, unknown>): RuleDecision {
    if (touchesOpenid(update)) return { allowed: false, reason: '_openid is stamped by the server and cannot be changed by a client' }
    return checkQuery(this.rules(collection), 'update', filter, { ...this.checkRequest(viewer), requestData: updatePins(update) })
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
  private collection(name: string): string {
    if (!this.engine.hasCollection(name)) {
      throw new DbError('DATABASE_COLLECTION_NOT_EXIST', `collection ${name} does not exist`)
    }
    return name
  }

  /** The filter with `{openid}` filled in, after the operator allow-list. */
  private filter(viewer: Viewer, filter: Record<string, unknown>): Record<string, unknown> {
    checkClientOperators(filter, 'query', 'query')
    return substituteOpenid(filter, viewer.openid ?? NO_OPENID)
  }

  private getDocument(viewer: Viewer, request: DbRequestOf<'database.getDocument'>): DbReplies['database.getDocument'] {
    const collection = this.collection(request.collection)
    const filter = this.filter(viewer, request.filter)
    const verb = request.queryType === 'DOC' ? 'doc.get' : 'collection.get'
    this.enforce(viewer, collection, this.queryDecision(viewer, collection, 'read', filter), 'read', verb)
    if (request.projection) checkClientOperators(request.projection, 'projection', 'projection')
    // the client default and maximum are both 20 (the SDK sends 100 when no limit() was set)
    const limit = request.queryType === 'DOC' ? 1 : Math.min(request.limit || CLIENT_MAX_LIMIT, CLIENT_MAX_LIMIT)
    const list = this.engine.find(collection, filter, { sort: request.sort, skip: request.skip, limit, projection: request.projection })
    return { list, limit, offset: request.skip ?? 0 }
  }

  private calculateDocument(viewer: Viewer, request: DbRequestOf<'database.calculateDocument'>): DbReplies['database.calculateDocument'] {
    const collection = this.collection(request.collection)
    const filter = this.filter(viewer, request.filter)
    this.enforce(viewer, collection, this.queryDecision(viewer, collection, 'read', filter), 'read', 'collection.count')
    return { total: this.engine.count(collection, filter) }
  }

  private insertDocument(viewer: Viewer, request: DbRequestOf<'database.insertDocument'>): DbReplies['database.insertDocument'] {
    const collection = this.collection(request.collection)
    const docs = request.docs.map((doc) => this.newDocument(viewer, doc))
    for (const doc of docs) this.enforce(viewer, collection, this.createDecision(viewer, collection, doc), 'create', 'collection.add')
    return { insertedIds: this.engine.insert(collection, docs) }
  }

  /** What a client-created document becomes: placeholder filled, `_openid` stamped (never taken from the client). */
  private newDocument(viewer: Viewer, raw: Record<string, unknown>): Record<string, unknown> {
    const doc = substituteOpenid(raw, viewer.openid)
    delete doc._openid
    if (viewer.openid) doc._openid = viewer.openid
    return doc
  }

  private modifyDocument(viewer: Viewer, request: DbRequestOf<'database.modifyDocument'>): DbReplies['database.modifyDocument'] {
    const collection = this.collection(request.collection)
    const filter = this.filter(viewer, request.filter)
    const { merge, upsert, multi } = request
    checkClientOperators(request.update, merge ? 'update' : 'document', 'data')
    const update = substituteOpenid(request.update, viewer.openid)
    const rules = this.rules(collection)
    const verb = request.queryType === 'DOC' ? (merge ? 'doc.update' : 'doc.set') : 'collection.update'

    if (!merge) {
      // doc(id).set(): a create when nothing matches, otherwise a replacement that keeps the owner stamp
      const exists = this.engine.count(collection, filter) > 0
      const replacement = this.newDocument(viewer, update)
      if (!exists && upsert) {
        const created = typeof filter._id === 'string' ? { ...replacement, _id: filter._id } : replacement
        this.enforce(viewer, collection, this.createDecision(viewer, collection, created), 'create', verb)
      } else {
        const decision = checkQuery(rules, 'update', filter, { ...this.checkRequest(viewer), requestData: documentPins(replacement) })
        this.enforce(viewer, collection, decision, 'update', verb)
      }
      return this.engine.update(collection, filter, replacement, { multi: false, upsert, merge: false })
    }

    this.enforce(viewer, collection, this.mergeUpdateDecision(viewer, collection, filter, update), 'update', verb)
    const result = this.engine.update(collection, filter, update, { multi, upsert: false, merge: true })
    return { updated: result.updated }
  }

  private removeDocument(viewer: Viewer, request: DbRequestOf<'database.removeDocument'>): DbReplies['database.removeDocument'] {
    const collection = this.collection(request.collection)
    const filter = this.filter(viewer, request.filter)
    const verb = request.queryType === 'DOC' ? 'doc.remove' : 'collection.remove'
    this.enforce(viewer, collection, this.queryDecision(viewer, collection, 'delete', filter), 'delete', verb)
    return { deleted: this.engine.remove(collection, filter, { multi: request.multi }) }
  }

  private aggregateDocuments(viewer: Viewer, request: DbRequestOf<'database.aggregateDocuments'>): DbReplies['database.aggregateDocuments'] {
    const collection = this.collection(request.collection)
    // refused before rules or data are touched: a stage the mini-program SDK lacks never runs (nothing read or written)
    checkClientPipeline(request.pipeline)
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
    const pipeline = substituteOpenid(request.pipeline, viewer.openid ?? NO_OPENID)
    return { list: this.engine.aggregate(collection, pipeline) }
  }
}
