/**
 * The emulator refuses what a page on the internet could send through a developer's browser: a foreign Host
 * (DNS rebinding) or a foreign Origin, on every route; local callers (no Origin, loopback Host) are served.
 */
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/emulator'
import { foreignRequestProblem } from '../../emulator/server/local-only'

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ port: 0, databaseDir: path.resolve(__dirname, '../../database'), uiDir: inject('uiOut') })
})
afterAll(async () => {
  await emu.stop()
})

/** A raw request, so the Host header is exactly the one given (fetch would set its own). */
function request(method: string, pathname: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: emu.port, method, path: pathname, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('foreignRequestProblem', () => {
  it.each([
    [{ host: '127.0.0.1:8787' }],
    [{ host: 'localhost:8787' }],
    [{ host: 'LOCALHOST' }],
    [{ host: '[::1]:8787' }],
    [{ host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787' }],
    [{ host: '127.0.0.1:8787', origin: 'http://localhost:3000' }],
    [{}],
  ])('serves a local request %j', (headers) => {
    expect(foreignRequestProblem({ headers })).toBeNull()
  })

  it.each([
    [{ host: 'evil.example' }, 'Host "evil.example"'],
    [{ host: 'evil.example:8787' }, 'Host "evil.example:8787"'],
    [{ host: '127.0.0.1.evil.example' }, 'Host'],
    [{ host: '127.0.0.1:8787 x' }, 'Host'],
    [{ host: '127.0.0.1:8787', origin: 'https://evil.example' }, 'Origin "https://evil.example"'],
    [{ host: '127.0.0.1:8787', origin: 'null' }, 'Origin "null"'],
    [{ host: '127.0.0.1:8787', origin: 'file://' }, 'Origin "file://"'],
    [{ host: '127.0.0.1:8787', origin: 'http://localhost.evil.example' }, 'Origin'],
  ])('refuses %j naming the header', (headers, named) => {
    expect(foreignRequestProblem({ headers })).toContain(named)
  })
})

describe('the running emulator', () => {
  it('answers 403 to a foreign Origin on a control route and changes nothing', async () => {
    const before = emu.clock.nowSeconds()
    const res = await request('POST', '/__sandbox/clock', { host: `127.0.0.1:${emu.port}`, origin: 'https://evil.example', 'content-type': 'application/json' }, JSON.stringify({ advance: 86400 }))
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body).error).toContain('Origin "https://evil.example"')
    expect(emu.clock.nowSeconds() - before).toBeLessThan(86400)
  })

  it('answers 403 to a foreign Host on the UI, the database wire and the client channel', async () => {
    for (const p of ['/ui/', '/admin', '/__client/db', '/__sandbox/rooms']) {
      const res = await request('GET', p, { host: 'rebound.example' })
      expect(res.status, p).toBe(403)
      expect(JSON.parse(res.body).error, p).toContain('Host "rebound.example"')
    }
  })

  it('serves the UI to a local browser with headers that keep other sites out', async () => {
    const res = await request('GET', '/ui/', { host: `localhost:${emu.port}`, origin: `http://localhost:${emu.port}` })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain('app.js')
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('redirects /ui to /ui/ and answers 404 for a file the build does not have, never reading outside it', async () => {
    const bare = await request('GET', '/ui', { host: `127.0.0.1:${emu.port}` })
    expect(bare.status).toBe(308)
    expect(bare.headers.location).toBe('/ui/')
    for (const p of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/nothing.js']) {
      const res = await request('GET', p, { host: `127.0.0.1:${emu.port}` })
      expect(res.status, p).toBe(404)
    }
    const post = await request('POST', '/ui/', { host: `127.0.0.1:${emu.port}` })
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
  })
})

describe('an emulator started without a built UI', () => {
  it('says at /ui/ how to build it', async () => {
    const bare = await startEmulator({ port: 0, databaseDir: path.resolve(__dirname, '../../database') })
    try {
      const res = await fetch(`${bare.url}/ui/`)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { error: string }).error).toContain('npm start')
    } finally {
      await bare.stop()
    }
  })
})
