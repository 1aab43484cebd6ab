/**
 * What the sync does over many runs, beyond the fault matrix: a sweep spread over 3-second runs while rooms are created,
 * deleting only under the lease, goods audit in batches of at most 20, the ledger per Asia/Shanghai day and
 * the quota share, and replays (every segment, backoff, expiry, replay turned off).
 */
import { describe, expect, it } from 'vitest'
import { COLLECTIONS, type ReplayDoc, type SyncStatusDoc } from '../src/cache/schema'
import type { CacheStore } from '../src/sync/ports'
import { runSync } from '../src/sync/sync'
import { SYNC_LIVE_OFF } from '../src/setup/live-off'
import { createLiveApi } from '../src/live/client'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { type Harness, MP_LIVE_OFF, MP_LIVE_ON, cacheVsTruth, makeHarness } from './sync-helpers'

const DAY = 86400

function pastRooms(h: Harness, n: number, replay = false): number[] {
  const now = h.clock.nowSeconds()
  const ids: number[] = []
  for (let i = 0; i < n; i++) {
    const start = now - DAY * 10 + i * 3600
    ids.push(h.room({ in: start - now, replay, history: [{ event: 'start', at: start + 60 }, { event: 'end', at: start + 1800 }] }))
  }
  return ids
}

function wronglyHidden(h: Harness): number[] {
  const upstream = new Set(h.sandbox.truth().rooms.map((r) => r.roomId))
  return h.rooms().filter((d) => d.deleted && upstream.has(d.roomId)).map((d) => d.roomId)
}

function status(h: Harness): SyncStatusDoc {
  return h.engine.find(COLLECTIONS.syncStatus, { _id: 'public' })[0] as unknown as SyncStatusDoc
}

describe('a full sweep spread over 3-second runs', () => {
  it('never hides a room created after the sweep began', async () => {
    const h = makeHarness()
    pastRooms(h, 120)
    let fake = 0
    const elapsedMs = () => fake + h.liveCalls() * 700
    let created = 0
    let sweptOver = false
    for (let i = 0; i < 24; i++) {
      h.clock.advance(60)
      fake += 100_000
      // Pages of 20 rows and three calls a run: each sweep takes several runs.
      const out = await h.run({ budgetMs: 2800, elapsedMs, config: { pageSize: 20, fullSweepEveryMs: i >= 8 ? 0 : 6 * 3600_000 } })
      if (i === 9) {
        expect(out.sweep).toBe('progress')
        created = h.room({ in: 3600 })
      }
      if (created && out.sweep === 'complete') sweptOver = true
      expect(wronglyHidden(h)).toEqual([])
    }
    expect(sweptOver).toBe(true)
    expect(h.rooms().find((d) => d.roomId === created)?.section).toBe('upcoming')
    expect(cacheVsTruth(h)).toEqual([])
  })

  it('a sweep that lost its lease deletes nothing', async () => {
    const h = makeHarness()
    const ids = pastRooms(h, 30)
    await h.run()
    h.control.deleteRoom(ids[5])
    // Another run took the lease meanwhile: the owner check on the checkpoint fails.
    const store: CacheStore = { ...h.store, saveCheckpoint: async (owner, cp, opts) => (opts.release ? h.store.saveCheckpoint(owner, cp, opts) : false) }
    const live = createLiveApi(createInProcessTransport(h.sandbox))
    h.clock.advance(60)
    const out = await runSync({ live, store, liveSetup: MP_LIVE_ON, nowMs: () => h.clock.nowMs(), budgetMs: 20_000, config: { fullSweepEveryMs: 0 } })
    expect(out.roomsDeleted).toBe(0)
    expect(h.rooms().find((d) => d.roomId === ids[5])?.deleted).toBe(false)
    h.clock.advance(60)
    await h.run({ config: { fullSweepEveryMs: 0 } })
    expect(h.rooms().find((d) => d.roomId === ids[5])?.deleted).toBe(true)
  })
})

