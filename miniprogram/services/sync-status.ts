/** Freshness of the cache from the one public sync status document. */
import type { SyncStatusDoc } from '../../src/cache/schema'
import { database } from './cloud'
import { SYNC_STATUS, SYNC_STATUS_ID } from './collections'
import { freshnessOf, type Freshness } from './views'

/** What viewers read of the public status document; null when the sync never wrote it. */
export type PublicSyncStatus = (Pick<SyncStatusDoc, 'lastSuccessAt' | 'lastError'> & Partial<Pick<SyncStatusDoc, 'liveOff'>>) | null

export async function readSyncStatus(): Promise<PublicSyncStatus> {
  // where() rather than doc().get(): a missing document is "never synced", not an exception.
  const res = await database()
    .collection(SYNC_STATUS)
    .where({ _id: SYNC_STATUS_ID })
    .field({ lastSuccessAt: true, lastError: true, liveOff: true })
    .limit(1)
    .get()
  const doc = res.data[0]
  return doc ? (doc as unknown as NonNullable<PublicSyncStatus>) : null
}

export async function getFreshness(): Promise<Freshness> {
  return freshnessOf(await readSyncStatus(), Date.now())
}
