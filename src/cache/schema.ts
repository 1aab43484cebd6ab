/**
 * The cache that viewers read: the one contract between the sync (writer) and the mini-program (reader).
 * Fixed here so both sides build against it; docs/CACHE-SCHEMA.md explains each field.
 *
 * Units: times are Dates (stored as BSON dates), prices are integers in fen (分), enums are named.
 * Nothing that identifies a person (creater_openid, anchor / assistant WeChat IDs) is ever stored in a
 * viewer-readable collection.
 */
import * as z from '../live/zod'
import { LIVE_STATUS_CODES, LIVE_STATUS_NAMES, type LiveStatusName, liveStatusName } from '../live/status'

export const COLLECTIONS = {
  /** Public read, no client write: one document per room. */
  rooms: 'live_rooms',
  /** Public read, no client write: one document per room that has (or may get) a replay. */
  replays: 'live_replays',
  /** Public read of the document `_id: 'public'` only. */
  syncStatus: 'live_sync_status',
  /** Private: lease, checkpoint and replay retry schedule of the sync. */
  syncState: 'live_sync_state',
  /** Private: Live API calls per API per Asia/Shanghai day. */
  apiLedger: 'live_api_ledger',
  /** Private: warehouse goods created through this system, with their audit state. */
  goods: 'live_goods',
  /** Private: what the merchant back office needs about a room but viewers must not see. */
  roomsPrivate: 'live_rooms_private',
} as const

/**
 * Which list a viewer sees the room in. `ended` rooms (no replay, or replay expired/off) and `hidden` rooms
 * (banned, expired, deleted) are kept for the record but listed nowhere.
 */
export const SECTIONS = ['live', 'upcoming', 'replay', 'ended', 'hidden'] as const
export type Section = (typeof SECTIONS)[number]

/** The list each status puts a room in; an ended room moves to `replay` while its replay is available. */
export const SECTION_OF_STATUS: Readonly<Record<LiveStatusName, Section>> = {
  live: 'live',
  paused: 'live',
  abnormal: 'live',
  upcoming: 'upcoming',
  ended: 'ended',
  banned: 'hidden',
  expired: 'hidden',
}

export const PRICE_TYPES = { 1: 'fixed', 2: 'range', 3: 'discount' } as const
export type PriceTypeName = (typeof PRICE_TYPES)[keyof typeof PRICE_TYPES]

export const roomGoodsSchema = z.object({
  goodsId: z.int(),
  name: z.string(),
  coverImg: z.string(),
  url: z.string(),
  priceType: z.enum(['fixed', 'range', 'discount']),
  /** fen. fixed: the price; range: lower bound; discount: original price. */
  price: z.int(),
  /** fen. range: upper bound; discount: current price; fixed: null. */
  price2: z.nullable(z.int()),
  /** Empty string for the merchant's own goods. */
  thirdPartyAppid: z.string(),
})
export type RoomGoods = z.infer<typeof roomGoodsSchema>

export const replaySummarySchema = z.object({
  /**
   * pending: the room ended with replay on and the platform has not produced it yet (retrying);
   * available: at least one segment not yet expired; expired: every segment expired;
   * none: replay turned off, or the platform never produced one within the retry window;
   * notApplicable: the room has not ended.
   */
  state: z.enum(['notApplicable', 'pending', 'available', 'expired', 'none']),
  segments: z.int().check(z.nonnegative()),
  /** Earliest expiry among unexpired segments, or null. */
  expiresAt: z.nullable(z.date()),
})
export type ReplaySummary = z.infer<typeof replaySummarySchema>

