/**
 * The typed Live client: one method per catalogue record, typed from its schemas. It checks params before
 * anything is sent and checks the reply against the catalogue, so use cases only ever see valid shapes.
 * The transport (cloud call or HTTPS) is injected; this module imports no SDK.
 */
import * as z from './zod'
import { catalogue, type Catalogue, type EndpointId } from './catalogue'
import type { EndpointDef } from './endpoint'
import { LiveParamsError, LiveReplyError, LiveTransportError, WxApiError } from './errors'

export interface LiveTransport {
  /**
   * Sends camelCase params for `endpoint`; resolves the camelCase reply without errcode/errmsg, or rejects
   * with WxApiError (errcode ≠ 0), LiveTransportError, or another error.
   */
  call(endpoint: EndpointDef, params: Record<string, unknown>): Promise<unknown>
}

/** What happened to one call, for a call ledger (quota accounting, diagnostics). */
export type CallOutcome =
  | { status: 'ok' }
  | { status: 'invalid-params'; error: LiveParamsError }
  | { status: 'wx-error'; errcode: number; error: WxApiError }
  | { status: 'invalid-reply'; error: LiveReplyError }
  | { status: 'transport-error'; error: unknown }

export interface LiveApiOptions {
  /** Called once per call after it settles; exceptions thrown here are ignored so the ledger cannot break a call. */
  onCall?: (endpointId: EndpointId, outcome: CallOutcome) => void
}

export type LiveParams<K extends EndpointId> = z.input<Catalogue[K]['request']>
export type LiveResult<K extends EndpointId> = z.output<Catalogue[K]['response']>

/** Endpoints whose params are all optional may be called with no argument. */
type LiveMethod<K extends EndpointId> =
  Record<string, never> extends LiveParams<K>
    ? (params?: LiveParams<K>) => Promise<LiveResult<K>>
    : (params: LiveParams<K>) => Promise<LiveResult<K>>

export type LiveApi = { readonly [K in EndpointId]: LiveMethod<K> } & {
  /** Untyped entry for generic callers (admin dispatch by id). Same checks as the typed methods. */
  call(endpointId: EndpointId, params?: Record<string, unknown>): Promise<unknown>
}

/** Top-level keys the request schema does not know; strip mode would drop them silently (a typo like `closeKF`). */
function unknownKeys(schema: z.ZodMiniType, params: Record<string, unknown>): string[] {
  if (!(schema instanceof z.ZodMiniObject)) return []
  const known = new Set(Object.keys(schema.shape))
  return Object.keys(params).filter((k) => !known.has(k))
}

export function validateParams(endpoint: EndpointDef, params: unknown): Record<string, unknown> {
  const input = params === undefined ? {} : params
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const extra = unknownKeys(endpoint.request, input as Record<string, unknown>)
    if (extra.length) {
      throw new LiveParamsError(
        endpoint.id,
        extra.map(
          (k): z.core.$ZodIssueUnrecognizedKeys => ({
            code: 'unrecognized_keys',
            keys: [k],
            path: [k],
            message: `unknown field "${k}" (not in the ${endpoint.id} request)`,
          }),
        ),
      )
    }
  }
  const parsed = endpoint.request.safeParse(input)
  if (!parsed.success) throw new LiveParamsError(endpoint.id, parsed.error.issues)
  return parsed.data as Record<string, unknown>
}

export function validateReply(endpoint: EndpointDef, reply: unknown): unknown {
  const parsed = endpoint.response.safeParse(reply)
  if (!parsed.success) throw new LiveReplyError(endpoint.id, parsed.error.issues, reply)
  return parsed.data
}

export function createLiveApi(transport: LiveTransport, opts: LiveApiOptions = {}): LiveApi {
  const report = (id: EndpointId, outcome: CallOutcome): void => {
    try {
      opts.onCall?.(id, outcome)
    } catch {
      // a broken ledger must not turn a good call into a failure
    }
  }

  async function call(id: EndpointId, params?: Record<string, unknown>): Promise<unknown> {
    const endpoint: EndpointDef = catalogue[id]
    let sent: Record<string, unknown>
    try {
      sent = validateParams(endpoint, params)
    } catch (e) {
      if (e instanceof LiveParamsError) report(id, { status: 'invalid-params', error: e })
      throw e
    }
    let reply: unknown
    try {
      reply = await transport.call(endpoint, sent)
    } catch (e) {
      if (e instanceof WxApiError) report(id, { status: 'wx-error', errcode: e.errcode, error: e })
      else report(id, { status: 'transport-error', error: e })
      throw e
    }
    try {
      const result = validateReply(endpoint, reply)
      report(id, { status: 'ok' })
      return result
    } catch (e) {
      if (e instanceof LiveReplyError) report(id, { status: 'invalid-reply', error: e })
      throw e
    }
  }

  const api: Record<string, unknown> = { call }
  for (const id of Object.keys(catalogue) as EndpointId[]) {
    api[id] = (params?: Record<string, unknown>) => call(id, params)
  }
  return api as LiveApi
}

export { LiveParamsError, LiveReplyError, LiveTransportError, WxApiError }
