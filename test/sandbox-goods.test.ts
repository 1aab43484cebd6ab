import { describe, expect, it } from 'vitest'
import { makeSandbox, type SandboxKit } from '../emulator/sandbox/testing'

function goodsBody(kit: SandboxKit, overrides: Record<string, unknown> = {}) {
  return { goodsInfo: { coverImgUrl: kit.image(), name: '高山乌龙茶', priceType: 1, price: 88, url: 'pages/goods/detail?id=1', ...overrides } }
}

async function addGoods(kit: SandboxKit, overrides: Record<string, unknown> = {}) {
  const body = await kit.call('goodsAdd', goodsBody(kit, overrides))
  expect(body.errcode).toBe(0)
  return { goodsId: body.goodsId as number, auditId: body.auditId as number }
}

async function auditOf(kit: SandboxKit, goodsId: number): Promise<number> {
  const body = await kit.call('goodsInfo', { goods_ids: [goodsId] })
  return (body.goods as { audit_status: number }[])[0].audit_status
}

describe('goods audit flow', () => {
  it('add → 1 under review; control approves → 2 or rejects → 3', async () => {
    const kit = makeSandbox()
    const a = await addGoods(kit)
    const b = await addGoods(kit)
    expect(b.goodsId).toBeGreaterThan(a.goodsId)
    expect(await auditOf(kit, a.goodsId)).toBe(1)
    kit.control.auditGoods(a.goodsId, 'approve')
    kit.control.auditGoods(b.goodsId, 'reject')
    expect(await auditOf(kit, a.goodsId)).toBe(2)
    expect(await auditOf(kit, b.goodsId)).toBe(3)
    expect(() => kit.control.auditGoods(a.goodsId, 'approve')).toThrow(expect.objectContaining({ status: 400 }))
  })

  it('withdraw 1 → 0 (300017 otherwise), resubmit 0 → 1 with a new auditId (300010 while under review)', async () => {
    const kit = makeSandbox()
    const { goodsId, auditId } = await addGoods(kit)
    expect((await kit.call('goodsAudit', { goodsId })).errcode).toBe(300010)
    expect((await kit.call('goodsResetAudit', { goodsId, auditId: auditId + 99 })).errcode).toBe(300009)
    expect((await kit.call('goodsResetAudit', { goodsId, auditId })).errcode).toBe(0)
    expect(await auditOf(kit, goodsId)).toBe(0)
    expect((await kit.call('goodsResetAudit', { goodsId, auditId })).errcode).toBe(300017)
    const again = await kit.call('goodsAudit', { goodsId })
    expect(again.errcode).toBe(0)
    expect(again.auditId).not.toBe(auditId)
    expect(await auditOf(kit, goodsId)).toBe(1)
  })

  it('spends the shared review budget and answers 300012 when it is gone, until the next Shanghai day', async () => {
    const kit = makeSandbox({ reviewBudget: 2 })
    const { goodsId, auditId } = await addGoods(kit)
    await kit.call('goodsResetAudit', { goodsId, auditId })
    expect((await kit.call('goodsAudit', { goodsId })).errcode).toBe(0)
    expect((await kit.call('goodsAdd', goodsBody(kit))).errcode).toBe(300012)
    kit.clock.advance(16 * 3600) // T0 is 08:00 in Shanghai: +16 h is the next day's midnight
    expect((await kit.call('goodsAdd', goodsBody(kit))).errcode).toBe(0)
  })

  it('approves automatically after autoAuditSeconds when configured', async () => {
    const kit = makeSandbox({ autoAuditSeconds: 300 })
    const { goodsId } = await addGoods(kit)
    kit.clock.advance(299)
    expect(await auditOf(kit, goodsId)).toBe(1)
    kit.clock.advance(1)
    expect(await auditOf(kit, goodsId)).toBe(2)
  })
})