describe('goods audit state', () => {
  it('asks for at most 20 ids a call and records each verdict, every 10 minutes', async () => {
    const h = makeHarness()
    pastRooms(h, 2)
    const ids: number[] = []
    for (let i = 0; i < 45; i++) {
      const { goodsId } = h.control.createGoods({ name: `茶叶${i}`, price: 100, url: 'pages/goods/index', auditStatus: 1 })
      ids.push(goodsId)
      h.engine.insert(COLLECTIONS.goods, [{ _id: `goods-${goodsId}`, goodsId, auditStatus: 1 }])
    }
    for (const id of ids.slice(0, 10)) h.control.auditGoods(id, 'approve')
    for (const id of ids.slice(10, 13)) h.control.auditGoods(id, 'reject')
    h.clock.advance(60)
    const out = await h.run()
    // The sandbox refuses more than 20 ids (200002), so a bigger batch would fail the run.
    expect(out.status).toBe('ok')
    expect(out.calls.goodsInfo).toBe(3)
    expect(out.goodsUpdated).toBe(13)
    const rows = h.engine.find(COLLECTIONS.goods, {}, { limit: 100 }) as unknown as { goodsId: number; auditStatus: number }[]
    const byId = new Map(rows.map((r) => [r.goodsId, r.auditStatus]))
    expect(ids.map((id) => byId.get(id))).toEqual(ids.map((_, i) => (i < 10 ? 2 : i < 13 ? 3 : 1)))
    h.clock.advance(60)
    expect((await h.run()).calls.goodsInfo).toBeUndefined()
    h.clock.advance(600)
    // Only the 32 still under review are asked about: two calls.
    expect((await h.run()).calls.goodsInfo).toBe(2)
  })

  it('stops asking about goods the platform no longer knows, and marks them', async () => {
    const h = makeHarness()
    pastRooms(h, 2)
    for (let i = 0; i < 20; i++) {
      const { goodsId } = h.control.createGoods({ name: `茶叶${i}`, price: 100, url: 'pages/goods/index', auditStatus: 1 })
      h.engine.insert(COLLECTIONS.goods, [{ _id: `goods-${goodsId}`, goodsId, auditStatus: 1 }])
    }
    // Known to this system but not on the platform (deleted from the warehouse elsewhere).
    h.engine.insert(COLLECTIONS.goods, [{ _id: 'goods-999999', goodsId: 999999, auditStatus: 1 }])
    h.clock.advance(60)
    // 21 ids: a call of 20 and a call of 1.
    expect((await h.run()).calls.goodsInfo).toBe(2)
    const gone = h.engine.find(COLLECTIONS.goods, { goodsId: 999999 })[0] as unknown as { missingUpstream?: boolean }
    expect(gone.missingUpstream).toBe(true)
    h.clock.advance(600)
    // The next pass asks only about the 20 the platform knows: one call.
    expect((await h.run()).calls.goodsInfo).toBe(1)
  })

})

