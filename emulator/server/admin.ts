/**
 * `POST /admin?env=…&seqId=…`: the CloudBase endpoint that @cloudbase/node-sdk (and so wx-server-sdk) talks to.
 * JSON bodies carry `database.*` actions with EJSON strings; multipart bodies carry `wx.openApi` calls wrapped in
 * protobuf. This module only translates the wire format: the database engine does the work, and the injected
 * `openapi` callback (permissions + Live sandbox routing, written by the lead) answers open-API calls.
 *
 * Replies follow what the SDK parses: success `{requestId, data:{…}}`; failure HTTP 200
 * `{code:"DATABASE_COLLECTION_NOT_EXIST", message, requestId}`, which wx-server-sdk maps to errCode -502005.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../clock'
import type { DatabaseEngine, Doc, Filter, Projection, Sort } from '../db/types'
import { DbError } from '../db/types'
import { deepEqual, isPlainObject } from '../db/values'
import type { Caller, IdentityRegistry } from '../identity'
import { createEjsonCodec, type EjsonCodec } from './ejson'
import { sendJson, sendRaw } from './http-util'
import {
  decodeCommApiData,
  encodeCommOpenApiResp,
  type OpenApiMedia,
  pairsToParams,
  parseMultipart,
  WireFormatError,
} from './openapi-wire'

export type { OpenApiMedia } from './openapi-wire'

/** What the open-API callback answers: a platform error (e.g. -604101), or the WeChat HTTP reply to wrap. */
export type OpenApiOutcome = { platformError: number } | { httpStatus: number; body: Buffer; contentType: string }

/** Extra facts about an open-API call that some routes may want (cross-account appid, v2 cgi). */
export interface OpenApiContext {
  appid: string
  cgiName?: string
  envName?: string
}

export type OpenApiCallback = (
  caller: Caller,
  apiName: string,
  /** JSON params exactly as the SDK sent them (snake_case unless the caller disabled convertCase). */
  params: Record<string, unknown>,
  /** Binary params keyed by param name (e.g. `media`). */
  media: Record<string, OpenApiMedia>,
  context: OpenApiContext,
) => Promise<OpenApiOutcome>

export interface DatabaseRequestInfo {
  caller: Caller
  action: string
  collectionName?: string
}

/** Handler for a non-database JSON action (e.g. `functions.invokeFunction`); its result is merged into the reply. */
export type ExtraAction = (body: Record<string, unknown>, caller: Caller) => Promise<Record<string, unknown>>

export interface AdminHandlerOptions {
  engine: DatabaseEngine
  clock: Clock
  identities: IdentityRegistry
  openapi: OpenApiCallback
  /** More JSON actions by name, checked before the built-in `database.*` ones. */
  actions?: Record<string, ExtraAction>
  /** Told about every database request and its caller (functions bypass rules, so this never changes results). */
  onDatabaseRequest?: (info: DatabaseRequestInfo) => void
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>

/** An error with a CloudBase `code` string; the wire reply carries it as `{code, message}`. */
export class AdminError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'AdminError'
  }
}

/** The SDK sends the function's API token as `wxCloudApiToken`; none (or unknown) is an administrator. */
export function resolveCaller(identities: IdentityRegistry, token: unknown): Caller {
  return identities.resolve(typeof token === 'string' ? token : undefined)
}

const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000

// ---- body field readers: each names the field and the rule it broke ----

function invalid(message: string): never {
  throw new DbError('INVALID_PARAM', message)
}

function str(body: Record<string, unknown>, field: string): string {
  const v = body[field]
  if (typeof v !== 'string' || v === '') invalid(`${field}: must be a non-empty string`)
  return v
}

function optInt(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) invalid(`${field}: must be a non-negative integer`)
  return v
}

function optBool(body: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = body[field]
  if (v === undefined || v === null) return fallback
  if (typeof v !== 'boolean') invalid(`${field}: must be true or false`)
  return v
}

function queryType(body: Record<string, unknown>): 'WHERE' | 'DOC' {
  const v = body.queryType ?? 'WHERE'
  if (v !== 'WHERE' && v !== 'DOC') invalid('queryType: must be "WHERE" or "DOC"')
  return v
}

function filterOf(body: Record<string, unknown>, codec: EjsonCodec): Filter {
  const type = queryType(body)
  const filter = body.query === undefined || body.query === null ? {} : codec.decodeObject(body.query as string, 'query')
  if (type === 'DOC' && (typeof filter._id !== 'string' || filter._id === '')) {
    invalid('query: a DOC request must name the document by a string _id')
  }
  return filter
}

