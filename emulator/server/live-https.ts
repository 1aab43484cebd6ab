/**
 * The Live platform's HTTPS face: `/cgi-bin/token`, `/cgi-bin/stable_token`, `/cgi-bin/media/upload` and
 * every catalogue path under `/wxaapi/broadcast/...` and `/wxa/business/...` with `?access_token=`.
 * Only translation lives here; the sandbox holds every rule. Replies carry WeChat's errcode bodies; a request that is
 * malformed (wrong method, unreadable JSON or multipart) also gets a 4xx status, so no client mistakes it for an answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import busboy from 'busboy'
import { endpointAtPath } from '../../src/live/catalogue'
import { paramsFromQuery } from '../../src/live/query'
import type { LiveSandbox } from '../sandbox/sandbox'
import type { LiveReply, MediaUpload } from '../sandbox/types'
import { errorBody } from '../sandbox/wire'
import { HttpError, parseJsonObject, sendJson, sendMethodNotAllowed, sendRaw } from './http-util'

/** True when this module serves the path. */
export function isLiveHttpsPath(pathname: string): boolean {
  return pathname.startsWith('/cgi-bin/') || endpointAtPath(pathname) !== undefined
}

export async function handleLiveHttps(
  sandbox: LiveSandbox,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const path = url.pathname
  if (!decodesCleanly(path)) return sendJson(res, 400, errorBody(40066, `invalid url ${path}: bad percent-encoding`))
  if (path === '/cgi-bin/token') {
    if (req.method !== 'GET') return wrongMethod(res, 'GET')
    const q = url.searchParams
    if (q.get('grant_type') !== 'client_credential') return wechatError(res, 40002, 'invalid grant_type')
    return sendJson(res, 200, sandbox.issueAccessToken({ appid: q.get('appid') ?? '', secret: q.get('secret') ?? '', stable: false, forceRefresh: false }))
  }
  if (path === '/cgi-bin/stable_token') {
    if (req.method !== 'POST') return wrongMethod(res, 'POST')
    const json = parseWeChatJson(res, body)
    if (!json) return
    if (json.grant_type !== 'client_credential') return wechatError(res, 40002, 'invalid grant_type')
    return sendJson(
      res,
      200,
      sandbox.issueAccessToken({
        appid: String(json.appid ?? ''),
        secret: String(json.secret ?? ''),
        stable: true,
        forceRefresh: json.force_refresh === true,
      }),
    )
  }
  if (path === '/cgi-bin/media/upload') {
    if (req.method !== 'POST') return wrongMethod(res, 'POST')
    const tokenError = sandbox.checkAccessToken(url.searchParams.get('access_token') ?? '')
    if (tokenError !== 0) return tokenReply(res, tokenError)
    const type = url.searchParams.get('type') ?? ''
    const file = await firstMultipartFile(req, body)
    if (typeof file === 'string') return sendJson(res, 400, errorBody(41005, `media data missing: ${file}`))
    if (!file) return wechatError(res, 41005, 'media data missing')
    return sendJson(res, 200, sandbox.uploadMedia({ type, ...file }))
  }

  const endpoint = endpointAtPath(path)
  if (!endpoint) return wechatError(res, 40066, `invalid url ${path}`)
  if (req.method !== endpoint.method) return wrongMethod(res, endpoint.method)
  const token = url.searchParams.get('access_token') ?? ''
  const tokenError = sandbox.checkAccessToken(token)
  if (tokenError !== 0) return tokenReply(res, tokenError)

  let params: Record<string, unknown>
  if (endpoint.method === 'GET') {
    const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'access_token'))
    // Query strings carry text; the schema says which fields are numbers in the API's own terms.
    params = paramsFromQuery(endpoint, query)
  } else {
    const json = parseWeChatJson(res, body)
    if (!json) return
    params = json
  }
  const reply = await sandbox.callApi({ endpointId: endpoint.id, params, via: 'https' })
  sendLiveReply(res, reply)
}

export function sendLiveReply(res: ServerResponse, reply: LiveReply): void {
  if (reply.rawBody !== undefined) return sendRaw(res, reply.httpStatus, reply.rawBody, 'application/json; charset=utf-8')
  sendJson(res, reply.httpStatus, reply.body)
}

function tokenReply(res: ServerResponse, errcode: number): void {
  const messages: Record<number, string> = {
    40001: 'invalid credential, access_token is invalid or not latest',
    41001: 'access_token missing',
    42001: 'access_token expired',
  }
  wechatError(res, errcode, messages[errcode] ?? 'invalid access_token')
}

function wechatError(res: ServerResponse, errcode: number, errmsg: string): void {
  sendJson(res, 200, errorBody(errcode, errmsg))
}

function decodesCleanly(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

/** WeChat's errcodes for a wrong method (43001 GET required, 43002 POST required), with a 405 and `Allow`. */
function wrongMethod(res: ServerResponse, allowed: 'GET' | 'POST'): void {
  const errcode = allowed === 'GET' ? 43001 : 43002
  sendMethodNotAllowed(res, [allowed], errorBody(errcode, `require ${allowed} method`))
}

/** An empty body (WeChat's 44002) or one that is not a JSON object (47001 "data format error"): a 400 naming what is wrong. */
function parseWeChatJson(res: ServerResponse, body: Buffer): Record<string, unknown> | null {
  if (body.toString('utf8').trim() === '') {
    sendJson(res, 400, errorBody(44002, 'empty post data'))
    return null
  }
  try {
    return parseJsonObject(body, { allowEmpty: false })
  } catch (e) {
    sendJson(res, 400, errorBody(47001, `data format error: ${e instanceof HttpError ? e.message : String(e)}`))
    return null
  }
}

/** The first file of a multipart body; null when there is none, a string naming the problem when it cannot be read. */
function firstMultipartFile(req: IncomingMessage, body: Buffer): Promise<Omit<MediaUpload, 'type'> | null | string> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: req.headers })
    } catch (e) {
      resolve(`body is not multipart form data (${(e as Error).message})`)
      return
    }
    let found: Omit<MediaUpload, 'type'> | null = null
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = []
      // a truncated part errors the file stream too; unheard, that error would end the process
      stream.on('error', (e: Error) => resolve(`bad multipart form data (${e.message})`))
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (!found) found = { bytes: Buffer.concat(chunks), filename: info.filename, contentType: info.mimeType }
      })
    })
    parser.on('close', () => resolve(found))
    parser.on('error', (e: Error) => resolve(`bad multipart form data (${e.message})`))
    parser.end(body)
  })
}
