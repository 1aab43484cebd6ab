/**
 * The sandbox's state as a JSON-safe plain object, so a restarted emulator can pick up the account where it
 * left off. Conversion is field by field (Sets → arrays, Maps → records, media bytes → base64) and the zod
 * schema below is the only door back in: a hand-edited or truncated file fails naming the field at fault.
 */
import { z } from 'zod'
import type { Clock } from '../clock'
import { EVENT_STATUSES, type Media, type Member, type Room, type WarehouseGoods } from './model'
import { LiveState, type ResolvedOptions } from './state'
import { textCheckWordSchema } from './text-check'

export const SNAPSHOT_VERSION = 1

const int = z.int()
const nonNegInt = z.int().min(0)
const id = z.int().positive()
const flag = z.literal([0, 1])
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD day')
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
/** day → name → count, as the call log and the quota ledger keep them. */
const dayCounts = z.record(day, z.record(z.string().min(1), nonNegInt))

const roomSchema = z.object({
  roomId: id,
  name: z.string(),
  coverImg: z.string(),
  shareImg: z.string(),
  feedsImg: z.string(),
  startTime: int,
  endTime: int,
  anchorName: z.string(),
  anchorWechat: z.string(),
  subAnchorWechat: z.string().optional(),
  createrWechat: z.string().optional(),
  type: flag,
  closeLike: int,
  closeGoods: int,
  closeComment: int,
  closeReplay: int,
  closeShare: int,
  closeKf: int,
  isFeedsPublic: int,
  banComment: int,
  control: z.object({ status: z.literal(EVENT_STATUSES), at: int }).nullable(),
  goods: z.array(z.object({ goodsId: id, onSale: flag, explainedAt: int.optional() })),
  pushing: z.object({ goodsId: id, until: int }).optional(),
  assistants: z.array(z.object({ username: z.string(), nickname: z.string(), addedAt: int })),
  replaySegments: nonNegInt,
  createdAt: int,
})

const goodsSchema = z.object({
  goodsId: id,
  auditId: id,
  name: z.string(),
  coverImgUrl: z.string(),
  priceType: z.literal([1, 2, 3]),
  price: z.number().nonnegative(),
  price2: z.number().nonnegative().optional(),
  url: z.string(),
  thirdPartyAppid: z.string(),
  thirdPartyTag: int,
  auditStatus: z.literal([0, 1, 2, 3]),
  submittedAt: int,
  goodsKey: z.array(z.string()).optional(),
  createdAt: int,
})

const memberSchema = z.object({
  username: z.string().min(1),
  nickname: z.string(),
  openid: z.string(),
  headimg: z.string(),
  roles: z.array(z.int().min(0).max(3)),
  updatedAt: int,
})

const mediaSchema = z.object({
  mediaId: z.string().min(1),
  type: z.string().min(1),
  bytes: base64,
  contentType: z.string().optional(),
  filename: z.string().optional(),
  createdAt: int,
})

const faultSchema = z.object({
  api: z.string().min(1),
  times: z.int().min(1),
  remaining: z.int().min(1),
  errcode: int.optional(),
  httpStatus: z.int().min(100).max(599).optional(),
  delayMs: nonNegInt.optional(),
  malformed: z.boolean().optional(),
})

const tokenSchema = z.object({
  token: z.string().min(1),
  expiresAt: int,
  supersededAt: int.optional(),
})

/** Duplicate keys would silently collapse in a Map; report the second one. */
function unique<T>(ctx: z.RefinementCtx, items: readonly T[], key: (t: T) => string | number, field: string, idField: string): void {
  const seen = new Set<string | number>()
  items.forEach((item, i) => {
    const k = key(item)
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [field, i, idField], message: `duplicate ${idField} ${k}` })
    seen.add(k)
  })
}

/** A counter must be past every id already handed out, or the next create would overwrite a record. */
function counterAbove(ctx: z.RefinementCtx, counter: number, ids: readonly number[], field: string): void {
  const max = ids.reduce((m, n) => Math.max(m, n), 0)
  if (counter <= max) ctx.addIssue({ code: 'custom', path: ['counters', field], message: `must be greater than ${max}, the largest id in use` })
}

