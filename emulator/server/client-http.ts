/**
 * `/__client/...`: the mini-program's database channel over HTTP, used by the test-side `wx.cloud` shim.
 *
 *   POST /__client/db      JSON `{openid?, action, ...params}` with the SDK's EJSON-string params; the reply is
 *                          shaped like the admin wire: `{requestId, data}` or HTTP 200 `{code, message, requestId}`.
 *   GET  /__client/watch   `?openid=&collectionName=&query=<EJSON>&order=<EJSON>&limit=N`: Server-Sent Events,
 *                          `event: snapshot` (EJSON of a WatchSnapshot) per change, or one `event: error`
 *                          (`{code, message}`) and the end of the stream. Closing the request unsubscribes.
 *
 *   POST /__client/functions/{name}   JSON `{openid, data?}`: `wx.cloud.callFunction` as that viewer; the runner runs
 *                          the function with that OPENID (SOURCE wx_client). Reply `{requestId, result}`, or HTTP
 *                          200 `{code, message, requestId}` when the function is unknown, fails or times out.
 *
 * Only translation happens here; the channel applies limits and security rules, the runner runs functions.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../clock'
import { createEjsonCodec, type EjsonCodec } from '../db/ejson'
import { DbError, MalformedInputError } from '../db/types'
import { decodeDbRequest, decodeWatchRequest, encodeReply, type WatchRequest } from '../db/wire'
import type { ClientChannel, WatchSnapshot } from '../client/channel'
import type { Doc } from '../db/types'
import type { Viewer } from '../client/rules'
import { HttpError, hasContentType, parseJsonObject, readBody, sendJson, sendMethodNotAllowed } from './http-util'
import type { InvokeResult } from '../functions/runner'
import { FUNCTION_NAME_RULE } from '../../tools/function-config'

/** Largest event a synchronous call may carry: https://cloud.tencent.com/document/product/583/11637 (6 MB). */
export const CALL_EVENT_MAX_BYTES = 6 * 1024 * 1024
/** A viewer's openid as the client channel accepts it (WeChat openids are 28 URL-safe characters). */
export const OPENID_RULE = /^[A-Za-z0-9_-]{1,128}$/

/** Runs a declared function as a mini-program user; null when no function has that name. */
export type ClientInvoke = (name: string, data: Record<string, unknown>, openid: string) => Promise<InvokeResult> | null

export interface ClientHttpOptions {
  channel: ClientChannel
  /** The emulator clock, for `serverDate` in decoded requests. */
  clock: Pick<Clock, 'nowMs'>
  /** Absent: the emulator loaded no functions, and every call answers FUNCTION_NOT_FOUND. */
  invokeFunction?: ClientInvoke
}

export type ClientHttpHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

const requestId = () => randomBytes(8).toString('hex')

function errorBody(e: unknown): { code: string; message: string } {
  if (e instanceof DbError) return { code: e.code, message: e.message }
  if (e instanceof HttpError) return { code: 'INVALID_PARAM', message: e.message }
  return { code: 'SYS_ERR', message: e instanceof Error ? e.message : String(e) }
}

/** Database errors travel as HTTP 200 `{code}` like the SDK wire; unreadable input is a 400, an emulator fault a 500. */
function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status
  if (e instanceof MalformedInputError) return 400
  if (e instanceof DbError) return 200
  console.error('[emulator client] unexpected error:', e)
  return 500
}

function viewerFrom(openid: unknown, field: string): Viewer {
  if (openid === undefined || openid === null || openid === '') return { openid: null }
  if (typeof openid !== 'string') throw new DbError('INVALID_PARAM', `${field}: must be a string or null`)
  return { openid }
}

async function handleDb(channel: ClientChannel, codec: EjsonCodec, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rid = requestId()
  try {
    if (!hasContentType(req, 'application/json')) {
      throw new HttpError(415, `content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: /__client/db takes application/json`)
    }
    const { openid, action, ...params } = parseJsonObject(await readBody(req), { allowEmpty: false })
    if (typeof action !== 'string') throw new DbError('INVALID_PARAM', 'action: must be a string such as "database.getDocument"')
    const viewer = viewerFrom(openid, 'openid')
    const data = encodeReply(channel.execute(viewer, decodeDbRequest(action, params, codec)), codec)
    sendJson(res, 200, { requestId: rid, data })
  } catch (e) {
    sendJson(res, statusOf(e), { ...errorBody(e), requestId: rid })
  }
}

function watchParams(url: URL, codec: EjsonCodec): { viewer: Viewer; request: WatchRequest } {
  const q = url.searchParams
  const params: Record<string, unknown> = { collectionName: q.get('collectionName') ?? '' }
  const query = q.get('query')
  const order = q.get('order')
  const limit = q.get('limit')
  if (query) params.query = query
  if (order) params.order = order
  if (limit) {
    if (!/^\d{1,15}$/.test(limit)) throw new DbError('INVALID_PARAM', 'limit: must be a positive integer')
    params.limit = Number(limit)
  }
  return { viewer: viewerFrom(q.get('openid'), 'openid'), request: decodeWatchRequest(params, codec) }
}

