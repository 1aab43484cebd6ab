/**
 * `/__client/...`: the mini-program's database channel over HTTP, used by the test-side `wx.cloud` shim.
 *
 *   POST /__client/db      JSON `{openid?, action, ...params}` with the SDK's EJSON-string params; the reply is
 *                          shaped like the admin wire: `{requestId, data}` or HTTP 200 `{code, message, requestId}`.
 *   GET  /__client/watch   `?openid=&collectionName=&query=<EJSON>&order=<EJSON>&limit=N`: Server-Sent Events,
 *                          `event: snapshot` (EJSON of a WatchSnapshot) per change, or one `event: error`
 *                          (`{code, message}`) and the end of the stream. Closing the request unsubscribes.
 *
 * Only translation happens here; the channel applies limits and security rules.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../clock'
import type { DatabaseEngine } from '../db/types'
import { DbError } from '../db/types'
import type { ClientChannel, WatchParams } from '../client/channel'
import type { Viewer } from '../client/rules'
import { encodeEjson } from './ejson'
import { readBody, sendJson } from './http-util'

export interface ClientHttpOptions {
  channel: ClientChannel
  /** Accepted for symmetry with the other handlers; the channel already holds them. */
  engine?: DatabaseEngine
  clock?: Clock
}

export type ClientHttpHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

const requestId = () => randomBytes(8).toString('hex')

function errorBody(e: unknown): { code: string; message: string } {
  if (e instanceof DbError) return { code: e.code, message: e.message }
  return { code: 'SYS_ERR', message: e instanceof Error ? e.message : String(e) }
}

function viewerFrom(openid: unknown, field: string): Viewer {
  if (openid === undefined || openid === null || openid === '') return { openid: null }
  if (typeof openid !== 'string') throw new DbError('INVALID_PARAM', `${field}: must be a string or null`)
  return { openid }
}

async function handleDb(channel: ClientChannel, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rid = requestId()
  try {
    const text = (await readBody(req)).toString('utf8')
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (e) {
      throw new DbError('INVALID_PARAM', `body: not valid JSON (${(e as Error).message})`)
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new DbError('INVALID_PARAM', 'body: must be a JSON object')
    const { openid, action, ...params } = body as Record<string, unknown>
    if (typeof action !== 'string') throw new DbError('INVALID_PARAM', 'action: must be a string such as "database.getDocument"')
    const data = channel.execute(viewerFrom(openid, 'openid'), action, params)
    sendJson(res, 200, { requestId: rid, data })
  } catch (e) {
    sendJson(res, 200, { ...errorBody(e), requestId: rid })
  }
}

function watchParams(url: URL): { viewer: Viewer; params: WatchParams } {
  const q = url.searchParams
  const params: WatchParams = { collectionName: q.get('collectionName') ?? '' }
  const query = q.get('query')
  const order = q.get('order')
  const limit = q.get('limit')
  if (query) params.query = query
  if (order) params.order = order
  if (limit) {
    if (!/^\d+$/.test(limit)) throw new DbError('INVALID_PARAM', 'limit: must be a positive integer')
    params.limit = Number(limit)
  }
  return { viewer: viewerFrom(q.get('openid'), 'openid'), params }
}

function handleWatch(channel: ClientChannel, req: IncomingMessage, res: ServerResponse, url: URL): void {
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
    const { viewer, params } = watchParams(url)
    close = channel.watch(viewer, params, {
      onSnapshot: (snapshot) => send('snapshot', encodeEjson(snapshot)),
      onError: fail,
    })
    // the request may have closed while the init snapshot was being built
    if (ended) close()
  } catch (e) {
    fail(e)
  }
}

export function createClientHttpHandler(options: ClientHttpOptions): ClientHttpHandler {
  const { channel } = options
  return async (req, res, url) => {
    if (url.pathname === '/__client/db') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: '/__client/db takes POST' })
      return handleDb(channel, req, res)
    }
    if (url.pathname === '/__client/watch') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: '/__client/watch takes GET' })
      return handleWatch(channel, req, res, url)
    }
    sendJson(res, 404, { error: `no client route ${url.pathname} (use /__client/db or /__client/watch)` })
  }
}
