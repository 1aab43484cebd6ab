/**
 * All mutable state of one sandboxed Live account, with the indexes list reads need. Handlers and the control
 * module mutate it only through these methods so the sorted room index stays right.
 */
import type { Clock } from '../clock'
import {
  MEDIA_TTL_SECONDS,
  type Follower,
  type IssuedLink,
  type Media,
  type Member,
  type PushedMessage,
  type Room,
  type WarehouseGoods,
  openidFor,
} from './model'
import { isWechatId } from '../../src/live/rules'
import type { TextCheckWord } from './text-check'

export interface SandboxOptions {
  /** Most rows getliveinfo returns per page, whatever `limit` asks (community saw 50; docs say ≤ 100). Default 100. */
  listPageCap?: number
  /** Seconds after a room ends before its replay appears (docs: "about 10 minutes"). Default 600. */
  replayDelaySeconds?: number
  /** Replay lifetime. Default 365 days, the span in the official get_replay sample (2019-11-12 → 2020-11-11). */
  replayTtlSeconds?: number
  /** Segments each ended room produces unless the room says otherwise. Default 1. */
  replaySegments?: number
  /** Goods under review are approved automatically after this many seconds; unset = only the control API decides. */
  autoAuditSeconds?: number
  /** Goods submissions for review per Shanghai day (goods/add + goods/audit). Default 500. */
  reviewBudget?: number
  /** Goods per room before importGoods answers 300033. Not documented; default 200. */
  roomGoodsCap?: number
  /** Assistants per room (the `maxCount` sample). Default 10. */
  assistantCap?: number
  /** How long a pushed goods card stays up, blocking other pushes (300047). Default 60 s. */
  pushSeconds?: number
  /** Seconds after a push before the explanation clip is ready (300045 before). Default 300. */
  goodsVideoDelaySeconds?: number
  /** Per endpoint id or quota bucket, overrides the catalogue's daily quota. */
  quotas?: Record<string, number>
  /** Pages of the "online version"; when set, goods url paths must be one of them (300007). */
  onlinePages?: readonly string[]
  /** Customer service configured in the MP console; when false, turning kf on answers 300038. Default true. */
  kfConfigured?: boolean
  /** Base of the URLs the sandbox hands out (media, replays, QR codes). */
  assetBaseUrl?: string
  /** The super admin's WeChat ID. Default `merchant_owner`. */
  superAdmin?: string
  appid?: string
  secret?: string
}

export type ResolvedOptions = Required<Omit<SandboxOptions, 'autoAuditSeconds' | 'onlinePages'>> &
  Pick<SandboxOptions, 'autoAuditSeconds' | 'onlinePages'>

export const SANDBOX_APPID = 'wxsandboxlive0001'
export const SANDBOX_SECRET = 'sandbox-secret-0001'

export function resolveOptions(o: SandboxOptions = {}): ResolvedOptions {
  return {
    listPageCap: o.listPageCap ?? 100,
    replayDelaySeconds: o.replayDelaySeconds ?? 600,
    replayTtlSeconds: o.replayTtlSeconds ?? 365 * 24 * 3600,
    replaySegments: o.replaySegments ?? 1,
    autoAuditSeconds: o.autoAuditSeconds,
    reviewBudget: o.reviewBudget ?? 500,
    roomGoodsCap: o.roomGoodsCap ?? 200,
    assistantCap: o.assistantCap ?? 10,
    pushSeconds: o.pushSeconds ?? 60,
    goodsVideoDelaySeconds: o.goodsVideoDelaySeconds ?? 300,
    quotas: o.quotas ?? {},
    onlinePages: o.onlinePages,
    kfConfigured: o.kfConfigured ?? true,
    assetBaseUrl: (o.assetBaseUrl ?? 'https://live-sandbox.invalid').replace(/\/+$/, ''),
    superAdmin: o.superAdmin ?? 'merchant_owner',
    appid: o.appid ?? SANDBOX_APPID,
    secret: o.secret ?? SANDBOX_SECRET,
  }
}

