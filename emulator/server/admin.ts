/**
 * `POST /admin?env=…&seqId=…`: the CloudBase endpoint that @cloudbase/node-sdk (and so wx-server-sdk) talks to.
 * JSON bodies carry `database.*` actions with EJSON strings and `storage.*` actions; multipart bodies carry
 * `wx.openApi` calls wrapped in protobuf. This module only translates the wire format (database bodies through the
 * shared decoder in `emulator/db/wire.ts`): the database engine does the work, and the injected `openapi` callback
 * (permissions and Live sandbox routing) and `storage` callback answer open-API and storage calls.
 *
 * Replies follow what the SDK parses: success `{requestId, data:{…}}`; failure HTTP 200
 * `{code:"DATABASE_COLLECTION_NOT_EXIST", message, requestId}`, which wx-server-sdk maps to errCode -502005.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../clock'
import { createEjsonCodec } from '../db/ejson'
import { findInputProblem } from '../db/guard'
import { type DatabaseEngine, type Doc, DbError, MalformedInputError } from '../db/types'
import { deepEqual } from '../db/values'
import { type DbReply, type DbRequest, decodeDbRequest, encodeReply } from '../db/wire'
import type { Caller, IdentityRegistry } from '../identity'
import type { InvokeResult } from '../functions/runner'
import { FUNCTION_NAME_RULE } from '../../tools/function-config'
import { CALL_EVENT_MAX_BYTES } from './client-http'
import { callSource } from '../sdk-env'
import { HttpError, hasContentType, parseJsonObject, sendJson, sendMethodNotAllowed, sendRaw } from './http-util'
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

/** Answers a `storage.*` action as the server side: the reply's `data`, or a CloudBase `{code, message}`. */
export type StorageCallback = (action: string, params: Record<string, unknown>) => { data: Record<string, unknown> } | { code: string; message: string }

/**
 * Runs a cloud function of this environment for `functions.invokeFunction` (`cloud.callFunction` from a function or
 * a server SDK) as `caller` would start it; null when no function has that name. May throw AdminError to refuse.
 */
export type FunctionCallCallback = (caller: Caller, name: string, event: Record<string, unknown>) => Promise<InvokeResult> | null

/** Longest chain of functions calling functions the emulator runs, the first run included. */
export const FUNCTION_HOPS_MAX = 8

/**
 * How a function called through `functions.invokeFunction` runs: as the caller's user, with the caller's SOURCE
 * chain plus one `scf` hop; a script (administrator) calls as the HTTP API does. A chain already FUNCTION_HOPS_MAX
 * long is refused, so a function calling itself cannot fork processes without end (the platform's own limit is not
 * documented).
 */
export function calledAs(caller: Caller, name: string): { openid?: string; via?: string } {
  if (caller.kind === 'admin') return {}
  const via = caller.source ?? callSource(caller.trigger, caller.openid)
  const hops = via.split(',').length
  if (hops >= FUNCTION_HOPS_MAX) {
    throw new AdminError('FUNCTIONS_EXECUTE_FAIL', `${name}: the call chain ${via} is already ${hops} calls long (at most ${FUNCTION_HOPS_MAX} here)`)
  }
  return { openid: caller.openid, via }
}

