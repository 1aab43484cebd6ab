/**
 * liveSync: the timed sync of rooms, replays and goods audit state (runs every minute, see config.json).
 * Thin entry: refuse any caller but the timer, then cloud call transport + database store and the use case with
 * the time this run has left.
 */
import cloud from 'wx-server-sdk'
import { createLiveApi } from '../../src/live/client'
import { createOpenApiTransport } from '../../src/cloud/openapi-transport'
import { createDatabaseStore, type WxDatabase } from '../../src/cloud/database-store'
import { budgetFromContext } from '../../src/sync/budget'
import { runSync, type SyncOutcome } from '../../src/sync/sync'
import { decideSyncCall, type RefusedRun } from '../../src/auth/caller'
import { bundledLiveSetup } from '../../src/setup/live-setup'

// The SDK's typings declare env as a string, but DYNAMIC_CURRENT_ENV (a symbol) is the documented value.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })

export async function main(_event: unknown, context: unknown): Promise<SyncOutcome | RefusedRun> {
  // Decided from the platform's call context before anything touches Live or the database; the event is the caller's.
  const decision = decideSyncCall(cloud.getWXContext())
  if (!decision.allowed) {
    console.warn(`refused: ${decision.reason}`)
    return { status: 'refused', reason: decision.reason }
  }
  const budgetMs = budgetFromContext(context)
  const live = createLiveApi(createOpenApiTransport(cloud))
  // wx-server-sdk's Database type is wider than the calls we make; WxDatabase names exactly those.
  const store = createDatabaseStore(cloud.database() as unknown as WxDatabase)
  const outcome = await runSync({ live, store, liveSetup: bundledLiveSetup(), nowMs: () => Date.now(), budgetMs })
  // A run that could not refresh the cache says why in the function's log, where the console's log search finds it.
  if (outcome.error) console.error(`sync ${outcome.status}: ${outcome.error.errcode ?? '-'} ${outcome.error.zh} / ${outcome.error.en}`)
  return outcome
}
