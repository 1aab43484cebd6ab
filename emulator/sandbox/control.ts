/**
 * The sandbox's control plane as a TypeScript API (emulator/server/control-http.ts maps `/__sandbox/*` onto it):
 * reset and seed, rooms outside the API's time window, room life-cycle events, goods audit results, followers,
 * WeChat users' real-name state, faults, the call log and the pushed subscriber messages. Inputs are validated with zod;
 * errors are `SandboxControlError` with status 400 (bad input, forbidden transition) or 404 (unknown thing).
 * Times are Unix seconds.
 */
import { z } from 'zod'
import type { LiveSandbox, FaultSpec, TruthGoods, TruthRoom } from './sandbox'
import type { FaultSnapshot } from './snapshot'
import {
  type AuditStatus,
  type LiveStatus,
  type PushedMessage,
  type Room,
  type WarehouseGoods,
  ROOM_EVENTS,
  type RoomEvent,
  auditStatus,
  nextStatus,
  roomStatus,
} from './model'
import { type CreateRoomInput, checkRoomFields, insertNewRoom } from './handlers/rooms'
import { checkGoodsFields } from './handlers/goods'
import { SandboxControlError, parseInput } from './errors'
import { LiveError } from './wire'
import { shanghaiDay } from '../../src/live/day'
import { liveStatusName } from '../../src/live/status'
import { isWechatId } from '../../src/live/rules'
import { seedDemo, type DemoSeed } from './seed'
import { type TunableName, currentTunables, parseTunables, patchToOptions } from './tunables'
import { type TextCheckWord, textCheckBodySchema } from './text-check'
import type { IssuedLink } from './model'
import { type OpenedLink, imageKey, openIssued, ticketOf } from './links'
import { AuditStatus as AUDIT_STATUS, RoleId, auditStatusSchema, goodsFields, positiveInt } from '../../src/live/schemas'
import { catalogue } from '../../src/live/catalogue'
import * as zm from '../../src/live/zod'

const apiCreateRoom = catalogue.createRoom.request
/**
 * The API's createRoom request, for seeding: images may be left out (a placeholder is uploaded), the type and
 * the like/goods/comment switches default to 0, and a room may carry its replay segments and past events.
 */
const createRoomSchema = zm.extend(zm.partial(apiCreateRoom, { coverImg: true, shareImg: true, feedsImg: true }), {
  type: zm._default(apiCreateRoom.shape.type, 0),
  closeLike: zm._default(apiCreateRoom.shape.closeLike, 0),
  closeGoods: zm._default(apiCreateRoom.shape.closeGoods, 0),
  closeComment: zm._default(apiCreateRoom.shape.closeComment, 0),
  /** Replay segments this room produces when it ends (default: the sandbox option). */
  replaySegments: zm.optional(zm.int().check(zm.gte(0), zm.lte(20))),
  /** Past life-cycle events to replay, in order, for rooms that started or ended before now. */
  history: zm.optional(zm.array(zm.object({ event: zm.enum(ROOM_EVENTS as [RoomEvent, ...RoomEvent[]]), at: positiveInt }))),
})

const roomEventSchema = z.enum(ROOM_EVENTS as [RoomEvent, ...RoomEvent[]])
const auditResultSchema = z.enum(['approve', 'reject'])
const followerSchema = z.object({
  openid: z.string().min(1),
  roomId: z.int().positive(),
  subscribeTime: z.int().positive().optional(),
})
const verifiedSchema = z.boolean()

/**
 * The API's goods fields, for seeding: the cover may be left out (a placeholder is uploaded), the price type
 * defaults to fixed, and seeded goods may start in any audit state or come from the MP console.
 */
const createGoodsSchema = zm.extend(zm.partial(goodsFields, { coverImgUrl: true }), {
  priceType: zm._default(goodsFields.shape.priceType, 1),
  auditStatus: zm._default(auditStatusSchema, 2),
  /** Goods made in the MP console (third_party_tag 0): the API may not touch them (300011). */
  console: zm._default(zm.boolean(), false),
})

const importSchema = z.object({ roomId: z.int().positive(), goodsIds: z.array(z.int().positive()).min(1) })

/** A room as the control API lists it: the room as a perfect cache would hold it, plus its status by name. */
/** A room as listed, with the life-cycle events its status allows now. */
export type ListedRoom = TruthRoom & { status: string; events: RoomEvent[] }
export type ListedGoods = TruthGoods & { audit: string }
export interface ListedMember {
  username: string
  nickname: string
  openid: string
  roles: string[]
}

