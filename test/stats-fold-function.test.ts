/**
 * liveStats as it ships: the BUILT function, run by the emulator's runner in its own process with the real
 * wx-server-sdk and fired by its timer trigger, folds batches stored as `track` stores them, removes the raw
 * batches past the retention age, and refuses every caller but its timer (its trigger comes from config.json);
 * and events simulated viewers send through the built `track` function end in the right aggregates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { shanghaiDay } from '../src/live/day'
import { dailyDocId, seqKeyOf, STATS_COLLECTIONS as C, type StatsBatchDoc } from '../src/stats/docs'
import type { FoldReport } from '../src/stats/fold'

const ROOT = path.resolve(__dirname, '../cloudfunctions')
const OUT = path.resolve(__dirname, '../node_modules/.cache/emulator', `stats-fold-${randomUUID().slice(0, 8)}`)
const T0 = 1_790_000_000_000
const DAY_MS = 86_400_000

let emu: Emulator

beforeAll(async () => {
  await buildFunctions({ root: ROOT, names: ['liveStats', 'track'], outRoot: OUT })
  emu = await startEmulator({
    port: 0,
    functionsRoot: ROOT,
    builtRoot: OUT,
    cloudbaserc: path.resolve(__dirname, '../cloudbaserc.json'),
    databaseDir: path.resolve(__dirname, '../database'),
    // fired by hand below: a scheduled run racing the test's own would only find the lease taken
    timers: false,
  })
  silenceSdkPlatformProbe()
  emu.clock.freeze()
  emu.clock.set(T0 / 1000)
})

afterAll(async () => {
  await emu?.stop()
  rmSync(OUT, { recursive: true, force: true })
})

function batch(id: string, at: number, roomId: number, channel: string, kinds: Array<'impression' | 'enter'>): StatsBatchDoc {
  const events = kinds.map((kind) =>
    kind === 'enter'
      ? { kind, atMs: at, roomId, channel, scene: 1047, day: shanghaiDay(at), entryKind: 'qrcode' as const }
      : { kind, atMs: at, roomId, channel, section: 'live' as const, day: shanghaiDay(at) },
  )
  return { _id: id, seqKey: seqKeyOf(at, id), at, source: 'viewer', viewer: 'k0123456789abcdef0123456', events }
}

describe('liveStats, built and fired by its timer', () => {
  it('folds the settled batches into the aggregates and removes folded raw batches older than the retention age', async () => {
    const old = batch('b-old', T0 - 8 * DAY_MS, 5, 'home', ['impression', 'impression'])
    const fresh = batch('b-new', T0 - 60_000, 5, 'poster1', ['impression', 'enter'])
    const unsettled = batch('b-late', T0 - 1000, 5, 'poster1', ['enter'])
    emu.engine.insert(C.batches, [old, fresh, unsettled] as unknown as Record<string, unknown>[])

    const run = await emu.fireTimer('liveStats')
    if (run.status !== 'ok') throw new Error(`liveStats failed: ${run.errorMessage}\n${run.logs.join('\n')}`)
    const report = run.result as FoldReport
    expect(report).toMatchObject({ status: 'ok', foldedBatches: 2, foldedEvents: 4, removed: 1, retentionDays: 7, error: null, checkpoint: fresh.seqKey })

    const daily = emu.engine.find(C.daily, {}, { sort: { _id: 1 } })
    expect(daily.map((d) => d._id)).toEqual([dailyDocId(shanghaiDay(old.at), 5, 'home'), dailyDocId(shanghaiDay(fresh.at), 5, 'poster1')])
    expect(daily[1]).toMatchObject({ counts: { reached: 1, entered: 1 }, kinds: { qrcode: 1 } })
    expect(emu.engine.find(C.batches, {}).map((d) => d._id).sort()).toEqual(['b-late', 'b-new'])
  })

  it('reports a bad STATS_RAW_RETENTION_DAYS in its result and its log, and still folds', async () => {
    emu.setFunctionEnv('liveStats', { STATS_RAW_RETENTION_DAYS: 'a week' })
    emu.clock.set(T0 / 1000 + 60)
    const run = await emu.fireTimer('liveStats')
    if (run.status !== 'ok') throw new Error(`liveStats failed: ${run.errorMessage}`)
    const report = run.result as FoldReport
    expect(report).toMatchObject({ status: 'ok', foldedBatches: 1, removed: 0, error: { field: 'STATS_RAW_RETENTION_DAYS' } })
    expect(run.logs.join('\n')).toMatch(/STATS_RAW_RETENTION_DAYS: must be a whole number of days/)
  })

  it('refuses a viewer and writes nothing', async () => {
    const before = emu.engine.find(C.state, {})
    const run = await emu.invokeFunction('liveStats', { Type: 'Timer' }, { openid: 'oViewer00000000000000000001' })
    if (run.status !== 'ok') throw new Error(`liveStats failed: ${run.errorMessage}`)
    expect(run.result).toEqual({ status: 'refused', reason: expect.stringMatching(/^liveStats runs only on its timer trigger; a mini-program user may not start it/) })
    expect(emu.engine.find(C.state, {})).toEqual(before)
  })

  it('events viewers send through the built track function end in the right aggregates, a replayed batch counted once', async () => {
    const t = T0 + 10 * 60_000
    emu.clock.set(t / 1000)
    const send = async (openid: string, data: Record<string, unknown>) => {
      const run = await emu.invokeFunction('track', data, { openid })
      if (run.status !== 'ok') throw new Error(`track failed: ${run.errorMessage}`)
      return run.result as { ok: boolean; data: { accepted: number; duplicate: boolean; refused: Array<{ index: number; field: string }> } }
    }
    const at = t - 2000
    const viewerA = 'oViewerStatsE2E0000000000001'
    const batchA = {
      batchId: 'e2e-fold-batch-0001',
      events: [
        { kind: 'land', atMs: at, roomId: 9, channel: 'poster1', scene: 1047 },
        { kind: 'enter', atMs: at, roomId: 9, channel: 'poster1', scene: 1047 },
        { kind: 'goods', atMs: at, roomId: 9, channel: 'poster1', goodsId: 3 },
        { kind: 'replay', atMs: at, roomId: 9, channel: 'poster1', seconds: -1 },
      ],
    }
    expect(await send(viewerA, batchA)).toMatchObject({ ok: true, data: { accepted: 3, duplicate: false, refused: [{ index: 3, field: 'events.3.seconds' }] } })
    expect(await send(viewerA, batchA)).toMatchObject({ ok: true, data: { accepted: 0, duplicate: true } })
    const viewerB = 'oViewerStatsE2E0000000000002'
    expect(await send(viewerB, { batchId: 'e2e-fold-batch-0002', events: [{ kind: 'enter', atMs: at, roomId: 9, channel: 'share_room', scene: 1007, shared: true }] })).toMatchObject({ ok: true, data: { accepted: 1 } })

    emu.clock.set(t / 1000 + 20)
    const run = await emu.fireTimer('liveStats')
    if (run.status !== 'ok') throw new Error(`liveStats failed: ${run.errorMessage}`)
    expect(run.result).toMatchObject({ status: 'ok', foldedBatches: 2, foldedEvents: 4 })
    const day = shanghaiDay(at)
    const [poster] = emu.engine.find(C.daily, { _id: dailyDocId(day, 9, 'poster1') })
    expect(poster).toMatchObject({ counts: { reached: 1, entered: 1, goodsClicks: 1, replayPlays: 0 }, kinds: { qrcode: 1 } })
    const [shared] = emu.engine.find(C.daily, { _id: dailyDocId(day, 9, 'share_room') })
    expect(shared).toMatchObject({ counts: { entered: 1, sharedEntries: 1 }, kinds: { share: 1 } })
    // No aggregate holds a viewer's openid.
    expect(JSON.stringify(emu.engine.find(C.daily, {}))).not.toMatch(/oViewerStatsE2E/)
  })
})
