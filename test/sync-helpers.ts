/**
 * Shared fixtures for the sync tests: a sandbox on a frozen clock, an in-memory engine with the cache
 * collections, the sync wired over both, a transport wrapper for faults the sandbox cannot make (reordered
 * and short pages, a run killed mid-way), and a checker comparing the cache with the sandbox's truth.
 */
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createEngineStore } from '../emulator/db/engine-store'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { makeSandbox, type SandboxKit } from '../emulator/sandbox/testing'
import type { SandboxOptions } from '../emulator/sandbox/sandbox'
import type { DatabaseEngine } from '../emulator/db/types'
import { COLLECTIONS, type RoomDoc, roomDocId, sectionOf } from '../src/cache/schema'
import { createLiveApi, type LiveTransport } from '../src/live/client'
import { type SyncConfig, type SyncOutcome, runSync } from '../src/sync/sync'
import type { CacheStore } from '../src/sync/ports'
import type { LiveSetup } from '../src/setup/live-setup'

/** Setups the sync tests run with: Mini Program Live on (no Channels account), and off. */
export const MP_LIVE_ON: LiveSetup = { miniProgramLive: true, channels: null }
export const MP_LIVE_OFF: LiveSetup = { miniProgramLive: false, channels: null }

/**
 * short: rows cut from the end (a harmless short page); shortFront: rows missing from the front (rows lost);
 * vanished: no rows and a total that ends before the page (as if every later room was deleted meanwhile);
 * noTotal: the reply leaves out `total`; none: the page as the platform gives it.
 */
export type PageFault = 'reorder' | 'short' | 'shortFront' | 'vanished' | 'noTotal' | 'none' | 'kill'

export interface Harness extends SandboxKit {
  engine: DatabaseEngine
  store: CacheStore
  /** Faults applied by the transport wrapper to the next list-mode getLiveInfo calls, in order. */
  pageFaults: PageFault[]
  /** Live calls seen by the transport (all endpoints). */
  liveCalls: () => number
  run(opts?: { budgetMs?: number; config?: Partial<SyncConfig>; owner?: string; elapsedMs?: () => number; liveSetup?: LiveSetup }): Promise<SyncOutcome>
  rooms(): RoomDoc[]
  /** Creates a room through the control API; times are offsets in seconds from now. */
  room(opts?: { in?: number; hours?: number; replay?: boolean; history?: { event: string; at: number }[]; name?: string; segments?: number }): number
}

export class KilledRun extends Error {}

export function wrapTransport(inner: LiveTransport, faults: PageFault[], count: { n: number }): LiveTransport {
  return {
    async call(endpoint, params) {
      count.n++
      const isList = endpoint.id === 'getLiveInfo' && params.action === undefined
      const fault = isList ? faults.shift() : undefined
      if (fault === 'kill') throw new KilledRun('the function was killed mid-run')
      const reply = (await inner.call(endpoint, params)) as Record<string, unknown>
      const rows = Array.isArray(reply.roomInfo) ? [...(reply.roomInfo as unknown[])] : []
      if (fault === 'reorder' && rows.length > 1) return { ...reply, roomInfo: rows.reverse() }
      if (fault === 'short') return { ...reply, roomInfo: rows.slice(0, Math.floor(rows.length / 2)) }
      if (fault === 'shortFront') return { ...reply, roomInfo: rows.slice(Math.floor(rows.length / 2)) }
      if (fault === 'vanished') return { ...reply, roomInfo: [], total: params.start }
      if (fault === 'noTotal') {
        const { total: _dropped, ...rest } = reply
        return rest
      }
      return reply
    },
  }
}

export function makeHarness(options: SandboxOptions = {}): Harness {
  const kit = makeSandbox(options)
  const engine = createMemoryEngine({ clock: kit.clock })
  for (const name of Object.values(COLLECTIONS)) engine.createCollection(name)
  const store = createEngineStore(engine)
  const pageFaults: PageFault[] = []
  const count = { n: 0 }
  const live = createLiveApi(wrapTransport(createInProcessTransport(kit.sandbox), pageFaults, count))
  return {
    ...kit,
    engine,
    store,
    pageFaults,
    liveCalls: () => count.n,
    run: (opts = {}) =>
      runSync({
        live,
        store,
        liveSetup: opts.liveSetup ?? MP_LIVE_ON,
        nowMs: () => kit.clock.nowMs(),
        budgetMs: opts.budgetMs ?? 20_000,
        elapsedMs: opts.elapsedMs,
        config: opts.config,
        owner: opts.owner,
      }),
    rooms: () => engine.find(COLLECTIONS.rooms, {}, { limit: 100000 }) as unknown as RoomDoc[],
    room(opts = {}) {
      const now = kit.clock.nowSeconds()
      const start = now + (opts.in ?? 3600)
      const res = kit.control.createRoom({
        name: opts.name ?? '春茶上新直播',
        startTime: start,
        endTime: start + (opts.hours ?? 2) * 3600,
        anchorName: '小美老师',
        anchorWechat: 'anchor_xiaomei',
        closeReplay: opts.replay === false ? 1 : 0,
        ...(opts.segments !== undefined ? { replaySegments: opts.segments } : {}),
        ...(opts.history ? { history: opts.history } : {}),
      })
      return res.roomId
    },
  }
}

/** Differences between the cache and the sandbox's truth (empty when they agree). */
export function cacheVsTruth(h: Harness): string[] {
  const problems: string[] = []
  const truth = h.sandbox.truth()
  const docs = h.rooms()
  const byId = new Map<number, RoomDoc>()
  for (const d of docs) {
    if (byId.has(d.roomId)) problems.push(`room ${d.roomId}: duplicated`)
    byId.set(d.roomId, d)
    if (d._id !== roomDocId(d.roomId)) problems.push(`room ${d.roomId}: wrong _id ${d._id}`)
  }
  const live = new Set<number>()
  for (const t of truth.rooms) {
    live.add(t.roomId)
    const d = byId.get(t.roomId)
    if (!d) {
      problems.push(`room ${t.roomId}: missing from the cache`)
      continue
    }
    if (d.deleted) problems.push(`room ${t.roomId}: marked deleted but listed upstream`)
    if (d.liveStatus !== t.liveStatus) problems.push(`room ${t.roomId}: status ${d.liveStatus} ≠ ${t.liveStatus}`)
    if (d.name !== t.name) problems.push(`room ${t.roomId}: name ${d.name} ≠ ${t.name}`)
    if (d.startTime.getTime() !== t.startTime * 1000) problems.push(`room ${t.roomId}: startTime differs`)
    if (d.goods.length !== t.goods.length) problems.push(`room ${t.roomId}: ${d.goods.length} goods ≠ ${t.goods.length}`)
    const expectedReplay = t.replays.length > 0 ? 'available' : d.replay.state === 'available' ? 'stale' : d.replay.state
    const want = sectionOf(t.liveStatus, expectedReplay === 'available' ? 'available' : 'none', false)
    if (d.section !== want) problems.push(`room ${t.roomId}: section ${d.section} ≠ ${want}`)
  }
  for (const d of docs) {
    if (!live.has(d.roomId) && !d.deleted) problems.push(`room ${d.roomId}: deleted upstream but still shown`)
  }
  return problems
}

export { runSync }
