/**
 * Timer triggers: 7-field cron in UTC+8, and the scheduler's firing rules under a frozen, advanced clock.
 */
import { describe, expect, it, vi } from 'vitest'
import { createClock } from '../emulator/clock'
import type { FunctionSpec } from '../tools/function-config'
import { TimerScheduler } from '../emulator/functions/scheduler'
import { dueSince, nextFireTimes, validateCron } from '../tools/cron'

const iso = (ms: number) => new Date(ms).toISOString()
const at = (s: string) => Date.parse(s)

function spec(name: string, cron: string): FunctionSpec {
  return {
    name,
    dir: `/fixtures/${name}`,
    permissions: { openapi: [] },
    trigger: { name: `${name}Timer`, type: 'timer', config: cron },
    timeoutSec: 3,
    memoryMb: 256,
    envVariables: {},
  }
}

/** A frozen clock at a given UTC instant (whole seconds). */
function frozenAt(isoTime: string) {
  const clock = createClock()
  clock.freeze()
  clock.set(at(isoTime) / 1000)
  return clock
}

describe('cron (7 fields, UTC+8)', () => {
  it('lists the next occurrences strictly after a time', () => {
    expect(nextFireTimes('0 */10 * * * * *', at('2024-01-01T00:10:00Z'), 3).map(iso)).toEqual([
      '2024-01-01T00:20:00.000Z',
      '2024-01-01T00:30:00.000Z',
      '2024-01-01T00:40:00.000Z',
    ])
  })

  it('reads hours in Asia/Shanghai time: 09:00 there is 01:00 UTC', () => {
    expect(nextFireTimes('0 0 9 * * * *', at('2024-01-01T00:00:00Z'), 1).map(iso)).toEqual(['2024-01-01T01:00:00.000Z'])
    // 23:30 UTC on Jan 1 is already 07:30 on Jan 2 in Shanghai.
    expect(nextFireTimes('0 0 9 * * * *', at('2024-01-01T23:30:00Z'), 1).map(iso)).toEqual(['2024-01-02T01:00:00.000Z'])
  })

  it('accepts weekday names and takes the weekday in Shanghai', () => {
    // Saturday 2024-01-06 → next weekday run is Monday 2024-01-08 09:00 +08:00.
    expect(nextFireTimes('0 0 9 * * MON-FRI *', at('2024-01-06T02:00:00Z'), 2).map(iso)).toEqual([
      '2024-01-08T01:00:00.000Z',
      '2024-01-09T01:00:00.000Z',
    ])
    // Sunday 20:00 UTC is Monday 04:00 in Shanghai: a MON 03:00 job has passed, so next week.
    expect(nextFireTimes('0 0 3 * * MON *', at('2024-01-07T20:00:00Z'), 1).map(iso)).toEqual(['2024-01-14T19:00:00.000Z'])
  })

  it('honours the year field', () => {
    expect(nextFireTimes('0 0 0 1 1 * 2030', at('2024-05-01T00:00:00Z'), 3).map(iso)).toEqual(['2029-12-31T16:00:00.000Z'])
    expect(nextFireTimes('0 0 0 1 1 * 2020', at('2024-05-01T00:00:00Z'), 3)).toEqual([])
  })

  it('rejects what CloudBase rejects, naming the field', () => {
    expect(validateCron('0 */10 * * * * *')).toBeNull()
    expect(validateCron('0 */10 * * * *')).toContain('7 fields')
    expect(validateCron('0 0 0 L * * *')).toContain('day-of-month')
    expect(validateCron('0 0 0 * * MON#2 *')).toContain('day-of-week')
    expect(validateCron('61 * * * * * *')).toContain('invalid')
    expect(() => nextFireTimes('* * *', 0, 1)).toThrow(/7 fields/)
  })

  it('dueSince gives the first occurrence in (last, now], or null', () => {
    const cron = '0 */10 * * * * *'
    expect(dueSince(cron, at('2024-01-01T00:00:00Z'), at('2024-01-01T00:09:59Z'))).toBeNull()
    expect(iso(dueSince(cron, at('2024-01-01T00:00:00Z'), at('2024-01-01T00:10:00Z')) ?? 0)).toBe('2024-01-01T00:10:00.000Z')
    expect(iso(dueSince(cron, at('2024-01-01T00:00:00Z'), at('2024-01-02T00:00:00Z')) ?? 0)).toBe('2024-01-01T00:10:00.000Z')
    expect(dueSince(cron, at('2024-01-01T00:10:00Z'), at('2024-01-01T00:10:00Z'))).toBeNull()
    expect(dueSince(cron, at('2024-01-01T00:20:00Z'), at('2024-01-01T00:10:00Z'))).toBeNull()
  })
})

