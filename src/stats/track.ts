/**
 * The `track` function's use case: viewer event batches in, one `StatsBatchDoc` per accepted batch out, and orders
 * reported by the merchant's own order flow. Pure over a `DocDriver` and a clock; the caller comes from the
 * platform's `getWXContext()` (src/auth/caller.ts), never from the event.
 *
 * - A viewer sends `{batchId, events}`. A broken envelope is refused whole; each event is checked on its own
 *   (`checkEvent`), so one bad event is refused with its reason and the rest are kept; events past the viewer's
 *   per-minute cap are refused as capped; a batch id already stored answers `duplicate` without counting or
 *   charging the cap again. The openid never reaches a document: batches carry `viewerKey(openid)`.
 * - Another cloud function of the environment sends `{action: 'reportOrder', order}`; liveAdmin's
 *   `statsReportOrder` runs `storeOrder` for an admin. An order id stored once is a duplicate ever after.
 *
 * Races, decided: two copies of one batch arriving at once both pass the look-up and both charge the cap; the
 * insert lets exactly one in, and the loser gives its charge back. A run that dies between charging and inserting
 * leaves the charge (its minute's cap is lower for the rest of that minute), never a counted event.
 */
import * as z from '../live/zod'
import { shanghaiDay } from '../live/day'
import { callerOf } from '../auth/caller'
import { issueProblem, type IssueProblem } from '../admin/issues'
import { fail, toErrorBody, type AdminErrorBody } from '../admin/reply'
import { cond, type DocDriver, type RawDoc } from '../sync/driver'
import { entryKindOf } from './channels'
import {
  EVENT_FUTURE_MAX_MS,
  EVENT_PAST_MAX_MS,
  VIEWER_EVENTS_PER_MINUTE,
  batchSchema,
  checkEvent,
  orderSchema,
  type OrderReport,
  type ViewerEvent,
} from './events'
import {
  STATS_COLLECTIONS,
  orderDocId,
  rateDocId,
  seqKeyOf,
  viewerBatchDocId,
  viewerKey,
  type StatsBatchDoc,
  type StoredOrderEvent,
  type StoredViewerEvent,
} from './docs'

export interface TrackPorts {
  docs: DocDriver
  nowMs(): number
}

export interface RefusedEvent extends IssueProblem {
  /** The event's position in the batch as sent. */
  index: number
}

export interface BatchOutcome {
  batchId: string
  /** Events stored by this call (0 for a duplicate: they were stored by the first copy). */
  accepted: number
  /** The batch id was stored already: nothing was counted or charged again. */
  duplicate: boolean
  /** Valid events refused because the viewer's minute was full (each also listed in `refused`). */
  capped: number
  /** Every event not stored, by index: broken ones with the field and rule, capped ones with the cap. */
  refused: RefusedEvent[]
}

export interface OrderOutcome {
  orderId: string
  /** The order id was reported before; the first report stands. */
  duplicate: boolean
}

export type TrackReply = { ok: true; data: BatchOutcome | OrderOutcome } | { ok: false; error: AdminErrorBody }

/** The order event's action name: the one action `track` knows. */
export const REPORT_ORDER_ACTION = 'reportOrder'

/** A minute on the Asia/Shanghai clock (whole-hour offset, so the same boundaries as UTC minutes). */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000)

/** Attempts at the cap's compare-and-set before the run gives up (each loss means another batch of the viewer won). */
const RATE_ATTEMPTS = 5

const REFUSED = {
  viewerOrder: {
    zh: '订单只能由商家自己的云函数或管理员上报，小程序用户不能上报订单',
    en: "Orders are reported only by the merchant's own cloud functions or an admin; a mini-program user cannot report one",
  },
  functionEvents: {
    zh: '观看事件只能由小程序用户发送；云函数只能上报订单 {action: "reportOrder", order}',
    en: 'Viewer events come only from mini-program users; a cloud function may only report orders {action: "reportOrder", order}',
  },
  other: {
    zh: 'track 只接受小程序用户的事件和同一环境内其他云函数上报的订单',
    en: 'track takes events from mini-program users and orders from other cloud functions of the same environment only',
  },
  busy: { zh: '同一用户的事件提交过于频繁，请稍后重试', en: "Too many of this viewer's batches at once; retry later" },
} as const