export interface SandboxControl {
  reset(): void
  seedDemo(): DemoSeed
  createRoom(input: unknown): { roomId: number; liveStatus: LiveStatus }
  deleteRoom(roomId: number): { ok: true }
  roomEvent(roomId: number, event: unknown): { roomId: number; liveStatus: LiveStatus }
  /** Puts goods straight into the warehouse in any audit state (seeding; `console` goods are off-limits to the API). */
  createGoods(input: unknown): { goodsId: number; auditId: number }
  /** Puts approved goods into a room without the API's checks on room state. */
  importGoods(input: unknown): { ok: true }
  auditGoods(goodsId: number, result: unknown): { goodsId: number; auditStatus: AuditStatus }
  addFollower(input: unknown): { openid: string; roomId: number; subscribeTime: number }
  setUserVerified(wechatId: string, verified: unknown): { wechatId: string; verified: boolean }
  addFault(input: unknown): { ok: true }
  calls(): Record<string, Record<string, number>>
  pushedMessages(): PushedMessage[]
  /** Every room, newest start first (the list order), with its status now. */
  rooms(): ListedRoom[]
  /** The goods warehouse with each item's audit state now. */
  goods(): ListedGoods[]
  members(): ListedMember[]
  followers(): { openid: string; roomId: number; subscribeTime: number }[]
  /** Faults still queued, in the order calls will consume them. */
  faults(): FaultSnapshot[]
  /** The options that may change at run time, with their current values. */
  options(): Record<TunableName, unknown>
  /** Validates and applies a change to those options (the account is kept); returns the new values. */
  setOptions(input: unknown): Record<TunableName, unknown>
  /** The words `security.msgSecCheck` refuses, in list order. */
  textCheckWords(): { words: TextCheckWord[] }
  /** Replaces that list (`{words: [word | {word, label?, suggest?}]}`); a bad body leaves the old list. */
  setTextCheckWords(input: unknown): { words: TextCheckWord[] }
  /** Codes and links the link APIs issued, oldest first. */
  links(): { links: IssuedLink[] }
  /**
   * What WeChat hands the page when a link or code is opened now: `{link}` (a URL Link, URL Scheme or short link as
   * generated) or `{image}` (a code's PNG bytes, or base64). 404 when the sandbox never issued it.
   */
  openLink(input: unknown): OpenedLink
}

const openLinkBody = z
  .object({
    link: z.string().min(1).max(2048).optional(),
    // bytes from any realm (a jsdom test's Uint8Array is not this realm's), or base64 text
    image: z.union([z.custom<Uint8Array>((v) => ArrayBuffer.isView(v) && !(v instanceof DataView)), z.base64().min(1)]).optional(),
  })
  .strict()
  .refine((b) => (b.link === undefined) !== (b.image === undefined), 'give exactly one of link or image')

/** `{UnderReview: 1}` → `underReview` for 1: names come from the enum, never from a second table. */
function enumName(values: Readonly<Record<string, number>>, value: number): string {
  const key = Object.keys(values).find((k) => values[k] === value)
  return key ? key[0].toLowerCase() + key.slice(1) : String(value)
}

/** A 1×1 PNG used when control callers do not bring their own images. */
const PLACEHOLDER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

