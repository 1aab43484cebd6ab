/**
 * Wire helpers: the error a handler throws to answer with a WeChat errcode, the `rid` suffix WeChat appends
 * to error messages.
 */
import { randomBytes } from 'node:crypto'
import { describeErrcode } from '../../src/live/errors'

/** Thrown inside handlers; becomes `{errcode, errmsg: "<msg> rid: …", ...extra}`. */
export class LiveError extends Error {
  constructor(
    readonly errcode: number,
    message?: string,
    /** Extra wire fields answered beside errcode (e.g. `qrcode_url` for 300036). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? describeErrcode(errcode).en)
  }
}

/** ` rid: xxxxxxxx-xxxxxxxx-xxxxxxxx`, as WeChat appends to every error message. */
export function rid(): string {
  const h = randomBytes(12).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 16)}-${h.slice(16, 24)}`
}

export function errorBody(errcode: number, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { errcode, errmsg: `${message} rid: ${rid()}`, ...extra }
}