describe('TimerScheduler', () => {
  it('fires when the clock reaches an occurrence, with function and trigger names', () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const fire = vi.fn(async () => {})
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire })
    scheduler.start()
    clock.advance(5 * 60)
    expect(fire).not.toHaveBeenCalled()
    clock.advance(5 * 60) // 00:10:30, past 00:10:00
    expect(fire).toHaveBeenCalledTimes(1)
    expect(fire).toHaveBeenCalledWith('syncRooms', 'syncRoomsTimer')
    scheduler.stop()
  })

  it('fires ONCE when the clock jumps over many occurrences', () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const fire = vi.fn(async () => {})
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire })
    scheduler.start()
    clock.advance(86_400)
    expect(fire).toHaveBeenCalledTimes(1)
    scheduler.stop()
  })

  it('does not fire for occurrences before start, nor when the clock goes backwards', () => {
    const clock = frozenAt('2024-01-01T00:10:30Z')
    const fire = vi.fn(async () => {})
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire })
    scheduler.start()
    expect(scheduler.check()).toEqual([])
    clock.set(at('2023-12-31T00:00:00Z') / 1000)
    expect(fire).not.toHaveBeenCalled()
    clock.advance(10 * 60) // 00:10:00 of the earlier day: a real occurrence after the re-based time
    expect(fire).toHaveBeenCalledTimes(1)
    scheduler.stop()
  })

  it('starts the next run while the previous one is still in progress', async () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const releases: (() => void)[] = []
    const fire = vi.fn(() => new Promise<void>((r) => releases.push(r)))
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire })
    scheduler.start()
    clock.advance(10 * 60)
    clock.advance(10 * 60)
    await vi.waitFor(() => expect(releases).toHaveLength(2))
    expect(fire).toHaveBeenCalledTimes(2)
    releases.forEach((r) => r())
    await scheduler.idle()
    scheduler.stop()
  })

  it('only fires functions whose cron is due, and reports failures without stopping', async () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const onError = vi.fn()
    const fire = vi.fn(async (name: string) => {
      if (name === 'flaky') throw new Error('boom')
    })
    const noTrigger: FunctionSpec = { ...spec('plain', '* * * * * * *'), trigger: undefined }
    const scheduler = new TimerScheduler({
      clock,
      specs: [spec('hourly', '0 0 * * * * *'), spec('flaky', '0 * * * * * *'), noTrigger],
      fire,
      onError,
    })
    scheduler.start()
    clock.advance(60)
    await scheduler.idle()
    expect(fire.mock.calls.map((c) => c[0])).toEqual(['flaky'])
    expect(onError).toHaveBeenCalledWith('flaky', expect.objectContaining({ message: 'boom' }))
    clock.advance(3600)
    await scheduler.idle()
    expect(fire.mock.calls.map((c) => c[0]).sort()).toEqual(['flaky', 'flaky', 'hourly'])
    scheduler.stop()
  })

  it('stops firing after stop()', () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const fire = vi.fn(async () => {})
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire })
    scheduler.start()
    scheduler.stop()
    clock.advance(3600)
    expect(fire).not.toHaveBeenCalled()
    expect(scheduler.running).toBe(false)
  })

  it('also notices time passing without a clock event (the real-time interval)', async () => {
    let wall = at('2024-01-01T00:09:59Z')
    const clock = createClock(() => wall) // ticks with this fake wall time, emits no onChange
    const fire = vi.fn(async () => {})
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire, intervalMs: 5 })
    scheduler.start()
    wall += 2000
    await vi.waitFor(() => expect(fire).toHaveBeenCalledTimes(1))
    scheduler.stop()
  })

  it('describes each trigger and its next fire time', () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const scheduler = new TimerScheduler({ clock, specs: [spec('syncRooms', '0 */10 * * * * *')], fire: async () => {} })
    expect(scheduler.info()).toEqual([
      { functionName: 'syncRooms', triggerName: 'syncRoomsTimer', cron: '0 */10 * * * * *', nextFireMs: at('2024-01-01T00:10:00Z') },
    ])
  })
})

describe('scheduler failures stay contained', () => {
  it('reports a trigger whose schedule cannot be evaluated and keeps firing the others', () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const fired: string[] = []
    const errors: string[] = []
    const scheduler = new TimerScheduler({
      clock,
      specs: [spec('broken', 'not a cron'), spec('syncRooms', '0 * * * * * *')],
      fire: async (name) => void fired.push(name),
      onError: (name, err) => errors.push(`${name}: ${String(err)}`),
    })
    scheduler.start()
    expect(() => clock.advance(60)).not.toThrow()
    expect(fired).toEqual(['syncRooms'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^broken: /)
    expect(scheduler.info().find((t) => t.functionName === 'broken')?.nextFireMs).toBeNull()
    scheduler.stop()
  })

  it('survives a fire that throws synchronously and an error reporter that throws', async () => {
    const clock = frozenAt('2024-01-01T00:00:30Z')
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const scheduler = new TimerScheduler({
      clock,
      specs: [spec('syncRooms', '0 * * * * * *')],
      fire: () => {
        throw new Error('fire failed')
      },
      onError: () => {
        throw new Error('reporter failed')
      },
    })
    scheduler.start()
    clock.advance(60)
    await scheduler.idle()
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('reporting a failure of syncRooms failed'), expect.any(Error), 'original:', expect.any(Error))
    logged.mockRestore()
    scheduler.stop()
  })
})

describe('clock range', () => {
  it('refuses instants a date cannot hold, with status 400 for the control API, and keeps its time', async () => {
    const { CLOCK_RANGE_SECONDS, ClockRangeError } = await import('../emulator/clock')
    const clock = frozenAt('2024-01-01T00:00:00Z')
    const now = clock.nowSeconds()
    for (const attempt of [() => clock.set(CLOCK_RANGE_SECONDS.max + 1), () => clock.set(-1), () => clock.set(Number.NaN), () => clock.advance(1e13)]) {
      let error: unknown
      try {
        attempt()
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ClockRangeError)
      expect((error as { status: number }).status).toBe(400)
    }
    expect(clock.nowSeconds()).toBe(now)
    clock.set(CLOCK_RANGE_SECONDS.max)
    expect(new Date(clock.nowMs() + 365 * 86_400_000).toISOString()).toMatch(/^\+\d{6}-/)
  })

  it('keeps notifying other listeners when one throws', () => {
    const clock = frozenAt('2024-01-01T00:00:00Z')
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const heard: number[] = []
    clock.onChange(() => {
      throw new Error('listener failed')
    })
    clock.onChange(() => heard.push(clock.nowSeconds()))
    expect(() => clock.advance(5)).not.toThrow()
    expect(heard).toHaveLength(1)
    expect(logged).toHaveBeenCalled()
    logged.mockRestore()
  })
})