describe('goods field rules', () => {
  it('name: 14 CJK ok, 14 CJK + 1 too long', async () => {
    const kit = makeSandbox()
    expect((await kit.call('goodsAdd', goodsBody(kit, { name: '一'.repeat(14) }))).errcode).toBe(0)
    expect((await kit.call('goodsAdd', goodsBody(kit, { name: '一'.repeat(14) + 'a' }))).errcode).toBe(300002)
  })

  it('prices: discount current above original is 300003; range needs price2; decimals limited', async () => {
    const kit = makeSandbox()
    expect((await kit.call('goodsAdd', goodsBody(kit, { priceType: 3, price: 50, price2: 60 }))).errcode).toBe(300003)
    expect((await kit.call('goodsAdd', goodsBody(kit, { priceType: 3, price: 60, price2: 50 }))).errcode).toBe(0)
    expect((await kit.call('goodsAdd', goodsBody(kit, { priceType: 2, price: 10 }))).errcode).toBe(200002)
    expect((await kit.call('goodsAdd', goodsBody(kit, { price: 1.234 }))).errcode).toBe(200002)
  })

  it('url must be a page path (300007), media must be alive (300006), the wrapper is required (200002)', async () => {
    const kit = makeSandbox({ onlinePages: ['pages/goods/detail'] })
    expect((await kit.call('goodsAdd', goodsBody(kit, { url: 'https://shop.example.com/x' }))).errcode).toBe(300007)
    expect((await kit.call('goodsAdd', goodsBody(kit, { url: 'pages/other/page' }))).errcode).toBe(300007)
    expect((await kit.call('goodsAdd', goodsBody(kit, { url: '/pages/goods/detail?id=2' }))).errcode).toBe(0)
    expect((await kit.call('goodsAdd', goodsBody(kit, { coverImgUrl: 'missing' }))).errcode).toBe(300006)
    const body = await kit.call('goodsAdd', goodsBody(kit).goodsInfo)
    expect(body.errcode).toBe(200002)
    expect(body.errmsg).toContain('goodsInfo')
  })

  it('console goods are off-limits to the API (300011)', async () => {
    const kit = makeSandbox()
    const { goodsId } = kit.control.createGoods({ name: '会员卡', price: 10, url: 'pages/card/index', console: true })
    expect((await kit.call('goodsUpdate', { goodsInfo: { goodsId, price: 12 } })).errcode).toBe(300011)
    expect((await kit.call('goodsDelete', { goodsId })).errcode).toBe(300011)
  })

  it('update: nothing while under review, only prices once approved, anything before audit', async () => {
    const kit = makeSandbox()
    const { goodsId, auditId } = await addGoods(kit)
    expect((await kit.call('goodsUpdate', { goodsInfo: { goodsId, price: 90 } })).errcode).toBe(300010)
    kit.control.auditGoods(goodsId, 'approve')
    expect((await kit.call('goodsUpdate', { goodsInfo: { goodsId, name: '新名字' } })).errcode).toBe(300010)
    expect((await kit.call('goodsUpdate', { goodsInfo: { goodsId, price: 90 } })).errcode).toBe(0)
    const other = await addGoods(kit)
    await kit.call('goodsResetAudit', other)
    expect((await kit.call('goodsUpdate', { goodsInfo: { goodsId: other.goodsId, name: '新名字' } })).errcode).toBe(0)
    const info = await kit.call('goodsInfo', { goodsIds: [goodsId, other.goodsId] })
    expect(info.goods).toEqual([
      expect.objectContaining({ goods_id: goodsId, price: 90, audit_status: 2 }),
      expect.objectContaining({ goods_id: other.goodsId, name: '新名字', audit_status: 0 }),
    ])
    expect(auditId).toBeGreaterThan(0)
  })

  it('delete: 300014 under review, 300015 unknown, removes the goods from rooms', async () => {
    const kit = makeSandbox()
    const { goodsId } = await addGoods(kit)
    expect((await kit.call('goodsDelete', { goodsId })).errcode).toBe(300014)
    kit.control.auditGoods(goodsId, 'approve')
    const roomId = (await kit.call('createRoom', kit.roomBody())).roomId as number
    await kit.call('importGoods', { roomId, ids: [goodsId] })
    expect((await kit.call('goodsDelete', { goodsId })).errcode).toBe(0)
    expect(kit.sandbox.truth().rooms[0].goods).toEqual([])
    expect((await kit.call('goodsDelete', { goodsId })).errcode).toBe(300015)
  })

  it('goodsList filters by status and answers camelCase; goodsInfo answers snake_case', async () => {
    const kit = makeSandbox()
    const a = await addGoods(kit)
    const b = await addGoods(kit)
    kit.control.auditGoods(b.goodsId, 'approve')
    const approved = await kit.call('goodsList', { offset: '0', limit: '10', status: '2' }, 'https')
    expect(approved.total).toBe(1)
    expect(approved.goods).toEqual([expect.objectContaining({ goodsId: b.goodsId, coverImgUrl: expect.any(String), priceType: 1 })])
    const review = await kit.call('goodsList', { offset: 0, status: 1 })
    expect((review.goods as { goodsId: number }[]).map((g) => g.goodsId)).toEqual([a.goodsId])
    const info = await kit.call('goodsInfo', { goods_ids: [a.goodsId] })
    expect(info.goods).toEqual([expect.objectContaining({ goods_id: a.goodsId, cover_img_url: expect.any(String), third_party_tag: 2 })])
    // getgoodswarehouse mixes casings on the wire: thirdPartyAppid stays camelCase, as the docs show it.
    expect(Object.keys((info.goods as object[])[0])).toContain('thirdPartyAppid')
    expect(Object.keys((info.goods as object[])[0])).not.toContain('third_party_appid')
  })
})