export interface AdminHandlerOptions {
  engine: DatabaseEngine
  clock: Clock
  identities: IdentityRegistry
  openapi: OpenApiCallback
  /** Cloud storage; absent, `storage.*` actions are refused. */
  storage?: StorageCallback
  /** The function runner; absent, `functions.invokeFunction` is refused. */
  functions?: FunctionCallCallback
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

// the server's own clamp, as CloudBase does for SDKs that do not clamp themselves
const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000

/** Runs one decoded database request as an administrator (no rules). Throws DbError with the CloudBase code. */
function executeDatabaseRequest(engine: DatabaseEngine, request: DbRequest): DbReply {
  switch (request.action) {
    case 'database.getDocument': {
      const limit = request.queryType === 'DOC' ? 1 : Math.min(request.limit || DEFAULT_LIMIT, MAX_LIMIT)
      const { sort, skip, projection } = request
      return { list: engine.find(request.collection, request.filter, { sort, skip, limit, projection }) }
    }
    case 'database.calculateDocument':
      return { total: engine.count(request.collection, request.filter) }
    case 'database.insertDocument':
      return { insertedIds: engine.insert(request.collection, request.docs) }
    case 'database.modifyDocument': {
      const { multi, merge, upsert } = request
      return engine.update(request.collection, request.filter, request.update, { multi, merge, upsert })
    }
    case 'database.removeDocument':
      return { deleted: engine.remove(request.collection, request.filter, { multi: request.multi }) }
    case 'database.aggregateDocuments':
      return { list: engine.aggregate(request.collection, request.pipeline) }
    case 'database.addCollection':
      engine.createCollection(request.collection)
      return undefined
    case 'database.modifyAndReturnDoc': {
      // no await between the two calls: nothing else can write in between
      const [before] = engine.find(request.collection, request.filter, { limit: 1 }) as (Doc | undefined)[]
      const after = engine.findOneAndUpdate(request.collection, request.filter, request.update)
      if (!after) return { updated: 0, doc: null }
      return { updated: deepEqual(before, after) ? 0 : 1, doc: after }
    }
  }
}

/** The event a called function gets: `request_data` is the caller's `data` as JSON text ('' when it sent none). */
function callEvent(requestData: unknown): Record<string, unknown> {
  if (requestData === undefined || requestData === '') return {}
  if (typeof requestData !== 'string') throw new AdminError('INVALID_PARAM', 'request_data: must be the call data as JSON text')
  if (Buffer.byteLength(requestData) > CALL_EVENT_MAX_BYTES) {
    throw new AdminError('INVALID_PARAM', `request_data: over ${CALL_EVENT_MAX_BYTES / 1024 / 1024} MB, the most a call's data may be`)
  }
  let event: unknown
  try {
    event = JSON.parse(requestData)
  } catch {
    throw new AdminError('INVALID_PARAM', 'request_data: not valid JSON')
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new AdminError('INVALID_PARAM', 'request_data: must be a JSON object')
  const problem = findInputProblem(event, 'request_data')
  if (problem) throw new AdminError('INVALID_PARAM', problem.message)
  return event as Record<string, unknown>
}

function newRequestId(): string {
  return 'emu-' + randomBytes(8).toString('hex')
}

interface ErrorReply {
  status: number
  body: { code: string; message: string; requestId: string }
}

/**
 * CloudBase answers request errors with HTTP 200 and `{code, message}`, which the SDK maps to an errCode; input that
 * cannot be read at all is a 400 and an emulator fault a 500, so neither is mistaken for a database answer.
 */
function errorReply(e: unknown, requestId: string): ErrorReply {
  if (e instanceof HttpError) return { status: e.status, body: { code: 'INVALID_PARAM', message: e.message, requestId } }
  if (e instanceof MalformedInputError || e instanceof WireFormatError) {
    return { status: 400, body: { code: 'INVALID_PARAM', message: e.message, requestId } }
  }
  if (e instanceof DbError || e instanceof AdminError) return { status: 200, body: { code: e.code, message: e.message, requestId } }
  console.error('[emulator admin] unexpected error:', e)
  return { status: 500, body: { code: 'SYS_ERR', message: `emulator error: ${(e as Error)?.message ?? String(e)}`, requestId } }
}

export function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const { engine, identities, openapi } = options
  const codec = createEjsonCodec(options.clock)

  async function handleJson(body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
    const requestId = newRequestId()
    try {
      const envelope = parseJsonObject(body, { allowEmpty: false })
      const action = envelope.action
      if (typeof action !== 'string' || action === '') throw new DbError('INVALID_PARAM', 'action: must be a non-empty string')
      const caller = resolveCaller(identities, envelope.wxCloudApiToken)
      if (action === 'functions.invokeFunction') return await invokeFunction(envelope, caller, requestId)
      if (action.startsWith('storage.')) {
        if (!options.storage) throw new AdminError('INVALID_PARAM', `action ${action}: this emulator has no cloud storage`)
        // functions and administrators both have every right to storage, so the caller changes nothing
        const reply = options.storage(action, envelope)
        return { status: 200, body: 'data' in reply ? { requestId, data: reply.data } : { ...reply, requestId } }
      }
      const request = decodeDbRequest(action, envelope, codec)
      options.onDatabaseRequest?.({ caller, action, collectionName: request.collection })
      const data = encodeReply(executeDatabaseRequest(engine, request), codec)
      return { status: 200, body: data === undefined ? { requestId } : { requestId, data } }
    } catch (e) {
      return errorReply(e, requestId)
    }
  }

  /** node-sdk's callFunction: `{function_name, request_data: JSON text}` → `{data: {response_data: JSON text}}`. */
  async function invokeFunction(envelope: Record<string, unknown>, caller: Caller, requestId: string): Promise<{ status: number; body: Record<string, unknown> }> {
    if (!options.functions) throw new AdminError('INVALID_PARAM', 'action functions.invokeFunction: this emulator runs no cloud functions')
    const name = envelope.function_name
    if (typeof name !== 'string' || !FUNCTION_NAME_RULE.test(name)) {
      throw new AdminError('INVALID_PARAM', `function_name: ${JSON.stringify(name ?? null)} is not a function name (a letter, then up to 59 of [A-Za-z0-9_-])`)
    }
    if (envelope.qualifier !== undefined && envelope.qualifier !== '$LATEST') {
      throw new AdminError('INVALID_PARAM', `qualifier: ${JSON.stringify(envelope.qualifier)}: the emulator runs only $LATEST`)
    }
    const event = callEvent(envelope.request_data)
    const run = options.functions(caller, name, event)
    if (!run) return { status: 200, body: { code: 'FUNCTION_NOT_FOUND', message: `no cloud function named ${name}`, requestId } }
    const result = await run
    if (result.status !== 'ok') {
      return { status: 200, body: { code: 'FUNCTIONS_EXECUTE_FAIL', message: `${result.errorType}: ${result.errorMessage}`, requestId: result.requestId } }
    }
    return { status: 200, body: { requestId: result.requestId, data: { response_data: JSON.stringify(result.result ?? null) } } }
  }

  async function handleOpenApi(contentType: string, body: Buffer): Promise<{ status: number; body: Buffer | Record<string, unknown> }> {
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
      const problem = findInputProblem(params, 'requestData')
      if (problem) throw new WireFormatError(problem.message)
      const caller = resolveCaller(identities, form.fields.wxCloudApiToken)
      const outcome = await openapi(caller, apiName, params, media, {
        appid: decoded.appid,
        cgiName: form.fields.cgiName || undefined,
        envName: form.fields.envName || undefined,
      })
      if ('platformError' in outcome) return { status: 200, body: encodeCommOpenApiResp({ errorCode: outcome.platformError }) }
      return {
        status: 200,
        body: encodeCommOpenApiResp({ respData: outcome.body, contentType: outcome.contentType, httpCode: outcome.httpStatus }),
      }
    } catch (e) {
      return errorReply(e, requestId)
    }
  }

  return async (req, res, body) => {
    if (req.method !== 'POST') {
      sendMethodNotAllowed(res, ['POST'], { code: 'INVALID_PARAM', message: `method ${req.method}: /admin accepts POST only`, requestId: newRequestId() })
      return
    }
    const contentType = req.headers['content-type'] ?? ''
    if (hasContentType(req, 'multipart/form-data')) {
      const reply = await handleOpenApi(contentType, body)
      // octet-stream, not JSON: node-sdk JSON-parses wx.openApi replies labelled application/json
      if (Buffer.isBuffer(reply.body)) sendRaw(res, reply.status, reply.body, 'application/octet-stream')
      else sendJson(res, reply.status, reply.body)
      return
    }
    if (!hasContentType(req, 'application/json')) {
      const message = `content-type ${JSON.stringify(contentType)}: /admin takes application/json (database actions) or multipart/form-data (wx.openApi)`
      sendJson(res, 415, { code: 'INVALID_PARAM', message, requestId: newRequestId() })
      return
    }
    const reply = await handleJson(body)
    sendJson(res, reply.status, reply.body)
  }
}
