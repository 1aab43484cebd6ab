/**
 * liveStats: the timed statistics fold (runs every minute, see config.json). Thin entry: refuse any caller but the
 * timer, then the database driver and the use case (src/stats/fold.ts) with the time this run has left.
 */
import cloud from 'wx-server-sdk'
import { createDatabaseDriver, type WxDatabase } from '../../src/cloud/database-store'
import { budgetFromContext } from '../../src/sync/budget'
import { runFold, type FoldReport } from '../../src/stats/fold'
import { decideTimerCall, type RefusedRun } from '../../src/auth/caller'

// The SDK's typings declare env as a string, but DYNAMIC_CURRENT_ENV (a symbol) is the documented value.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })

export async function main(_event: unknown, context: unknown): Promise<FoldReport | RefusedRun> {
  // Decided from the platform's call context before anything touches the database; the event is the caller's.
  const decision = decideTimerCall('liveStats', cloud.getWXContext())
  if (!decision.allowed) {
    console.warn(`refused: ${decision.reason}`)
    return { status: 'refused', reason: decision.reason }
  }
  const budgetMs = budgetFromContext(context)
  // wx-server-sdk's Database type is wider than the calls we make; WxDatabase names exactly those.
  const db = createDatabaseDriver(cloud.database() as unknown as WxDatabase)
  const report = await runFold({ db, nowMs: Date.now(), budgetMs, env: process.env })
  // The function log is where a merchant looks first: a misconfigured retention or a failed run says why there.
  if (report.error) console.error(`liveStats: ${report.error.en}`)
  return report
}
