/**
 * Serves the built emulator UI (emulator/ui/build.ts) under `/ui/`: a fixed table of the files found at start, so
 * no request path ever reaches the file system, and headers that keep other sites from framing or scripting it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson, sendMethodNotAllowed } from './http-util'

export const UI_PREFIX = '/ui'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
}

// Same-origin only: the page talks to this emulator and nothing else, and no other site may frame it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

export type UiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base))
    else out.push(path.relative(base, full).split(path.sep).join('/'))
  }
  return out
}

/** A handler for `/ui` and `/ui/*` serving `dir` (null: the UI was not built for this emulator). */
export function createUiHandler(dir: string | null): UiHandler {
  const files = new Map<string, { type: string; bytes: Buffer }>()
  if (dir) {
    for (const rel of listFiles(dir)) {
      const type = TYPES[path.extname(rel)]
      if (type) files.set(`${UI_PREFIX}/${rel}`, { type, bytes: readFileSync(path.join(dir, rel)) })
    }
  }
  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET', 'HEAD'], { error: `${url.pathname} takes GET` })
    if (url.pathname === UI_PREFIX) {
      res.writeHead(308, { location: `${UI_PREFIX}/` })
      res.end()
      return
    }
    if (files.size === 0) {
      return sendJson(res, 404, { error: 'the emulator UI was not built for this emulator: npm start and npm run emulator build it (npm run build does too)' })
    }
    const file = files.get(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname)
    if (!file) return sendJson(res, 404, { error: `no UI file ${url.pathname} (the UI starts at ${UI_PREFIX}/)` })
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': file.type, 'content-length': file.bytes.length })
    res.end(req.method === 'HEAD' ? undefined : file.bytes)
  }
}
