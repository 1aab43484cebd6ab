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

export function createClock(wallNow: () => number = Date.now): Clock {
  let offset = 0
  let frozenAt: number | null = null
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const l of listeners) l()
  }
  const nowMs = () => (frozenAt ?? wallNow() + offset)
  return {
    nowMs,
    nowSeconds: () => Math.floor(nowMs() / 1000),
    offsetMs: () => nowMs() - wallNow(),
    set(unixSeconds) {
      if (!Number.isFinite(unixSeconds)) throw new RangeError('clock: now must be a finite number of seconds')
      if (frozenAt !== null) frozenAt = unixSeconds * 1000
      else offset = unixSeconds * 1000 - wallNow()
      notify()
    },
    advance(seconds) {
      if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('clock: advance must be a non-negative number of seconds')
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
