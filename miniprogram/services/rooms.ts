/** Rooms for the viewer: one indexed query per section (section + sortKey), 20 at a time, cards only. */
import { PAGE_SIZE, POLL_FALLBACK_MS } from '../config'
import { database } from './cloud'
import { ROOMS } from './collections'
import { keepFresh, type Follower } from './keep-fresh'
import { statusHint } from './status-hints'
import { CARD_FIELDS, toRoomCard, type CardRecord, type ListedSection, type RoomCard } from './views'

function toCards(records: DB.IDocumentData[], nowMs: number): RoomCard[] {
  // The rules and projection guarantee the card fields; records are the cache's own writes.
  return records.map((r) => {
    const record = r as unknown as CardRecord
    return toRoomCard(record, nowMs, statusHint(record.roomId, nowMs))
  })
}

/** One page of a section, in the section's order (index section_sortKey). */
export async function listSection(section: ListedSection, skip: number): Promise<RoomCard[]> {
  const res = await database()
    .collection(ROOMS)
    .where({ section })
    .orderBy('sortKey', 'asc')
    .skip(skip)
    .limit(PAGE_SIZE)
    .field(CARD_FIELDS)
    .get()
  return toCards(res.data, Date.now())
}

/** Re-reads the first `count` rooms of a section (at least one page), page by page. */
export async function reloadSection(section: ListedSection, count: number): Promise<{ rooms: RoomCard[]; exhausted: boolean }> {
  const rooms: RoomCard[] = []
  const wanted = Math.max(PAGE_SIZE, count)
  for (;;) {
    const page = await listSection(section, rooms.length)
    rooms.push(...page)
    if (page.length < PAGE_SIZE) return { rooms, exhausted: true }
    if (rooms.length >= wanted) return { rooms, exhausted: false }
  }
}

/** Calls onChange whenever the section changes: by watch, or by polling once the watch fails. */
export function followSection(section: ListedSection, onChange: () => void): Follower {
  return keepFresh({
    watch: (changed, failed) =>
      database()
        .collection(ROOMS)
        .where({ section })
        .watch({
          onChange: (snapshot) => {
            if (snapshot.type !== 'init') changed()
          },
          onError: failed,
        }),
    refresh: onChange,
    pollMs: POLL_FALLBACK_MS,
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  })
}

export interface RoomDetail extends RoomCard {
  shareImg: string
}

/** One room by its platform id (index roomId), or null when the cache does not have it. */
export async function getRoom(roomId: number): Promise<RoomDetail | null> {
  const res = await database()
    .collection(ROOMS)
    .where({ roomId })
    .field({ ...CARD_FIELDS, shareImg: true })
    .limit(1)
    .get()
  const record = res.data[0]
  if (!record) return null
  const nowMs = Date.now()
  const card = toCards([record], nowMs)[0]
  return { ...card, shareImg: typeof record.shareImg === 'string' ? record.shareImg : '' }
}
