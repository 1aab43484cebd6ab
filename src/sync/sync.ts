/**
 * One run of the room, goods and replay sync: a pure use case over two ports, the LiveApi and the CacheStore.
 * This module composes the steps, each in its own module:
 *   1. lease.ts: takes the lease (atomic, with expiry) or leaves at once when another run holds it;
 *   2. replay-expiry.ts: marks replays that expired (no Live call);
 *   3. room-list.ts: reads the head of the room list, and a full sweep when in doubt or due (list-walk.ts
 *      is the one page walk both use);
 *   4. replay-looks.ts, then goods-audit.ts: replays that are due, then goods audit states that are due;
 *   5. report.ts: records the calls in the ledger and writes the public status; lease.ts releases the lease
 *      with the checkpoint. Everything is bounded by a time budget, so a 3-second run still moves forward.
 */
import { randomBytes } from 'node:crypto'
import type { LiveApi } from '../live/client'
import type { LiveSetup } from '../setup/live-setup'
import { SYNC_LIVE_OFF } from '../setup/live-off'
import { shanghaiDay } from '../live/day'
import { WxApiError, isQuotaExhausted } from '../live/errors'
import { CallGate, StopCalling } from './gate'
import { auditGoods } from './goods-audit'
import { releaseLease, takeLease } from './lease'
import type { CacheStore } from './ports'
import { expireReplays } from './replay-expiry'
import { lookForReplays } from './replay-looks'
import { describeFailure, quotaError, recordLiveOff, recordRun } from './report'
import { syncRoomList } from './room-list'
import { DEFAULT_SYNC_CONFIG, type Run, type SyncConfig, type SyncOutcome, emptyOutcome } from './run'

export { DEFAULT_SYNC_CONFIG, type SyncConfig, type SyncOutcome } from './run'

export interface SyncInput {
  live: LiveApi
  /** What the account has (live.config.json): with Mini Program Live off the run calls nothing and says so. */
  liveSetup: LiveSetup
  store: CacheStore
  /** Business time (the emulator shifts the function's Date; the benchmark passes its simulated clock). */
  nowMs: () => number
  /** Milliseconds this run may take, from the function's remaining time. */
  budgetMs: number
  /** Wall milliseconds for the budget; defaults to `nowMs`. A test passes a fake to make the budget bite. */
  elapsedMs?: () => number
  config?: Partial<SyncConfig>
  /** Lease owner id; random by default. */
  owner?: string
}

export async function runSync(input: SyncInput): Promise<SyncOutcome> {
  const cfg: SyncConfig = { ...DEFAULT_SYNC_CONFIG, ...input.config, replay: { ...DEFAULT_SYNC_CONFIG.replay, ...input.config?.replay } }
  const elapsed = input.elapsedMs ?? input.nowMs
  const t0 = elapsed()
  const nowMs = input.nowMs()
  const day = shanghaiDay(nowMs)
  const owner = input.owner ?? randomBytes(8).toString('hex')
  const out = emptyOutcome()
  const { store } = input

  if (!input.liveSetup.miniProgramLive) {
    // No lease either: the lease guards the checkpoint and the Live calls, and this run touches neither.
    await recordLiveOff(store, new Date(nowMs))
    return { ...out, status: 'off', notes: [SYNC_LIVE_OFF.en] }
  }

  const cp = await takeLease(store, owner, nowMs, input.budgetMs)
  if (!cp) return { ...out, status: 'busy', notes: ['another run holds the lease'] }

  const gate = new CallGate({
    live: input.live,
    ledger: await store.readLedger(day),
    quotaShare: cfg.quotaShare,
    day,
    exhausted: cp.quotaExhausted,
    timeLeftMs: () => input.budgetMs - cfg.reserveMs - (elapsed() - t0),
    minCallMs: cfg.minCallMs,
    callTimeoutMs: cfg.callTimeoutMs,
  })
  const run: Run = { owner, store, gate, cp, cfg, timing: { ...cfg.replay, cadenceMs: cfg.cadenceMs }, nowMs, now: new Date(nowMs), out }
  let listFresh = false

  try {
    await expireReplays(run)
    if (cp.backoff && cp.backoff.until > nowMs) {
      out.status = 'backoff'
      out.notes.push(`backing off until ${new Date(cp.backoff.until).toISOString()} after ${cp.backoff.failures} failed run(s)`)
    } else {
      listFresh = await step(run, () => syncRoomList(run))
      if (out.status !== 'partial') await step(run, () => lookForReplays(run))
      if (out.status !== 'partial') await step(run, () => auditGoods(run))
      cp.backoff = null
    }
  } catch (e) {
    failRun(run, e)
  }

  await recordRun(run, day, listFresh)
  await releaseLease(run)
  return out
}

/** Runs one step; a budget stop makes the run partial, a quota stop skips the step. Upstream errors propagate. */
async function step(run: Run, fn: () => Promise<boolean | void>): Promise<boolean> {
  try {
    return (await fn()) !== false
  } catch (e) {
    if (!(e instanceof StopCalling)) throw e
    if (e.reason === 'budget') {
      run.out.status = 'partial'
      run.out.notes.push('time budget spent; the checkpoint carries on next run')
    } else {
      run.out.notes.push(e.message)
      if (e.api === 'getLiveInfo') {
        run.out.error = quotaError(e)
        run.out.status = 'partial'
      }
    }
    return false
  }
}

/** An upstream failure: the status says why; 45009 stops that API for the day, anything else backs off. */
function failRun(run: Run, e: unknown): void {
  const { cp, out, nowMs, cfg } = run
  out.status = 'failed'
  out.error = describeFailure(e)
  if (e instanceof WxApiError && isQuotaExhausted(e)) {
    // Today's quota is gone: calling again before midnight only burns time.
    cp.quotaExhausted = { ...cp.quotaExhausted, [e.endpointId]: shanghaiDay(nowMs) }
    return
  }
  const failures = (cp.backoff?.failures ?? 0) + 1
  cp.backoff = { failures, until: nowMs + Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** (failures - 1)) }
}
