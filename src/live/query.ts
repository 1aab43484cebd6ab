/**
 * GET endpoints carry their params as query strings; this turns them back into the JSON values the
 * catalogue schema expects, field by field, guided by the schema itself (so `keyword=123` stays a string
 * while `roomId=123` becomes a number). Used by the sandbox's HTTPS route.
 */
import * as z from './zod'
import type { EndpointDef } from './endpoint'

function accepts(schema: z.ZodMiniType | undefined, value: unknown): boolean {
  return schema !== undefined && schema.safeParse(value).success
}

/** Query values (already camelCase keys) → params for `endpoint.request`. Unparseable values are left as strings so validation names them. */
export function paramsFromQuery(endpoint: EndpointDef, query: Record<string, string>): Record<string, unknown> {
  const shape: Record<string, z.ZodMiniType> =
    endpoint.request instanceof z.ZodMiniObject ? (endpoint.request.shape as Record<string, z.ZodMiniType>) : {}
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(query)) {
    const field = shape[key]
    if (field === undefined || accepts(field, raw)) {
      out[key] = raw
      continue
    }
    if (/^-?\d+(\.\d+)?$/.test(raw) && accepts(field, Number(raw))) {
      out[key] = Number(raw)
      continue
    }
    try {
      const parsed: unknown = JSON.parse(raw)
      out[key] = accepts(field, parsed) ? parsed : raw
    } catch {
      out[key] = raw
    }
  }
  return out
}
