/**
 * track: viewer event batches from the mini-program, and orders reported by the merchant's other cloud functions
 * (docs/STATS.md "Capture" and "Orders"). Thin entry: wire the database driver and the platform's call context
 * into the use case (src/stats/track.ts), which decides everything and never throws.
 */
import cloud from 'wx-server-sdk'
import { createDatabaseDriver, type WxDatabase } from '../../src/cloud/database-store'
import { handleTrackEvent, type TrackReply } from '../../src/stats/track'
import { toErrorBody } from '../../src/admin/reply'

// The SDK's typings declare env as a string, but DYNAMIC_CURRENT_ENV (a symbol) is the documented value.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })

export async function main(event: unknown): Promise<TrackReply> {
  try {
    // wx-server-sdk's Database type is wider than the calls we make; WxDatabase names exactly those.
    const docs = createDatabaseDriver(cloud.database() as unknown as WxDatabase)
    return await handleTrackEvent(event, cloud.getWXContext(), { docs, nowMs: () => Date.now() })
  } catch (e) {
    // Only the wiring above can get here (the use case answers every failure itself): still a reply, never a throw.
    return { ok: false, error: toErrorBody(e) }
  }
}