const invalid = (p: IssueProblem): never => fail('invalid_argument', p, { field: p.field })

/** The event without `userInfo`, which the mini-program SDK adds to every call by itself and which is not ours. */
function ownFields(event: unknown): Record<string, unknown> {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return invalid({ field: '(event)', zh: '(event)：须为对象', en: '(event): must be an object' })
  }
  const { userInfo: _sdk, ...rest } = event as Record<string, unknown>
  return rest
}

/** The whole `track` function: who is calling decides what the event may be. Never throws. */
export async function handleTrackEvent(event: unknown, wxContext: unknown, ports: TrackPorts): Promise<TrackReply> {
  try {
    const caller = callerOf(wxContext)
    const fields = ownFields(event)
    const isOrder = Object.hasOwn(fields, 'action')
    if (caller.kind === 'viewer') {
      if (isOrder && fields.action === REPORT_ORDER_ACTION) fail('permission_denied', REFUSED.viewerOrder)
      return { ok: true, data: await trackBatch(ports, caller.openid!, fields) }
    }
    if (caller.kind === 'function') {
      if (!isOrder) fail('permission_denied', REFUSED.functionEvents)
      return { ok: true, data: await reportOrderEvent(ports, fields) }
    }
    return fail('permission_denied', REFUSED.other)
  } catch (e) {
    return { ok: false, error: toErrorBody(e) }
  }
}

// ---------- viewer batches ----------

export async function trackBatch(ports: TrackPorts, openid: string, envelope: unknown): Promise<BatchOutcome> {
  const parsed = batchSchema.safeParse(envelope)
  if (!parsed.success) invalid(issueProblem(parsed.error.issues[0]))
  const { batchId, events } = parsed.data!
  const { docs } = ports
  const docId = viewerBatchDocId(openid, batchId)
  const duplicate: BatchOutcome = { batchId, accepted: 0, duplicate: true, capped: 0, refused: [] }

  // A retry of a stored batch is answered before anything is charged.
  if ((await docs.find(STATS_COLLECTIONS.batches, { _id: docId }, { limit: 1, fields: ['_id'] })).length > 0) return duplicate

  const now = ports.nowMs()
  const valid: Array<{ index: number; event: ViewerEvent }> = []
  const refused: RefusedEvent[] = []
  events.forEach((raw, index) => {
    const checked = checkEvent(raw, index, now)
    if (checked.ok) valid.push({ index, event: checked.event })
    else refused.push({ index, ...checked.problem })
  })
  if (valid.length === 0) return { batchId, accepted: 0, duplicate: false, capped: 0, refused }

  const viewer = viewerKey(openid)
  const minute = minuteOf(now)
  const granted = await chargeRate(docs, viewer, minute, valid.length)
  const kept = valid.slice(0, granted)
  const over = valid.slice(granted)
  for (const { index } of over) refused.push({ index, ...cappedProblem(index) })
  refused.sort((a, b) => a.index - b.index)
  if (kept.length === 0) return { batchId, accepted: 0, duplicate: false, capped: over.length, refused }

  // Stamped just before the insert: the fold's settle lag (TRACK_TIMEOUT_S) counts from here.
  const at = ports.nowMs()
  const doc: StatsBatchDoc = {
    _id: docId,
    seqKey: seqKeyOf(at, docId),
    at,
    source: 'viewer',
    viewer,
    events: kept.map(({ event }) => storedViewerEvent(event)),
  }
  if ((await docs.insert(STATS_COLLECTIONS.batches, doc as unknown as RawDoc)) === 'duplicate') {
    // Another copy of this batch got in first: give the charge back, count nothing.
    await docs.update(STATS_COLLECTIONS.rate, { _id: rateDocId(viewer, minute) }, { inc: { count: -granted } })
    return duplicate
  }
  return { batchId, accepted: kept.length, duplicate: false, capped: over.length, refused }
}

function storedViewerEvent(event: ViewerEvent): StoredViewerEvent {
  const day = shanghaiDay(event.atMs)
  return event.kind === 'enter' || event.kind === 'land' || event.kind === 'channels_enter' ? { ...event, day, entryKind: entryKindOf(event.scene) } : { ...event, day }
}