export const roomDocSchema = z.object({
  /** `room-<roomid>`: stable, so a write is an idempotent set. */
  _id: z.string().check(z.regex(/^room-\d+$/)),
  roomId: z.int().check(z.positive()),
  name: z.string(),
  coverImg: z.string(),
  shareImg: z.string(),
  feedsImg: z.string(),
  anchorName: z.string(),
  liveStatus: z.literal(LIVE_STATUS_CODES),
  /** The name of liveStatus (src/live/status.ts). */
  status: z.enum(LIVE_STATUS_NAMES),
  startTime: z.date(),
  endTime: z.date(),
  liveType: z.enum(['phone', 'push']),
  /** Room switches as "enabled" booleans (the platform's close_* fields inverted). */
  likeEnabled: z.boolean(),
  goodsEnabled: z.boolean(),
  commentEnabled: z.boolean(),
  kfEnabled: z.boolean(),
  replayEnabled: z.boolean(),
  feedsPublic: z.boolean(),
  goods: z.array(roomGoodsSchema),
  replay: replaySummarySchema,
  /** The list this room appears in (see SECTIONS). */
  section: z.enum(SECTIONS),
  /**
   * Ascending order within the section, so each section is one indexed query
   * `where({section}).orderBy('sortKey','asc')`:
   * live: most recently started first (−startTime ms); upcoming: soonest first (startTime ms);
   * replay: most recently ended first (−endTime ms); ended/hidden: −endTime ms.
   */
  sortKey: z.number(),
  /** True once a complete full sweep no longer lists the room; section is then 'hidden'. */
  deleted: z.boolean(),
  /** When the sync last saw a change of live_status (for staleness figures and "started N min ago"). */
  statusChangedAt: z.date(),
  /** When the sync last wrote this document. */
  syncedAt: z.date(),
  /** Hash of the upstream fields; a run writes the document only when it changes. */
  contentHash: z.string(),
})
export type RoomDoc = z.infer<typeof roomDocSchema>

export const replaySegmentSchema = z.object({
  /** 0-based, in the order the platform lists them (play in this order). */
  index: z.int().check(z.nonnegative()),
  mediaUrl: z.string(),
  createTime: z.date(),
  expireTime: z.date(),
})
export type ReplaySegment = z.infer<typeof replaySegmentSchema>

export const replayDocSchema = z.object({
  /** `replay-<roomid>`. */
  _id: z.string().check(z.regex(/^replay-\d+$/)),
  roomId: z.int().check(z.positive()),
  /** Every segment ever seen, expired ones included (the page says "expired" rather than "missing"). */
  segments: z.array(replaySegmentSchema),
  state: replaySummarySchema.shape.state,
  syncedAt: z.date(),
})
export type ReplayDoc = z.infer<typeof replayDocSchema>

export const syncStatusDocSchema = z.object({
  _id: z.literal('public'),
  /** End of the last run that completed without an upstream error. */
  lastSuccessAt: z.nullable(z.date()),
  /** End of the last run, successful or not. */
  lastRunAt: z.nullable(z.date()),
  /** End of the last complete full sweep. */
  lastFullSweepAt: z.nullable(z.date()),
  /** Rooms currently listed to viewers (live + upcoming + replay). */
  listedRooms: z.int().check(z.nonnegative()),
  /** The last upstream problem in plain words, cleared by the next successful run. */
  lastError: z.nullable(z.object({ at: z.date(), errcode: z.nullable(z.number()), zh: z.string(), en: z.string() })),
  /** Why the sync calls nothing while Mini Program Live is off (live.config.json), in plain words; null while it is on. */
  liveOff: z.nullable(z.object({ zh: z.string(), en: z.string() })),
})
export type SyncStatusDoc = z.infer<typeof syncStatusDocSchema>

export function roomDocId(roomId: number): string {
  return `room-${roomId}`
}
export function replayDocId(roomId: number): string {
  return `replay-${roomId}`
}
export const SYNC_STATUS_ID = 'public'

/** Section of a room from its status and replay state; the one rule both the sync and the tests use. */
export function sectionOf(liveStatus: number, replayState: ReplaySummary['state'], deleted: boolean): Section {
  const name = liveStatusName(liveStatus)
  // A status the platform adds later is listed nowhere until this table names it.
  if (deleted || name === undefined) return 'hidden'
  if (name === 'ended' && replayState === 'available') return 'replay'
  return SECTION_OF_STATUS[name]
}

/** Ascending sort key within a section (see roomDocSchema.sortKey). */
export function sortKeyOf(section: Section, startTime: Date, endTime: Date): number {
  switch (section) {
    case 'live':
      return -startTime.getTime()
    case 'upcoming':
      return startTime.getTime()
    default:
      return -endTime.getTime()
  }
}
