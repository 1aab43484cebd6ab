/**
 * Viewer events for the statistics, batched on the device and sent to the `track` cloud function. Events wait in
 * wx storage (so a restart or a spell offline loses nothing) until a short timer, a full batch or App.onHide sends
 * them. A batch gets its id once, when it is cut, and keeps it on every retry: the server counts a batch id once.
 * The server checks every event; the device only builds them in the shapes of src/stats/events.ts.
 */
import type { ViewerEvent } from '../../src/stats/events'
import { BATCH_EVENTS_MAX, EVENT_PAST_MAX_MS } from '../generated/stats'
import { CHANNELS, decodeCustomParams, isChannel } from '../utils/share'
import { entryChannel, lastEntry } from './attribution'

export const TRACK_FUNCTION = 'track'
const STORE_KEY = 'stats.track'
/** Events wait this long for company before a batch goes. */
export const FLUSH_AFTER_MS = 5_000
const RETRY_FIRST_MS = 2_000
const RETRY_MAX_MS = 5 * 60_000
/** Batches kept while offline (20 × 50 events); the oldest goes first beyond it. */
const KEPT_BATCHES_MAX = 20
/** Refusals a resend of the same batch cannot change; anything else (no reply, `unavailable`) is retried. */
const FINAL_CODES = ['invalid_argument', 'permission_denied', 'not_found', 'failed_precondition', 'resource_exhausted']

type WithoutTime<E> = E extends ViewerEvent ? Omit<E, 'atMs'> : never
export type EventInput = WithoutTime<ViewerEvent>

export interface Batch {
  batchId: string
  events: ViewerEvent[]
}
interface Kept {
  batches: Batch[]
  queue: ViewerEvent[]
}

let kept: Kept | null = null
let timer: ReturnType<typeof setTimeout> | null = null
let sending: Promise<void> | null = null
let failures = 0

function load(): Kept {
  if (kept) return kept
  let raw: Partial<Kept> | '' = ''
  try {
    raw = wx.getStorageSync(STORE_KEY) as Partial<Kept> | ''
  } catch {
    // unreadable storage: start empty rather than never tracking
  }
  kept = raw && Array.isArray(raw.batches) && Array.isArray(raw.queue) ? { batches: raw.batches, queue: raw.queue } : { batches: [], queue: [] }
  return kept
}

function save(): void {
  try {
    wx.setStorageSync(STORE_KEY, load())
  } catch (err) {
    console.warn('[track] could not keep events in storage', err)
  }
}

function newBatchId(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 12).padEnd(10, '0')
}

/** Moves queued events into batches of at most BATCH_EVENTS_MAX, each with its id for good. */
function cut(nowMs: number): void {
  const k = load()
  const fresh = k.queue.filter((e) => e.atMs >= nowMs - EVENT_PAST_MAX_MS)
  k.queue = []
  for (let i = 0; i < fresh.length; i += BATCH_EVENTS_MAX) k.batches.push({ batchId: newBatchId(), events: fresh.slice(i, i + BATCH_EVENTS_MAX) })
  while (k.batches.length > KEPT_BATCHES_MAX) console.warn('[track] offline too long, dropped a batch', k.batches.splice(sending ? 1 : 0, 1)[0].batchId)
}

function schedule(ms: number): void {
  if (timer) clearTimeout(timer)
  timer = setTimeout(() => {
    timer = null
    void flushTracking()
  }, ms)
}

/** Records one event now. Malformed input (no room where one belongs, a bad channel) is dropped here, never sent. */
export function track(input: EventInput): void {
  const event = { ...input, atMs: Date.now() } as ViewerEvent
  // Channels live events have no room: they count under the merchant's Channels account.
  const roomMissing = 'roomId' in event ? !Number.isSafeInteger(event.roomId) || event.roomId <= 0 : !event.kind.startsWith('channels_')
  if (roomMissing || !isChannel(event.channel)) {
    console.warn('[track] dropped a malformed event', event)
    return
  }
  const k = load()
  k.queue.push(event)
  if (k.queue.length >= BATCH_EVENTS_MAX) {
    cut(event.atMs)
    save()
    void flushTracking()
    return
  }
  save()
  if (!timer && !sending) schedule(FLUSH_AFTER_MS)
}

type Outcome = 'done' | 'retry'

