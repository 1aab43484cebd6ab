/**
 * The statistics collections and their documents: one home for the names, the document shapes and how ids are
 * made. All of them are private (security rules deny every client read and write): viewers report through the
 * `track` function, merchants read through liveAdmin, and no document a statistic reads holds an openid.
 */
import { createHash } from 'node:crypto'
import type { EntryKind } from './channels'
import type { OrderReport, ViewerEvent } from './events'
import type { Counts, KindCounts } from './metrics'

export const STATS_COLLECTIONS = {
  /** Accepted batches, one document each (viewer batches and single orders): the raw input the fold reads in order. */
  batches: 'live_stats_batches',
  /** Per viewer per minute: how many events were accepted (the flood cap). */
  rate: 'live_stats_rate',
  /** The aggregates: one document per room, Asia/Shanghai day and channel. */
  daily: 'live_stats_daily',
  /** The fold's checkpoint, lease and pending range. */
  state: 'live_stats_state',
  /** The merchant's channels per room, with their QR codes and links. */
  channels: 'live_channels',
  /** Problems viewers' devices met with the Channels client APIs, per API and errcode (src/stats/problems.ts). */
  problems: 'live_stats_problems',
} as const

const hash = (text: string, hexChars: number): string => createHash('sha256').update(text).digest('hex').slice(0, hexChars)

/** A viewer batch's id: the same device batch id from the same viewer is the same document, so a retry is a duplicate. */
export const viewerBatchDocId = (openid: string, batchId: string): string => `b-${hash(`viewer\n${openid}\n${batchId}`, 40)}`
/** An order's id: reported twice (a retried call, a second report), it is still one document. */
export const orderDocId = (orderId: string): string => `o-${hash(`order\n${orderId}`, 40)}`
/** Stands for a viewer in the raw batches and the rate counter: the openid itself is never stored. */
export const viewerKey = (openid: string): string => hash(`viewer-key\n${openid}`, 24)
export const rateDocId = (viewer: string, minute: number): string => `r-${viewer}-${minute}`

/** The order the fold reads batches in: server time, then id, as one sortable string (one index, one range query). */
export const seqKeyOf = (atMs: number, id: string): string => `${String(atMs).padStart(15, '0')}:${id}`

/** A viewer event as stored: what the viewer sent, plus the day it counts in and (entries) how they came. */
export type StoredViewerEvent = ViewerEvent & { day: string; entryKind?: EntryKind }
export type StoredOrderEvent = { kind: 'order'; day: string } & Omit<OrderReport, 'paidAtMs'> & { atMs: number }
export type StoredEvent = StoredViewerEvent | StoredOrderEvent

export interface StatsBatchDoc {
  _id: string
  /** `seqKeyOf(at, _id)`. */
  seqKey: string
  /** Server time the batch was accepted (ms). */
  at: number
  source: 'viewer' | 'order'
  /** `viewerKey(openid)` for viewer batches; null for orders. */
  viewer: string | null
  events: StoredEvent[]
}

/** One aggregate: a room's day through one channel. `_id` is `dailyDocId(...)`. */
export interface DailyStatsDoc {
  _id: string
  day: string
  roomId: number
  channel: string
  counts: Counts
  /** Entries by how they came (scene kind). */
  kinds: KindCounts
  /** The last fold that added to this document: a fold redone after a crash skips documents it already changed. */
  lastFold: string
  updatedAt: number
}

export const dailyDocId = (day: string, roomId: number, channel: string): string => `d-${day}-${roomId}-${channel}`

/** Where Channels live events count: the merchant's Channels account stands as room 0 (no Live room id is 0). */
export const CHANNELS_ROOM_ID = 0
const CHANNELS_KINDS: ReadonlySet<string> = new Set(['channels_enter', 'channels_reserve', 'channels_error'])
export const isChannelsEvent = (kind: string): boolean => CHANNELS_KINDS.has(kind)
/** The room an event counts under: its own, or CHANNELS_ROOM_ID for a Channels live event. */
export const roomKeyOf = (e: StoredEvent): number => ('roomId' in e ? e.roomId : CHANNELS_ROOM_ID)

export type LinkKind = 'qrcode' | 'urllink' | 'urlscheme' | 'shortlink'

export interface ChannelLink {
  /** The QR code's PNG in cloud storage (qrcode only). */
  fileId?: string
  /** The link itself (urllink, urlscheme, shortlink). */
  url?: string
  /** The page and query (or scene) it opens. */
  target: string
  generatedAt: number
  /** When WeChat stops opening it; absent for what does not expire (QR codes, permanent short links). */
  expiresAt?: number
}

export interface ChannelDoc {
  _id: string
  roomId: number
  code: string
  name: string
  createdAt: number
  links: Partial<Record<LinkKind, ChannelLink>>
  /** When the merchant removed it: a removed channel's code is never issued again, so its statistics stay its own. */
  removedAt?: number
}

export const channelDocId = (roomId: number, code: string): string => `c-${roomId}-${code}`
