/**
 * The CacheStore over a DocDriver: one implementation for both the cloud database and the emulator engine,
 * so the benchmark and the tests exercise the same reads and writes the deployed function makes.
 */
import {
  COLLECTIONS,
  type ReplayDoc,
  type RoomDoc,
  type SyncStatusDoc,
  replayDocId,
  replayDocSchema,
  roomDocId,
  roomDocSchema,
  SYNC_STATUS_ID,
  syncStatusDocSchema,
} from '../cache/schema'
import { OPEN_STATUSES } from '../live/status'
import { cond, type DocDriver, type RawDoc, type Where } from './driver'
import { type CacheStore, EMPTY_CHECKPOINT, type GoodsAuditRow, type ReplayTask, type RoomRef, type SyncCheckpoint } from './ports'

/** Server reads return at most 1000 rows (https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/collection/Collection.limit.html); `$in` lists stay well under that. */
const READ_CAP = 1000
const IN_CHUNK = 100
const LEASE_ID = 'sync'

function withoutId(doc: Record<string, unknown>): Record<string, unknown> {
  const { _id: _drop, ...rest } = doc
  return rest
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const replayTaskId = (roomId: number) => `replay-task-${roomId}`

function asTask(raw: RawDoc): ReplayTask | null {
  const { roomId, endedSeenAt, sawEnd, nextTryAt, tries, lastNewAt } = raw
  if (typeof roomId !== 'number' || typeof nextTryAt !== 'number' || typeof endedSeenAt !== 'number') return null
  return {
    roomId,
    endedSeenAt,
    // A task written before this field existed keeps the full schedule: it can only cost looks, never a replay.
    sawEnd: typeof sawEnd === 'boolean' ? sawEnd : true,
    nextTryAt,
    tries: typeof tries === 'number' ? tries : 0,
    lastNewAt: typeof lastNewAt === 'number' ? lastNewAt : null,
  }
}

function asCheckpoint(raw: unknown): SyncCheckpoint {
  // A checkpoint written by an older version may lack fields; fill them rather than fail the run.
  if (typeof raw !== 'object' || raw === null) return { ...EMPTY_CHECKPOINT, quotaExhausted: {} }
  return { ...EMPTY_CHECKPOINT, quotaExhausted: {}, ...(raw as Partial<SyncCheckpoint>) }
}

export function createCacheStore(db: DocDriver): CacheStore {
  const C = COLLECTIONS

  async function findAll(collection: string, where: Where, fields?: string[]): Promise<RawDoc[]> {
    const out: RawDoc[] = []
    for (let skip = 0; ; skip += READ_CAP) {
      const page = await db.find(collection, where, { limit: READ_CAP, skip, orderBy: { field: '_id', dir: 'asc' }, fields })
      out.push(...page)
      if (page.length < READ_CAP) return out
    }
  }

  return {
    async getRooms(roomIds) {
      const out = new Map<number, RoomDoc>()
      for (const part of chunks([...new Set(roomIds)], IN_CHUNK)) {
        const docs = await db.find(C.rooms, { _id: cond.in(part.map(roomDocId)) }, { limit: READ_CAP })
        for (const d of docs) {
          // An unreadable document is treated as absent, so the next write repairs it.
          const parsed = roomDocSchema.safeParse(d)
          if (parsed.success) out.set(parsed.data.roomId, parsed.data)
        }
      }
      return out
    },

    async putRoom(doc) {
      await db.set(C.rooms, doc._id, withoutId(doc))
    },

    async listRoomRefs(filter) {
      const where: Where = { deleted: false }
      if (filter.startAfter) where.startTime = cond.gt(filter.startAfter)
      if (filter.openOnly) where.liveStatus = cond.in([...OPEN_STATUSES])
      const docs = await findAll(C.rooms, where, ['roomId', 'startTime', 'liveStatus', 'syncedAt'])
      return docs.flatMap((d): RoomRef[] =>
        typeof d.roomId === 'number' && d.startTime instanceof Date && typeof d.liveStatus === 'number'
          ? [{ roomId: d.roomId, startTime: d.startTime, liveStatus: d.liveStatus, syncedAt: d.syncedAt instanceof Date ? d.syncedAt : null }]
          : [],
      )
    },

    async markRoomsDeleted(roomIds, now) {
      let n = 0
      for (const part of chunks(roomIds, IN_CHUNK)) {
        for (const id of part) {
          const [doc] = await db.find(C.rooms, { _id: roomDocId(id) }, { limit: 1 })
          if (!doc || doc.deleted === true) continue
          const endTime = doc.endTime instanceof Date ? doc.endTime : new Date(0)
          n += await db.update(
            C.rooms,
            { _id: roomDocId(id), deleted: false },
            { set: { deleted: true, section: 'hidden', sortKey: -endTime.getTime(), syncedAt: now } },
          )
        }
      }
      return n
    },

    async countRooms(filter) {
      const where: Where = {}
      if (filter.deleted !== undefined) where.deleted = filter.deleted
      if (filter.listed) where.section = cond.in(['live', 'upcoming', 'replay'])
      return db.count(C.rooms, where)
    },

    async roomsWithReplayExpiring(by) {
      const docs = await db.find(C.rooms, { section: 'replay', 'replay.expiresAt': cond.lte(by) }, { limit: READ_CAP })
      return docs.flatMap((d) => {
        const parsed = roomDocSchema.safeParse(d)
        return parsed.success ? [parsed.data] : []
      })
    },

    async getPrivate(roomIds) {
      const out = new Map<number, Record<string, unknown>>()
      for (const part of chunks([...new Set(roomIds)], IN_CHUNK)) {
        const docs = await db.find(C.roomsPrivate, { _id: cond.in(part.map(roomDocId)) }, { limit: READ_CAP })
        for (const d of docs) if (typeof d.roomId === 'number') out.set(d.roomId, d)
      }
      return out
    },

    async putPrivate(roomId, fields) {
      const id = roomDocId(roomId)
      const n = await db.update(C.roomsPrivate, { _id: id }, { set: { roomId, ...fields } })
      if (n > 0) return
      const [existing] = await db.find(C.roomsPrivate, { _id: id }, { limit: 1 })
      if (existing) return // already equal: nothing changed
      if ((await db.insert(C.roomsPrivate, { _id: id, roomId, ...fields })) === 'duplicate') {
        await db.update(C.roomsPrivate, { _id: id }, { set: { roomId, ...fields } })
      }
    },

    async getReplay(roomId) {
      const [doc] = await db.find(C.replays, { _id: replayDocId(roomId) }, { limit: 1 })
      if (!doc) return null
      const parsed = replayDocSchema.safeParse(doc)
      return parsed.success ? parsed.data : null
    },

    async putReplay(doc: ReplayDoc) {
      await db.set(C.replays, doc._id, withoutId(doc))
    },

    async dueReplayTasks(now, limit) {
      const docs = await db.find(
        C.syncState,
        { kind: 'replayTask', nextTryAt: cond.lte(now) },
        { limit: Math.min(limit, READ_CAP), orderBy: { field: 'nextTryAt', dir: 'asc' } },
      )
      return docs.flatMap((d) => {
        const t = asTask(d)
        return t ? [t] : []
      })
    },

    async putReplayTask(task) {
      await db.set(C.syncState, replayTaskId(task.roomId), { kind: 'replayTask', ...task })
    },

    async dropReplayTask(roomId) {
      // The driver has no remove verb; a parked task (never due) is as good and keeps the record.
      await db.update(C.syncState, { _id: replayTaskId(roomId) }, { set: { kind: 'replayDone' } })
    },

    async goodsPendingAudit(limit, afterGoodsId) {
      // Goods the platform no longer knows (deleted in the warehouse) would be asked about on every pass.
      const where: Where = { auditStatus: cond.in([0, 1]), missingUpstream: cond.neq(true) }
      if (afterGoodsId !== undefined) where.goodsId = cond.gt(afterGoodsId)
      const docs = await db.find(C.goods, where, { limit: Math.min(limit, READ_CAP), orderBy: { field: 'goodsId', dir: 'asc' } })
      return docs.flatMap((d): GoodsAuditRow[] =>
        typeof d.goodsId === 'number' && typeof d.auditStatus === 'number'
          ? [{ goodsId: d.goodsId, auditStatus: d.auditStatus }]
          : [],
      )
    },

    async setGoodsAudit(goodsId, auditStatus, now) {
      await db.update(C.goods, { goodsId }, { set: { auditStatus, auditCheckedAt: now } })
    },

    async markGoodsMissing(goodsId, now) {
      await db.update(C.goods, { goodsId }, { set: { missingUpstream: true, auditCheckedAt: now } })
    },

    async acquireLease(owner, now, ttlMs) {
      const taken = await db.update(
        C.syncState,
        { _id: LEASE_ID, leaseExpiresAt: cond.lte(now) },
        { set: { leaseOwner: owner, leaseExpiresAt: now + ttlMs } },
      )
      if (taken === 1) {
        const [doc] = await db.find(C.syncState, { _id: LEASE_ID }, { limit: 1 })
        return doc && doc.leaseOwner === owner ? asCheckpoint(doc.checkpoint) : null
      }
      const [existing] = await db.find(C.syncState, { _id: LEASE_ID }, { limit: 1 })
      if (existing) return null
      const created = await db.insert(C.syncState, {
        _id: LEASE_ID,
        leaseOwner: owner,
        leaseExpiresAt: now + ttlMs,
        checkpoint: EMPTY_CHECKPOINT,
      })
      return created === 'ok' ? asCheckpoint(EMPTY_CHECKPOINT) : null
    },

    async saveCheckpoint(owner, checkpoint, { nowMs, release }) {
      const set: Record<string, unknown> = { checkpoint, savedAt: nowMs }
      if (release) Object.assign(set, { leaseOwner: null, leaseExpiresAt: 0 })
      return (await db.update(C.syncState, { _id: LEASE_ID, leaseOwner: owner }, { set })) === 1
    },

    async readLedger(day) {
      const [doc] = await db.find(C.apiLedger, { _id: day }, { limit: 1 })
      const calls = doc?.calls
      const out: Record<string, number> = {}
      if (typeof calls === 'object' && calls !== null) {
        for (const [k, v] of Object.entries(calls)) if (typeof v === 'number') out[k] = v
      }
      return out
    },

    async addToLedger(day, calls) {
      const entries = Object.entries(calls).filter(([, n]) => n > 0)
      if (entries.length === 0) return
      const inc = Object.fromEntries(entries.map(([k, n]) => [`calls.${k}`, n]))
      if ((await db.update(C.apiLedger, { _id: day }, { inc })) > 0) return
      if ((await db.insert(C.apiLedger, { _id: day, day, calls: Object.fromEntries(entries) })) === 'duplicate') {
        await db.update(C.apiLedger, { _id: day }, { inc })
      }
    },

    async readStatus() {
      const [doc] = await db.find(C.syncStatus, { _id: SYNC_STATUS_ID }, { limit: 1 })
      if (!doc) return null
      const parsed = syncStatusDocSchema.safeParse(doc)
      return parsed.success ? parsed.data : null
    },

    async writeStatus(doc: SyncStatusDoc) {
      await db.set(C.syncStatus, SYNC_STATUS_ID, withoutId(doc))
    },
  }
}
