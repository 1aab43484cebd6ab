/**
 * The sync as it ships: the BUILT liveSync cloud function, run by the emulator's runner in its own process
 * with the real wx-server-sdk, fired by its timer trigger (config.json) on the emulator clock, against the
 * Live sandbox. What it writes is checked against the sandbox's truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { COLLECTIONS, type RoomDoc, type SyncStatusDoc } from '../src/cache/schema'
import { LiveStatus } from '../src/live/status'

const ROOT = path.resolve(__dirname, '../cloudfunctions')
const OUT = path.resolve(__dirname, '../node_modules/.cache/emulator', `sync-e2e-${randomUUID().slice(0, 8)}`)
const T0 = 1_790_000_000

let emu: Emulator

function status(): SyncStatusDoc | undefined {
  return emu.engine.find(COLLECTIONS.syncStatus, { _id: 'public' })[0] as unknown as SyncStatusDoc | undefined
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (ok()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for: ${what}`)
}

beforeAll(async () => {
  await buildFunctions({ root: ROOT, names: ['liveSync'], outRoot: OUT })
  emu = await startEmulator({
    port: 0,
    functionsRoot: ROOT,
    builtRoot: OUT,
    // the timeout and memory it ships with, not the 3 s default, so a busy test machine cannot cut the run short
    cloudbaserc: path.resolve(__dirname, '../cloudbaserc.json'),
    databaseDir: path.resolve(__dirname, '../database'),
    timers: true,
  })
  silenceSdkPlatformProbe()
  emu.clock.freeze()
  emu.clock.set(T0)
})

afterAll(async () => {
  await emu?.stop()
  rmSync(OUT, { recursive: true, force: true })
})

/** Documents in every collection, so "no write" covers collections a regression might add. */
function documentCount(): number {
  return emu.engine.listCollections().reduce((n, c) => n + emu.engine.count(c, {}), 0)
}

function liveCalls(): number {
  return Object.values(emu.sandbox.calls()).reduce((n, day) => n + Object.values(day).reduce((a, b) => a + b, 0), 0)
}

describe('liveSync refuses every caller but its timer', () => {
  const forgedTimerEvent = { Type: 'Timer', TriggerName: 'liveSyncEveryMinute', Time: '2026-01-01T00:00:00Z', Message: '' }

  it('a viewer sending a forged timer event, from the runner and over the control API: refused, no Live call, no write', async () => {
    emu.control.seedDemo()
    const before = { docs: documentCount(), calls: liveCalls() }

    const run = await emu.invokeFunction('liveSync', forgedTimerEvent, { openid: 'o-curious-viewer' })
    if (run.status !== 'ok') throw new Error(`liveSync failed: ${run.errorMessage}`)
    expect(run.result).toEqual({ status: 'refused', reason: expect.stringMatching(/mini-program user may not start it \(SOURCE: wx_client\)/) })
    expect(run.logs.join('\n')).toMatch(/refused: liveSync runs only on its timer trigger/)

    const res = await fetch(`${emu.url}/__sandbox/functions/liveSync/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: forgedTimerEvent }),
    })
    const overHttp = (await res.json()) as { status: string; result: unknown }
    expect(overHttp.status).toBe('ok')
    expect(overHttp.result).toEqual({ status: 'refused', reason: expect.stringMatching(/SOURCE: wx_http/) })

    expect(liveCalls()).toBe(before.calls)
    expect(documentCount()).toBe(before.docs)
    expect(before.docs).toBe(0)
  })
})

describe('liveSync as a built cloud function', () => {
  it('fills the cache from the demo merchant on its timer, then follows a room going live', async () => {
    emu.control.seedDemo()
    const result = await emu.fireTimer('liveSync')
    if (result.status !== 'ok') throw new Error(`liveSync failed: ${result.errorMessage}\n${result.logs.join('\n')}`)
    expect((result.result as { status: string }).status).toBe('ok')

    const truth = emu.sandbox.truth().rooms
    const docs = emu.engine.find(COLLECTIONS.rooms, {}) as unknown as RoomDoc[]
    expect(docs.length).toBe(truth.length)
    for (const t of truth) {
      const d = docs.find((x) => x.roomId === t.roomId)
      expect(d?.liveStatus).toBe(t.liveStatus)
      expect(d?.startTime).toEqual(new Date(t.startTime * 1000))
      // Nothing identifying a person reaches the viewer-readable document.
      expect(JSON.stringify(d)).not.toMatch(/openid|Wechat/i)
    }
    // The function's own Date keeps ticking from the emulator clock, so allow the run's duration.
    expect(Math.abs((status()?.lastSuccessAt?.getTime() ?? 0) - T0 * 1000)).toBeLessThan(30_000)
    const ledger = emu.engine.find(COLLECTIONS.apiLedger, {})[0] as unknown as { calls: Record<string, number> }
    expect(ledger.calls.getLiveInfo).toBeGreaterThan(0)

    // A room starts on the platform; the next minute's trigger (fired by the scheduler) brings it over.
    const upcoming = truth.find((t) => t.liveStatus === LiveStatus.upcoming)
    expect(upcoming).toBeDefined()
    emu.control.roomEvent(upcoming!.roomId, 'start')
    emu.clock.advance(60)
    await until('the timer run after the clock moved', () => (status()?.lastRunAt?.getTime() ?? 0) >= (T0 + 60) * 1000)
    const after = emu.engine.find(COLLECTIONS.rooms, { roomId: upcoming!.roomId })[0] as unknown as RoomDoc
    expect(after.liveStatus).toBe(LiveStatus.live)
    expect(after.section).toBe('live')
  })
})
