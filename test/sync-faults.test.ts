/**
 * The sync's fault matrix: for each fault the cache stays correct while it lasts (nothing lost,
 * nothing duplicated, nothing wrongly deleted), and once it clears the next runs converge to the sandbox's
 * truth. The merchant has 3 pages of rooms so paging faults bite.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { COLLECTIONS, type SyncStatusDoc } from '../src/cache/schema'
import type { CacheStore } from '../src/sync/ports'
import { runSync } from '../src/sync/sync'
import { createLiveApi } from '../src/live/client'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { type Harness, KilledRun, MP_LIVE_ON, cacheVsTruth, makeHarness, wrapTransport } from './sync-helpers'
import { LiveStatus } from '../src/live/status'

const DAY = 86400

let h: Harness
let pastRooms: number[]

/** 230 ended rooms (every fifth with a replay), 2 live, 4 upcoming. */
function seedMerchant(harness: Harness): number[] {
  const now = harness.clock.nowSeconds()
  const past: number[] = []
  for (let i = 0; i < 230; i++) {
    const start = now - DAY * 30 + i * 3 * 3600
    past.push(
      harness.room({
        in: start - now,
        replay: i % 5 === 0,
        history: [
          { event: 'start', at: start + 60 },
          { event: 'end', at: start + 3600 },
        ],
      }),
    )
  }
  for (let i = 0; i < 2; i++) harness.room({ in: -1800 - i * 60, history: [{ event: 'start', at: now - 1700 - i * 60 }] })
  for (let i = 0; i < 4; i++) harness.room({ in: 3600 * (i + 1) })
  return past
}

/** Runs once a minute; each run past the backoff window. Returns the last outcome. */
async function settle(harness: Harness, runs = 8) {
  let last
  for (let i = 0; i < runs; i++) {
    harness.clock.advance(60)
    last = await harness.run()
  }
  return last
}

function notDeleted(harness: Harness): number {
  return harness.rooms().filter((d) => !d.deleted).length
}

function status(harness: Harness): SyncStatusDoc {
  return harness.engine.find(COLLECTIONS.syncStatus, { _id: 'public' })[0] as unknown as SyncStatusDoc
}

beforeEach(async () => {
  h = makeHarness()
  pastRooms = seedMerchant(h)
  await settle(h, 6)
  expect(cacheVsTruth(h)).toEqual([])
})

describe('upstream errors: the cache keeps what it had, then converges', () => {
  const cases: { name: string; fault: Record<string, unknown> }[] = [
    { name: 'errcode -1 (system busy)', fault: { errcode: -1 } },
    { name: 'errcode 40001 (token)', fault: { errcode: 40001 } },
    { name: 'HTTP 502', fault: { httpStatus: 502 } },
    { name: 'malformed JSON', fault: { malformed: true } },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const before = notDeleted(h)
      const liveRoom = h.sandbox.truth().rooms.find((r) => r.liveStatus === LiveStatus.live)!
      h.control.roomEvent(liveRoom.roomId, 'pause')
      h.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 3, ...c.fault })
      h.clock.advance(60)
      const out = await h.run()
      expect(out.status).toBe('failed')
      expect(notDeleted(h)).toBe(before)
      expect(status(h).lastError?.en).toBeTruthy()
      // Backing off: the next run inside the window makes no Live call.
      const calls = h.liveCalls()
      h.clock.advance(10)
      expect((await h.run()).status).toBe('backoff')
      expect(h.liveCalls()).toBe(calls)
      const last = await settle(h, 20)
      expect(last?.status).toBe('ok')
      expect(cacheVsTruth(h)).toEqual([])
      expect(status(h).lastError).toBeNull()
    })
  }

  it('45009 (quota): stops calling that API until the next Shanghai day, then converges', async () => {
    h.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, errcode: 45009 })
    h.clock.advance(60)
    expect((await h.run()).error?.errcode).toBe(45009)
    const calls = h.liveCalls()
    await settle(h, 3)
    expect(h.liveCalls()).toBe(calls)
    expect(status(h).lastError?.errcode).toBe(45009)
    h.clock.advance(DAY)
    await settle(h, 3)
    expect(h.liveCalls()).toBeGreaterThan(calls)
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('a call that times out', async () => {
    h.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, delayMs: 300 })
    h.clock.advance(60)
    const out = await h.run({ config: { callTimeoutMs: 50 } })
    expect(out.status).toBe('failed')
    expect(out.error?.en).toMatch(/in time/)
    await new Promise((r) => setTimeout(r, 350)) // let the abandoned call finish
    await settle(h, 4)
    expect(cacheVsTruth(h)).toEqual([])
  })
})

