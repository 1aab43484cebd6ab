/**
 * What a viewer's device may report to the `track` function, and what a merchant's order flow reports: one home
 * for every event's shape, the batch's bounds and the per-viewer cap. `track` checks each event on its own with
 * `checkEvent`, so one bad event is refused with its reason and the rest of its batch is kept.
 */
import * as z from '../live/zod'
import { issueProblem, type IssueProblem } from '../admin/issues'
import { channelToken } from './channels'
import { CHANNELS_APIS, CHANNELS_LIVE_STATUS, RESERVE_OUTCOMES } from '../channels/client-api'

/** Events in one batch: the device sends at least every few seconds, so more means a broken or hostile client. */
export const BATCH_EVENTS_MAX = 50
/** Events one viewer may have accepted per minute; the rest of a batch past it is refused as capped. */
export const VIEWER_EVENTS_PER_MINUTE = 240
/** A batch id: chosen by the device once per batch and reused on every retry, which is what makes retries harmless. */
export const BATCH_ID_RE = /^[A-Za-z0-9_-]{8,64}$/
/** How far back an event's own clock may be (a device that was offline sends late) and how far ahead (clock skew). */
export const EVENT_PAST_MAX_MS = 48 * 3600_000
export const EVENT_FUTURE_MAX_MS = 5 * 60_000
/** Seconds of one replay play that count: a day; anything longer is a broken timer. */
export const REPLAY_SECONDS_MAX = 86_400

const roomId = z.int().check(z.positive(), z.lte(Number.MAX_SAFE_INTEGER))
const atMs = z.int().check(z.positive())
const scene = z.int().check(z.gte(1000), z.lte(9999))
const section = z.literal(['live', 'upcoming', 'replay'])
/** A Channels feed or notice id as the client APIs give it (opaque text). */
const channelsId = z.string().check(z.minLength(1), z.maxLength(256))

/** One schema per kind; `kind` picks it. Every event names the channel of the visit it happened in, and its room unless it is a Channels live event. */
export const EVENT_SCHEMAS = {
  /** A room card was on screen (home list): the top of the funnel, "reached". */
  impression: z.strictObject({ kind: z.literal('impression'), atMs, roomId, channel: channelToken, section }),
  /** A room card was tapped. */
  tap: z.strictObject({ kind: z.literal('tap'), atMs, roomId, channel: channelToken, section }),
  /** The relay page opened from a QR code or link: reached through that channel. */
  land: z.strictObject({ kind: z.literal('land'), atMs, roomId, channel: channelToken, scene }),
  /** The viewer was sent into the room (the plugin's page): "entered". `shared` when a sharer's card brought them. */
  enter: z.strictObject({ kind: z.literal('enter'), atMs, roomId, channel: channelToken, scene, shared: z.optional(z.boolean()) }),
  /** The viewer shared the room (the sharer is the viewer, kept only in the raw batch, never in a statistic). */
  share: z.strictObject({ kind: z.literal('share'), atMs, roomId, channel: channelToken }),
  /** The viewer subscribed to the room's start reminder. */
  subscribe: z.strictObject({ kind: z.literal('subscribe'), atMs, roomId, channel: channelToken }),
  /** A replay play ended (or the page closed): how many seconds were watched. */
  replay: z.strictObject({ kind: z.literal('replay'), atMs, roomId, channel: channelToken, seconds: z.number().check(z.gte(0), z.lte(REPLAY_SECONDS_MAX)) }),
  /** A goods page opened from the room's goods shelf (the plugin passes room_id and custom_params to it). */
  goods: z.strictObject({ kind: z.literal('goods'), atMs, roomId, channel: channelToken, goodsId: z.optional(z.int().check(z.positive())) }),
  // Channels live (视频号直播) has no room id: these count under the merchant's Channels account, not a room.
  /** The viewer was sent into the Channels live (the channel-live card or wx.openChannelsLive), in the state it was in. */
  channels_enter: z.strictObject({
    kind: z.literal('channels_enter'),
    atMs,
    channel: channelToken,
    scene,
    via: z.literal(['component', 'api']),
    status: z.literal(Object.keys(CHANNELS_LIVE_STATUS) as [keyof typeof CHANNELS_LIVE_STATUS, ...(keyof typeof CHANNELS_LIVE_STATUS)[]]),
    feedId: z.optional(channelsId),
  }),
  /** The reserve dialog closed: what the viewer did (RESERVE_STATES). */
  channels_reserve: z.strictObject({ kind: z.literal('channels_reserve'), atMs, channel: channelToken, noticeId: channelsId, outcome: z.literal(RESERVE_OUTCOMES as [string, ...string[]]) }),
  /** A Channels client API failed on the device: for the merchant's pages, never shown to the viewer. */
  channels_error: z.strictObject({ kind: z.literal('channels_error'), atMs, channel: channelToken, api: z.literal(CHANNELS_APIS), errCode: z.int() }),
} as const

