/**
 * liveAdmin's dispatcher in-process (test/admin-batch.test.ts, npm run bench:batch) over the emulator's pieces:
 * the Live sandbox through the in-process transport (shaped like a cloud call), the engine as database, cloud
 * storage files from a map. The clock is the sandbox's; the run's deadline is set per call, and a transport hook
 * can lose a reply after the platform acted or drop a call before it, to make rows whose outcome is in doubt.
 */
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createEngineDriver, createEngineStore } from '../emulator/db/engine-store'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { makeSandbox, type SandboxKit } from '../emulator/sandbox/testing'
import type { SandboxOptions } from '../emulator/sandbox/sandbox'
import { COLLECTIONS } from '../src/cache/schema'
import { actionTable } from '../src/admin/actions'
import { handleAdminEvent } from '../src/admin/dispatch'
import type { AdminErrorBody } from '../src/admin/reply'
import { ADMIN_COLLECTIONS } from '../src/admin/store'
import type { AdminPorts } from '../src/admin/types'
import { readLiveSetup } from '../tools/live-setup'
import { createLiveApi, type LiveTransport } from '../src/live/client'
import { LiveTransportError } from '../src/live/errors'

export const OWNER = 'owner-openid-000000000000001'

/** The reply with `data` and `error` readable on both branches, for assertions. */
export type Reply = { ok: true; data: any; error?: undefined } | { ok: false; data?: undefined; error: AdminErrorBody }

/** What happens to the next call of an endpoint: its reply lost after the platform acted, or the call lost before. */
export type CallFault = 'replyLost' | 'callLost'

export interface BatchHarness extends SandboxKit {
  ports: AdminPorts
  /** Files in "cloud storage" by file ID. */
  files: Map<string, { bytes: Uint8Array; name: string }>
  /** Faults for the next calls of an endpoint id, consumed in order. */
  faults: Map<string, CallFault[]>
  /** Live calls per endpoint id since the harness started. */
  calls: Record<string, number>
  /** Milliseconds the clock moves on with every Live call (a slow platform makes runs short). */
  msPerCall: number
  /** Runs an action as the owner with a run that has `budgetMs` left. */
  admin(action: string, params?: unknown, budgetMs?: number): Promise<Reply>
  upload(name: string, content: string | Uint8Array): string
}

export function makeBatchHarness(options: SandboxOptions = {}): BatchHarness {
  const kit = makeSandbox(options)
  const engine = createMemoryEngine({ clock: kit.clock })
  for (const name of [...Object.values(COLLECTIONS), ...Object.values(ADMIN_COLLECTIONS)]) {
    if (!engine.hasCollection(name)) engine.createCollection(name)
  }
  const files = new Map<string, { bytes: Uint8Array; name: string }>()
  const faults = new Map<string, CallFault[]>()
  const calls: Record<string, number> = {}
  const inner = createInProcessTransport(kit.sandbox)
  const h = { msPerCall: 0 } as BatchHarness
  const transport: LiveTransport = {
    async call(endpoint, params) {
      calls[endpoint.id] = (calls[endpoint.id] ?? 0) + 1
      if (h.msPerCall) kit.clock.advance(h.msPerCall / 1000)
      const fault = faults.get(endpoint.id)?.shift()
      if (fault === 'callLost') throw new LiveTransportError(endpoint.id, 'network', 'connection reset before the request was sent')
      const reply = await inner.call(endpoint, params)
      if (fault === 'replyLost') throw new LiveTransportError(endpoint.id, 'timeout', 'no reply in time')
      return reply
    },
  }
  const ports: AdminPorts = {
    setup: readLiveSetup(),
    live: createLiveApi(transport),
    cache: createEngineStore(engine),
    docs: createEngineDriver(engine),
    media: {
      async download(fileId) {
        const f = files.get(fileId)
        if (!f) throw new Error(`STORAGE_FILE_NONEXIST: ${fileId}`)
        return f
      },
      async uploadTemp() {
        throw new Error('not used by the batch tests')
      },
    },
    files: null,
    links: null,
    textCheck: null,
    env: { LIVE_OWNER_OPENIDS: OWNER },
    nowMs: () => kit.clock.nowMs(),
    deadlineMs: 0,
  }
  let n = 0
  return Object.assign(h, {
    ...kit,
    ports,
    files,
    faults,
    calls,
    async admin(action: string, params?: unknown, budgetMs = 20_000): Promise<Reply> {
      ports.deadlineMs = kit.clock.nowMs() + budgetMs
      return (await handleAdminEvent(params === undefined ? { action } : { action, params }, { OPENID: OWNER }, ports, actionTable)) as Reply
    },
    upload(name: string, content: string | Uint8Array) {
      const id = `cloud://test-env.bucket/batch/${++n}/${name}`
      files.set(id, { bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content, name })
      return id
    },
  })
}
