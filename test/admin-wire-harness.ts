/**
 * Test harness for the `/admin` wire tests: a real HTTP server on port 0 in front of `createAdminHandler`,
 * so the unmodified SDKs (node-sdk, wx-server-sdk) can be pointed at it with `serviceUrl`.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClock, type Clock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import type { DatabaseEngine } from '../emulator/db/types'
import { IdentityRegistry } from '../emulator/identity'
import { createAdminHandler, type DatabaseRequestInfo, type OpenApiCallback } from '../emulator/server/admin'

// node-sdk refuses a request without a secretId and secretKey (tcbapirequester); any value works against the emulator.
export function setDummySecrets(): void {
  process.env.TENCENTCLOUD_SECRETID = 'AKIDdummy'
  process.env.TENCENTCLOUD_SECRETKEY = 'dummy'
}

export interface AdminHarness {
  serviceUrl: string
  clock: Clock
  engine: DatabaseEngine
  identities: IdentityRegistry
  /** Replace to change how open-API calls are answered. */
  openapi: OpenApiCallback
  /** Every database request the handler saw, with its resolved caller. */
  databaseRequests: DatabaseRequestInfo[]
  close(): Promise<void>
}

export async function startAdminServer(): Promise<AdminHarness> {
  const clock = createClock()
  const engine = createMemoryEngine({ clock })
  const identities = new IdentityRegistry()
  const harness: AdminHarness = {
    serviceUrl: '',
    clock,
    engine,
    identities,
    openapi: async () => ({ platformError: -604100 }),
    databaseRequests: [],
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  }
  const handler = createAdminHandler({
    engine,
    clock,
    identities,
    openapi: (...args) => harness.openapi(...args),
    onDatabaseRequest: (info) => harness.databaseRequests.push(info),
  })
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handler(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        res.writeHead(500)
        res.end(String(e))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  // keep-alive sockets from the SDK must not hold the server open at the end of a file
  server.keepAliveTimeout = 100
  harness.serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`
  return harness
}
