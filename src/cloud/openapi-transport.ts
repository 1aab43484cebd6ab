/**
 * LiveTransport over wx-server-sdk's `cloud.openapi` (cloud call: no access_token handling). The `cloud`
 * object is passed in, so nothing here imports the SDK. The SDK's default convertCase is kept: it turns
 * our camelCase params into snake_case on the wire and the snake_case reply back into camelCase.
 */
import type { EndpointDef } from '../live/endpoint'
import type { LiveTransport } from '../live/client'
import { LiveTransportError, WxApiError } from '../live/errors'

/** One `cloud.openapi.<ns>.<method>` function as wx-server-sdk exposes it. */
export type OpenApiMethod = (params: Record<string, unknown>) => Promise<unknown>

/**
 * The part of wx-server-sdk's `cloud` we use. `openapi` is a callable Proxy in the SDK: any property path
 * is a method, and calling it with options (`{appid}`) gives a configured proxy. `unknown` because the
 * SDK ships no precise type for the proxy; we walk it defensively below.
 */
export interface CloudLike {
  openapi: unknown
}

export interface OpenApiTransportOptions {
  /** Resource-sharing environments call on behalf of another appid: `cloud.openapi({appid})`. */
  appid?: string
}

function property(target: unknown, key: string): unknown {
  if ((typeof target === 'object' || typeof target === 'function') && target !== null) {
    return (target as Record<string, unknown>)[key]
  }
  return undefined
}

const URL_IN_TEXT = /https?:\/\/[^\s"'<>,，]+/

/** For 300036 the SDK throws away `qrcode_url`; WeChat's errmsg sometimes still carries the link. */
export function urlFromErrmsg(errmsg: string): string | undefined {
  const m = URL_IN_TEXT.exec(errmsg)
  return m ? m[0].replace(/[.;。)）\]]+$/, '') : undefined
}

/** Maps what the SDK throws (`CloudSDKError {errCode, errMsg}`) to WxApiError; anything else to LiveTransportError. */
export function fromCloudError(endpoint: EndpointDef, e: unknown): Error {
  const rec = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}
  const code = rec.errCode
  if (typeof code === 'number' && code !== 0) {
    const errmsg =
      typeof rec.errMsg === 'string' ? rec.errMsg : typeof rec.message === 'string' ? rec.message : String(e)
    const qrcodeUrl = code === 300036 ? urlFromErrmsg(errmsg) : undefined
    return new WxApiError({ errcode: code, errmsg, endpointId: endpoint.id, qrcodeUrl })
  }
  const detail = e instanceof Error ? e.message : String(e)
  return new LiveTransportError(endpoint.id, 'network', `cloud call failed: ${detail}`, { cause: e })
}

export function createOpenApiTransport(cloud: CloudLike, opts: OpenApiTransportOptions = {}): LiveTransport {
  function root(): unknown {
    if (opts.appid === undefined) return cloud.openapi
    const configure = cloud.openapi
    if (typeof configure !== 'function') throw new Error('cloud.openapi is not callable; cannot set appid')
    return (configure as (o: { appid: string }) => unknown)({ appid: opts.appid })
  }

  return {
    async call(endpoint: EndpointDef, params: Record<string, unknown>): Promise<unknown> {
      if (endpoint.cloud === null) {
        throw new LiveTransportError(
          endpoint.id,
          'unsupported',
          `${endpoint.method} ${endpoint.path} has no cloud call; use the HTTPS transport with an access_token`,
        )
      }
      let fn: unknown = root()
      let owner: unknown = undefined
      for (const part of endpoint.cloud.split('.')) {
        owner = fn
        fn = property(fn, part)
      }
      if (typeof fn !== 'function') {
        throw new LiveTransportError(endpoint.id, 'unsupported', `cloud.openapi.${endpoint.cloud} is not a function`)
      }
      let reply: unknown
      try {
        reply = await (fn as OpenApiMethod).call(owner, params)
      } catch (e) {
        throw fromCloudError(endpoint, e)
      }
      if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) return reply
      // The SDK adds errCode 0 / errMsg "openapi.x:ok" to every success; they are not part of the reply.
      const { errCode: _code, errMsg: _msg, ...rest } = reply as Record<string, unknown>
      return rest
    },
  }
}
