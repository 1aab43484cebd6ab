/**
 * Every Live call of a sync run goes through this gate: it keeps the run inside its time budget, keeps each
 * API inside its share of the daily quota (ledger + this run's calls), refuses APIs that answered 45009
 * today, bounds each call by a timeout, and counts calls for the ledger.
 */
import { catalogue } from '../live/catalogue'
import type { LiveApi, LiveParams, LiveResult } from '../live/client'
import { LiveTransportError } from '../live/errors'

export type GatedApi = 'getLiveInfo' | 'goodsInfo'

/** Not an upstream failure: the run chose to stop calling (budget or quota share). */
export class StopCalling extends Error {
  override readonly name = 'StopCalling'
  constructor(
    readonly reason: 'budget' | 'quotaShare' | 'quotaExhausted',
    readonly api: GatedApi | null,
  ) {
    super(reason === 'budget' ? 'time budget spent' : `${api}: ${reason === 'quotaShare' ? 'quota share spent' : 'daily quota exhausted (45009)'}`)
  }
}

export interface GateOptions {
  live: LiveApi
  /** Calls already made today per endpoint id (the ledger). */
  ledger: Record<string, number>
  /** Share of each API's daily quota this sync may spend, 0–1. */
  quotaShare: number
  day: string
  /** endpoint id → day on which 45009 was seen. */
  exhausted: Record<string, string>
  /** Milliseconds left in the run's budget. */
  timeLeftMs: () => number
  /** No call starts with less time than this left (its reply would come after the deadline). */
  minCallMs: number
  callTimeoutMs: number
}

export class CallGate {
  /** This run's calls per endpoint id, for the ledger. */
  readonly made: Record<string, number> = {}

  constructor(private readonly o: GateOptions) {}

  /** Calls this API may still make today within its share. */
  remaining(api: GatedApi): number {
    const allowed = Math.floor(catalogue[api].dailyQuota * this.o.quotaShare)
    return allowed - (this.o.ledger[api] ?? 0) - (this.made[api] ?? 0)
  }

  async call<K extends GatedApi>(api: K, params: LiveParams<K>): Promise<LiveResult<K>> {
    if (this.o.exhausted[api] === this.o.day) throw new StopCalling('quotaExhausted', api)
    if (this.remaining(api) <= 0) throw new StopCalling('quotaShare', api)
    const left = this.o.timeLeftMs()
    if (left < this.o.minCallMs) throw new StopCalling('budget', null)
    this.made[api] = (this.made[api] ?? 0) + 1
    // The mapped LiveApi type cannot be indexed generically; each method has exactly this signature.
    const method = this.o.live[api] as unknown as (p: LiveParams<K>) => Promise<LiveResult<K>>
    const timeoutMs = Math.min(this.o.callTimeoutMs, left)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LiveTransportError(api, 'timeout', `no reply within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      return await Promise.race([method(params), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