function handleWatch(channel: ClientChannel, codec: EjsonCodec, req: IncomingMessage, res: ServerResponse, url: URL): void {
  // unreadable params are refused before the stream opens, so they get a 4xx like any malformed request
  let decoded: ReturnType<typeof watchParams> | null = null
  let decodeError: unknown
  try {
    decoded = watchParams(url, codec)
  } catch (e) {
    if (statusOf(e) !== 200) return sendJson(res, statusOf(e), { ...errorBody(e), requestId: requestId() })
    decodeError = e
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' })
  res.write(': watch open\n\n')
  let ended = false
  let close: (() => void) | null = null
  const send = (event: string, payload: string) => {
    if (!ended) res.write(`event: ${event}\ndata: ${payload}\n\n`)
  }
  const fail = (e: unknown) => {
    send('error', JSON.stringify(errorBody(e)))
    ended = true
    res.end()
    close?.()
  }
  const disconnect = () => {
    ended = true
    close?.()
  }
  req.on('close', disconnect)
  res.on('close', disconnect)
  try {
    if (!decoded) throw decodeError
    const encodeSnapshot = snapshotEncoder(codec)
    close = channel.watch(decoded.viewer, decoded.request, {
      onSnapshot: (snapshot) => send('snapshot', encodeSnapshot(snapshot)),
      onError: fail,
    })
    // the request may have closed while the init snapshot was being built
    if (ended) close()
  } catch (e) {
    fail(e)
  }
}

/**
 * Encodes one watch's snapshots as EJSON, reusing the text of every document that did not change since the last
 * snapshot (a watch keeps unchanged documents as the same objects), so a change is encoded once, not the result.
 */
export function snapshotEncoder(codec: EjsonCodec): (snapshot: WatchSnapshot) => string {
  const texts = new WeakMap<Doc, string>()
  const docText = (doc: Doc) => {
    let text = texts.get(doc)
    if (text === undefined) texts.set(doc, (text = codec.encode(doc)))
    return text
  }
  return (snapshot) => {
    const head = codec.encode({ id: snapshot.id, ...(snapshot.type ? { type: snapshot.type } : {}), docChanges: snapshot.docChanges, docs: [] })
    // `docs` is the last key and empty in `head`: put the documents' texts between its brackets
    return `${head.slice(0, -'[]}'.length)}[${snapshot.docs.map(docText).join(',')}]}`
  }
}

async function handleCall(invoke: ClientInvoke | undefined, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rid = requestId()
  try {
    if (!hasContentType(req, 'application/json')) {
      throw new HttpError(415, `content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: /__client/functions/{name} takes application/json`)
    }
    if (!FUNCTION_NAME_RULE.test(name)) throw new HttpError(400, `name: ${JSON.stringify(name)} is not a function name (a letter, then up to 59 of [A-Za-z0-9_-])`)
    const { openid, data, ...extra } = parseJsonObject(await readBody(req, CALL_EVENT_MAX_BYTES), { allowEmpty: false })
    const unknown = Object.keys(extra)[0]
    if (unknown !== undefined) throw new HttpError(400, `${unknown}: not a field of a call (fields: openid, data)`)
    if (typeof openid !== 'string' || !OPENID_RULE.test(openid)) {
      throw new HttpError(400, 'openid: required, 1 to 128 of [A-Za-z0-9_-]: a mini-program call always comes from a signed-in user')
    }
    if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) throw new HttpError(400, 'data: must be an object')
    const run = invoke?.(name, (data ?? {}) as Record<string, unknown>, openid)
    if (!run) return sendJson(res, 200, { code: 'FUNCTION_NOT_FOUND', message: `no cloud function named ${name}`, requestId: rid })
    const result = await run
    if (result.status === 'ok') return sendJson(res, 200, { requestId: result.requestId, result: result.result })
    sendJson(res, 200, { code: 'FUNCTIONS_EXECUTE_FAIL', message: `${result.errorType}: ${result.errorMessage}`, requestId: result.requestId })
  } catch (e) {
    sendJson(res, statusOf(e), { ...errorBody(e), requestId: rid })
  }
}

export function createClientHttpHandler(options: ClientHttpOptions): ClientHttpHandler {
  const { channel } = options
  const codec = createEjsonCodec(options.clock)
  return async (req, res, url) => {
    if (url.pathname === '/__client/db') {
      if (req.method !== 'POST') {
        return sendMethodNotAllowed(res, ['POST'], { code: 'INVALID_PARAM', message: `method ${req.method}: /__client/db takes POST`, requestId: requestId() })
      }
      return handleDb(channel, codec, req, res)
    }
    if (url.pathname === '/__client/watch') {
      if (req.method !== 'GET') {
        return sendMethodNotAllowed(res, ['GET'], { code: 'INVALID_PARAM', message: `method ${req.method}: /__client/watch takes GET`, requestId: requestId() })
      }
      return handleWatch(channel, codec, req, res, url)
    }
    const call = /^\/__client\/functions\/([^/]+)$/.exec(url.pathname)
    if (call) {
      if (req.method !== 'POST') {
        return sendMethodNotAllowed(res, ['POST'], { code: 'INVALID_PARAM', message: `method ${req.method}: /__client/functions/{name} takes POST`, requestId: requestId() })
      }
      let name: string
      try {
        name = decodeURIComponent(call[1])
      } catch {
        return sendJson(res, 400, { code: 'INVALID_PARAM', message: `name: ${JSON.stringify(call[1])} is not valid percent-encoding`, requestId: requestId() })
      }
      return handleCall(options.invokeFunction, name, req, res)
    }
    sendJson(res, 404, { error: `no client route ${url.pathname} (use /__client/db, /__client/watch or /__client/functions/{name})` })
  }
}