/**
 * Storage order: older start first, equal starts by room id. getliveinfo lists the reverse (newest first);
 * storing it ascending makes the common case, a room starting later than all others, an O(1) append.
 */
function storedBefore(a: Room, b: Room): boolean {
  return a.startTime !== b.startTime ? a.startTime < b.startTime : a.roomId < b.roomId
}

export class LiveState {
  readonly rooms = new Map<number, Room>()
  /** Rooms sorted ascending on every insert/remove, so a getliveinfo page is a reversed slice. */
  private readonly ordered: Room[] = []
  readonly goods = new Map<number, WarehouseGoods>()
  readonly members = new Map<string, Member>()
  readonly followers: Follower[] = []
  readonly pushed: PushedMessage[] = []
  readonly media = new Map<string, Media>()
  /** WeChat IDs marked unverified by the control API; every other well-formed ID is a verified user. */
  readonly unverified = new Set<string>()
  /** Shanghai day → submissions for review that day. */
  readonly reviewsByDay = new Map<string, number>()
  /** Shanghai day → the room pushed to subscribers that day. */
  readonly pushedRoomByDay = new Map<string, number>()
  vendorGoodsKey: string[] = []
  /** Words `security.msgSecCheck` refuses (the control API sets them). */
  textCheckWords: TextCheckWord[] = []
  /** Codes and links the link APIs issued, by ticket (a code: the SHA-256 of its image). */
  readonly links = new Map<string, IssuedLink>()
  nextRoomId = 1
  nextGoodsId = 1
  nextAuditId = 1
  nextMessageId = 1
  nextMediaSeq = 1

  constructor(
    readonly clock: Clock,
    readonly options: ResolvedOptions,
  ) {
    this.addSuperAdmin()
  }

  now(): number {
    return this.clock.nowSeconds()
  }

  private addSuperAdmin(): void {
    const u = this.options.superAdmin
    this.members.set(u, {
      username: u,
      nickname: '店主',
      openid: openidFor(u),
      headimg: `${this.options.assetBaseUrl}/avatar/${u}.png`,
      roles: new Set([0]),
      updatedAt: this.now(),
    })
  }

  private indexOf(room: Room): number {
    // Binary search for the first position whose room does not list before `room`.
    let lo = 0
    let hi = this.ordered.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (storedBefore(this.ordered[mid], room)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  insertRoom(room: Room): void {
    this.rooms.set(room.roomId, room)
    this.ordered.splice(this.indexOf(room), 0, room)
  }

  removeRoom(roomId: number): Room | undefined {
    const room = this.rooms.get(roomId)
    if (!room) return undefined
    const i = this.indexOf(room)
    if (this.ordered[i] === room) this.ordered.splice(i, 1)
    else this.ordered.splice(this.ordered.indexOf(room), 1)
    this.rooms.delete(roomId)
    return room
  }

  /** Apply a change that may move the room in list order (start time). */
  updateRoom(room: Room, change: (r: Room) => void): void {
    this.removeRoom(room.roomId)
    change(room)
    this.insertRoom(room)
  }

  get roomCount(): number {
    return this.ordered.length
  }

  /** One getliveinfo page: newest start first, `limit` rooms from position `start`. */
  listPage(start: number, limit: number): Room[] {
    const n = this.ordered.length
    const out: Room[] = []
    for (let i = start; i < start + limit && i < n; i++) out.push(this.ordered[n - 1 - i])
    return out
  }

  roomsInListOrder(): Room[] {
    return this.listPage(0, this.ordered.length)
  }

  isVerified(wechatId: string): boolean {
    return isWechatId(wechatId) && !this.unverified.has(wechatId)
  }

  /** A media id usable as an image right now: uploaded here and not older than 3 days. */
  liveMedia(mediaId: string): Media | undefined {
    const m = this.media.get(mediaId)
    if (!m || this.now() >= m.createdAt + MEDIA_TTL_SECONDS) return undefined
    return m
  }

  mediaUrl(mediaId: string): string {
    return `${this.options.assetBaseUrl}/media/${encodeURIComponent(mediaId)}`
  }
}
