/**
 * Timer triggers. Checks every trigger once a real second and whenever the emulator clock is set or advanced.
 *
 * Two deliberate behaviours:
 * - A clock jump over several occurrences fires the trigger ONCE (not once per missed occurrence): a merchant
 *   advancing a day should see "the sync ran", not 144 back-to-back runs. Sync code must catch up from its
 *   checkpoint anyway, as it would after a platform hiccup.
 * - A run still in progress does not block the next occurrence: CloudBase does not skip overlapping timer runs,
 *   so neither do we; runs overlap and code must tolerate that.
 * Setting the clock backwards fires nothing and re-bases the trigger at the new time.
 */
import type { Clock } from '../clock'
import { dueSince, nextFireTimes } from '../../tools/cron'
import type { FunctionSpec } from '../../tools/function-config'

export interface TimerSchedulerOptions {
  clock: Clock
  specs: readonly FunctionSpec[]
  /** Starts one timer run; the scheduler does not wait for it before firing again. */
  fire: (functionName: string, triggerName: string) => Promise<void>
  /** Where a failed `fire` is reported; defaults to console.error. */
  onError?: (functionName: string, err: unknown) => void
  /** Real-time check period in ms (default 1000). */
  intervalMs?: number
}

interface ScheduledTrigger {
  functionName: string
  triggerName: string
  cron: string
  /** Emulator time up to which occurrences have been handled. */
  checkedUpToMs: number
}

export interface TriggerInfo {
  functionName: string
  triggerName: string
  cron: string
  nextFireMs: number | null
}

export class TimerScheduler {
  private readonly triggers: ScheduledTrigger[]
  private interval: ReturnType<typeof setInterval> | null = null
  private unsubscribe: (() => void) | null = null
  private readonly inFlight = new Set<Promise<void>>()

  constructor(private readonly options: TimerSchedulerOptions) {
    this.triggers = options.specs.flatMap((spec) =>
      spec.trigger ? [{ functionName: spec.name, triggerName: spec.trigger.name, cron: spec.trigger.config, checkedUpToMs: 0 }] : [],
    )
  }

  get running(): boolean {
    return this.interval !== null
  }

  /**
   * Occurrences strictly after the moment of `start()` count; earlier ones never fire. A trigger found in
   * `resume` (a restarted emulator's saved `progress()`) continues from there instead, so an occurrence missed
   * while the emulator was down fires once at the first check.
   */
  start(resume: Readonly<Record<string, number>> = {}): void {
    if (this.interval) return
    const now = this.options.clock.nowMs()
    for (const t of this.triggers) {
      const saved = resume[triggerKey(t)]
      t.checkedUpToMs = saved !== undefined && Number.isFinite(saved) ? saved : now
    }
    this.interval = setInterval(() => this.check(), this.options.intervalMs ?? 1000)
    this.interval.unref()
    this.unsubscribe = this.options.clock.onChange(() => this.check())
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval)
    this.interval = null
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  /** Resolves when every run fired so far has settled (tests; graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /**
   * Fires due triggers now; called by the interval and on clock changes. Returns the functions fired. A trigger whose
   * schedule cannot be evaluated is reported through `onError` and skipped: nothing here may end the process.
   */
  check(): string[] {
    if (!this.running) return []
    const now = this.options.clock.nowMs()
    const fired: string[] = []
    for (const t of this.triggers) {
      try {
        if (now < t.checkedUpToMs) {
          t.checkedUpToMs = now
          continue
        }
        const due = dueSince(t.cron, t.checkedUpToMs, now)
        t.checkedUpToMs = now
        if (due === null) continue
        fired.push(t.functionName)
        this.launch(t)
      } catch (err) {
        t.checkedUpToMs = now
        this.report(t.functionName, err)
      }
    }
    return fired
  }

  /** `<function>/<trigger>` → emulator time (ms) up to which occurrences have been handled, for `start(resume)`. */
  progress(): Record<string, number> {
    return Object.fromEntries(this.triggers.map((t) => [triggerKey(t), t.checkedUpToMs]))
  }

  info(): TriggerInfo[] {
    const from = this.options.clock.nowMs()
    return this.triggers.map((t) => ({
      functionName: t.functionName,
      triggerName: t.triggerName,
      cron: t.cron,
      nextFireMs: this.nextFire(t, from),
    }))
  }

  private nextFire(t: ScheduledTrigger, from: number): number | null {
    try {
      return nextFireTimes(t.cron, from, 1)[0] ?? null
    } catch (err) {
      this.report(t.functionName, err)
      return null
    }
  }

  /** Hands a failure to `onError` (console by default); a throwing reporter is itself only logged. */
  private report(functionName: string, err: unknown): void {
    try {
      ;(this.options.onError ?? defaultOnError)(functionName, err)
    } catch (reportErr) {
      console.error(`[scheduler] reporting a failure of ${functionName} failed:`, reportErr, 'original:', err)
    }
  }

  private launch(t: ScheduledTrigger): void {
    let started: Promise<void>
    try {
      started = this.options.fire(t.functionName, t.triggerName)
    } catch (err) {
      started = Promise.reject(err)
    }
    const run = Promise.resolve(started)
      .catch((err: unknown) => this.report(t.functionName, err))
      .finally(() => this.inFlight.delete(run))
    this.inFlight.add(run)
  }
}

function triggerKey(t: ScheduledTrigger): string {
  return `${t.functionName}/${t.triggerName}`
}

function defaultOnError(functionName: string, err: unknown): void {
  console.error(`[scheduler] timer run of ${functionName} failed:`, err)
}
