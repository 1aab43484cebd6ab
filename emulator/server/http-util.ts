/** Small helpers shared by the emulator's HTTP routes (kept free of any engine logic). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { findInputProblem } from '../db/guard'

export function readBody(req: IncomingMessage, limitBytes = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limitBytes) {
        reject(new HttpError(413, `request body over ${limitBytes} bytes`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export function sendRaw(res: ServerResponse, status: number, body: string | Buffer, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/**
 * Parse a JSON object body and pass it through the input guard (no `__proto__`-like keys, bounded nesting); an empty
 * body is `{}` unless `allowEmpty` is false. Throws HttpError(400) naming the problem.
 */
export function parseJsonObject(body: Buffer, options: { allowEmpty?: boolean } = {}): Record<string, unknown> {
  const text = body.toString('utf8').trim()
  if (text === '') {
    if (options.allowEmpty === false) throw new HttpError(400, 'body: empty; expected a JSON object')
    return {}
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new HttpError(400, `body: not valid JSON (${(e as Error).message})`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'body: must be a JSON object')
  }
  const problem = findInputProblem(value, 'body')
  if (problem) throw new HttpError(400, problem.message)
  return value as Record<string, unknown>
}

/** True when the request's content type is `mime` (parameters such as charset ignored, case-insensitive). */
export function hasContentType(req: IncomingMessage, mime: string): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  return type === mime
}

/** 405 with the `Allow` header, as HTTP asks; `body` is the route's own error shape. */
export function sendMethodNotAllowed(res: ServerResponse, allowed: readonly string[], body: unknown): void {
  res.setHeader('allow', allowed.join(', '))
  sendJson(res, 405, body)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
