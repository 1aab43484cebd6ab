/**
 * The first and last step of a run: the lease (an atomic conditional update with expiry) that keeps two
 * overlapping runs from both working, and the checkpoint it carries between runs.
 */
import type { CacheStore, SyncCheckpoint } from './ports'
import type { Run } from './run'

/** The lease outlives the run's budget by this much, so a run that is killed simply lets it expire. */
export const LEASE_MARGIN_MS = 30_000

/** The checkpoint, or null when another run holds the lease. */
export function takeLease(store: CacheStore, owner: string, nowMs: number, budgetMs: number): Promise<SyncCheckpoint | null> {
  return store.acquireLease(owner, nowMs, budgetMs + LEASE_MARGIN_MS)
}

/** Saves the checkpoint and keeps the lease; false when another run took it meanwhile. */
export function leaseStillHeld(run: Run): Promise<boolean> {
  return run.store.saveCheckpoint(run.owner, run.cp, { nowMs: run.nowMs, release: false })
}

export async function releaseLease(run: Run): Promise<void> {
  const kept = await run.store.saveCheckpoint(run.owner, run.cp, { nowMs: run.nowMs, release: true })
  if (!kept) run.out.notes.push('the lease expired before the run ended; its checkpoint was not saved')
}