async function send(batch: Batch): Promise<Outcome> {
  let reply: { ok?: unknown; data?: { refused?: unknown[]; capped?: number }; error?: { code?: unknown } } | undefined
  try {
    const res = await wx.cloud.callFunction({ name: TRACK_FUNCTION, data: { batchId: batch.batchId, events: batch.events } })
    reply = res.result as typeof reply
  } catch (err) {
    console.warn('[track] call failed, will retry', batch.batchId, err)
    return 'retry'
  }
  if (reply && reply.ok === true) {
    const refused = (reply.data && reply.data.refused) || []
    if (refused.length > 0 || (reply.data && reply.data.capped)) console.warn('[track] events not counted', batch.batchId, reply.data)
    return 'done'
  }
  if (reply && reply.ok === false && reply.error && FINAL_CODES.includes(String(reply.error.code))) {
    console.warn('[track] batch refused, dropped', batch.batchId, reply.error)
    return 'done'
  }
  console.warn('[track] no usable reply, will retry', batch.batchId, reply)
  return 'retry'
}

/**
 * Sends everything waiting, one batch at a time, oldest first; on a failed call it stops and tries again later,
 * waiting twice as long each time (2 s up to 5 min). Resolves when this round is over.
 */
export function flushTracking(): Promise<void> {
  if (sending) return sending
  if (timer) clearTimeout(timer)
  timer = null
  const round = async (): Promise<void> => {
    const k = load()
    if (k.queue.length > 0) {
      cut(Date.now())
      save()
    }
    while (k.batches.length > 0) {
      if ((await send(k.batches[0])) === 'retry') {
        failures += 1
        schedule(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 10)))
        return
      }
      failures = 0
      k.batches.shift()
      save()
    }
  }
  const current = round().then(() => {
    sending = null
    if (load().queue.length > 0 && !timer) schedule(FLUSH_AFTER_MS)
  })
  sending = current
  return current
}

/** At launch: whatever an earlier run left in storage goes out soon. */
export function resumeTracking(): void {
  const k = load()
  if (k.batches.length > 0 || k.queue.length > 0) schedule(FLUSH_AFTER_MS)
}

/** What is waiting on the device (for tests and diagnostics). */
export function pendingTracking(): Readonly<Kept> {
  return load()
}

/** The scene of this visit: what App.onShow recorded, else what WeChat says now. */
export function visitScene(): number | null {
  const entry = lastEntry()
  let scene = entry ? entry.scene : 0
  if (!(scene >= 1000 && scene <= 9999)) {
    try {
      scene = Number(wx.getEnterOptionsSync().scene)
    } catch {
      scene = 0
    }
  }
  return scene >= 1000 && scene <= 9999 ? scene : null
}

const SHARED_CHANNELS: readonly string[] = [CHANNELS.shareHome, CHANNELS.shareRoom, CHANNELS.shareReplay]

/** The viewer is being sent into the plugin's room: `shared` when a sharer's card brought this visit. */
export function trackEnter(roomId: number, channel: string): void {
  const scene = visitScene()
  if (scene === null) return console.warn('[track] no entry scene, enter not recorded', roomId)
  const entry = lastEntry()
  const shared = entry !== null && (entry.sharerOpenid !== null || SHARED_CHANNELS.includes(entry.channel))
  track({ kind: 'enter', roomId, channel, scene, shared })
}

/** A QR code or link opened the relay page. */
export function trackLand(roomId: number, channel: string): boolean {
  const scene = visitScene()
  if (scene === null) return false
  track({ kind: 'land', roomId, channel, scene })
  return true
}

/**
 * The one line a goods page calls in onLoad: `trackGoodsVisit(options)`. The Live plugin opens the goods' page
 * with `room_id` and `custom_params` in its query when the viewer taps the room's shelf (component-api.html,
 * https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/industry/liveplayer/component-api.html);
 * the channel is the one our custom_params carried, else this visit's. False when the page was not opened from a room.
 */
export function trackGoodsVisit(options: Record<string, string | undefined> | undefined, goodsId?: number): boolean {
  const query = options || {}
  const roomId = Number(query.room_id)
  if (!/^[1-9][0-9]*$/.test(String(query.room_id)) || !Number.isSafeInteger(roomId)) return false
  const channel = decodeCustomParams(query.custom_params).channel || entryChannel()
  track(goodsId !== undefined && Number.isSafeInteger(goodsId) && goodsId > 0 ? { kind: 'goods', roomId, channel, goodsId } : { kind: 'goods', roomId, channel })
  return true
}
