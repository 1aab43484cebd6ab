/**
 * The two ports of the sync: the typed LiveApi (src/live/client.ts) and this CacheStore, with exactly the
 * operations the sync needs. Private state (lease, checkpoint, replay schedule) keeps times as Unix ms
 * numbers; viewer-facing documents use Dates as src/cache/schema.ts fixes.
 */
import type { ReplayDoc, RoomDoc, SyncStatusDoc } from '../cache/schema'

/** Where a walk over the room list stands (list-walk.ts). */
export interface ListPosition {
  /** Offset of the next row to read. */
  next: number
  /** The last room read, to prove the next page continues where this one ended. */
  anchor: { roomId: number; startTime: number } | null
  /** The list total at the last page read, to tell rooms added at the head from rows a page left out. */
  total?: number | null
}

/** Progress of a full sweep, persisted so a 3-second run can continue it next time. */
export interface SweepProgress extends ListPosition {
  startedAt: number
  /** Room ids seen so far (encodeIds). */
  seen: string
  /** A page contradicted the order or lost the anchor: this sweep may not delete anything. */
  tainted: boolean
  reason: string
}

export interface SyncCheckpoint {
  sweep: SweepProgress | null
  lastFullSweepAt: number | null
  /** First 9410000 ("empty list") seen while the cache still lists rooms; a second one confirms it. */
  emptyListSeenAt: number | null
  /** Consecutive failed runs and when upstream calls may resume. */
  backoff: { until: number; failures: number } | null
  /** endpoint id → Shanghai day on which 45009 said its quota is gone. */
  quotaExhausted: Record<string, string>
  lastGoodsAuditAt: number | null
  /** goodsId after which an unfinished goods audit pass continues (a 3-second run checks ~40 goods). */
  goodsCursor: number | null
}

export const EMPTY_CHECKPOINT: SyncCheckpoint = {
  sweep: null,
  lastFullSweepAt: null,
  emptyListSeenAt: null,
  backoff: null,
  quotaExhausted: {},
  lastGoodsAuditAt: null,
  goodsCursor: null,
}

/** One room whose replay we are waiting for (private; `live_sync_state`, `_id` `replay-task-<roomid>`). */
export interface ReplayTask {
  roomId: number
  /** When the sync first saw the room ended (ms): the replay schedule counts from here. */
  endedSeenAt: number
  /** The sync saw the room open before, so it ended shortly before endedSeenAt; false when first seen ended. */
  sawEnd: boolean
  nextTryAt: number
  tries: number
  /** Last time a fetch found a segment we did not have (ms). */
  lastNewAt: number | null
}

/** A warehouse goods item created through this system (`live_goods`); the sync reads and updates audit fields only. */
export interface GoodsAuditRow {
  goodsId: number
  auditStatus: number
}

export interface RoomRef {
  roomId: number
  startTime: Date
  liveStatus: number
  /** When the document was last written (null when unreadable): a room written after a sweep's reads began was not seen missing by it. */
  syncedAt: Date | null
}

export interface CacheStore {
  getRooms(roomIds: number[]): Promise<Map<number, RoomDoc>>
  putRoom(doc: RoomDoc): Promise<void>
  /** Rooms not marked deleted whose start is after `after` (or all of them when null), id order. */
  listRoomRefs(filter: { startAfter?: Date; openOnly?: boolean }): Promise<RoomRef[]>
  /** Soft delete: hidden, kept for the record. */
  markRoomsDeleted(roomIds: number[], now: Date): Promise<number>
  countRooms(filter: { deleted?: boolean; listed?: boolean }): Promise<number>
  /** Rooms shown in the replay section whose earliest segment expiry has passed. */
  roomsWithReplayExpiring(by: Date): Promise<RoomDoc[]>

  getPrivate(roomIds: number[]): Promise<Map<number, Record<string, unknown>>>
  /** Merges fields into the private room document, creating it when missing. */
  putPrivate(roomId: number, fields: Record<string, unknown>): Promise<void>

  getReplay(roomId: number): Promise<ReplayDoc | null>
  putReplay(doc: ReplayDoc): Promise<void>

  dueReplayTasks(now: number, limit: number): Promise<ReplayTask[]>
  putReplayTask(task: ReplayTask): Promise<void>
  dropReplayTask(roomId: number): Promise<void>

  /** Goods still under review, in goodsId order, after `afterGoodsId` when given. */
  goodsPendingAudit(limit: number, afterGoodsId?: number): Promise<GoodsAuditRow[]>
  setGoodsAudit(goodsId: number, auditStatus: number, now: Date): Promise<void>
  markGoodsMissing(goodsId: number, now: Date): Promise<void>

  /**
   * Takes the lease atomically when it is free or expired; resolves the checkpoint, or null when another run
   * holds it.
   */
  acquireLease(owner: string, now: number, ttlMs: number): Promise<SyncCheckpoint | null>
  /** Saves the checkpoint (stamped `nowMs`) only while `owner` still holds the lease; false when it was lost. */
  saveCheckpoint(owner: string, checkpoint: SyncCheckpoint, opts: { nowMs: number; release: boolean }): Promise<boolean>

  readLedger(day: string): Promise<Record<string, number>>
  addToLedger(day: string, calls: Record<string, number>): Promise<void>

  readStatus(): Promise<SyncStatusDoc | null>
  writeStatus(doc: SyncStatusDoc): Promise<void>
}