/** A code or link the link APIs issued (`IssuedLink`). */
const issuedLinkSchema = z
  .object({
    key: z.string().min(1),
    kind: z.enum(['qrcode', 'urllink', 'urlscheme', 'shortlink']),
    text: z.string().min(1),
    path: z.string(),
    query: z.string(),
    envVersion: z.string().min(1),
    createdAt: z.int(),
    expiresAt: z.int().nullable(),
    permanent: z.boolean().optional(),
    title: z.string().optional(),
  })
  .strict()

export const sandboxSnapshotSchema = z
  .object({
    version: z.literal(SNAPSHOT_VERSION),
    rooms: z.array(roomSchema),
    goods: z.array(goodsSchema),
    members: z.array(memberSchema),
    followers: z.array(z.object({ openid: z.string().min(1), subscribeTime: int, roomId: id })),
    pushed: z.array(
      z.object({ messageId: id, roomId: id, openids: z.array(z.string()), sentAt: int, day }),
    ),
    media: z.array(mediaSchema),
    unverified: z.array(z.string().min(1)),
    reviewsByDay: z.record(day, nonNegInt),
    pushedRoomByDay: z.record(day, id),
    vendorGoodsKey: z.array(z.string()),
    /** Absent in snapshots written before the text check existed. */
    textCheckWords: z.array(textCheckWordSchema).default([]),
    /** Absent in snapshots written before the link APIs existed. */
    links: z.array(issuedLinkSchema).default([]),
    counters: z.object({
      nextRoomId: id,
      nextGoodsId: id,
      nextAuditId: id,
      nextMessageId: id,
      nextMediaSeq: id,
    }),
    tokens: z.object({
      issued: z.array(tokenSchema),
      stable: z.string().min(1).nullable(),
      plain: z.array(z.string().min(1)),
    }),
    /** Calls per API per Shanghai day, as `calls()` reports them. */
    calls: dayCounts,
    /** Calls counted against each quota bucket per Shanghai day. */
    quotaUsed: dayCounts,
    faults: z.array(faultSchema),
  })
  .superRefine((s, ctx) => {
    unique(ctx, s.rooms, (r) => r.roomId, 'rooms', 'roomId')
    unique(ctx, s.goods, (g) => g.goodsId, 'goods', 'goodsId')
    unique(ctx, s.members, (m) => m.username, 'members', 'username')
    unique(ctx, s.media, (m) => m.mediaId, 'media', 'mediaId')
    unique(ctx, s.tokens.issued, (t) => t.token, 'tokens.issued', 'token')
    unique(ctx, s.links, (l) => l.key, 'links', 'key')
    counterAbove(ctx, s.counters.nextRoomId, s.rooms.map((r) => r.roomId), 'nextRoomId')
    counterAbove(ctx, s.counters.nextGoodsId, s.goods.map((g) => g.goodsId), 'nextGoodsId')
    counterAbove(ctx, s.counters.nextAuditId, s.goods.map((g) => g.auditId), 'nextAuditId')
    counterAbove(ctx, s.counters.nextMessageId, s.pushed.map((m) => m.messageId), 'nextMessageId')
    const known = new Set(s.tokens.issued.map((t) => t.token))
    if (s.tokens.stable !== null && !known.has(s.tokens.stable)) {
      ctx.addIssue({ code: 'custom', path: ['tokens', 'stable'], message: 'is not one of tokens.issued' })
    }
    s.tokens.plain.forEach((t, i) => {
      if (!known.has(t)) ctx.addIssue({ code: 'custom', path: ['tokens', 'plain', i], message: 'is not one of tokens.issued' })
    })
  })

export type SandboxSnapshot = z.output<typeof sandboxSnapshotSchema>
export type FaultSnapshot = z.output<typeof faultSchema>
export type TokenSnapshot = z.output<typeof tokenSchema>

