/**
 * LiveTransport over plain HTTPS with an access_token from /cgi-bin/stable_token. Needed for the three
 * endpoints without cloud call and for contexts outside WeChat. Replies are converted snake→camel the same
 * way wx-server-sdk does, so callers cannot tell the two transports apart.
 */
import type { EndpointDef } from '../live/endpoint'
import type { LiveTransport } from '../live/client'
import { toCamelKeys, toSnakeKeys } from '../live/case'
import { LiveTransportError, WxApiError, isTokenExpired } from '../live/errors'

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export interface HttpsTransportOptions {
  baseUrl?: string
  appid: string
  secret: string
  fetch?: FetchLike
  /** Clock in epoch milliseconds (token expiry); defaults to Date.now. */
  now?: () => number
  /** Per-request timeout; 0 or undefined means none. */
  timeoutMs?: number
  /** Refresh this many seconds before the token's stated expiry. */
  refreshMarginSeconds?: number
}

export interface HttpsTransport extends LiveTransport {
  /** A valid token, fetched or cached; `force` asks WeChat for a fresh one (force_refresh). */
  accessToken(force?: boolean): Promise<string>
}

const TOKEN_ENDPOINT = 'stable_token'

interface CachedToken {
  token: string
  /** Epoch ms after which we fetch again. */
  refreshAt: number
}

/** GET params go in the query string; arrays and objects are JSON-encoded (getSharedCode `params`). */
export function toQuery(params: Record<string, unknown>): URLSearchParams {
  const q = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue
    q.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value))
  }
  return q
}

export function createHttpsTransport(opts: HttpsTransportOptions): HttpsTransport {
  const baseUrl = (opts.baseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, '')
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => globalThis.fetch(url, init))
  const now = opts.now ?? Date.now
  const marginMs = (opts.refreshMarginSeconds ?? 300) * 1000
  let cached: CachedToken | undefined
  let inFlight: Promise<string> | undefined

  async function request(endpointId: string, url: string, init: RequestInit): Promise<Record<string, unknown>> {
    const signal = opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined
    let res: Response
    try {
      res = await doFetch(url, signal ? { ...init, signal } : init)
    } catch (e) {
      const name = e instanceof Error ? e.name : ''
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new LiveTransportError(endpointId, 'timeout', `no answer within ${opts.timeoutMs} ms`, { cause: e })
      }
      throw new LiveTransportError(endpointId, 'network', e instanceof Error ? e.message : String(e), { cause: e })
    }
    let text: string
    try {
      text = await res.text()
    } catch (e) {
      throw new LiveTransportError(endpointId, 'network', 'reading the body failed', { cause: e, httpStatus: res.status })
    }
    const bodySnippet = text.slice(0, 200)
    if (!res.ok) {
      throw new LiveTransportError(endpointId, 'http-status', `HTTP ${res.status}`, { httpStatus: res.status, bodySnippet })
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (e) {
      throw new LiveTransportError(endpointId, 'not-json', 'the reply is not JSON', {
        httpStatus: res.status,
        bodySnippet,
        cause: e,
      })
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new LiveTransportError(endpointId, 'not-json', 'the reply is not a JSON object', {
        httpStatus: res.status,
        bodySnippet,
      })
    }
    return body as Record<string, unknown>
  }

  function wxError(endpointId: string, body: Record<string, unknown>): WxApiError | undefined {
    const code = Number(body.errcode ?? 0)
    if (!code) return undefined
    return new WxApiError({
      errcode: code,
      errmsg: typeof body.errmsg === 'string' ? body.errmsg : '',
      endpointId,
      qrcodeUrl: typeof body.qrcode_url === 'string' ? body.qrcode_url : undefined,
    })
  }

  async function fetchToken(force: boolean): Promise<string> {
    const body = await request(TOKEN_ENDPOINT, `${baseUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credential',
        appid: opts.appid,
        secret: opts.secret,
        force_refresh: force,
      }),
    })
    const err = wxError(TOKEN_ENDPOINT, body)
    if (err) throw err
    const token = body.access_token
    const expiresIn = Number(body.expires_in)
    if (typeof token !== 'string' || !token || !Number.isFinite(expiresIn)) {
      throw new LiveTransportError(TOKEN_ENDPOINT, 'not-json', 'stable_token reply lacks access_token/expires_in', {
        bodySnippet: JSON.stringify(body).slice(0, 200),
      })
    }
    cached = { token, refreshAt: now() + Math.max(0, expiresIn * 1000 - marginMs) }
    return token
  }

  function accessToken(force = false): Promise<string> {
    if (!force && cached && now() < cached.refreshAt) return Promise.resolve(cached.token)
    // Concurrent callers share one token request.
    if (!inFlight || force) {
      const p = fetchToken(force).finally(() => {
        if (inFlight === p) inFlight = undefined
      })
      inFlight = p
    }
    return inFlight
  }

  async function send(endpoint: EndpointDef, params: Record<string, unknown>, token: string) {
    const wire = (endpoint.wireCase === 'snake' ? toSnakeKeys(params) : params) as Record<string, unknown>
    const url = new URL(`${baseUrl}${endpoint.path}`)
    url.searchParams.set('access_token', token)
    if (endpoint.method === 'GET') {
      for (const [k, v] of toQuery(wire)) url.searchParams.set(k, v)
      return request(endpoint.id, url.toString(), { method: 'GET' })
    }
    return request(endpoint.id, url.toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(wire),
    })
  }

  async function call(endpoint: EndpointDef, params: Record<string, unknown>): Promise<unknown> {
    let body = await send(endpoint, params, await accessToken())
    let err = wxError(endpoint.id, body)
    if (err && isTokenExpired(err)) {
      // The token was revoked or rotated elsewhere: refresh once and retry once.
      cached = undefined
      body = await send(endpoint, params, await accessToken(true))
      err = wxError(endpoint.id, body)
    }
    if (err) throw err
    const { errcode: _code, errmsg: _msg, ...reply } = body
    return toCamelKeys(reply)
  }

  return { call, accessToken }
}
