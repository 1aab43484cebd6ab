/**
 * Goods inside a room through the built liveAdmin function against the sandbox: import, sale, push during a
 * live, sort, remove and the explanation clip, the platform's refusals with their errcodes, and the room's goods
 * as a viewer reads them from the cache right after a change, with no sync run; a sync run afterwards writes no room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWxCloud } from '../emulator/client/wx-cloud'
import { createEngineStore } from '../emulator/db/engine-store'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { catalogue, type EndpointId } from '../src/live/catalogue'
import { createLiveApi } from '../src/live/client'
import { runSync } from '../src/sync/sync'
import { VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness()
})

afterAll(async () => {
  await h?.stop()
})

/** Calls the sandbox counted to one endpoint, every day. */
function callsTo(id: EndpointId): number {
  const key = catalogue[id].cloud ?? catalogue[id].path
  return Object.values(h.emu.control.calls()).reduce((n, perApi) => n + (perApi[key] ?? 0), 0)
}

function newRoom(name = '春茶上新直播间'): number {
  const now = h.emu.clock.nowSeconds()
  return h.emu.control.createRoom({ name, startTime: now + 3600, endTime: now + 7200, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei' }).roomId
}

function newGoods(name: string, auditStatus: 0 | 1 | 2 | 3 = 2): number {
  return h.emu.control.createGoods({ name, price: 88, url: 'pages/goods/detail?id=1', auditStatus }).goodsId
}

/** The room's goods ids as a viewer reads the cached room through the client channel. */
async function viewerGoods(roomId: number): Promise<number[]> {
  const db = createWxCloud({ url: h.emu.url, openid: VIEWER }).database()
  const res = await db.collection('live_rooms').where({ roomId }).get()
  const doc = res.data[0] as { goods: { goodsId: number }[] } | undefined
  return doc ? doc.goods.map((g) => g.goodsId) : []
}

/** liveSync's own code over the emulator's database and sandbox, as its timer run would do. */
function syncRun() {
  return runSync({
    live: createLiveApi(createInProcessTransport(h.emu.sandbox)),
    store: createEngineStore(h.emu.engine),
    liveSetup: { miniProgramLive: true, channels: null },
    nowMs: () => h.emu.clock.nowMs(),
    budgetMs: 20_000,
  })
}

describe('goods in a room through liveAdmin', () => {
  it('import and sort are seen by a viewer at once, and a sync run afterwards writes no room', async () => {
    const roomId = newRoom()
    const [a, b, c] = [newGoods('明前龙井'), newGoods('碧螺春'), newGoods('白毫银针')]
    expect((await syncRun()).status).toBe('ok')
    expect(await viewerGoods(roomId)).toEqual([])

    expect(await h.call('importGoods', { roomId, ids: [a, b, c] })).toEqual({ ok: true, data: { roomId, ids: [a, b, c], cache: 'written' } })
    expect(await viewerGoods(roomId)).toEqual([a, b, c])

    expect(await h.call('goodsSort', { roomId, goods: [{ goodsId: c }, { goodsId: String(a) }, { goodsId: b }] })).toEqual({ ok: true, data: { roomId, order: [c, a, b], cache: 'written' } })
    expect(await viewerGoods(roomId)).toEqual([c, a, b])

    // The sale flag is not part of what getLiveInfo lists or the cache keeps: the cached room stays as it was.
    expect(await h.call('goodsSale', { roomId, goodsId: a, onSale: 0 })).toEqual({ ok: true, data: { roomId, goodsId: a, onSale: 0, cache: 'unchanged' } })
    expect(await viewerGoods(roomId)).toEqual([c, a, b])

    expect(await h.call('goodsDeleteInRoom', { roomId, goodsId: b })).toEqual({ ok: true, data: { roomId, goodsId: b, cache: 'written' } })
    expect(await viewerGoods(roomId)).toEqual([c, a])

    const after = await syncRun()
    expect(after.status).toBe('ok')
    expect(after.roomsWritten).toBe(0)
  })

  it('refuses repeated ids before any Live call, naming the position', async () => {
    const roomId = newRoom()
    const a = newGoods('金骏眉')
    const calls = h.liveCalls()
    expect(await h.call('importGoods', { roomId, ids: [a, a] })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'ids.1' } })
    expect(await h.call('goodsSort', { roomId, goods: [{ goodsId: a }, { goodsId: String(a) }] })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'goods.1.goodsId' } })
    expect(await h.call('goodsSort', { roomId, goods: [{ goodsId: '0' }] })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'goods.0.goodsId' } })
    expect(await h.call('goodsSale', { roomId, goodsId: a, onSale: 2 })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'onSale' } })
    expect(h.liveCalls()).toBe(calls)
  })

  it('passes on the import refusals the platform answers, each with its errcode', async () => {
    const roomId = newRoom()
    const approved = newGoods('大红袍')
    const underReview = newGoods('正山小种', 1)
    expect(await h.call('importGoods', { roomId: 999999, ids: [approved] })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300022, field: 'roomId' } })
    expect(await h.call('importGoods', { roomId, ids: [999999] })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300024 } })
    expect(await h.call('importGoods', { roomId, ids: [underReview] })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300025 } })

    h.emu.control.setOptions({ roomGoodsCap: 1 })
    try {
      expect(await h.call('importGoods', { roomId, ids: [approved] })).toMatchObject({ ok: true })
      expect(await h.call('importGoods', { roomId, ids: [newGoods('六安瓜片')] })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300033 } })
    } finally {
      h.emu.control.setOptions({ roomGoodsCap: 200 })
    }

    const ended = newRoom()
    h.emu.control.roomEvent(ended, 'start')
    h.emu.control.roomEvent(ended, 'end')
    expect(await h.call('importGoods', { roomId: ended, ids: [approved] })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300023 } })
    expect(await h.call('goodsSort', { roomId, goods: [{ goodsId: underReview }] })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300053 } })
    expect(await h.call('goodsSale', { roomId, goodsId: underReview, onSale: 1 })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300024 } })
    expect(await h.call('goodsDeleteInRoom', { roomId, goodsId: underReview })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300053 } })

    // Nothing refused reached the audit log as a success, and every refusal is there.
    const refusals = h.audit().filter((e) => e.action === 'importGoods' && e.outcome !== 'ok').map((e) => e.errcode)
    expect(refusals).toEqual(expect.arrayContaining([300022, 300024, 300025, 300033, 300023]))
  })

  it('pushes only while the room is live: refused before the call with the state named, then each push rule', async () => {
    const roomId = newRoom()
    const [a, b, off, outside] = [newGoods('凤凰单丛'), newGoods('冻顶乌龙'), newGoods('安吉白茶'), newGoods('滇红')]
    expect(await h.call('importGoods', { roomId, ids: [a, b, off] })).toMatchObject({ ok: true, data: { cache: 'written' } })
    expect(await h.call('goodsSale', { roomId, goodsId: off, onSale: 0 })).toMatchObject({ ok: true })

    const pushes = callsTo('goodsPush')
    const early = await h.call('goodsPush', { roomId, goodsId: a })
    expect(early).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'roomId', errcode: 300023, status: 'upcoming', liveStatus: 102 } })
    expect(!early.ok && early.error.zh).toContain('未开始')
    expect(!early.ok && early.error.en).toContain('not started')
    expect(callsTo('goodsPush')).toBe(pushes)

    // The cache still says upcoming: the platform is asked before refusing, and the room is written through as live.
    h.emu.control.roomEvent(roomId, 'start')
    expect(await h.call('goodsPush', { roomId, goodsId: a })).toEqual({ ok: true, data: { roomId, goodsId: a, pushed: true } })
    const db = createWxCloud({ url: h.emu.url, openid: VIEWER }).database()
    expect(((await db.collection('live_rooms').where({ roomId }).get()).data[0] as { status: string }).status).toBe('live')

    expect(await h.call('goodsPush', { roomId, goodsId: b })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300047 } })
    expect(await h.call('goodsSale', { roomId, goodsId: a, onSale: 0 })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300049 } })
    expect(await h.call('goodsDeleteInRoom', { roomId, goodsId: a })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300047 } })
    expect(await h.call('goodsVideo', { roomId, goodsId: a })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300045 } })
    expect(await h.call('goodsVideo', { roomId, goodsId: b })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300044 } })

    h.emu.clock.advance(h.emu.control.options().goodsVideoDelaySeconds as number)
    expect(await h.call('goodsPush', { roomId, goodsId: off })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300052 } })
    expect(await h.call('goodsPush', { roomId, goodsId: outside })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300053 } })
    expect(await h.call('goodsPush', { roomId, goodsId: 999999 })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300024 } })
    const video = await h.call('goodsVideo', { roomId, goodsId: a })
    expect(video).toMatchObject({ ok: true, data: { roomId, goodsId: a, url: expect.stringMatching(/^https?:\/\/.+\.mp4$/) } })
    expect(await h.call('goodsPush', { roomId, goodsId: 999999 + 1 }, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
  })

  it('refuses a push to a room that has ended, naming the state, without a push call', async () => {
    const roomId = newRoom()
    const a = newGoods('茉莉花茶')
    expect(await h.call('importGoods', { roomId, ids: [a] })).toMatchObject({ ok: true })
    h.emu.control.roomEvent(roomId, 'start')
    h.emu.control.roomEvent(roomId, 'end')
    const pushes = callsTo('goodsPush')
    expect(await h.call('goodsPush', { roomId, goodsId: a })).toMatchObject({ ok: false, error: { code: 'failed_precondition', status: 'ended', liveStatus: 103 } })
    expect(callsTo('goodsPush')).toBe(pushes)
  })
})
