/**
 * A LiveTransport that calls the sandbox directly (no HTTP, no protobuf), shaped exactly like a cloud call:
 * params go out snake_case as wx-server-sdk's convertCase sends them, replies come back camelCase, a non-zero
 * errcode becomes WxApiError, a non-200 or unparsable body a LiveTransportError. For the benchmark and tests.
 */
import type { LiveTransport } from '../../src/live/client'
import { toCamelKeys, toSnakeKeys } from '../../src/live/case'
import { LiveTransportError, WxApiError } from '../../src/live/errors'
import type { LiveSandbox } from './sandbox'

export function createInProcessTransport(sandbox: LiveSandbox): LiveTransport {
  return {
    async call(endpoint, params) {
      const reply = await sandbox.callApi({
        endpointId: endpoint.id,
        params: toSnakeKeys(params) as Record<string, unknown>,
        via: 'cloud',
      })
      if (reply.httpStatus !== 200) {
        throw new LiveTransportError(endpoint.id, 'http-status', `HTTP ${reply.httpStatus}`, {
          httpStatus: reply.httpStatus,
          bodySnippet: reply.rawBody?.slice(0, 200),
        })
      }
      let body: Record<string, unknown> = reply.body
      if (reply.rawBody !== undefined) {
        try {
          body = JSON.parse(reply.rawBody) as Record<string, unknown>
        } catch (e) {
          throw new LiveTransportError(endpoint.id, 'not-json', 'reply body is not JSON', {
            bodySnippet: reply.rawBody.slice(0, 200),
            cause: e,
          })
        }
      }
      const errcode = typeof body.errcode === 'number' ? body.errcode : 0
      if (errcode !== 0) {
        throw new WxApiError({ errcode, errmsg: String(body.errmsg ?? ''), endpointId: endpoint.id })
      }
      const { errcode: _c, errmsg: _m, ...rest } = body
      return toCamelKeys(rest)
    },
  }
}