export type EventKind = keyof typeof EVENT_SCHEMAS
export const EVENT_KINDS = Object.keys(EVENT_SCHEMAS) as EventKind[]
export type ViewerEvent = { [K in EventKind]: z.infer<(typeof EVENT_SCHEMAS)[K]> }[EventKind]

/** The batch envelope; its events are checked one by one with `checkEvent`, so here they are only "an array". */
export const batchSchema = z.strictObject({
  batchId: z.string().check(z.regex(BATCH_ID_RE, { message: 'batchId: 8–64 of A–Z a–z 0–9 _ -' })),
  events: z.array(z.unknown()).check(z.minLength(1), z.maxLength(BATCH_EVENTS_MAX)),
})

export type EventCheck = { ok: true; event: ViewerEvent } | { ok: false; problem: IssueProblem }

/** One event, on its own: its kind's schema, then its clock against the server's. */
export function checkEvent(raw: unknown, index: number, nowMs: number): EventCheck {
  const prefix = ['events', index]
  const kind = typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined
  if (typeof kind !== 'string' || !Object.hasOwn(EVENT_SCHEMAS, kind)) {
    const field = `events.${index}.kind`
    return { ok: false, problem: { field, zh: `${field}：事件类型须为 ${EVENT_KINDS.join('、')} 之一`, en: `${field}: must be one of ${EVENT_KINDS.join(', ')}` } }
  }
  const parsed = EVENT_SCHEMAS[kind as EventKind].safeParse(raw)
  if (!parsed.success) return { ok: false, problem: issueProblem(parsed.error.issues[0], prefix) }
  const event = parsed.data as ViewerEvent
  if (event.atMs < nowMs - EVENT_PAST_MAX_MS || event.atMs > nowMs + EVENT_FUTURE_MAX_MS) {
    const field = `events.${index}.atMs`
    return { ok: false, problem: { field, zh: `${field}：事件时间须在最近 48 小时内`, en: `${field}: must lie within the last 48 hours (and at most 5 minutes ahead)` } }
  }
  return { ok: true, event }
}

// ---------- orders, reported by the merchant's own order flow (never by a viewer) ----------

export const ORDER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/
export const ORDER_GOODS_MAX = 50
/** In fen (分): one order up to ¥10,000,000, beyond any plausible live-shop order. */
export const ORDER_AMOUNT_MAX_FEN = 1_000_000_000

export const orderSchema = z.strictObject({
  orderId: z.string().check(z.regex(ORDER_ID_RE, { message: 'orderId: 1–64 of A–Z a–z 0–9 _ -' })),
  roomId,
  channel: channelToken,
  amountFen: z.int().check(z.positive(), z.lte(ORDER_AMOUNT_MAX_FEN)),
  goods: z
    .array(z.strictObject({ goodsId: z.int().check(z.positive()), quantity: z.int().check(z.positive(), z.lte(9999)) }))
    .check(z.minLength(1), z.maxLength(ORDER_GOODS_MAX)),
  /** When it was paid; the day it counts in. */
  paidAtMs: atMs,
})
export type OrderReport = z.infer<typeof orderSchema>

/**
 * The `track` function's timeout in seconds (cloudbaserc.json; a test holds them equal). An event is stamped just
 * before its batch is inserted, inside one run, so once this long has passed every batch stamped earlier has landed:
 * the fold waits this long (plus a margin) behind the clock and never skips a slow insert.
 */
export const TRACK_TIMEOUT_S = 5
