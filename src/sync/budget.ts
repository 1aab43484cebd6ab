/**
 * The run's time budget from the function's `context`: the runtime's remaining time when it offers it,
 * else the configured limit, else CloudBase's 3-second default (merchants who never raise it).
 */
export const DEFAULT_TIMEOUT_MS = 3000
/** Kept back for returning the result and process overhead after the sync's own final writes. */
export const EXIT_MARGIN_MS = 200

export function budgetFromContext(context: unknown): number {
  const rec = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {}
  let ms = DEFAULT_TIMEOUT_MS
  if (typeof rec.getRemainingTimeInMillis === 'function') {
    const left = Number((rec.getRemainingTimeInMillis as () => unknown)())
    if (Number.isFinite(left) && left > 0) ms = left
  } else if (typeof rec.time_limit_in_ms === 'number' && rec.time_limit_in_ms > 0) {
    ms = rec.time_limit_in_ms
  }
  return Math.max(0, ms - EXIT_MARGIN_MS)
}
