/**
 * Cloud call (`cloud.openapi.*` → `wx.openApi`) routing: the platform checks the calling function's
 * `permissions.openapi` (answering -604101 when the API is not listed), then hands the call to WeChat.
 * Here WeChat is the Live sandbox, plus the temporary-media upload that rooms and goods need and the text check
 * the admin function runs before submitting names.
 */
import { endpointsByCloudName } from '../../src/live/catalogue'
import { TEXT_CHECK_API } from '../../src/cloud/text-check'
import type { Caller } from '../identity'
import type { LiveSandbox } from '../sandbox/sandbox'
import type { LiveReply } from '../sandbox/types'

/** Platform error codes the SDK throws as errCode (wx-server-sdk error.config). */
export const PLATFORM = {
  apiNotFound: -604100,
  noPermission: -604101,
  openApiTimeout: -604102,
  openApiSystemError: -604103,
} as const

export const MEDIA_UPLOAD_API = 'customerServiceMessage.uploadTempMedia'

export interface MediaFile {
  filename: string
  contentType: string
  bytes: Buffer
}

export type OpenApiOutcome = { platformError: number } | { httpStatus: number; body: Buffer; contentType: string }

export function createOpenApiRouter(sandbox: LiveSandbox) {
  return async function route(
    caller: Caller,
    apiName: string,
    params: Record<string, unknown>,
    media: Record<string, MediaFile>,
  ): Promise<OpenApiOutcome> {
    const endpoint = endpointsByCloudName[apiName]
    if (!endpoint && apiName !== MEDIA_UPLOAD_API && apiName !== TEXT_CHECK_API) return { platformError: PLATFORM.apiNotFound }
    if (caller.kind === 'function' && !caller.openapi.includes(apiName)) return { platformError: PLATFORM.noPermission }

    if (apiName === MEDIA_UPLOAD_API) {
      const file = media.media
      if (!file) return json({ errcode: 41005, errmsg: 'media data missing' })
      return json(sandbox.uploadMedia({ type: String(params.type ?? ''), ...file }))
    }
    if (apiName === TEXT_CHECK_API) return fromReply(await sandbox.checkText(params))
    const reply = await sandbox.callApi({ endpointId: endpoint!.id, params, via: 'cloud' })
    return fromReply(reply)
  }
}

function json(body: unknown): OpenApiOutcome {
  return { httpStatus: 200, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json; charset=utf-8' }
}

/**
 * WeChat's upstream HTTP failures do not reach a cloud function as HTTP statuses: the gateway reports them as its
 * own "open API system error". A malformed body reaches the SDK as is (it then throws "response body is invalid json").
 */
function fromReply(reply: LiveReply): OpenApiOutcome {
  if (reply.httpStatus >= 500) return { platformError: PLATFORM.openApiSystemError }
  if (reply.rawBody !== undefined) {
    return { httpStatus: reply.httpStatus, body: Buffer.from(reply.rawBody), contentType: 'application/json; charset=utf-8' }
  }
  return json(reply.body)
}