function sortOf(body: Record<string, unknown>, codec: EjsonCodec): Sort | undefined {
  if (body.order === undefined || body.order === null) return undefined
  // 1.4.3 sends {"field": 1|-1}; older SDKs sent [{field, direction}]
  const raw = typeof body.order === 'string' ? codec.decode(body.order, 'order') : body.order
  const sort: Sort = {}
  if (Array.isArray(raw)) {
    raw.forEach((o, i) => {
      if (!isPlainObject(o) || typeof o.field !== 'string' || (o.direction !== 'asc' && o.direction !== 'desc')) {
        invalid(`order[${i}]: must be {field, direction: "asc"|"desc"}`)
      }
      sort[o.field] = o.direction === 'desc' ? -1 : 1
    })
    return sort
  }
  if (!isPlainObject(raw)) invalid('order: must encode an object of field → 1 or -1')
  for (const [field, dir] of Object.entries(raw)) {
    if (dir !== 1 && dir !== -1) invalid(`order.${field}: must be 1 or -1`)
    sort[field] = dir
  }
  return sort
}

function collectionOf(body: Record<string, unknown>): string {
  return str(body, 'collectionName')
}

// ---- database actions: body in, reply `data` out ----

type DatabaseAction = (engine: DatabaseEngine, codec: EjsonCodec, body: Record<string, unknown>) => Record<string, unknown> | undefined

const databaseActions: Record<string, DatabaseAction> = {
  'database.getDocument'(engine, codec, body) {
    const collection = collectionOf(body)
    const isDoc = queryType(body) === 'DOC'
    const filter = filterOf(body, codec)
    const requested = optInt(body, 'limit')
    // the server's own clamp, as CloudBase does for SDKs that do not clamp themselves
    const limit = isDoc ? 1 : Math.min(requested || DEFAULT_LIMIT, MAX_LIMIT)
    const projection =
      body.projection === undefined || body.projection === null
        ? undefined
        : (codec.decodeObject(body.projection as string, 'projection') as Projection)
    const docs = engine.find(collection, filter, {
      sort: sortOf(body, codec),
      skip: optInt(body, 'offset'),
      limit,
      projection,
    })
    return { list: docs.map((d) => codec.encode(d)) }
  },

  'database.calculateDocument'(engine, codec, body) {
    return { total: engine.count(collectionOf(body), filterOf(body, codec)) }
  },

  'database.insertDocument'(engine, codec, body) {
    const collection = collectionOf(body)
    const data = body.data
    if (!Array.isArray(data) || data.length === 0) invalid('data: must be a non-empty array of EJSON strings')
    const docs = data.map((d, i) => codec.decodeObject(d as string, `data[${i}]`))
    return { insertedIds: engine.insert(collection, docs) }
  },

  'database.modifyDocument'(engine, codec, body) {
    const collection = collectionOf(body)
    const isDoc = queryType(body) === 'DOC'
    const filter = filterOf(body, codec)
    const update = codec.decodeObject(body.data as string, 'data')
    const result = engine.update(collection, filter, update, {
      multi: isDoc ? false : optBool(body, 'multi', true),
      merge: optBool(body, 'merge', true),
      upsert: optBool(body, 'upsert', false),
    })
    // the SDK reads `upsert_id` (snake) and turns it into upsertedId / stats.created
    return result.upsertedId === undefined ? { updated: result.updated } : { updated: result.updated, upsert_id: result.upsertedId }
  },

  'database.removeDocument'(engine, codec, body) {
    const collection = collectionOf(body)
    const isDoc = queryType(body) === 'DOC'
    const filter = filterOf(body, codec)
    return { deleted: engine.remove(collection, filter, { multi: isDoc ? false : optBool(body, 'multi', true) }) }
  },

  'database.aggregateDocuments'(engine, codec, body) {
    const collection = collectionOf(body)
    const stages = body.stages
    if (!Array.isArray(stages)) invalid('stages: must be an array of {stageKey, stageValue}')
    const pipeline = stages.map((s, i) => {
      if (!isPlainObject(s) || typeof s.stageKey !== 'string' || !s.stageKey.startsWith('$')) {
        invalid(`stages[${i}].stageKey: must be a string starting with "$"`)
      }
      if (typeof s.stageValue !== 'string') invalid(`stages[${i}].stageValue: must be an EJSON string`)
      return { [s.stageKey]: codec.decode(s.stageValue, `stages[${i}].stageValue`) }
    })
    return { list: engine.aggregate(collection, pipeline).map((d) => codec.encode(d)) }
  },

  'database.addCollection'(engine, _codec, body) {
    engine.createCollection(collectionOf(body))
    return undefined
  },

  'database.modifyAndReturnDoc'(engine, codec, body) {
    const collection = collectionOf(body)
    const filter = filterOf(body, codec)
    const update = codec.decodeObject(body.data as string, 'data')
    // no await between the two calls: nothing else can write in between
    const [before] = engine.find(collection, filter, { limit: 1 }) as (Doc | undefined)[]
    const after = engine.findOneAndUpdate(collection, filter, update)
    if (!after) return { updated: 0, doc: null }
    return { updated: deepEqual(before, after) ? 0 : 1, doc: codec.encode(after) }
  },
}