describe('9410000, the empty list', () => {
  it('a single empty answer hides nothing', async () => {
    const before = notDeleted(h)
    h.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, errcode: 9410000 })
    h.clock.advance(60)
    await h.run()
    expect(notDeleted(h)).toBe(before)
    await settle(h, 2)
    expect(notDeleted(h)).toBe(before)
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('an empty list confirmed by a second read hides every room (kept for the record)', async () => {
    for (const r of h.sandbox.truth().rooms) {
      if (r.liveStatus === LiveStatus.live) h.control.roomEvent(r.roomId, 'end')
    }
    for (const r of h.sandbox.truth().rooms) h.control.deleteRoom(r.roomId)
    h.clock.advance(60)
    await h.run()
    expect(notDeleted(h)).toBeGreaterThan(0)
    h.clock.advance(60)
    await h.run()
    expect(notDeleted(h)).toBe(0)
    expect(h.rooms().length).toBe(236)
    expect(h.rooms().every((d) => d.section === 'hidden')).toBe(true)
  })
})

describe('paging faults', () => {
  it('a page shorter than promised never deletes a room, and the next sweep converges', async () => {
    const victim = pastRooms[10]
    h.control.deleteRoom(victim)
    h.pageFaults.push('short', 'short', 'short', 'short')
    h.clock.advance(60)
    await h.run({ config: { fullSweepEveryMs: 0 } })
    const stillThere = h.rooms().filter((d) => !d.deleted && d.roomId !== victim)
    expect(stillThere.length).toBe(235)
    await settle(h, 3)
    expect(cacheVsTruth(h)).toEqual([])
    expect(h.rooms().find((d) => d.roomId === victim)?.deleted).toBe(true)
  })

  it('a page missing rows at its front taints the sweep: no room it skipped is deleted', async () => {
    const victim = pastRooms[200]
    h.control.deleteRoom(victim)
    // First sweep page (newest rooms) loses its front half; those rooms must not be taken as deleted.
    h.pageFaults.push('shortFront')
    h.clock.advance(60)
    const out = await h.run({ config: { fullSweepEveryMs: 0 } })
    expect(out.sweep).toBe('tainted')
    expect(h.rooms().filter((d) => d.deleted && d.roomId !== victim)).toEqual([])
    await settle(h, 3)
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('a page that comes back empty after the first, its total shrunk, taints the sweep instead of ending it', async () => {
    const victim = pastRooms[20]
    h.control.deleteRoom(victim)
    h.pageFaults.push('none', 'vanished')
    h.clock.advance(60)
    const out = await h.run({ config: { fullSweepEveryMs: 0 } })
    expect(out.sweep).toBe('tainted')
    expect(h.rooms().filter((d) => d.deleted)).toEqual([])
    await settle(h, 3)
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('a list whose replies leave out the total still ends: the sweep completes and deletes what is gone', async () => {
    const victim = pastRooms[20]
    h.control.deleteRoom(victim)
    h.pageFaults.push(...Array.from({ length: 20 }, () => 'noTotal' as const))
    h.clock.advance(60)
    const out = await h.run({ config: { fullSweepEveryMs: 0 } })
    expect(out.sweep).toBe('complete')
    // 235 rooms in pages of 100 with 3 rows of overlap: three pages, and a fourth that repeats only the overlap.
    expect(out.calls.getLiveInfo).toBe(4)
    expect(h.rooms().filter((d) => d.deleted).map((d) => d.roomId)).toEqual([victim])
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('a reordered page makes the sweep refuse to delete; the next clean sweep does', async () => {
    const victim = pastRooms[50]
    h.control.deleteRoom(victim)
    h.pageFaults.push('reorder', 'reorder')
    h.clock.advance(60)
    const out = await h.run()
    expect(out.notes.join(' ')).toMatch(/order/)
    expect(h.rooms().filter((d) => d.deleted && d.roomId !== victim)).toEqual([])
    await settle(h, 3)
    expect(cacheVsTruth(h)).toEqual([])
  })
})

describe('runs that die or overlap', () => {
  it('a run killed mid-way leaves the cache intact; after its lease expires the next run converges', async () => {
    let killed = false
    const guard = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(t, p, r) {
          const v = Reflect.get(t, p, r)
          if (typeof v !== 'function') return v
          return (...args: unknown[]) => {
            if (killed) return Promise.reject(new KilledRun('process is gone'))
            return (v as (...a: unknown[]) => unknown).apply(t, args)
          }
        },
      })
    const store: CacheStore = guard(h.store)
    const faults: ('kill' | 'short' | 'reorder')[] = ['kill']
    const transport = wrapTransport(createInProcessTransport(h.sandbox), [], { n: 0 })
    const live = createLiveApi({
      call: async (e, p) => {
        if (faults.length && e.id === 'getLiveInfo') {
          faults.shift()
          killed = true
          throw new KilledRun('killed')
        }
        return transport.call(e, p)
      },
    })
    h.control.deleteRoom(pastRooms[3])
    h.clock.advance(60)
    await expect(runSync({ live, store, liveSetup: MP_LIVE_ON, nowMs: () => h.clock.nowMs(), budgetMs: 20_000 })).rejects.toThrow(KilledRun)
    // The dead run still holds the lease: the next trigger leaves at once.
    h.clock.advance(20)
    expect((await h.run()).status).toBe('busy')
    h.clock.advance(60)
    await settle(h, 3)
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('two overlapping runs: the second leaves at once, the cache stays right', async () => {
    const liveRoom = h.sandbox.truth().rooms.find((r) => r.liveStatus === LiveStatus.live)!
    h.control.roomEvent(liveRoom.roomId, 'end')
    h.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, delayMs: 200 })
    h.clock.advance(60)
    const slow = h.run({ owner: 'slow' })
    await new Promise((r) => setTimeout(r, 20))
    const second = await h.run({ owner: 'second' })
    expect(second.status).toBe('busy')
    expect((await slow).status).toBe('ok')
    expect(h.rooms().find((d) => d.roomId === liveRoom.roomId)?.liveStatus).toBe(LiveStatus.ended)
    expect(new Set(h.rooms().map((d) => d._id)).size).toBe(h.rooms().length)
    await settle(h, 25)
    expect(cacheVsTruth(h)).toEqual([])
  })
})

describe('a 3-second function timeout', () => {
  it('moves forward run by run within the budget and converges', async () => {
    const fresh = makeHarness()
    seedMerchant(fresh)
    // Each Live call "takes" 700 ms of the run's budget.
    let fakeElapsed = 0
    const calls = () => fresh.liveCalls()
    const elapsedMs = () => fakeElapsed + calls() * 700
    const outcomes = []
    for (let i = 0; i < 30; i++) {
      fresh.clock.advance(60)
      fakeElapsed += 100_000
      const out = await fresh.run({ budgetMs: 2800, elapsedMs })
      outcomes.push(out.status)
      expect(Object.values(out.calls).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3)
    }
    expect(outcomes).toContain('partial')
    expect(cacheVsTruth(fresh)).toEqual([])
  })
})

describe('deletions and edits upstream', () => {
  it('an old room deleted on the platform is hidden within one run; a new room appears', async () => {
    h.control.deleteRoom(pastRooms[100])
    const added = h.room({ in: 7200 })
    h.clock.advance(60)
    await h.run()
    expect(h.rooms().find((d) => d.roomId === pastRooms[100])).toMatchObject({ deleted: true, section: 'hidden' })
    expect(h.rooms().find((d) => d.roomId === added)?.section).toBe('upcoming')
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('a quiet run writes nothing but the lease, the ledger and the status', async () => {
    await settle(h, 3)
    const writes: string[] = []
    const stop = h.engine.onChange((e) => writes.push(e.collection))
    h.clock.advance(60)
    await h.run()
    stop()
    expect(writes.filter((c) => c === COLLECTIONS.rooms || c === COLLECTIONS.replays)).toEqual([])
    expect(writes.length).toBeLessThanOrEqual(4)
  })
})
