/**
 * The shape of one control route, shared by the route table in control-http.ts and the modules that add routes of
 * one area (control-<area>.ts export `<AREA>_ROUTES`, spread into the one table, so `GET /__sandbox/` lists them).
 */
import type { Emulator } from '../types'
import { HttpError } from './http-util'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type Handler = (ctx: { emu: Emulator; params: Record<string, string>; body: Record<string, unknown>; url: URL }) => Promise<unknown> | unknown

export interface RouteSpec {
  method: Method
  /** `/__sandbox/rooms/{roomId}/events`: `{name}` is one path segment, percent-decoded. */
  path: string
  /** The body it takes, in a few words (absent: none). */
  body?: string
  /** What it does, one line. */
  does: string
  handler: Handler
}

/** A handler's answer that is bytes with their own type rather than JSON. */
export class RawReply {
  constructor(
    readonly contentType: string,
    readonly bytes: Buffer,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** A path parameter that must be a positive integer (room and goods ids). */
export function numberParam(value: string, name: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new HttpError(400, `${name}: must be a positive integer`)
  return Number(value)
}
