/**
 * The emulator's clock. Everything that depends on time (room life cycle, token and media expiry,
 * quotas per Asia/Shanghai day, the timer scheduler, cloud functions' own `Date`) reads this one clock,
 * so tests and merchants can move time instead of sleeping.
 *
 * It is wall time plus an offset: it keeps ticking after `set` or `advance`, as a real clock would.
 * `freeze` stops it (useful for deterministic tests); `unfreeze` resumes ticking from the frozen instant.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, as the emulator sees it. */
  nowMs(): number
  /** Whole Unix seconds, the unit the Live APIs and the control API use. */
  nowSeconds(): number
  /** Offset from wall time in ms; a function process adds it to its own `Date`. */
  offsetMs(): number
  set(unixSeconds: number): void
  advance(seconds: number): void
  freeze(): void
  unfreeze(): void
  /** Back to wall time, ticking. */
  reset(): void
  readonly frozen: boolean
  /** Called after every set/advance so schedulers can catch up. */
  onChange(listener: () => void): () => void
}

/** The largest distance from the epoch a JavaScript Date can hold (ECMAScript: ±100,000,000 days). */
export const MAX_INSTANT_MS = 8.64e15

/**
 * The clock's range, Unix seconds: from the epoch (Live APIs and the control API speak non-negative Unix seconds) to a
 * century short of the last instant a Date can hold, so every date derived from "now" (token, media and replay
 * expiry, the next timer occurrence, UTC+8 days) is still one a Date can hold.
 */
export const CLOCK_RANGE_SECONDS = { min: 0, max: MAX_INSTANT_MS / 1000 - 100 * 366 * 86400 } as const

/** A clock setting outside what a Date can hold; `status` 400 lets the control API answer it as bad input. */
export class ClockRangeError extends RangeError {
  readonly status = 400
  constructor(message: string) {
    super(message)
    this.name = 'ClockRangeError'
  }
}

export function createClock(wallNow: () => number = Date.now): Clock {
  let offset = 0
  let frozenAt: number | null = null
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const l of listeners) {
      // a listener is a scheduler or a test hook: its failure must not turn a clock change into an error
      try {
        l()
      } catch (e) {
        console.error('[emulator clock] change listener threw:', e)
      }
    }
  }
  const nowMs = () => (frozenAt ?? wallNow() + offset)
  const checkInstant = (ms: number, what: string) => {
    const { min, max } = CLOCK_RANGE_SECONDS
    if (!Number.isFinite(ms) || ms < min * 1000 || ms > max * 1000) {
      throw new ClockRangeError(`clock: ${what} would put the clock outside ${min}..${max} Unix seconds (the instants a date can hold, less a century of headroom)`)
    }
  }
  return {
    nowMs,
    nowSeconds: () => Math.floor(nowMs() / 1000),
    offsetMs: () => nowMs() - wallNow(),
    set(unixSeconds) {
      if (typeof unixSeconds !== 'number' || !Number.isFinite(unixSeconds)) throw new ClockRangeError('clock: now must be a finite number of seconds')
      checkInstant(unixSeconds * 1000, `now ${unixSeconds}`)
      if (frozenAt !== null) frozenAt = unixSeconds * 1000
      else offset = unixSeconds * 1000 - wallNow()
      notify()
    },
    advance(seconds) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        throw new ClockRangeError('clock: advance must be a non-negative number of seconds')
      }
      checkInstant(nowMs() + seconds * 1000, `advance ${seconds}`)
      if (frozenAt !== null) frozenAt += seconds * 1000
      else offset += seconds * 1000
      notify()
    },
    freeze() {
      if (frozenAt === null) frozenAt = nowMs()
    },
    unfreeze() {
      if (frozenAt !== null) {
        offset = frozenAt - wallNow()
        frozenAt = null
      }
    },
    reset() {
      offset = 0
      frozenAt = null
      notify()
    },
    get frozen() {
      return frozenAt !== null
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
