/**
 * The sandbox's state model: plain records for one merchant's Live account, and the pure rules that derive
 * what a record looks like at a given instant (room status, replay segments, goods audit state). Nothing here
 * runs on a timer: every time-dependent value is computed from the clock when it is read.
 */

import type { LinkKind } from '../../src/stats/docs'
import { LIVE_STATUS_CODES, LiveStatus } from '../../src/live/status'

export { LiveStatus }

/** Statuses a control event can put a room in; upcoming and expired follow from the clock alone. */
export type EventStatus = Exclude<LiveStatus, typeof LiveStatus.upcoming | typeof LiveStatus.expired>
export const EVENT_STATUSES = LIVE_STATUS_CODES.filter(
  (c): c is EventStatus => c !== LiveStatus.upcoming && c !== LiveStatus.expired,
) as [EventStatus, ...EventStatus[]]

/** An abnormal room the anchor does not recover within this long is ended by the platform (https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/component-api.html). */
export const ABNORMAL_GRACE_SECONDS = 15 * 60
export { TEMP_MEDIA_TTL_SECONDS as MEDIA_TTL_SECONDS } from '../../src/live/rules'
export const TOKEN_TTL_SECONDS = 7200

export type RoomEvent = 'start' | 'pause' | 'resume' | 'abnormal' | 'recover' | 'end' | 'ban'
export const ROOM_EVENTS: readonly RoomEvent[] = ['start', 'pause', 'resume', 'abnormal', 'recover', 'end', 'ban']

export interface RoomGoods {
  goodsId: number
  /** 1 on shelf, 0 off shelf. */
  onSale: 0 | 1
  /** Set when the goods was pushed (explained) in this room; its clip becomes available some minutes later. */
  explainedAt?: number
}

export interface Assistant {
  username: string
  nickname: string
  addedAt: number
}

export interface Room {
  roomId: number
  name: string
  coverImg: string
  shareImg: string
  feedsImg: string
  startTime: number
  endTime: number
  anchorName: string
  anchorWechat: string
  subAnchorWechat?: string
  createrWechat?: string
  /** 1 push stream, 0 phone. */
  type: 0 | 1
  closeLike: number
  closeGoods: number
  closeComment: number
  closeReplay: number
  closeShare: number
  closeKf: number
  isFeedsPublic: number
  banComment: number
  /** The last control event's resulting status and when it happened; null while the room was never started. */
  control: { status: EventStatus; at: number } | null
  goods: RoomGoods[]
  /** The goods currently popped up to viewers, and until when. */
  pushing?: { goodsId: number; until: number }
  assistants: Assistant[]
  /** How many replay segments the room produces when it ends (a reconnect splits a replay). */
  replaySegments: number
  createdAt: number
}

/** Status of a room at `now`, O(1): upcoming until started (expired once end_time passes), the control status otherwise, abnormal → ended after the grace. */
export function roomStatus(room: Room, now: number): LiveStatus {
  const c = room.control
  if (c === null) return now >= room.endTime ? LiveStatus.expired : LiveStatus.upcoming
  if (c.status === LiveStatus.abnormal && now >= c.at + ABNORMAL_GRACE_SECONDS) return LiveStatus.ended
  return c.status
}

/** When the room ended, or null if it has not. */
export function roomEndedAt(room: Room, now: number): number | null {
  const c = room.control
  if (c === null) return null
  if (c.status === LiveStatus.ended) return c.at
  if (c.status === LiveStatus.abnormal && now >= c.at + ABNORMAL_GRACE_SECONDS) return c.at + ABNORMAL_GRACE_SECONDS
  return null
}

const { live, upcoming, ended, banned, paused, abnormal } = LiveStatus
const TRANSITIONS: Record<RoomEvent, { from: readonly LiveStatus[]; to: EventStatus }> = {
  start: { from: [upcoming], to: live },
  pause: { from: [live], to: paused },
  resume: { from: [paused], to: live },
  abnormal: { from: [live], to: abnormal },
  recover: { from: [abnormal], to: live },
  end: { from: [live, paused, abnormal], to: ended },
  ban: { from: [live, upcoming, paused, abnormal], to: banned },
}