function cappedProblem(index: number): IssueProblem {
  const field = `events.${index}`
  return {
    field,
    zh: `${field}：超过每位用户每分钟 ${VIEWER_EVENTS_PER_MINUTE} 个事件的上限，未记录`,
    en: `${field}: over the cap of ${VIEWER_EVENTS_PER_MINUTE} events per viewer per minute, not recorded`,
  }
}

/**
 * Takes up to `wanted` events from the viewer's allowance for `minute` and resolves how many it got. Each step is
 * one atomic document write (a conditional increment, an insert, or a compare-and-set on the count seen), so
 * concurrent batches of one viewer never get more than the cap between them.
 */
export async function chargeRate(docs: DocDriver, viewer: string, minute: number, wanted: number): Promise<number> {
  const cap = VIEWER_EVENTS_PER_MINUTE
  const id = rateDocId(viewer, minute)
  const want = Math.min(wanted, cap)
  for (let attempt = 0; attempt < RATE_ATTEMPTS; attempt++) {
    // The usual case, one write: the minute has room for the whole batch.
    if ((await docs.update(STATS_COLLECTIONS.rate, { _id: id, count: cond.lte(cap - want) }, { inc: { count: want } })) === 1) return want
    // The viewer's first batch this minute.
    if ((await docs.insert(STATS_COLLECTIONS.rate, { _id: id, viewer, minute, count: want })) === 'ok') return want
    const [doc] = await docs.find(STATS_COLLECTIONS.rate, { _id: id }, { limit: 1, fields: ['count'] })
    const used = typeof doc?.count === 'number' ? doc.count : null
    if (used === null) continue
    const left = cap - used
    if (left <= 0) return 0
    if (left >= want) continue
    if ((await docs.update(STATS_COLLECTIONS.rate, { _id: id, count: used }, { inc: { count: left } })) === 1) return left
  }
  return fail('unavailable', REFUSED.busy)
}

// ---------- orders ----------

const reportOrderEnvelope = z.strictObject({ action: z.literal(REPORT_ORDER_ACTION), order: z.unknown() })

async function reportOrderEvent(ports: TrackPorts, fields: Record<string, unknown>): Promise<OrderOutcome> {
  const envelope = reportOrderEnvelope.safeParse(fields)
  if (!envelope.success) invalid(issueProblem(envelope.error.issues[0]))
  const order = orderSchema.safeParse(envelope.data!.order)
  if (!order.success) invalid(issueProblem(order.error.issues[0], ['order']))
  return storeOrder(ports, order.data!, 'order.')
}

/**
 * Stores one order checked by `orderSchema` (the `track` function's `reportOrder` and liveAdmin's
 * `statsReportOrder` both end here). Its payment time must be as recent as an event's: the day it counts in is
 * that time's, and the fold only adds what arrives within its reach. `fieldPrefix` names where the order sat.
 */
export async function storeOrder(ports: TrackPorts, order: OrderReport, fieldPrefix = ''): Promise<OrderOutcome> {
  const now = ports.nowMs()
  if (order.paidAtMs < now - EVENT_PAST_MAX_MS || order.paidAtMs > now + EVENT_FUTURE_MAX_MS) {
    const field = `${fieldPrefix}paidAtMs`
    const hours = EVENT_PAST_MAX_MS / 3_600_000
    const minutes = EVENT_FUTURE_MAX_MS / 60_000
    invalid({ field, zh: `${field}：支付时间须在最近 ${hours} 小时内（最多超前 ${minutes} 分钟）`, en: `${field}: must lie within the last ${hours} hours (and at most ${minutes} minutes ahead)` })
  }
  const { paidAtMs, ...rest } = order
  const event: StoredOrderEvent = { kind: 'order', day: shanghaiDay(paidAtMs), ...rest, atMs: paidAtMs }
  const id = orderDocId(order.orderId)
  const at = ports.nowMs()
  const doc: StatsBatchDoc = { _id: id, seqKey: seqKeyOf(at, id), at, source: 'order', viewer: null, events: [event] }
  const inserted = await ports.docs.insert(STATS_COLLECTIONS.batches, doc as unknown as RawDoc)
  return { orderId: order.orderId, duplicate: inserted === 'duplicate' }
}
