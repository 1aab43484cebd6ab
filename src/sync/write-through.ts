/**
 * For merchant writes: the admin function (src/admin/write-through.ts) lands a created, edited, switched or deleted
 * room in the same cache documents the sync keeps, so viewers see it at once instead of one cadence later. The
 * next sync run compares hashes and writes nothing when the platform agrees.
 */
import type { RoomDoc } from '../cache/schema'
import { LIVE_STATUS_RANGE, isLiveStatus } from '../live/status'
import { type PlatformRoom, buildRoomDoc, privateFields, roomChanged } from './normalize'
import type { CacheStore } from './ports'

/**
 * Writes one room as the platform now holds it (a getLiveInfo row, or one an admin function assembles from the
 * params it just sent). Returns the cached document, and whether it was written.
 */
export async function writeThroughRoom(
  store: CacheStore,
  platformRoom: PlatformRoom,
  now: Date,
): Promise<{ doc: RoomDoc; written: boolean }> {
  if (!isLiveStatus(platformRoom.liveStatus)) {
    throw new RangeError(`liveStatus: ${platformRoom.liveStatus} is not a known live_status (${LIVE_STATUS_RANGE})`)
  }
  const prev = (await store.getRooms([platformRoom.roomid])).get(platformRoom.roomid)
  const next = buildRoomDoc(platformRoom, prev, now)
  if (!roomChanged(prev, next)) return { doc: prev ?? next, written: false }
  await store.putRoom(next)
  if (!prev) await store.putPrivate(platformRoom.roomid, privateFields(platformRoom))
  return { doc: next, written: true }
}

/** After the merchant deletes a room on the platform: hide it now (kept for the record, as a sweep would). */
export async function writeThroughRoomDeleted(store: CacheStore, roomId: number, now: Date): Promise<boolean> {
  return (await store.markRoomsDeleted([roomId], now)) > 0
}
