/**
 * The Live platform's HTTPS face: `/cgi-bin/token`, `/cgi-bin/stable_token`, `/cgi-bin/media/upload` and
 * every catalogue path under `/wxaapi/broadcast/...` and `/wxa/business/...` with `?access_token=`.
 * Only translation lives here; the sandbox holds every rule.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import busboy from 'busboy'
import { endpointAtPath } from '../../src/live/catalogue'
import { paramsFromQuery } from '../../src/live/query'
import type { LiveSandbox } from '../sandbox/sandbox'
import type { LiveReply, MediaUpload } from '../sandbox/types'
import { errorBody } from '../sandbox/wire'
import { parseJsonObject, sendJson, sendRaw } from './http-util'

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
  if (path === '/cgi-bin/token') {
    if (req.method !== 'GET') return wechatError(res, 43001, 'require GET method')
    const q = url.searchParams
    if (q.get('grant_type') !== 'client_credential') return wechatError(res, 40002, 'invalid grant_type')
    return sendJson(res, 200, sandbox.issueAccessToken({ appid: q.get('appid') ?? '', secret: q.get('secret') ?? '', stable: false, forceRefresh: false }))
  }
  if (path === '/cgi-bin/stable_token') {
    if (req.method !== 'POST') return wechatError(res, 43002, 'require POST method')
    const json = parseWeChatJson(body)
    if (!json) return wechatError(res, 47001, 'data format error')
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
    if (req.method !== 'POST') return wechatError(res, 43002, 'require POST method')
    const tokenError = sandbox.checkAccessToken(url.searchParams.get('access_token') ?? '')
    if (tokenError !== 0) return tokenReply(res, tokenError)
    const type = url.searchParams.get('type') ?? ''
    const file = await firstMultipartFile(req, body)
    if (!file) return wechatError(res, 41005, 'media data missing')
    return sendJson(res, 200, sandbox.uploadMedia({ type, ...file }))
  }

  const endpoint = endpointAtPath(path)
  if (!endpoint) return wechatError(res, 40066, `invalid url ${path}`)
  if (req.method !== endpoint.method) {
    return endpoint.method === 'GET' ? wechatError(res, 43001, 'require GET method') : wechatError(res, 43002, 'require POST method')
  }
  const token = url.searchParams.get('access_token') ?? ''
  const tokenError = sandbox.checkAccessToken(token)
  if (tokenError !== 0) return tokenReply(res, tokenError)

  let params: Record<string, unknown>
  if (endpoint.method === 'GET') {
    const query = Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'access_token'))
    // Query strings carry text; the schema says which fields are numbers in the API's own terms.
    params = paramsFromQuery(endpoint, query)
  } else {
    const json = parseWeChatJson(body)
    if (!json) return wechatError(res, 47001, 'data format error')
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

/** WeChat answers 47001 for a body that is not a JSON object; mirror that instead of a 400. */
function parseWeChatJson(body: Buffer): Record<string, unknown> | null {
  try {
    return parseJsonObject(body)
  } catch {
    return null
  }
}

function firstMultipartFile(req: IncomingMessage, body: Buffer): Promise<Omit<MediaUpload, 'type'> | null> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({ headers: req.headers })
    } catch {
      resolve(null)
      return
    }
    let found: Omit<MediaUpload, 'type'> | null = null
    parser.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (!found) found = { bytes: Buffer.concat(chunks), filename: info.filename, contentType: info.mimeType }
      })
    })
    parser.on('close', () => resolve(found))
    parser.on('error', reject)
    parser.end(body)
  })
}
