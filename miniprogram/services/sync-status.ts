/** Freshness of the cache from the one public sync status document. */
import { database } from './cloud'
import { SYNC_STATUS, SYNC_STATUS_ID } from './collections'
import { freshnessOf, type Freshness } from './views'

export async function getFreshness(): Promise<Freshness> {
  // where() rather than doc().get(): a missing document is "never synced", not an exception.
  const res = await database()
    .collection(SYNC_STATUS)
    .where({ _id: SYNC_STATUS_ID })
    .field({ lastSuccessAt: true, lastError: true })
    .limit(1)
    .get()
  const doc = res.data[0]
  return freshnessOf(doc ? (doc as unknown as Parameters<typeof freshnessOf>[0]) : null, Date.now())
}
