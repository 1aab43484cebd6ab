/**
 * The built `track` function run by the emulator's runner, called as simulated viewers (the platform's OPENID),
 * by another cloud function of the environment (a fixture order flow calling `cloud.callFunction`), and the
 * liveAdmin action that reports an order for an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import type { Emulator } from '../emulator/emulator'
import { startOrderFlowEnv, type OrderFlowEnv } from './order-flow-env'
import { BATCH_EVENTS_MAX, VIEWER_EVENTS_PER_MINUTE } from '../src/stats/events'
import { STATS_COLLECTIONS, orderDocId, viewerBatchDocId, viewerKey, type StatsBatchDoc } from '../src/stats/docs'
import { shanghaiDay } from '../src/live/day'
import type { AdminReply } from '../src/admin/reply'
import { AdminError, FUNCTION_HOPS_MAX, calledAs } from '../emulator/server/admin'
import { ADMIN } from '../emulator/identity'
import { thrown } from './thrown'

const OWNER = 'owner-openid-track-00000001'

const VIEWER_A = 'viewer-openid-track-0000000a'
const VIEWER_B = 'viewer-openid-track-0000000b'
const VIEWER_C = 'viewer-openid-track-0000000c'

let env: OrderFlowEnv
let emu: Emulator

beforeAll(async () => {
  env = await startOrderFlowEnv(['track', 'liveAdmin'])
  emu = env.emu
  emu.setFunctionEnv('liveAdmin', { LIVE_OWNER_OPENIDS: OWNER })
}, 120_000)

afterAll(async () => {
  await env?.stop()
})

const run = (name: string, event: Record<string, unknown>, openid?: string): Promise<any> => env.run(name, event, openid)
const track = (event: Record<string, unknown>, openid: string) => run('track', event, openid)

const batches = () => emu.engine.find(STATS_COLLECTIONS.batches, {}) as unknown as StatsBatchDoc[]
const rateDocs = () => emu.engine.find(STATS_COLLECTIONS.rate, {}) as Array<{ _id: string; viewer: string; count: number }>
const everyStoredJson = () => JSON.stringify(emu.engine.listCollections().map((c) => emu.engine.find(c, {})))

let batchSeq = 0
const newBatchId = () => `batch-${randomUUID().slice(0, 8)}-${++batchSeq}`
const now = () => emu.clock.nowMs()

function goodEvents(n: number, roomId = 101): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'impression', atMs: now() - 1000, roomId, channel: 'home', section: i % 2 ? 'live' : 'upcoming' }))
}

function order(orderId: string, extra: Record<string, unknown> = {}) {
  return { orderId, roomId: 101, channel: 'poster1', amountFen: 12_900, goods: [{ goodsId: 7, quantity: 2 }], paidAtMs: now() - 60_000, ...extra }
}

describe('track: viewer batches', () => {
  it('stores accepted events with their day and entry kind under a viewer key, never the openid', async () => {
    const batchId = newBatchId()
    const at = now() - 5_000
    const reply = await track(
      {
        batchId,
        events: [
          { kind: 'enter', atMs: at, roomId: 101, channel: 'poster1', scene: 1047 },
          { kind: 'replay', atMs: at, roomId: 101, channel: 'share_replay', seconds: 93.5 },
          { kind: 'goods', atMs: at, roomId: 101, channel: 'poster1', goodsId: 7 },
        ],
        // the mini-program SDK adds this to every call by itself
        userInfo: { appId: 'wxsandboxlive0001', openId: VIEWER_A },
      },
      VIEWER_A,
    )
    expect(reply).toEqual({ ok: true, data: { batchId, accepted: 3, duplicate: false, capped: 0, refused: [] } })
    const [doc] = batches().filter((b) => b._id === viewerBatchDocId(VIEWER_A, batchId))
    expect(doc).toMatchObject({ source: 'viewer', viewer: viewerKey(VIEWER_A) })
    expect(doc.seqKey.endsWith(`:${doc._id}`)).toBe(true)
    expect(doc.events).toEqual([
      { kind: 'enter', atMs: at, roomId: 101, channel: 'poster1', scene: 1047, day: shanghaiDay(at), entryKind: 'qrcode' },
      { kind: 'replay', atMs: at, roomId: 101, channel: 'share_replay', seconds: 93.5, day: shanghaiDay(at) },
      { kind: 'goods', atMs: at, roomId: 101, channel: 'poster1', goodsId: 7, day: shanghaiDay(at) },
    ])
    expect(everyStoredJson()).not.toContain(VIEWER_A)
  })

  it('stores a replayed batch once and does not charge the cap for the retry', async () => {
    const batch = { batchId: newBatchId(), events: goodEvents(4) }
    const first = await track(batch, VIEWER_A)
    expect(first.data).toMatchObject({ accepted: 4, duplicate: false })
    const charged = rateDocs().filter((r) => r.viewer === viewerKey(VIEWER_A)).reduce((n, r) => n + r.count, 0)
    const again = await track(batch, VIEWER_A)
    expect(again).toEqual({ ok: true, data: { batchId: batch.batchId, accepted: 0, duplicate: true, capped: 0, refused: [] } })
    expect(batches().filter((b) => b._id === viewerBatchDocId(VIEWER_A, batch.batchId))).toHaveLength(1)
    expect(rateDocs().filter((r) => r.viewer === viewerKey(VIEWER_A)).reduce((n, r) => n + r.count, 0)).toBe(charged)
    // The same batch id from another viewer is that viewer's own batch.
    expect((await track(batch, VIEWER_C)).data).toMatchObject({ accepted: 4, duplicate: false })
  })

  it('caps a flooding viewer per minute, refusing the events past the cap, while another viewer is not capped', async () => {
    // Start at the top of a minute so every batch below falls in one.
    emu.clock.set(Math.ceil(emu.clock.nowSeconds() / 60) * 60 + 60)
    const full = Math.floor(VIEWER_EVENTS_PER_MINUTE / BATCH_EVENTS_MAX)
    let accepted = 0
    for (let i = 0; i < full; i++) {
      const r = await track({ batchId: newBatchId(), events: goodEvents(BATCH_EVENTS_MAX, 202) }, VIEWER_B)
      expect(r.data).toMatchObject({ accepted: BATCH_EVENTS_MAX, capped: 0, refused: [] })
      accepted += r.data.accepted
    }
    const over = await track({ batchId: newBatchId(), events: goodEvents(BATCH_EVENTS_MAX, 202) }, VIEWER_B)
    const left = VIEWER_EVENTS_PER_MINUTE - accepted
    expect(over.data).toMatchObject({ accepted: left, capped: BATCH_EVENTS_MAX - left, duplicate: false })
    expect(over.data.refused.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: BATCH_EVENTS_MAX - left }, (_, i) => left + i))
    expect(over.data.refused[0].field).toBe(`events.${left}`)
    expect(over.data.refused[0].en).toContain(`${VIEWER_EVENTS_PER_MINUTE} events per viewer per minute`)
    expect(over.data.refused[0].zh).toContain('上限')
    const stored = batches().filter((b) => b.viewer === viewerKey(VIEWER_B)).reduce((n, b) => n + b.events.length, 0)
    expect(stored).toBe(VIEWER_EVENTS_PER_MINUTE)

    const fullAgain = await track({ batchId: newBatchId(), events: goodEvents(3, 202) }, VIEWER_B)
    expect(fullAgain.data).toMatchObject({ accepted: 0, capped: 3 })
    const other = await track({ batchId: newBatchId(), events: goodEvents(BATCH_EVENTS_MAX, 202) }, VIEWER_C)
    expect(other.data).toMatchObject({ accepted: BATCH_EVENTS_MAX, capped: 0 })

    // The next minute the flooding viewer may send again.
    emu.clock.advance(60)
    expect((await track({ batchId: newBatchId(), events: goodEvents(2, 202) }, VIEWER_B)).data).toMatchObject({ accepted: 2, capped: 0 })
  })

  it('refuses malformed events one by one, naming the field and the rule, and stores the rest', async () => {
    const batchId = newBatchId()
    const at = now() - 1000
    const reply = await track(
      {
        batchId,
        events: [
          { kind: 'subscribe', atMs: at, roomId: 303, channel: 'home' },
          { kind: 'hack', atMs: at, roomId: 303, channel: 'home' },
          { kind: 'replay', atMs: at, roomId: 303, channel: 'home', seconds: -4 },
          { kind: 'share', atMs: at, roomId: 303, channel: 'home', openid: VIEWER_A },
          { kind: 'share', atMs: at - 3 * 86_400_000, roomId: 303, channel: 'home' },
          { kind: 'tap', atMs: at, roomId: 303, channel: 'not a token!', section: 'live' },
          'not an event',
          { kind: 'land', atMs: at, roomId: 303, channel: 'poster1', scene: 1194 },
        ],
      },
      VIEWER_A,
    )
    expect(reply.ok).toBe(true)
    expect(reply.data).toMatchObject({ accepted: 2, duplicate: false, capped: 0 })
    const refused = reply.data.refused as Array<{ index: number; field: string; zh: string; en: string }>
    expect(refused.map((r) => [r.index, r.field])).toEqual([
      [1, 'events.1.kind'],
      [2, 'events.2.seconds'],
      [3, 'events.3.openid'],
      [4, 'events.4.atMs'],
      [5, 'events.5.channel'],
      [6, 'events.6.kind'],
    ])
    for (const r of refused) {
      expect(r.en.startsWith(`${r.field}: `)).toBe(true)
      expect(r.zh.startsWith(`${r.field}：`)).toBe(true)
    }
    expect(refused[2].en).toMatch(/unrecognized key/i)
    expect(refused[3].en).toContain('48 hours')
    const [doc] = batches().filter((b) => b._id === viewerBatchDocId(VIEWER_A, batchId))
    expect(doc.events.map((e) => e.kind)).toEqual(['subscribe', 'land'])
    expect(doc.events[1]).toMatchObject({ entryKind: 'urllink' })
  })

  it('refuses a bad envelope whole and writes nothing, nor for a batch whose every event is refused', async () => {
    const before = everyStoredJson()
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ batchId: 'short', events: goodEvents(1) }, 'batchId'],
      [{ batchId: newBatchId(), events: [] }, 'events'],
      [{ batchId: newBatchId(), events: goodEvents(BATCH_EVENTS_MAX + 1) }, 'events'],
      [{ batchId: newBatchId(), events: goodEvents(1), extra: true }, 'extra'],
      [{ events: goodEvents(1) }, 'batchId'],
      [{ batchId: newBatchId(), events: 'impression' }, 'events'],
    ]
    for (const [event, field] of cases) {
      const reply = await track(event, VIEWER_A)
      expect(reply.ok, field).toBe(false)
      expect(reply.error).toMatchObject({ code: 'invalid_argument', field })
      expect(reply.error.en).toContain(field)
      expect(reply.error.zh).toContain(field)
    }
    const allBad = await track({ batchId: newBatchId(), events: [{ kind: 'hack' }, { kind: 'share' }] }, VIEWER_A)
    expect(allBad.data).toMatchObject({ accepted: 0, capped: 0 })
    expect(allBad.data.refused).toHaveLength(2)
    expect(everyStoredJson()).toBe(before)
  })
})

describe('track: orders', () => {
  it('refuses an order from a viewer, in Chinese and English, and stores nothing', async () => {
    const before = everyStoredJson()
    const reply = await track({ action: 'reportOrder', order: order('viewer-forged-1') }, VIEWER_A)
    expect(reply).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(reply.error.zh).toContain('订单')
    expect(reply.error.en).toContain('cannot report')
    expect(everyStoredJson()).toBe(before)
  })

  it('stores an order reported by another cloud function of the environment, once however often it is reported', async () => {
    const paid = order('shop-order-0001')
    const first = await run('orderFlow', { order: paid })
    expect(first).toEqual({ source: 'wx_http', result: { ok: true, data: { orderId: 'shop-order-0001', duplicate: false } } })
    const again = await run('orderFlow', { order: { ...paid, amountFen: 1 } })
    expect(again.result).toEqual({ ok: true, data: { orderId: 'shop-order-0001', duplicate: true } })
    const docs = batches().filter((b) => b._id === orderDocId('shop-order-0001'))
    expect(docs).toHaveLength(1)
    const { paidAtMs, ...rest } = paid
    expect(docs[0]).toMatchObject({ source: 'order', viewer: null })
    expect(docs[0].events).toEqual([{ kind: 'order', day: shanghaiDay(paidAtMs), ...rest, atMs: paidAtMs }])
    // track saw the call come through one function hop
    const trackRuns = emu.listFunctions().find((f) => f.name === 'track')!.recentRuns
    expect(trackRuns[0].caller).toEqual({ source: 'wx_http,scf', openid: null })
  })

  it('names the field of a bad order, refuses viewer events from a function, and keeps a viewer on a chain they started', async () => {
    const bad = await run('orderFlow', { order: order('shop-order-0002', { amountFen: 0 }) })
    expect(bad.result).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'order.amountFen' } })
    const stale = await run('orderFlow', { order: order('shop-order-0003', { paidAtMs: now() - 3 * 86_400_000 }) })
    expect(stale.result).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'order.paidAtMs' } })
    const unknownAction = await run('orderFlow', { forward: { action: 'deleteEverything' } })
    expect(unknownAction.result).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'action' } })
    const events = await run('orderFlow', { forward: { batchId: newBatchId(), events: goodEvents(1) } })
    expect(events.result).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    // A function run a viewer started calls on as that viewer: the viewer still cannot report an order.
    const viaViewer = await run('orderFlow', { order: order('shop-order-0004') }, VIEWER_A)
    expect(viaViewer).toMatchObject({ source: 'wx_client', result: { ok: false, error: { code: 'permission_denied' } } })
    for (const id of ['shop-order-0002', 'shop-order-0003', 'shop-order-0004']) expect(batches().some((b) => b._id === orderDocId(id))).toBe(false)
  })

  it('answers a call to a function that does not exist with the SDK error, not a crash', async () => {
    const reply = await run('orderFlow', { name: 'noSuchFunction', order: order('shop-order-0005') })
    expect(reply.callError.errMsg).toContain('no cloud function named noSuchFunction')
  })

  it('liveAdmin statsReportOrder: refused for a non-admin, stored for an admin, one order whichever way it came', async () => {
    const admin = (params: unknown, openid: string) => run('liveAdmin', { action: 'statsReportOrder', params }, openid) as Promise<AdminReply<any>>
    const refused = await admin(order('desk-order-0001'), VIEWER_A)
    expect(refused).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(batches().some((b) => b._id === orderDocId('desk-order-0001'))).toBe(false)
    expect(await admin(order('desk-order-0001'), OWNER)).toEqual({ ok: true, data: { orderId: 'desk-order-0001', duplicate: false } })
    expect(await admin(order('shop-order-0001'), OWNER)).toEqual({ ok: true, data: { orderId: 'shop-order-0001', duplicate: true } })
    const badField = await admin(order('desk-order-0002', { goods: [] }), OWNER)
    expect(badField).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'goods' } })
  })
})

describe('the emulator: a function calling a function', () => {
  const fn = (source: string | undefined, openid?: string) =>
    ({ kind: 'function', functionName: 'orderFlow', openapi: [], appid: 'wx1', trigger: 'call', source, openid }) as const

  it("runs the callee as the caller's user with one more scf hop, and a script as the HTTP API", () => {
    expect(calledAs(fn('wx_client', 'o-1'), 'track')).toEqual({ openid: 'o-1', via: 'wx_client' })
    expect(calledAs({ ...fn(undefined), trigger: 'timer' }, 'track')).toEqual({ openid: undefined, via: 'wx_trigger' })
    expect(calledAs(ADMIN, 'track')).toEqual({})
  })

  it(`refuses a chain that would pass ${FUNCTION_HOPS_MAX} calls`, () => {
    const chain = (n: number) => ['wx_http', ...Array(n - 1).fill('scf')].join(',')
    expect(calledAs(fn(chain(FUNCTION_HOPS_MAX - 1)), 'orderFlow').via).toBe(chain(FUNCTION_HOPS_MAX - 1))
    const refused = thrown(AdminError, () => calledAs(fn(chain(FUNCTION_HOPS_MAX)), 'orderFlow'))
    expect(refused.code).toBe('FUNCTIONS_EXECUTE_FAIL')
    expect(refused.message).toContain(`at most ${FUNCTION_HOPS_MAX}`)
  })
})