/** The status an event leads to, or null when the room's current status does not allow it. */
export function nextStatus(current: LiveStatus, event: RoomEvent): EventStatus | null {
  const t = TRANSITIONS[event]
  return t.from.includes(current) ? t.to : null
}

export interface ReplaySegment {
  createTime: number
  expireTime: number
  mediaUrl: string
}

export interface ReplayOptions {
  delaySeconds: number
  ttlSeconds: number
  /** Gap between successive segments' create times. */
  segmentGapSeconds: number
  baseUrl: string
}

/** Replay segments visible at `now`: none until the room ended and the delay passed, none with close_replay = 1, none once expired. */
export function visibleReplays(room: Room, now: number, opts: ReplayOptions): ReplaySegment[] {
  if (room.closeReplay !== 0) return []
  const endedAt = roomEndedAt(room, now)
  if (endedAt === null) return []
  const out: ReplaySegment[] = []
  for (let i = 0; i < room.replaySegments; i++) {
    const createTime = endedAt + opts.delaySeconds + i * opts.segmentGapSeconds
    const expireTime = createTime + opts.ttlSeconds
    if (now < createTime || now >= expireTime) continue
    out.push({ createTime, expireTime, mediaUrl: `${opts.baseUrl}/replay/${room.roomId}/${i + 1}.m3u8` })
  }
  return out
}

export type AuditStatus = 0 | 1 | 2 | 3

export interface WarehouseGoods {
  goodsId: number
  auditId: number
  name: string
  coverImgUrl: string
  priceType: 1 | 2 | 3
  /** Yuan, at most 2 decimals. */
  price: number
  price2?: number
  url: string
  thirdPartyAppid: string
  /** 2 when added by the API; 0 for goods made in the MP console, which the API may not touch (300011). */
  thirdPartyTag: number
  auditStatus: AuditStatus
  /** When the goods was last submitted for review (for the optional automatic approval). */
  submittedAt: number
  goodsKey?: string[]
  /** Seeded goods may carry an explanation clip state for goodsVideo. */
  createdAt: number
}

/** Audit status at `now`: with automatic review configured, goods under review are approved after the delay. */
export function auditStatus(goods: WarehouseGoods, now: number, autoAuditSeconds: number | undefined): AuditStatus {
  if (goods.auditStatus === 1 && autoAuditSeconds !== undefined && now >= goods.submittedAt + autoAuditSeconds) return 2
  return goods.auditStatus
}

export interface Member {
  username: string
  nickname: string
  openid: string
  headimg: string
  roles: Set<number>
  updatedAt: number
}

export interface Follower {
  openid: string
  subscribeTime: number
  roomId: number
}

export interface PushedMessage {
  messageId: number
  roomId: number
  openids: string[]
  sentAt: number
  day: string
}

export interface Media {
  mediaId: string
  type: string
  bytes: Buffer
  contentType?: string
  filename?: string
  createdAt: number
}

export interface WechatUser {
  wechatId: string
  verified: boolean
}

/** Masks a WeChat ID the way getrolelist does (`o0****0o`). */
export function maskUsername(username: string): string {
  if (username.length <= 4) return username.slice(0, 1) + '****'
  return username.slice(0, 2) + '****' + username.slice(-2)
}

/** A stable fake openid per WeChat ID, so repeated reads agree. */
export function openidFor(wechatId: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0x12345678
  for (let i = 0; i < wechatId.length; i++) {
    const c = wechatId.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0
  }
  return 'o' + (h1.toString(36) + h2.toString(36)).padEnd(27, 'x').slice(0, 27)
}

/** ISO-8601 without milliseconds, as getliveinfo's replay list shows (`2022-12-30T02:51:32Z`). */
export function isoSeconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** A link or code the sandbox issued. `key` is the link's ticket, or for a code the SHA-256 of its PNG. */
export interface IssuedLink {
  key: string
  kind: LinkKind
  /** What was handed out: the link text; for a code, the text its QR modules hold. */
  text: string
  /** The page it opens ('' = the home page). */
  path: string
  /** Query string (links) or scene (codes). */
  query: string
  envVersion: string
  createdAt: number
  /** Unix seconds; null for what never expires (codes, permanent short links). */
  expiresAt: number | null
  /** Short links: permanent or 30 days. */
  permanent?: boolean
  /** Short links: the title as WeChat shows it. */
  title?: string
}