export function createControl(sandbox: LiveSandbox): SandboxControl {
  const st = () => sandbox.state
  const now = () => sandbox.clock.nowSeconds()

  function placeholderImage(): string {
    const body = sandbox.uploadMedia({ type: 'image', bytes: PLACEHOLDER_PNG, filename: 'placeholder.png', contentType: 'image/png' })
    return String(body.media_id)
  }

  function requireRoom(roomId: number): Room {
    const room = st().rooms.get(roomId)
    if (!room) throw new SandboxControlError(404, `room ${roomId} does not exist`, 'roomId')
    return room
  }

  function requireGoods(goodsId: number): WarehouseGoods {
    const g = st().goods.get(goodsId)
    if (!g) throw new SandboxControlError(404, `goods ${goodsId} does not exist`, 'goodsId')
    return g
  }

  /** A LiveError from shared rule code is bad control input: 400 with the rule's message (which names the field). */
  function asControl<T>(what: string, fn: () => T): T {
    try {
      return fn()
    } catch (e) {
      if (e instanceof LiveError) throw new SandboxControlError(400, `${what}: ${e.message} (errcode ${e.errcode})`)
      throw e
    }
  }

  function applyEvent(room: Room, event: RoomEvent, at: number): LiveStatus {
    const current = roomStatus(room, at)
    const next = nextStatus(current, event)
    if (next === null) {
      throw new SandboxControlError(400, `roomEvent: event '${event}' is not allowed while room ${room.roomId} has status ${current} (${liveStatusName(current)})`, 'event')
    }
    room.control = { status: next, at }
    return next
  }

  const control: SandboxControl = {
    reset() {
      sandbox.reset()
    },

    seedDemo() {
      sandbox.reset()
      return seedDemo(sandbox, control)
    },

    createRoom(input) {
      const p = parseInput(createRoomSchema, input, 'createRoom')
      const t = now()
      const fields: CreateRoomInput = {
        ...p,
        coverImg: p.coverImg ?? placeholderImage(),
        shareImg: p.shareImg ?? placeholderImage(),
      }
      if (p.feedsImg === undefined) delete fields.feedsImg
      const ctx = { state: st(), now: t, day: shanghaiDay(t * 1000) }
      asControl('createRoom', () => checkRoomFields(ctx, fields, 'create', false))
      let lastAt = 0
      for (const [i, h] of (p.history ?? []).entries()) {
        if (h.at < lastAt || h.at > t) {
          throw new SandboxControlError(400, `createRoom: history.${i}.at: events must be in order and not in the future`, `history.${i}.at`)
        }
        lastAt = h.at
      }
      const room = insertNewRoom(st(), fields, t)
      if (p.replaySegments !== undefined) room.replaySegments = p.replaySegments
      try {
        for (const h of p.history ?? []) applyEvent(room, h.event, h.at)
      } catch (e) {
        st().removeRoom(room.roomId)
        throw e
      }
      return { roomId: room.roomId, liveStatus: roomStatus(room, t) }
    },

    deleteRoom(roomId) {
      requireRoom(roomId)
      st().removeRoom(roomId)
      return { ok: true }
    },

    roomEvent(roomId, event) {
      const e = parseInput(roomEventSchema, event, 'roomEvent', 'event')
      const room = requireRoom(roomId)
      return { roomId, liveStatus: applyEvent(room, e, now()) }
    },

    createGoods(input) {
      const p = parseInput(createGoodsSchema, input, 'createGoods')
      const t = now()
      const s = st()
      const fields = {
        name: p.name,
        priceType: p.priceType,
        price: p.price,
        ...(p.price2 !== undefined ? { price2: p.price2 } : {}),
        url: p.url,
        coverImgUrl: p.coverImgUrl ?? placeholderImage(),
      }
      asControl('createGoods', () => checkGoodsFields({ state: s, now: t, day: shanghaiDay(t * 1000) }, fields))
      const g: WarehouseGoods = {
        goodsId: s.nextGoodsId++,
        auditId: s.nextAuditId++,
        ...fields,
        thirdPartyAppid: p.thirdPartyAppid ?? '',
        thirdPartyTag: p.console ? 0 : 2,
        auditStatus: p.auditStatus,
        submittedAt: t,
        createdAt: t,
      }
      s.goods.set(g.goodsId, g)
      return { goodsId: g.goodsId, auditId: g.auditId }
    },

    importGoods(input) {
      const p = parseInput(importSchema, input, 'importGoods')
      const room = requireRoom(p.roomId)
      for (const id of p.goodsIds) {
        const g = requireGoods(id)
        if (auditStatus(g, now(), sandbox.options.autoAuditSeconds) !== 2) {
          throw new SandboxControlError(400, `importGoods: goodsIds: goods ${id} is not approved`, 'goodsIds')
        }
        if (!room.goods.some((x) => x.goodsId === id)) room.goods.push({ goodsId: id, onSale: 1 })
      }
      return { ok: true }
    },

    auditGoods(goodsId, result) {
      const r = parseInput(auditResultSchema, result, 'auditGoods', 'result')
      const g = requireGoods(goodsId)
      const current = auditStatus(g, now(), sandbox.options.autoAuditSeconds)
      if (current !== 1) {
        throw new SandboxControlError(400, `auditGoods: goods ${goodsId} is not under review (audit_status ${current})`, 'goodsId')
      }
      g.auditStatus = r === 'approve' ? 2 : 3
      return { goodsId, auditStatus: g.auditStatus }
    },

    addFollower(input) {
      const p = parseInput(followerSchema, input, 'addFollower')
      requireRoom(p.roomId)
      const f = { openid: p.openid, roomId: p.roomId, subscribeTime: p.subscribeTime ?? now() }
      st().followers.push(f)
      return f
    },

    setUserVerified(wechatId, verified) {
      const v = parseInput(verifiedSchema, verified, 'setUserVerified', 'verified')
      if (!isWechatId(wechatId)) {
        throw new SandboxControlError(400, `setUserVerified: wechatId: ${wechatId} is not a WeChat ID (6–20 letters, digits, _ or -, letter first)`, 'wechatId')
      }
      if (v) st().unverified.delete(wechatId)
      else st().unverified.add(wechatId)
      return { wechatId, verified: v }
    },

    addFault(input) {
      sandbox.addFault(input as FaultSpec)
      return { ok: true }
    },

    calls() {
      return sandbox.calls()
    },

    pushedMessages() {
      return st().pushed.map((m) => ({ ...m, openids: [...m.openids] }))
    },

    rooms() {
      return sandbox.truth().rooms.map((r) => ({
        ...r,
        status: liveStatusName(r.liveStatus) ?? String(r.liveStatus),
        events: ROOM_EVENTS.filter((e) => nextStatus(r.liveStatus, e) !== null),
      }))
    },

    goods() {
      return sandbox.truth().goods.map((g) => ({ ...g, audit: enumName(AUDIT_STATUS, g.auditStatus) }))
    },

    members() {
      return [...st().members.values()].map((m) => ({
        username: m.username,
        nickname: m.nickname,
        openid: m.openid,
        roles: [...m.roles].sort().map((r) => enumName(RoleId, r)),
      }))
    },

    followers() {
      return st().followers.map((f) => ({ ...f }))
    },

    faults() {
      return sandbox.pendingFaults()
    },

    options() {
      return currentTunables(sandbox.options)
    },

    setOptions(input) {
      const patch = parseTunables(input, 'options')
      sandbox.configure(patchToOptions(patch, sandbox.options))
      return currentTunables(sandbox.options)
    },

    textCheckWords() {
      return { words: st().textCheckWords.map((w) => ({ ...w })) }
    },

    setTextCheckWords(input) {
      const body = parseInput(textCheckBodySchema, input, 'textCheck')
      st().textCheckWords = body.words
      return control.textCheckWords()
    },

    links() {
      return { links: [...st().links.values()].map((l) => ({ ...l })) }
    },

    openLink(input) {
      const body = parseInput(openLinkBody, input, 'openLink')
      let key: string | null
      if (body.link !== undefined) {
        key = ticketOf(body.link)
        if (key === null) throw new SandboxControlError(400, 'openLink: link: not a URL Link (https://wxaurl.cn/…), URL Scheme (weixin://dl/business/?t=…) or short link (#小程序://…)', 'link')
      } else {
        const bytes = typeof body.image === 'string' ? Buffer.from(body.image, 'base64') : (body.image as Uint8Array)
        key = imageKey(bytes)
      }
      const issued = st().links.get(key)
      if (!issued) throw new SandboxControlError(404, body.link !== undefined ? `openLink: no link ${body.link} was issued by this sandbox` : 'openLink: image: not a code this sandbox issued')
      return openIssued(issued, sandbox.clock.nowSeconds())
    },
  }
  return notifying(control, sandbox)
}

const READ_ONLY: ReadonlySet<keyof SandboxControl> = new Set([
  'links',
  'openLink',
  'calls',
  'pushedMessages',
  'rooms',
  'goods',
  'members',
  'followers',
  'faults',
  'options',
  'textCheckWords',
])

/**
 * The control API mutates `sandbox.state` directly, so each operation that may change something tells the
 * sandbox's change listeners afterwards (also when it throws: a failed createRoom may have uploaded placeholders).
 */
function notifying(control: SandboxControl, sandbox: LiveSandbox): SandboxControl {
  const out = { ...control }
  for (const key of Object.keys(control) as (keyof SandboxControl)[]) {
    if (READ_ONLY.has(key)) continue
    const fn = control[key] as (...args: unknown[]) => unknown
    ;(out as Record<keyof SandboxControl, unknown>)[key] = (...args: unknown[]) => {
      try {
        return fn(...args)
      } finally {
        sandbox.notifyChange()
      }
    }
  }
  return out
}
