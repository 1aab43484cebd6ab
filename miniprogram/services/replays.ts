/** A room's replay segments, in play order, with what has expired. */
import { database } from './cloud'
import { REPLAYS } from './collections'
import { toReplayView, type ReplayView } from './views'

export async function getReplay(roomId: number): Promise<ReplayView> {
  const res = await database()
    .collection(REPLAYS)
    .where({ roomId })
    .field({ roomId: true, segments: true, state: true })
    .limit(1)
    .get()
  const doc = res.data[0]
  return toReplayView(roomId, doc ? (doc as unknown as Parameters<typeof toReplayView>[1]) : null, Date.now())
}
