/**
 * liveAdmin's dispatcher in this process, over the same kinds of ports the function gets, backed by the
 * emulator: the Live sandbox through its in-process transport (shaped like a cloud call), the engine's document
 * driver for the admin's collections and the sync's cache store for write-through. Thousands of calls a second,
 * for the fuzz test; the built function (test/admin-harness.ts) stays the reference for everything else.
 */
import path from 'node:path'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createEngineDriver, createEngineStore } from '../emulator/db/engine-store'
import type { DatabaseEngine } from '../emulator/db/types'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { makeSandbox, type SandboxKit } from '../emulator/sandbox/testing'
import { readDatabaseDir } from '../tools/database-config'
import { createLiveApi } from '../src/live/client'
import { createRoutingTransport } from '../src/cloud/routing-transport'
import { handleAdminEvent, type ActionTable } from '../src/admin/dispatch'
import { actionTable } from '../src/admin/actions'
import { notConfiguredTransport } from '../src/admin/https-config'
import type { AdminReply } from '../src/admin/reply'
import { OWNER } from './admin-harness'
import type { LiveSetup } from '../src/setup/live-setup'
import { readLiveSetup } from '../tools/live-setup'

export interface InProcessAdmin {
  kit: SandboxKit
  engine: DatabaseEngine
  /** Dispatches any event as `openid` (null: no WeChat user); the reply. */
  raw(event: unknown, openid?: string | null): Promise<AdminReply<any>>
  /** Live calls the sandbox counted so far, all APIs. */
  liveCalls(): number
  /** Calls that left the dispatcher for the Live API (either transport), counted before the sandbox sees them. */
  transportCalls(): number
  /** Every document of every collection but the audit log. */
  snapshotExceptAudit(): Record<string, unknown[]>
}

const FUNCTION_TIMEOUT_MS = 20_000

/** `setup`: the Live setup the function would be built with; the project's live.config.json unless given. */
export function startInProcessAdmin(opts: { table?: ActionTable; env?: Record<string, string>; setup?: LiveSetup } = {}): InProcessAdmin {
  const kit = makeSandbox()
  const engine = createMemoryEngine({ clock: kit.clock })
  for (const c of readDatabaseDir(path.resolve(__dirname, '../database'))) engine.createCollection(c.name)
  // As the deployed function without WX_APPSECRET: the three HTTPS-only endpoints answer not_configured.
  let sent = 0
  const routed = createRoutingTransport(createInProcessTransport(kit.sandbox), notConfiguredTransport())
  const live = createLiveApi({
    call: (endpoint, params) => {
      sent++
      return routed.call(endpoint, params)
    },
  })
  const env = { LIVE_OWNER_OPENIDS: OWNER, ...opts.env }
  const table = opts.table ?? actionTable
  const setup = opts.setup ?? readLiveSetup()
  return {
    kit,
    engine,
    raw: (event, openid = OWNER) => {
      const nowMs = kit.clock.nowMs()
      return handleAdminEvent(event, openid === null ? {} : { OPENID: openid, SOURCE: 'wx_client' }, {
        live,
        cache: createEngineStore(engine),
        docs: createEngineDriver(engine),
        media: null,
        files: null,
        links: null,
        textCheck: null,
        env,
        setup,
        nowMs: () => kit.clock.nowMs(),
        deadlineMs: nowMs + FUNCTION_TIMEOUT_MS,
      }, table)
    },
    transportCalls: () => sent,
    liveCalls: () => Object.values(kit.control.calls()).reduce((n, perApi) => n + Object.values(perApi).reduce((a, b) => a + b, 0), 0),
    snapshotExceptAudit: () => {
      const out: Record<string, unknown[]> = {}
      for (const c of engine.listCollections().sort()) if (c !== 'live_admin_audit') out[c] = engine.find(c, {})
      return out
    },
  }
}
