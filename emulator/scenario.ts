/**
 * The parts of a running scenario that live outside the database and the sandbox: the emulator clock's offset
 * from wall time and how far each timer trigger has been handled. Kept in one small file beside the data so a
 * restarted emulator resumes the same story: a clock moved two days ahead is still two days ahead (and still
 * ticking), and a timer occurrence that fell due while the emulator was down fires once, as after a clock jump.
 * The clock is saved as soon as it is set or advanced (before the control API replies); timer progress whenever
 * a trigger fires and on a clean stop.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { Clock } from './clock'
import { type LoadProblem, moveAside, writeFileAtomicSync } from './durable'

const scenarioSchema = z.object({
  version: z.literal(1),
  /** Emulator time minus wall time, in ms. */
  clockOffsetMs: z.number(),
  /** `<function>/<trigger>` → emulator time (ms) up to which its occurrences have been handled. */
  timers: z.record(z.string().min(1), z.number()),
})

const RECOVERY = 'The clock starts at wall time and the timers from now; set the clock again with POST /__sandbox/clock if the scenario needs it.'

export type ScenarioState = z.output<typeof scenarioSchema>

export interface ScenarioStore {
  /** Timer progress found on disk (empty when none), for the scheduler to resume from. */
  readonly timers: Readonly<Record<string, number>>
  /** Writes the clock offset and the given timer progress now. */
  save(timers?: Record<string, number>): void
  detach(): void
}

/**
 * Loads the scenario file (setting `clock` to the saved offset) and keeps the file in step with the clock.
 * A file that cannot be loaded is moved aside and reported; the emulator then starts at wall time.
 */
export function attachScenario(file: string, clock: Clock, onLoadProblem: (p: LoadProblem) => void): ScenarioStore {
  let timers: Record<string, number> = {}
  const saved = read(file, onLoadProblem)
  if (saved) {
    const wallNow = clock.nowMs() - clock.offsetMs()
    try {
      clock.set((wallNow + saved.clockOffsetMs) / 1000)
      timers = { ...saved.timers }
    } catch (e) {
      onLoadProblem({
        file,
        problem: `the saved clock offset ${saved.clockOffsetMs} ms is refused (${(e as Error).message})`,
        keptAt: moveAside(file),
        recovery: RECOVERY,
      })
    }
  }
  const save = (next?: Record<string, number>) => {
    if (next) timers = { ...next }
    const state: ScenarioState = { version: 1, clockOffsetMs: clock.offsetMs(), timers }
    writeFileAtomicSync(file, JSON.stringify(state))
  }
  const unsubscribe = clock.onChange(() => {
    try {
      save()
    } catch (e) {
      // a clock listener must not throw into the control API; the next change or the stop retries
      console.error(`[emulator] ${file}: saving the clock failed (${(e as Error).message})`)
    }
  })
  return {
    get timers() {
      return timers
    },
    save,
    detach: unsubscribe,
  }
}

function read(file: string, onLoadProblem: (p: LoadProblem) => void): ScenarioState | null {
  let raw: string
  try {
    raw = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  let problem: string
  try {
    const r = scenarioSchema.safeParse(JSON.parse(raw))
    if (r.success) return r.data
    const issue = r.error.issues[0]
    problem = `${issue.path.join('.') || '(file)'}: ${issue.message}`
  } catch (e) {
    problem = `not valid JSON (${(e as Error).message})`
  }
  onLoadProblem({
    file,
    problem: `the saved clock and timer state cannot be used: ${problem}`,
    keptAt: moveAside(file),
    recovery: RECOVERY,
  })
  return null
}