const TRANSACTION_ACTIONS = new Set([
  'database.startTransaction',
  'database.commitTransaction',
  'database.abortTransaction',
  'database.getInTransaction',
  'database.updateDocInTransaction',
  'database.deleteDocInTransaction',
])

/**
 * Runs one `database.*` action against the engine and returns the reply's `data` (undefined when the SDK
 * expects none). Throws DbError / AdminError with the CloudBase code.
 */
export function executeDatabaseAction(
  engine: DatabaseEngine,
  codec: EjsonCodec,
  action: string,
  body: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (TRANSACTION_ACTIONS.has(action)) {
    throw new AdminError('INVALID_PARAM', `${action}: transactions are not supported by the emulator; use single-document updates`)
  }
  if (typeof body.transactionId === 'string' && body.transactionId !== '') {
    throw new AdminError('INVALID_PARAM', `transactionId: transactions are not supported by the emulator`)
  }
  const run = databaseActions[action]
  if (!run) throw new AdminError('INVALID_PARAM', `unsupported action ${action}`)
  return run(engine, codec, body)
}

function newRequestId(): string {
  return 'emu-' + randomBytes(8).toString('hex')
}

function errorReply(e: unknown, requestId: string): { code: string; message: string; requestId: string } {
  if (e instanceof DbError || e instanceof AdminError) return { code: e.code, message: e.message, requestId }
  if (e instanceof WireFormatError) return { code: 'INVALID_PARAM', message: e.message, requestId }
  return { code: 'SYS_ERR', message: `emulator error: ${(e as Error)?.message ?? String(e)}`, requestId }
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (e) {
    invalid(`body: not valid JSON (${(e as Error).message})`)
  }
  if (!isPlainObject(value)) invalid('body: must be a JSON object')
  return value
}

export function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const { engine, identities, openapi } = options
  const codec = createEjsonCodec(options.clock)

  async function handleJson(body: Buffer): Promise<Record<string, unknown>> {
    const requestId = newRequestId()
    try {
      const request = parseJsonBody(body)
      const action = str(request, 'action')
      const caller = resolveCaller(identities, request.wxCloudApiToken)
      const extra = options.actions?.[action]
      if (extra) return { requestId, ...(await extra(request, caller)) }
      if (action.startsWith('database.')) {
        options.onDatabaseRequest?.({
          caller,
          action,
          collectionName: typeof request.collectionName === 'string' ? request.collectionName : undefined,
        })
      }
      const data = executeDatabaseAction(engine, codec, action, request)
      return data === undefined ? { requestId } : { requestId, data }
    } catch (e) {
      return errorReply(e, requestId)
    }
  }

  async function handleOpenApi(contentType: string, body: Buffer): Promise<Buffer | Record<string, unknown>> {
    const requestId = newRequestId()
    try {
      const form = await parseMultipart(contentType, body)
      const action = form.fields.action
      if (action !== 'wx.openApi') throw new AdminError('INVALID_PARAM', `unsupported action ${action ?? '(none)'}`)
      const apiName = form.fields.apiName
      if (!apiName) throw new AdminError('INVALID_PARAM', 'apiName: must be a non-empty string')
      const requestData = form.files.requestData?.bytes ?? Buffer.from(form.fields.requestData ?? '', 'latin1')
      const decoded = decodeCommApiData(requestData)
      const { params, media } = pairsToParams(decoded.pairs)
      const caller = resolveCaller(identities, form.fields.wxCloudApiToken)
      const outcome = await openapi(caller, apiName, params, media, {
        appid: decoded.appid,
        cgiName: form.fields.cgiName || undefined,
        envName: form.fields.envName || undefined,
      })
      if ('platformError' in outcome) return encodeCommOpenApiResp({ errorCode: outcome.platformError })
      return encodeCommOpenApiResp({
        respData: outcome.body,
        contentType: outcome.contentType,
        httpCode: outcome.httpStatus,
      })
    } catch (e) {
      return errorReply(e, requestId)
    }
  }

  return async (req, res, body) => {
    if (req.method !== 'POST') {
      sendJson(res, 405, { code: 'INVALID_PARAM', message: `method ${req.method}: /admin accepts POST only`, requestId: newRequestId() })
      return
    }
    const contentType = req.headers['content-type'] ?? ''
    if (/^multipart\/form-data/i.test(contentType)) {
      const reply = await handleOpenApi(contentType, body)
      // octet-stream, not JSON: node-sdk JSON-parses wx.openApi replies labelled application/json
      if (Buffer.isBuffer(reply)) sendRaw(res, 200, reply, 'application/octet-stream')
      else sendJson(res, 200, reply)
      return
    }
    sendJson(res, 200, await handleJson(body))
  }
}
