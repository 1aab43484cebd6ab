/**
 * Cloud call (`cloud.openapi.*` → `wx.openApi`) routing: the platform checks the calling function's
 * `permissions.openapi` (answering -604101 when the API is not listed), then hands the call to WeChat. Here WeChat
 * is the sandbox, and the router knows every cloud call it answers from one table built from the catalogues: the
 * Live endpoints (src/live/catalogue.ts), the link APIs (src/links/catalogue.ts), the temporary-media upload that
 * rooms and goods need and the text check the admin function runs before submitting names.
 */
import type { LiveCallRecord } from '../functions/runner'
import { endpointList } from '../../src/live/catalogue'
import { linkApiList, type LinkApiId } from '../../src/links/catalogue'
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

type CloudCall = (sandbox: LiveSandbox, params: Record<string, unknown>, media: Record<string, MediaFile>) => Promise<OpenApiOutcome>

/** Every cloud name the emulator answers, and how. */
export const CLOUD_CALLS: ReadonlyMap<string, CloudCall> = new Map<string, CloudCall>([
  ...endpointList
    .filter((e) => e.cloud !== null)
    .map((e): [string, CloudCall] => [e.cloud as string, async (sandbox, params) => fromReply(await sandbox.callApi({ endpointId: e.id, params, via: 'cloud' }))]),
  ...linkApiList.map((e): [string, CloudCall] => [e.cloud, async (sandbox, params) => fromReply(await sandbox.callLinkApi(e.id as LinkApiId, params))]),
  [
    MEDIA_UPLOAD_API,
    async (sandbox, params, media) => {
      const file = media.media
      if (!file) return json({ errcode: 41005, errmsg: 'media data missing' })
      return json(sandbox.uploadMedia({ type: String(params.type ?? ''), ...file }))
    },
  ],
  [TEXT_CHECK_API, async (sandbox, params) => fromReply(await sandbox.checkText(params))],
])

export function createOpenApiRouter(sandbox: LiveSandbox) {
  return async function route(
    caller: Caller,
    apiName: string,
    params: Record<string, unknown>,
    media: Record<string, MediaFile>,
  ): Promise<OpenApiOutcome> {
    const answer = CLOUD_CALLS.get(apiName)
    if (!answer) return { platformError: PLATFORM.apiNotFound }
    if (caller.kind === 'function' && !caller.openapi.includes(apiName)) return { platformError: PLATFORM.noPermission }
    return answer(sandbox, params, media)
  }
}

/** How a run's record lists one cloud call: the API, the errcode its JSON reply carried (0 when none), or the gateway's error. */
export function liveCallOf(api: string, outcome: OpenApiOutcome, durationMs: number): LiveCallRecord {
  if ('platformError' in outcome) return { api, errcode: null, platformError: outcome.platformError, durationMs }
  let errcode: number | null = 0
  if (outcome.contentType.startsWith('application/json')) {
    try {
      const body = JSON.parse(outcome.body.toString('utf8')) as { errcode?: unknown }
      errcode = typeof body.errcode === 'number' ? body.errcode : 0
    } catch {
      // a malformed body (an injected fault): the function saw no errcode either
      errcode = null
    }
  }
  return { api, errcode, durationMs }
}

function json(body: unknown): OpenApiOutcome {
  return { httpStatus: 200, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json; charset=utf-8' }
}

/**
 * WeChat's upstream HTTP failures do not reach a cloud function as HTTP statuses: the gateway reports them as its
 * own "open API system error". A malformed body reaches the SDK as is (it then throws "response body is invalid json").
 * An image goes back with its own content type, which wx-server-sdk resolves as `{contentType, buffer}`.
 */
function fromReply(reply: LiveReply): OpenApiOutcome {
  if (reply.httpStatus >= 500) return { platformError: PLATFORM.openApiSystemError }
  if (reply.image) return { httpStatus: 200, body: reply.image.bytes, contentType: reply.image.contentType }
  if (reply.rawBody !== undefined) {
    return { httpStatus: reply.httpStatus, body: Buffer.from(reply.rawBody), contentType: 'application/json; charset=utf-8' }
  }
  return json(reply.body)
}