/** Drops `undefined` so the snapshot's JSON text and the object compare equal after a round trip. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k]
  return o
}

function roomOut(r: Room): SandboxSnapshot['rooms'][number] {
  return defined({
    ...r,
    control: r.control ? { ...r.control } : null,
    goods: r.goods.map((g) => defined({ ...g })),
    pushing: r.pushing ? { ...r.pushing } : undefined,
    assistants: r.assistants.map((a) => ({ ...a })),
  })
}

function mediaOut(m: Media): SandboxSnapshot['media'][number] {
  return defined({ ...m, bytes: m.bytes.toString('base64') })
}

function memberOut(m: Member): SandboxSnapshot['members'][number] {
  // Insertion order kept: replies that list a member's roles follow it.
  return { ...m, roles: [...m.roles] }
}

function goodsOut(g: WarehouseGoods): SandboxSnapshot['goods'][number] {
  return defined({ ...g, goodsKey: g.goodsKey ? [...g.goodsKey] : undefined })
}

/** The account part of a snapshot (everything `LiveState` holds); the sandbox adds its call log, tokens and faults. */
export function stateToSnapshot(st: LiveState): Omit<SandboxSnapshot, 'version' | 'tokens' | 'calls' | 'quotaUsed' | 'faults'> {
  return {
    // Map order is insertion order, which list replies (goods, roles) follow, so arrays keep it.
    rooms: [...st.rooms.values()].map(roomOut),
    goods: [...st.goods.values()].map(goodsOut),
    members: [...st.members.values()].map(memberOut),
    followers: st.followers.map((f) => ({ ...f })),
    pushed: st.pushed.map((m) => ({ ...m, openids: [...m.openids] })),
    media: [...st.media.values()].map(mediaOut),
    unverified: [...st.unverified],
    reviewsByDay: Object.fromEntries(st.reviewsByDay),
    pushedRoomByDay: Object.fromEntries(st.pushedRoomByDay),
    vendorGoodsKey: [...st.vendorGoodsKey],
    textCheckWords: st.textCheckWords.map((w) => ({ ...w })),
    links: [...st.links.values()].map((l) => defined({ ...l })),
    counters: {
      nextRoomId: st.nextRoomId,
      nextGoodsId: st.nextGoodsId,
      nextAuditId: st.nextAuditId,
      nextMessageId: st.nextMessageId,
      nextMediaSeq: st.nextMediaSeq,
    },
  }
}

/** A fresh `LiveState` holding a validated snapshot's account; `insertRoom` rebuilds the sorted room index. */
export function stateFromSnapshot(s: SandboxSnapshot, clock: Clock, options: ResolvedOptions): LiveState {
  const st = new LiveState(clock, options)
  // The constructor adds the default super admin; the snapshot's member list is authoritative.
  st.members.clear()
  for (const r of s.rooms) {
    const room: Room = defined({
      ...r,
      control: r.control ? { ...r.control } : null,
      goods: r.goods.map((g) => defined({ ...g })),
      pushing: r.pushing ? { ...r.pushing } : undefined,
      assistants: r.assistants.map((a) => ({ ...a })),
    })
    st.insertRoom(room)
  }
  for (const g of s.goods) st.goods.set(g.goodsId, defined({ ...g, goodsKey: g.goodsKey ? [...g.goodsKey] : undefined }))
  for (const m of s.members) st.members.set(m.username, { ...m, roles: new Set(m.roles) })
  st.followers.push(...s.followers.map((f) => ({ ...f })))
  st.pushed.push(...s.pushed.map((m) => ({ ...m, openids: [...m.openids] })))
  for (const m of s.media) st.media.set(m.mediaId, defined({ ...m, bytes: Buffer.from(m.bytes, 'base64') }))
  for (const u of s.unverified) st.unverified.add(u)
  for (const [d, n] of Object.entries(s.reviewsByDay)) st.reviewsByDay.set(d, n)
  for (const [d, roomId] of Object.entries(s.pushedRoomByDay)) st.pushedRoomByDay.set(d, roomId)
  st.vendorGoodsKey = [...s.vendorGoodsKey]
  st.textCheckWords = s.textCheckWords.map((w) => ({ ...w }))
  for (const l of s.links) st.links.set(l.key, defined({ ...l }))
  st.nextRoomId = s.counters.nextRoomId
  st.nextGoodsId = s.counters.nextGoodsId
  st.nextAuditId = s.counters.nextAuditId
  st.nextMessageId = s.counters.nextMessageId
  st.nextMediaSeq = s.counters.nextMediaSeq
  return st
}

export function countsOut(table: ReadonlyMap<string, ReadonlyMap<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  for (const [d, m] of table) out[d] = Object.fromEntries(m)
  return out
}

export function countsIn(record: Record<string, Record<string, number>>): Map<string, Map<string, number>> {
  return new Map(Object.entries(record).map(([d, m]) => [d, new Map(Object.entries(m))]))
}
