/**
 * What a restart keeps besides the database and the sandbox: the clock's offset from wall time and each timer
 * trigger's progress, and how a data directory that cannot be loaded in full is reported instead of refused.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import type { LoadProblem } from '../emulator/durable'
import { startEmulator } from '../emulator/emulator'
import type { FunctionSpec } from '../tools/function-config'
import { TimerScheduler } from '../emulator/functions/scheduler'
import { attachScenario } from '../emulator/scenario'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'emu-scenario-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const DAY = 86_400

describe('clock offset', () => {
  it('is saved when the clock moves and set again by the next attach, still counted from wall time', () => {
    const file = path.join(tempDir(), 'emulator', 'scenario.json')
    let wall = 1_800_000_000_000
    const first = createClock(() => wall)
    const store = attachScenario(file, first, () => expect.fail('nothing to report'))
    first.advance(3 * DAY)
    store.detach()

    wall += 60_000 // the emulator was down for a minute
    const second = createClock(() => wall)
    attachScenario(file, second, () => expect.fail('nothing to report')).detach()
    expect(second.offsetMs()).toBe(3 * DAY * 1000)
    expect(second.nowMs()).toBe(wall + 3 * DAY * 1000)
  })

  it('moves a scenario file it cannot use aside, names the field, and starts at wall time', () => {
    const file = path.join(tempDir(), 'scenario.json')
    writeFileSync(file, JSON.stringify({ version: 1, clockOffsetMs: 'soon', timers: {} }))
    const problems: LoadProblem[] = []
    const clock = createClock(() => 1_800_000_000_000)
    attachScenario(file, clock, (p) => problems.push(p)).detach()
    expect(clock.offsetMs()).toBe(0)
    expect(problems).toHaveLength(1)
    expect(problems[0].problem).toMatch(/^the saved clock and timer state cannot be used: clockOffsetMs: /)
    expect(existsSync(file)).toBe(false)
    expect(JSON.parse(readFileSync(problems[0].keptAt!, 'utf8'))).toMatchObject({ clockOffsetMs: 'soon' })
    expect(problems[0].recovery).toMatch(/POST \/__sandbox\/clock/)
  })
})

describe('timer progress', () => {
  const spec: FunctionSpec = {
    name: 'tick',
    dir: '/fixtures/tick',
    permissions: { openapi: [] },
    trigger: { name: 'everyMinute', type: 'timer', config: '0 * * * * * *' },
    timeoutSec: 3,
    memoryMb: 256,
    envVariables: {},
  }

  function scheduler(nowMs: number, fired: string[]) {
    const clock = createClock()
    clock.freeze()
    clock.set(nowMs / 1000)
    return new TimerScheduler({ clock, specs: [spec], fire: async (name) => void fired.push(name), intervalMs: 3_600_000 })
  }

  it('resumes from saved progress: an occurrence missed while the emulator was down fires once', () => {
    const stoppedAt = Date.parse('2030-01-01T00:00:30Z')
    const fired: string[] = []
    const before = scheduler(stoppedAt, fired)
    before.start()
    const saved = before.progress()
    before.stop()
    expect(saved).toEqual({ 'tick/everyMinute': stoppedAt })

    const after = scheduler(stoppedAt + 5 * 60_000, fired)
    after.start(saved)
    expect(after.check()).toEqual(['tick'])
    expect(after.check()).toEqual([])
    after.stop()
  })

  it('without saved progress counts only occurrences after the start', () => {
    const fired: string[] = []
    const s = scheduler(Date.parse('2030-01-01T00:05:30Z'), fired)
    s.start()
    expect(s.check()).toEqual([])
    s.stop()
  })
})

describe('a data directory that cannot be loaded in full', () => {
  it('starts the emulator with everything else and lists each file, what was wrong and how to recover', async () => {
    const dataDir = tempDir()
    writeFileSync(path.join(dataDir, 'live_rooms.json'), '{"collection": "live_rooms", "documents": [')
    writeFileSync(path.join(dataDir, 'notes.json'), JSON.stringify({ collection: 'notes', documents: [{ _id: 'n1', text: 'kept' }] }))
    mkdirSync(path.join(dataDir, 'sandbox'))
    writeFileSync(path.join(dataDir, 'sandbox', 'live-sandbox.json'), '{"version": 1, "rooms": [{"roomId": 1')
    mkdirSync(path.join(dataDir, 'emulator'))
    writeFileSync(path.join(dataDir, 'emulator', 'scenario.json'), 'not json')
    const lines: string[] = []
    const emu = await startEmulator({ port: 0, dataDir, databaseDir: path.resolve(__dirname, '../database'), log: (l) => lines.push(l) })
    try {
      expect(emu.loadProblems.map((p) => path.relative(dataDir, p.file)).sort()).toEqual([
        path.join('emulator', 'scenario.json'),
        'live_rooms.json',
        path.join('sandbox', 'live-sandbox.json'),
      ])
      for (const p of emu.loadProblems.filter((x) => x.keptAt)) expect(existsSync(p.keptAt!)).toBe(true)
      expect(lines.filter((l) => l.startsWith('data not loaded: '))).toHaveLength(3)
      // everything else is there and working: the good collection, the re-created declared one, the sandbox
      expect(emu.engine.find('notes', {})).toEqual([{ _id: 'n1', text: 'kept' }])
      expect(emu.engine.find('live_rooms', {})).toEqual([])
      expect(emu.sandbox.truth().rooms).toEqual([])
      const res = await fetch(`${emu.url}/__sandbox/clock`)
      expect(res.status).toBe(200)
    } finally {
      await emu.stop()
    }
  })
})
