/**
 * The SDK's `database.*` wire, decoded in one place for every caller: `/admin` (functions, scripts) and `/__client`
 * (the mini-program) both turn a request body into one typed `DbRequest` here and encode the typed reply here, so
 * the two can never accept different shapes. Every decoded value passes the input guard (no `__proto__`-like keys,
 * bounded nesting). Wire format: @cloudbase/database 1.4.3 as wx-server-sdk 4.x sends it (see docs/EMULATOR.md).
 */
import type { EjsonCodec } from './ejson'
import { findInputProblem } from './guard'
import { MAX_SIZE_ARGUMENT } from './limits'
import { type Doc, DbError, type Filter, MalformedInputError, type Projection, type Sort } from './types'
import { isPlainObject } from './values'

export type QueryType = 'WHERE' | 'DOC'

/** What a query-shaped request targets. */
interface Target {
  collection: string
  queryType: QueryType
  filter: Filter
}

export type DbRequest =
  | ({ action: 'database.getDocument'; sort?: Sort; skip?: number; limit?: number; projection?: Projection } & Target)
  | ({ action: 'database.calculateDocument' } & Target)
  | { action: 'database.insertDocument'; collection: string; docs: Record<string, unknown>[] }
  | ({ action: 'database.modifyDocument'; update: Record<string, unknown>; multi: boolean; merge: boolean; upsert: boolean } & Target)
  | ({ action: 'database.removeDocument'; multi: boolean } & Target)
  | { action: 'database.aggregateDocuments'; collection: string; pipeline: Record<string, unknown>[] }
  | { action: 'database.addCollection'; collection: string }
  | ({ action: 'database.modifyAndReturnDoc'; update: Record<string, unknown> } & Target)

export type DbAction = DbRequest['action']
export type DbRequestOf<A extends DbAction> = Extract<DbRequest, { action: A }>

/** Typed replies; `encodeReply` turns them into the wire's `data`. */
export interface DbReplies {
  'database.getDocument': { list: Record<string, unknown>[]; limit?: number; offset?: number }
  'database.calculateDocument': { total: number }
  'database.insertDocument': { insertedIds: string[] }
  'database.modifyDocument': { updated: number; upsertedId?: string }
  'database.removeDocument': { deleted: number }
  'database.aggregateDocuments': { list: Record<string, unknown>[] }
  'database.addCollection': undefined
  'database.modifyAndReturnDoc': { updated: number; doc: Doc | null }
}
export type DbReply = DbReplies[DbAction]

/** A real-time query (the client channel's watch). */
export interface WatchRequest {
  collection: string
  filter: Filter
  sort?: Sort
  limit?: number
}

type Body = Record<string, unknown>

function invalid(message: string): never {
  throw new DbError('INVALID_PARAM', message)
}

/** Refuses hostile keys and depth in anything decoded, naming the path. */
export function guardInput<T>(value: T, field: string): T {
  const problem = findInputProblem(value, field)
  if (!problem) return value
  if (problem.kind === 'tooDeep') throw new MalformedInputError(problem.message)
  throw new DbError('INVALID_PARAM', problem.message)
}

function str(body: Body, field: string): string {
  const v = body[field]
  if (typeof v !== 'string' || v === '') invalid(`${field}: must be a non-empty string`)
  return v
}

function optCount(body: Body, field: string, min: number): number | undefined {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_SIZE_ARGUMENT) {
    invalid(`${field}: must be an integer from ${min} to ${MAX_SIZE_ARGUMENT}`)
  }
  return v
}

function optBool(body: Body, field: string, fallback: boolean): boolean {
  const v = body[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') invalid(`${field}: must be true or false`)
  return v
}

/** An optional EJSON-string param that must hold an object; absent, null or '' is undefined. */
function optObject(body: Body, field: string, codec: EjsonCodec): Record<string, unknown> | undefined {
  const v = body[field]
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v !== 'string') invalid(`${field}: must be an EJSON string`)
  return guardInput(codec.decodeObject(v, field), field)
}

function requiredObject(body: Body, field: string, codec: EjsonCodec): Record<string, unknown> {
  const v = optObject(body, field, codec)
  if (v === undefined) invalid(`${field}: must be an EJSON string encoding an object`)
  return v
}

function queryType(body: Body): QueryType {
  const v = body.queryType ?? 'WHERE'
  if (v !== 'WHERE' && v !== 'DOC') invalid('queryType: must be "WHERE" or "DOC"')
  return v
}

function target(body: Body, codec: EjsonCodec): Target {
  const collection = str(body, 'collectionName')
  const type = queryType(body)
  const filter = optObject(body, 'query', codec) ?? {}
  if (type === 'DOC' && (typeof filter._id !== 'string' || filter._id === '')) {
    invalid('query: a DOC request must name the document by a string _id')
  }
  return { collection, queryType: type, filter }
}

/** `order`: 1.4.3 sends an EJSON string `{"field": 1|-1}`; older SDKs sent `[{field, direction}]`. Both are read. */
function sortOf(body: Body, codec: EjsonCodec): Sort | undefined {
  const order = body.order
  if (order === undefined || order === null || order === '') return undefined
  const raw = typeof order === 'string' ? codec.decode(order, 'order') : order
  guardInput(raw, 'order')
  const sort: Sort = {}
  if (Array.isArray(raw)) {
    raw.forEach((o, i) => {
      if (!isPlainObject(o) || typeof o.field !== 'string' || o.field === '' || (o.direction !== 'asc' && o.direction !== 'desc')) {
        invalid(`order[${i}]: must be {field, direction: "asc"|"desc"}`)
      }
      guardInput({ [o.field]: 1 }, 'order')
      Object.defineProperty(sort, o.field, { value: o.direction === 'desc' ? -1 : 1, enumerable: true, writable: true, configurable: true })
    })
    return sort
  }
  if (!isPlainObject(raw)) invalid('order: must encode an object of field → 1 or -1, or be [{field, direction}]')
  for (const [field, dir] of Object.entries(raw)) {
    if (dir !== 1 && dir !== -1) invalid(`order.${field}: must be 1 or -1`)
    sort[field] = dir
  }
  return sort
}

