/**
 * The typed client of the link APIs over the cloud call (`cloud.openapi.wxacode.getUnlimited(...)` and the others).
 * Params are checked against the catalogue before anything is sent, replies against its reply schema. wx-server-sdk
 * resolves a JSON reply camelCased without errcode/errmsg (`{urlLink}`, `{openlink}`, `{link}`), and an image reply
 * as `{contentType, buffer}` (its `getGenericOpenAPI`, for any content type other than JSON or text); an errcode it
 * throws as `{errCode, errMsg}`, which becomes a WxApiError carrying this API's own sentence.
 */
import { LiveParamsError, LiveReplyError, LiveTransportError, WxApiError } from '../live/errors'
import { describeLinkErrcode, linkCatalogue, type LinkApiDef, type LinkApiId, type LinkRequest, type LinkResponse } from './catalogue'

type CloudFn = (params: Record<string, unknown>) => Promise<unknown>

/** The part of wx-server-sdk's `cloud` the client uses. */
export interface CloudLinksLike {
  openapi: {
    wxacode: { getUnlimited: CloudFn }
    urllink: { generate: CloudFn }
    urlscheme: { generate: CloudFn }
    shortlink: { generate: CloudFn }
  }
}

export type LinkApi = { [I in LinkApiId]: (params: LinkRequest<I>) => Promise<LinkResponse<I>> }

function cloudMethod(cloud: CloudLinksLike, api: LinkApiDef): CloudFn {
  const [ns, method] = api.cloud.split('.')
  const fn = (cloud.openapi as unknown as Record<string, Record<string, CloudFn> | undefined>)[ns]?.[method]
  if (typeof fn !== 'function') throw new LiveTransportError(api.id, 'unsupported', `cloud.openapi.${api.cloud} is not available`)
  return fn.bind((cloud.openapi as unknown as Record<string, unknown>)[ns])
}

async function call(cloud: CloudLinksLike, api: LinkApiDef, params: unknown): Promise<unknown> {
  const checked = api.request.safeParse(params)
  if (!checked.success) throw new LiveParamsError(api.id, checked.error.issues)
  let raw: unknown
  try {
    raw = await cloudMethod(cloud, api)(checked.data as Record<string, unknown>)
  } catch (e) {
    if (e instanceof LiveTransportError) throw e
    const rec = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}
    if (typeof rec.errCode === 'number' && rec.errCode !== 0) {
      const errmsg = typeof rec.errMsg === 'string' ? rec.errMsg : String(e)
      throw new WxApiError({ errcode: rec.errCode, errmsg, endpointId: api.id, text: describeLinkErrcode(api, rec.errCode) })
    }
    throw new LiveTransportError(api.id, 'network', `cloud call failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
  }
  const reply = api.response.safeParse(raw)
  if (!reply.success) throw new LiveReplyError(api.id, reply.error.issues, raw)
  return reply.data
}

export function createLinkApi(cloud: CloudLinksLike): LinkApi {
  const out = {} as Record<string, (p: unknown) => Promise<unknown>>
  for (const api of Object.values(linkCatalogue) as LinkApiDef[]) out[api.id] = (p) => call(cloud, api, p)
  return out as unknown as LinkApi
}