describe('goods in a room', () => {
  async function liveRoomWithGoods(kit: SandboxKit, n: number) {
    const ids: number[] = []
    for (let i = 0; i < n; i++) ids.push(kit.control.createGoods({ name: `商品${i}`, price: 10 + i, url: 'pages/goods/detail' }).goodsId)
    const roomId = (await kit.call('createRoom', kit.roomBody())).roomId as number
    expect((await kit.call('importGoods', { roomId, ids })).errcode).toBe(0)
    return { roomId, ids }
  }

  it('imports approved goods only (300024 unknown, 300025 not approved, 300033 over the cap)', async () => {
    const kit = makeSandbox({ roomGoodsCap: 3 })
    const { roomId, ids } = await liveRoomWithGoods(kit, 2)
    const pending = await addGoods(kit)
    expect((await kit.call('importGoods', { roomId, ids: [999] })).errcode).toBe(300024)
    expect((await kit.call('importGoods', { roomId, ids: [pending.goodsId] })).errcode).toBe(300025)
    const more = [kit.control.createGoods({ name: 'a商品', price: 1, url: 'pages/a/b' }).goodsId, kit.control.createGoods({ name: 'b商品', price: 1, url: 'pages/a/b' }).goodsId]
    expect((await kit.call('importGoods', { roomId, ids: more })).errcode).toBe(300033)
    expect((await kit.call('importGoods', { roomId, ids: [...ids, more[0]] })).errcode).toBe(0)
    expect(kit.sandbox.truth().rooms[0].goods.map((g) => g.goodsId)).toEqual([...ids, more[0]])
  })

  it('push: room must be live, one at a time, on shelf, in the room', async () => {
    const kit = makeSandbox({ pushSeconds: 60 })
    const { roomId, ids } = await liveRoomWithGoods(kit, 3)
    expect((await kit.call('goodsPush', { roomId, goodsId: ids[0] })).errcode).toBe(300023)
    kit.control.roomEvent(roomId, 'start')
    expect((await kit.call('goodsPush', { roomId, goodsId: ids[0] })).errcode).toBe(0)
    expect((await kit.call('goodsPush', { roomId, goodsId: ids[1] })).errcode).toBe(300047)
    expect((await kit.call('goodsSale', { roomId, goodsId: ids[0], onSale: 0 })).errcode).toBe(300049)
    expect((await kit.call('goodsDeleteInRoom', { roomId, goodsId: ids[0] })).errcode).toBe(300047)
    kit.clock.advance(60)
    expect((await kit.call('goodsSale', { roomId, goodsId: ids[1], onSale: 0 })).errcode).toBe(0)
    expect((await kit.call('goodsPush', { roomId, goodsId: ids[1] })).errcode).toBe(300052)
    const outsider = kit.control.createGoods({ name: '别的商品', price: 5, url: 'pages/a/b' }).goodsId
    expect((await kit.call('goodsPush', { roomId, goodsId: outsider })).errcode).toBe(300053)
    expect((await kit.call('goodsPush', { roomId, goodsId: ids[2] })).errcode).toBe(0)
  })

  it('explanation clip: 300044 never pushed, 300045 before it is generated, then a url', async () => {
    const kit = makeSandbox({ goodsVideoDelaySeconds: 300 })
    const { roomId, ids } = await liveRoomWithGoods(kit, 1)
    kit.control.roomEvent(roomId, 'start')
    expect((await kit.call('goodsVideo', { roomId, goodsId: ids[0] })).errcode).toBe(300044)
    await kit.call('goodsPush', { roomId, goodsId: ids[0] })
    expect((await kit.call('goodsVideo', { roomId, goodsId: ids[0] })).errcode).toBe(300045)
    kit.clock.advance(300)
    expect((await kit.call('goodsVideo', { roomId, goodsId: ids[0] })).url).toMatch(/\.mp4$/)
  })

  it('sort accepts numeric strings and keeps unlisted goods after the listed ones', async () => {
    const kit = makeSandbox()
    const { roomId, ids } = await liveRoomWithGoods(kit, 3)
    expect((await kit.call('goodsSort', { roomId, goods: [{ goodsId: String(ids[2]) }, { goodsId: ids[0] }] })).errcode).toBe(0)
    expect(kit.sandbox.truth().rooms[0].goods.map((g) => g.goodsId)).toEqual([ids[2], ids[0], ids[1]])
  })

  it('pendant key must be string[] and reads back', async () => {
    const kit = makeSandbox()
    expect((await kit.call('setGoodsKey', { goodsKey: 'productId' })).errcode).toBe(200002)
    expect((await kit.call('setGoodsKey', { goodsKey: [1, 2] })).errcode).toBe(200002)
    expect((await kit.call('setGoodsKey', { goodsKey: ['productId', 'sid'] })).errcode).toBe(0)
    expect((await kit.call('getGoodsKey', {}, 'https')).vendorGoodsKey).toEqual(['productId', 'sid'])
  })
})