function pipelineOf(body: Body, codec: EjsonCodec): Record<string, unknown>[] {
  const stages = body.stages
  if (!Array.isArray(stages)) invalid('stages: must be an array of {stageKey, stageValue}')
  return stages.map((s, i) => {
    if (!isPlainObject(s) || typeof s.stageKey !== 'string' || !/^\$[A-Za-z]+$/.test(s.stageKey)) {
      invalid(`stages[${i}].stageKey: must be a stage name such as "$match"`)
    }
    if (typeof s.stageValue !== 'string') invalid(`stages[${i}].stageValue: must be an EJSON string`)
    const field = `stages[${i}].stageValue`
    return { [s.stageKey]: guardInput(codec.decode(s.stageValue, field), field) }
  })
}

const TRANSACTION_ACTIONS = new Set([
  'database.startTransaction',
  'database.commitTransaction',
  'database.abortTransaction',
  'database.getInTransaction',
  'database.updateDocInTransaction',
  'database.deleteDocInTransaction',
])

const decoders: { [A in DbAction]: (body: Body, codec: EjsonCodec) => DbRequestOf<A> } = {
  'database.getDocument': (body, codec) => ({
    action: 'database.getDocument',
    ...target(body, codec),
    sort: sortOf(body, codec),
    skip: optCount(body, 'offset', 0),
    limit: optCount(body, 'limit', 0),
    projection: optObject(body, 'projection', codec) as Projection | undefined,
  }),
  'database.calculateDocument': (body, codec) => ({ action: 'database.calculateDocument', ...target(body, codec) }),
  'database.insertDocument': (body, codec) => {
    const data = body.data
    if (!Array.isArray(data) || data.length === 0) invalid('data: must be a non-empty array of EJSON strings')
    const docs = data.map((d, i) => {
      if (typeof d !== 'string') invalid(`data[${i}]: must be an EJSON string`)
      return guardInput(codec.decodeObject(d, `data[${i}]`), `data[${i}]`)
    })
    return { action: 'database.insertDocument', collection: str(body, 'collectionName'), docs }
  },
  'database.modifyDocument': (body, codec) => {
    const t = target(body, codec)
    return {
      action: 'database.modifyDocument',
      ...t,
      update: requiredObject(body, 'data', codec),
      // a DOC request names one document; WHERE updates every match unless told otherwise
      multi: t.queryType === 'DOC' ? false : optBool(body, 'multi', true),
      merge: optBool(body, 'merge', true),
      upsert: optBool(body, 'upsert', false),
    }
  },
  'database.removeDocument': (body, codec) => {
    const t = target(body, codec)
    return { action: 'database.removeDocument', ...t, multi: t.queryType === 'DOC' ? false : optBool(body, 'multi', true) }
  },
  'database.aggregateDocuments': (body, codec) => ({
    action: 'database.aggregateDocuments',
    collection: str(body, 'collectionName'),
    pipeline: pipelineOf(body, codec),
  }),
  'database.addCollection': (body) => ({ action: 'database.addCollection', collection: str(body, 'collectionName') }),
  'database.modifyAndReturnDoc': (body, codec) => ({
    action: 'database.modifyAndReturnDoc',
    ...target(body, codec),
    update: requiredObject(body, 'data', codec),
  }),
}

export const DB_ACTIONS = Object.keys(decoders) as DbAction[]

function isDbAction(action: string): action is DbAction {
  return Object.prototype.hasOwnProperty.call(decoders, action)
}

/** Decodes one `database.*` body (EJSON-string params) into a typed request. Throws DbError naming the field. */
export function decodeDbRequest(action: string, body: Body, codec: EjsonCodec): DbRequest {
  if (TRANSACTION_ACTIONS.has(action)) {
    invalid(`${action}: transactions are not supported by the emulator; use single-document updates`)
  }
  if (typeof body.transactionId === 'string' && body.transactionId !== '') {
    invalid('transactionId: transactions are not supported by the emulator')
  }
  if (!isDbAction(action)) invalid(`action: unsupported action ${JSON.stringify(action)} (supported: ${DB_ACTIONS.join(', ')})`)
  return decoders[action](body, codec)
}

/** Decodes a watch's params (`collectionName`, EJSON `query` and `order`, `limit` ≥ 1). */
export function decodeWatchRequest(body: Body, codec: EjsonCodec): WatchRequest {
  return {
    collection: str(body, 'collectionName'),
    filter: optObject(body, 'query', codec) ?? {},
    sort: sortOf(body, codec),
    limit: optCount(body, 'limit', 1),
  }
}

/** The wire's `data` for a typed reply: documents as canonical EJSON strings, `upsertedId` as the SDK's `upsert_id`. */
export function encodeReply(reply: DbReply, codec: EjsonCodec): Record<string, unknown> | undefined {
  if (reply === undefined) return undefined
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(reply)) {
    if (value === undefined) continue
    if (key === 'list') out.list = (value as unknown[]).map((d) => codec.encode(d))
    else if (key === 'doc') out.doc = value === null ? null : codec.encode(value)
    // the SDK reads `upsert_id` (snake) and turns it into upsertedId / stats.created
    else if (key === 'upsertedId') out.upsert_id = value
    else out[key] = value
  }
  return out
}
