/**
 * From a getliveinfo room row to the cache document viewers read: times as Dates, prices in fen, enums named,
 * section and sort key derived, nothing that identifies a person. Pure functions.
 */
import { createHash } from 'node:crypto'
import type * as z from '../live/zod'
import {
  PRICE_TYPES,
  type ReplaySummary,
  type RoomDoc,
  type RoomGoods,
  roomDocId,
  sectionOf,
  sortKeyOf,
} from '../cache/schema'
import type { roomInfo } from '../live/schemas'
import { LiveStatus, type LiveStatusName, liveStatusName } from '../live/status'

/** A room as the LiveApi returns it from getLiveInfo (camelCase). */
export type PlatformRoom = z.output<typeof roomInfo>

export const NOT_APPLICABLE: ReplaySummary = { state: 'notApplicable', segments: 0, expiresAt: null }

function goodsOf(room: PlatformRoom): RoomGoods[] {
  return room.goods.map((g) => {
    const priceType = PRICE_TYPES[(g.priceType ?? 1) as keyof typeof PRICE_TYPES] ?? 'fixed'
    return {
      goodsId: g.goodsId,
      name: g.name,
      coverImg: g.coverImg,
      url: g.url,
      priceType,
      // getliveinfo lists room goods prices in fen already (https://developers.weixin.qq.com/community/develop/doc/0008a84a8b88805b5c5a4555753400); round away float noise only.
      price: Math.round(g.price),
      price2: priceType === 'fixed' || g.price2 === undefined ? null : Math.round(g.price2),
      thirdPartyAppid: g.thirdPartyAppid ?? '',
    }
  })
}

/** The upstream part of a room document: what the content hash covers. */
export function upstreamFields(room: PlatformRoom) {
  // Callers pass only rooms whose status is known (isLiveStatus); the cast states that.
  const status = liveStatusName(room.liveStatus) as LiveStatusName
  return {
    roomId: room.roomid,
    name: room.name,
    coverImg: room.coverImg,
    shareImg: room.shareImg,
    feedsImg: room.feedsImg ?? '',
    anchorName: room.anchorName,
    liveStatus: LiveStatus[status],
    status,
    startTime: new Date(room.startTime * 1000),
    endTime: new Date(room.endTime * 1000),
    liveType: room.liveType === 1 ? ('push' as const) : ('phone' as const),
    // close_* = 1 means disabled; an absent flag takes the platform default (replay and kf default off).
    likeEnabled: room.closeLike !== 1,
    goodsEnabled: room.closeGoods !== 1,
    commentEnabled: room.closeComment !== 1,
    kfEnabled: room.closeKf === 0,
    replayEnabled: room.closeReplay === 0,
    feedsPublic: room.isFeedsPublic !== 0,
    goods: goodsOf(room),
  }
}

export function contentHash(value: unknown): string {
  const json = JSON.stringify(value, (_k, v: unknown) => v)
  return createHash('sha1').update(json).digest('hex').slice(0, 20)
}

/**
 * The replay summary a room should carry after this sighting: not applicable until it ends; on end, pending
 * when replay is on (the fetch follows), none when off; a summary we already hold otherwise stays.
 */
export function replayAfterSighting(room: PlatformRoom, prevDoc: RoomDoc | undefined): ReplaySummary {
  if (room.liveStatus !== LiveStatus.ended) return NOT_APPLICABLE
  const enabled = room.closeReplay === 0
  const prev = prevDoc?.replay
  if (!prev || prev.state === 'notApplicable') return enabled ? { state: 'pending', segments: 0, expiresAt: null } : { state: 'none', segments: 0, expiresAt: null }
  if (!enabled && (prev.state === 'pending' || prev.state === 'available')) {
    // The merchant turned replay off: the platform stops serving it.
    return { state: 'none', segments: prev.segments, expiresAt: null }
  }
  // Switched back on after the end: look again (a replay that simply never came stays 'none').
  if (enabled && prev.state === 'none' && prevDoc?.replayEnabled === false) return { state: 'pending', segments: 0, expiresAt: null }
  return prev
}

/** Builds the document for a listed room. `prev` is the cached document, if any. */
export function buildRoomDoc(room: PlatformRoom, prev: RoomDoc | undefined, now: Date, replay?: ReplaySummary): RoomDoc {
  const up = upstreamFields(room)
  const summary = replay ?? replayAfterSighting(room, prev)
  const section = sectionOf(up.liveStatus, summary.state, false)
  return {
    _id: roomDocId(room.roomid),
    ...up,
    replay: summary,
    section,
    sortKey: sortKeyOf(section, up.startTime, up.endTime),
    deleted: false,
    statusChangedAt: prev && prev.liveStatus === up.liveStatus ? prev.statusChangedAt : now,
    syncedAt: now,
    contentHash: contentHash(up),
  }
}

function sameReplay(a: ReplaySummary, b: ReplaySummary): boolean {
  return a.state === b.state && a.segments === b.segments && (a.expiresAt?.getTime() ?? null) === (b.expiresAt?.getTime() ?? null)
}

/** Whether writing `next` over `prev` changes anything a viewer could see (syncedAt aside). */
export function roomChanged(prev: RoomDoc | undefined, next: RoomDoc): boolean {
  if (!prev) return true
  return (
    prev.contentHash !== next.contentHash ||
    prev.section !== next.section ||
    prev.sortKey !== next.sortKey ||
    prev.deleted !== next.deleted ||
    !sameReplay(prev.replay, next.replay)
  )
}

/** The same document with a new replay summary (section and sort key follow). */
export function withReplay(doc: RoomDoc, replay: ReplaySummary, now: Date): RoomDoc {
  const section = sectionOf(doc.liveStatus, replay.state, doc.deleted)
  return { ...doc, replay, section, sortKey: sortKeyOf(section, doc.startTime, doc.endTime), syncedAt: now }
}

/** What only the merchant back office may read about a room. */
export function privateFields(room: PlatformRoom): Record<string, unknown> {
  return { createrOpenid: room.createrOpenid ?? '' }
}
