/**
 * A busy platform (errcode -1, or the cloud call's timeout codes) often answers the same call a moment later.
 * Reads are retried a bounded number of times while the run's deadline allows; a change never is, because a
 * busy answer does not prove the change did not happen.
 */
import type { LiveTransport } from '../live/client'
import type { EndpointDef } from '../live/endpoint'
import { isRetryable } from '../live/errors'

export interface BusyRetryOptions {
  /** Endpoint ids safe to repeat. */
  readOnly: ReadonlySet<string>
  /** Extra attempts after the first. */
  retries: number
  /** Pause before each retry, ms (doubled each time). */
  pauseMs: number
  nowMs(): number
  deadlineMs: number
  sleep?: (ms: number) => Promise<void>
}

export const BUSY_RETRY = { retries: 2, pauseMs: 150 } as const

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export function withBusyRetry(inner: LiveTransport, opts: BusyRetryOptions): LiveTransport {
  const sleep = opts.sleep ?? defaultSleep
  return {
    async call(endpoint: EndpointDef, params: Record<string, unknown>): Promise<unknown> {
      let pause = opts.pauseMs
      for (let attempt = 0; ; attempt++) {
        try {
          return await inner.call(endpoint, params)
        } catch (e) {
          const again = opts.readOnly.has(endpoint.id) && attempt < opts.retries && isRetryable(e)
          // Only when the pause and another call (counted as one more pause) still fit before the deadline.
          if (!again || opts.nowMs() + 2 * pause > opts.deadlineMs) throw e
          await sleep(pause)
          pause *= 2
        }
      }
    },
  }
}