describe('goods audit under a 3-second timeout', () => {
  it('a pass cut short resumes after the last goods checked, so goods under review at the front do not starve the rest', async () => {
    const h = makeHarness()
    pastRooms(h, 2)
    const ids: number[] = []
    for (let i = 0; i < 100; i++) {
      const { goodsId } = h.control.createGoods({ name: `茶叶${i}`, price: 100, url: 'pages/goods/index', auditStatus: 1 })
      ids.push(goodsId)
      h.engine.insert(COLLECTIONS.goods, [{ _id: `goods-${goodsId}`, goodsId, auditStatus: 1 }])
    }
    for (const id of ids.slice(90)) h.control.auditGoods(id, 'approve')
    let fake = 0
    const elapsedMs = () => fake + h.liveCalls() * 700
    for (let i = 0; i < 6; i++) {
      h.clock.advance(60)
      fake += 100_000
      const out = await h.run({ budgetMs: 2800, elapsedMs })
      expect(Object.values(out.calls).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(3)
    }
    const rows = h.engine.find(COLLECTIONS.goods, {}, { limit: 200 }) as unknown as { goodsId: number; auditStatus: number }[]
    expect(rows.filter((r) => r.auditStatus === 2).map((r) => r.goodsId).sort((x, y) => x - y)).toEqual(ids.slice(90))
  })
})

describe('with Mini Program Live off', () => {
  it('calls no Live API, takes no lease, and says why in the public status until Live is on again', async () => {
    const h = makeHarness()
    pastRooms(h, 5)
    h.room({ in: 3600 })
    await h.run({ liveSetup: MP_LIVE_ON })
    const synced = status(h)
    expect(synced.liveOff).toBeNull()
    const callsBefore = h.liveCalls()
    const stateBefore = h.engine.find(COLLECTIONS.syncState, {}, { limit: 1000 })
    const ledgerBefore = h.engine.find(COLLECTIONS.apiLedger, {}, { limit: 100 })

    h.clock.advance(60)
    const out = await h.run({ liveSetup: MP_LIVE_OFF })
    expect(out).toMatchObject({ status: 'off', calls: {}, roomsWritten: 0, error: null, notes: [SYNC_LIVE_OFF.en] })
    expect(h.liveCalls()).toBe(callsBefore)
    // Lease, checkpoint, replay schedule and ledger are exactly as the last run left them.
    expect(h.engine.find(COLLECTIONS.syncState, {}, { limit: 1000 })).toEqual(stateBefore)
    expect(h.engine.find(COLLECTIONS.apiLedger, {}, { limit: 100 })).toEqual(ledgerBefore)
    const off = status(h)
    expect(off.liveOff).toEqual(SYNC_LIVE_OFF)
    expect(off.lastRunAt?.getTime()).toBe(h.clock.nowMs())
    expect(off.lastSuccessAt).toEqual(synced.lastSuccessAt)
    expect(off.lastError).toBeNull()
    expect(off.listedRooms).toBe(synced.listedRooms)

    h.clock.advance(60)
    expect((await h.run({ liveSetup: MP_LIVE_ON })).status).toBe('ok')
    expect(h.liveCalls()).toBeGreaterThan(callsBefore)
    expect(status(h).liveOff).toBeNull()
    expect(status(h).lastSuccessAt?.getTime()).toBe(h.clock.nowMs())
  })

  it('writes a first status that says Live is off when the sync never ran', async () => {
    const h = makeHarness()
    h.room({ in: 3600 })
    const out = await h.run({ liveSetup: MP_LIVE_OFF })
    expect(out.status).toBe('off')
    expect(h.liveCalls()).toBe(0)
    expect(status(h)).toMatchObject({ lastSuccessAt: null, lastFullSweepAt: null, listedRooms: 0, lastError: null, liveOff: SYNC_LIVE_OFF })
    expect(h.rooms()).toEqual([])
  })
})

describe('the ledger and the quota share', () => {
  it('counts calls per Asia/Shanghai day, not per UTC day', async () => {
    const h = makeHarness()
    pastRooms(h, 3)
    h.clock.set(Date.UTC(2026, 0, 5, 15, 59, 0) / 1000) // 23:59 in Shanghai, 5 January
    await h.run()
    h.clock.advance(120) // 00:01 on 6 January in Shanghai, still 5 January in UTC
    await h.run()
    const ledger = h.engine.find(COLLECTIONS.apiLedger, {}, { limit: 10 }) as unknown as { _id: string; calls: Record<string, number> }[]
    expect(ledger.map((d) => d._id).sort()).toEqual(['2026-01-05', '2026-01-06'])
    for (const d of ledger) expect(d.calls.getLiveInfo).toBeGreaterThan(0)
  })

  it('stops at its share of the daily quota, says so in the status, and resumes the next Shanghai day', async () => {
    const h = makeHarness()
    pastRooms(h, 3)
    await h.run()
    const today = '2026-01-01' // T0 is 08:00 in Shanghai
    const before = h.engine.find(COLLECTIONS.apiLedger, { _id: today })[0] as unknown as { calls: Record<string, number> }
    // Someone (the admin function, or earlier runs) already spent half of getliveinfo's 100 000.
    h.engine.update(COLLECTIONS.apiLedger, { _id: today }, { $set: { 'calls.getLiveInfo': 50_000 } }, { multi: false, upsert: false, merge: true })
    expect(before.calls.getLiveInfo).toBeGreaterThan(0)
    h.room({ in: 3600 })
    const calls = h.liveCalls()
    h.clock.advance(60)
    const out = await h.run()
    expect(h.liveCalls()).toBe(calls)
    expect(out.calls.getLiveInfo).toBeUndefined()
    expect(status(h).lastError?.en).toMatch(/share of today's getLiveInfo quota/)
    expect(status(h).lastError?.zh).toMatch(/额度/)
    h.clock.advance(DAY)
    await h.run()
    expect(cacheVsTruth(h)).toEqual([])
    expect(status(h).lastError).toBeNull()
  })
})

describe('replays', () => {
  it('captures every segment after the end, then marks the replay expired when its segments expire', async () => {
    const h = makeHarness({ replayTtlSeconds: 3 * 3600 })
    const id = h.room({ in: 900, hours: 1, segments: 3 })
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60)
      await h.run()
    }
    h.control.roomEvent(id, 'start')
    h.clock.advance(60)
    await h.run()
    h.control.roomEvent(id, 'end')
    let minutes = 0
    for (; minutes < 40; minutes++) {
      h.clock.advance(60)
      await h.run()
    }
    const replay = h.engine.find(COLLECTIONS.replays, { _id: `replay-${id}` })[0] as unknown as ReplayDoc
    expect(replay.segments.map((s) => s.mediaUrl.split('/').pop())).toEqual(['1.m3u8', '2.m3u8', '3.m3u8'])
    expect(replay.state).toBe('available')
    expect(h.rooms().find((d) => d.roomId === id)).toMatchObject({ section: 'replay', replay: { state: 'available', segments: 3 } })
    // Three hours later every segment has expired: kept, marked expired, no longer listed.
    for (let i = 0; i < 20; i++) {
      h.clock.advance(600)
      await h.run()
    }
    const after = h.engine.find(COLLECTIONS.replays, { _id: `replay-${id}` })[0] as unknown as ReplayDoc
    expect(after).toMatchObject({ state: 'expired' })
    expect(after.segments).toHaveLength(3)
    expect(h.rooms().find((d) => d.roomId === id)).toMatchObject({ section: 'ended', replay: { state: 'expired' } })
  })

  it('times the replay search from the end the sync saw, so a live that overran its planned end by hours still gets its replay', async () => {
    const h = makeHarness()
    const id = h.room({ in: 900, hours: 1, segments: 2 })
    h.clock.advance(960)
    h.control.roomEvent(id, 'start')
    await h.run()
    // Planned for one hour; the anchor keeps going for eight.
    for (let i = 0; i < 48; i++) {
      h.clock.advance(600)
      await h.run()
    }
    expect(h.rooms().find((d) => d.roomId === id)?.section).toBe('live')
    h.control.roomEvent(id, 'end')
    for (let i = 0; i < 40; i++) {
      h.clock.advance(60)
      await h.run()
    }
    const replay = h.engine.find(COLLECTIONS.replays, { _id: `replay-${id}` })[0] as unknown as ReplayDoc
    expect(replay.segments.map((s) => s.mediaUrl.split('/').pop())).toEqual(['1.m3u8', '2.m3u8'])
    expect(h.rooms().find((d) => d.roomId === id)).toMatchObject({ section: 'replay', replay: { state: 'available', segments: 2 } })
  })

  it('a room first seen already ended gets one look, and one more after the fast window when nothing is listed', async () => {
    const h = makeHarness()
    const now = h.clock.nowSeconds()
    const start = now - DAY
    const withReplay = h.room({ in: start - now, segments: 2, history: [{ event: 'start', at: start + 60 }, { event: 'end', at: start + 1800 }] })
    const without = h.room({ in: start - now + 7200, segments: 0, history: [{ event: 'start', at: start + 7260 }, { event: 'end', at: start + 9000 }] })
    let looks = 0
    for (let m = 0; m < 90; m++) {
      const out = await h.run()
      // Beyond the first run's list reads, any getLiveInfo call is a replay look.
      if (m > 0) looks += out.calls.getLiveInfo - 1
      h.clock.advance(60)
    }
    expect(looks).toBe(1)
    expect(h.rooms().find((d) => d.roomId === withReplay)).toMatchObject({ section: 'replay', replay: { state: 'available', segments: 2 } })
    expect(h.rooms().find((d) => d.roomId === without)?.replay.state).toBe('none')
  })

  it('backs off while no replay comes, and gives up after three days', async () => {
    const h = makeHarness()
    const id = h.room({ in: 900, hours: 1, segments: 0 })
    h.clock.advance(960)
    h.control.roomEvent(id, 'start')
    await h.run()
    h.control.roomEvent(id, 'end')
    const looks: number[] = [] // minutes after the end of each replay look
    for (let m = 1; m <= 4 * 24 * 60; m += m < 180 ? 1 : 5) {
      h.clock.set(h.clock.nowSeconds() + (m < 180 ? 60 : 300))
      const out = await h.run()
      // A quiet run reads one head page; anything more is the replay look.
      if ((out.calls.getLiveInfo ?? 0) > 1) looks.push(m)
    }
    expect(looks.length).toBeGreaterThan(20)
    expect(looks.length).toBeLessThan(100) // one a minute would be ~5 700
    const gaps = looks.slice(1).map((m, i) => m - looks[i])
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(60)
    expect(h.rooms().find((d) => d.roomId === id)?.replay.state).toBe('none')
    // About 1,300 sync runs of simulated time: several seconds alone, far more when the machine is shared.
  }, 120_000)

  it('stops looking when the merchant turns replay off', async () => {
    const h = makeHarness({ replayDelaySeconds: 3600 })
    const id = h.room({ in: 900, hours: 1 })
    h.clock.advance(960)
    h.control.roomEvent(id, 'start')
    await h.run()
    h.control.roomEvent(id, 'end')
    for (let i = 0; i < 10; i++) {
      h.clock.advance(60)
      await h.run()
    }
    const room = h.sandbox.state.rooms.get(id)!
    h.sandbox.state.updateRoom(room, (r) => (r.closeReplay = 1))
    h.clock.advance(60)
    await h.run()
    expect(h.rooms().find((d) => d.roomId === id)?.replay.state).toBe('none')
    for (let i = 0; i < 30; i++) {
      h.clock.advance(60)
      const out = await h.run()
      expect(out.calls.getLiveInfo).toBe(1)
    }
  })
})
