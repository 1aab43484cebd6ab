/**
 * The goods warehouse through the built liveAdmin against the sandbox: add and submit, the update rule per audit
 * state, withdraw and resubmit, delete over HTTPS with the AppSecret, the live_goods mirror after each change and
 * after the sync's audit pass, and the day's review budget.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shanghaiDay } from '../src/live/day'
import { checkGoodsUpdateFields, goodsUpdatableFields } from '../src/live/rules'
import { SANDBOX_SECRET } from '../emulator/sandbox/state'
import { APP_JSON, miniProgramPages } from '../tools/miniprogram-pages'
import { createWxCloud } from '../emulator/client/wx-cloud'
import { OWNER, startAdminHarness, VIEWER, type AdminHarness } from './admin-harness'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness({ env: { WX_APPSECRET: SANDBOX_SECRET }, alsoBuild: ['liveSync'] })
})

afterAll(async () => {
  await h?.stop()
})

function image(): string {
  return String(h.emu.sandbox.uploadMedia({ type: 'image', bytes: Buffer.alloc(1024, 1), filename: 'cover.png' }).media_id)
}

/** A goods item that passes every rule; `url` is a page of miniprogram/app.json. */
function goodsInfo(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { coverImgUrl: image(), name: '高山乌龙茶', priceType: 1, price: 88, url: 'pages/room/index?goods=1', ...overrides }
}

function mirror(goodsId: number): Record<string, any> | undefined {
  return h.emu.engine.find('live_goods', { goodsId })[0] as Record<string, any> | undefined
}

const mirrorCount = () => h.emu.engine.count('live_goods', {})

/** Calls to one Live API today, as the sandbox counted them (cloud name or path). */
function callsTo(api: string): number {
  return Object.values(h.emu.control.calls()).reduce((n, perApi) => n + (perApi[api] ?? 0), 0)
}

async function add(overrides: Record<string, unknown> = {}): Promise<{ goodsId: number; auditId: number }> {
  const reply = await h.call('goodsAdd', { goodsInfo: goodsInfo(overrides) })
  if (!reply.ok) throw new Error(`goodsAdd failed: ${JSON.stringify(reply.error)}`)
  return reply.data
}

async function budgetLeft(): Promise<number> {
  const reply = await h.call('reviewBudget', {})
  if (!reply.ok) throw new Error(JSON.stringify(reply.error))
  return reply.data.left
}

describe('the update rule per audit state (src/live/rules.ts)', () => {
  it('lets not audited and rejected goods change every field, approved only the prices, under review nothing', () => {
    expect(goodsUpdatableFields(0)).toContain('name')
    expect(goodsUpdatableFields(3)).toContain('coverImgUrl')
    expect(goodsUpdatableFields(2)).toEqual(['priceType', 'price', 'price2'])
    expect(goodsUpdatableFields(1)).toEqual([])
    expect(checkGoodsUpdateFields(2, ['price', 'name'])).toMatchObject({ errcode: 300010, field: 'name' })
    expect(checkGoodsUpdateFields(1, ['price'])).toMatchObject({ errcode: 300010, field: 'goodsId' })
    expect(checkGoodsUpdateFields(2, ['priceType', 'price2'])).toBeNull()
    expect(checkGoodsUpdateFields(0, ['name', 'url', 'goodsKey'])).toBeNull()
  })
})

describe('liveAdmin goods warehouse', () => {
  it('adds and submits goods, mirrors it under review, and spends one review of the day', async () => {
    const before = await budgetLeft()
    const reply = await h.call('goodsAdd', { goodsInfo: goodsInfo({ priceType: 3, price: 100, price2: 79.9 }) })
    expect(reply).toMatchObject({ ok: true, data: { auditStatus: 1, reviewBudgetLeft: before - 1, mirror: 'written' } })
    const { goodsId, auditId } = reply.ok ? reply.data : ({} as never)
    expect(mirror(goodsId)).toMatchObject({ _id: `goods-${goodsId}`, goodsId, auditId, auditStatus: 1, name: '高山乌龙茶', priceType: 3, price: 100, price2: 79.9, missingUpstream: false })
    expect(h.emu.control.goods().find((g) => g.goodsId === goodsId)).toMatchObject({ auditStatus: 1 })
    const budget = await h.call('reviewBudget', {})
    expect(budget).toMatchObject({ ok: true, data: { limit: 500, left: before - 1, exhausted: false } })
    expect(budget.ok && budget.data.day).toBe(shanghaiDay(h.emu.clock.nowMs()))
  })

  it('takes the cover as a cloud storage file ID, uploaded as temporary media once and reused, or refuses a missing file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'goods-cover-'))
    const local = path.join(dir, 'cover.png')
    writeFileSync(local, Buffer.alloc(2048, 5))
    const { fileID } = await createWxCloud({ url: h.emu.url, openid: OWNER }).uploadFile({ cloudPath: 'goods/cover.png', filePath: local })
    rmSync(dir, { recursive: true, force: true })
    const first = await add({ coverImgUrl: fileID })
    const mediaId = mirror(first.goodsId)?.coverImgUrl as string
    expect(h.emu.sandbox.media(mediaId)?.bytes).toEqual(Buffer.alloc(2048, 5))
    const second = await add({ coverImgUrl: fileID })
    expect(mirror(second.goodsId)?.coverImgUrl).toBe(mediaId)

    const calls = h.liveCalls()
    const gone = `cloud://${h.emu.storage.envId}.${h.emu.storage.bucket}/goods/never-uploaded.png`
    expect(await h.call('goodsAdd', { goodsInfo: goodsInfo({ coverImgUrl: gone }) })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'goodsInfo.coverImgUrl' } })
    expect(h.liveCalls()).toBe(calls)
  })

  it('refuses before any Live call a name too wide, a price pair per price type, a page not in app.json, a sensitive word', async () => {
    h.emu.engine.insert('live_admin_settings', [{ _id: 'sensitive-words', words: ['全网最低'] }])
    const calls = h.liveCalls()
    const rows = mirrorCount()
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ name: '一二三四五六七八九十一二三四五' }, { field: 'goodsInfo.name', errcode: 300002 }],
      [{ priceType: 1, price: 0 }, { field: 'goodsInfo.price' }],
      [{ priceType: 2, price: 50 }, { field: 'goodsInfo.price2' }],
      [{ priceType: 2, price: 50, price2: 40 }, { field: 'goodsInfo.price2', errcode: 300003 }],
      [{ priceType: 3, price: 50, price2: 60 }, { field: 'goodsInfo.price2', errcode: 300003 }],
      [{ url: 'pages/goods/detail?id=1' }, { field: 'goodsInfo.url', errcode: 300007 }],
      [{ url: 'https://shop.example.com/goods/1' }, { field: 'goodsInfo.url', errcode: 300007 }],
      [{ name: '全网最低价茶杯' }, { field: 'goodsInfo.name', word: '全网最低' }],
    ]
    for (const [overrides, error] of cases) {
      const reply = await h.call('goodsAdd', { goodsInfo: goodsInfo(overrides) })
      expect(reply, JSON.stringify(overrides)).toMatchObject({ ok: false, error: { code: 'invalid_argument', ...error } })
      expect(!reply.ok && reply.error.zh).toMatch(/^goodsInfo\./)
    }
    expect(h.liveCalls()).toBe(calls)
    expect(mirrorCount()).toBe(rows)
  })

  it('passes on the platform refusing an expired cover (300006) and mirrors nothing', async () => {
    const rows = mirrorCount()
    const reply = await h.call('goodsAdd', { goodsInfo: goodsInfo({ coverImgUrl: 'media-id-that-expired' }) })
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_argument', errcode: 300006 } })
    expect(mirrorCount()).toBe(rows)
  })

  it('answers unavailable to a busy platform on goodsAdd, with no mirror row and no review counted', async () => {
    const rows = mirrorCount()
    const left = await budgetLeft()
    h.emu.control.addFault({ api: 'liveBroadcast.goodsAdd', times: 1, errcode: -1 })
    const reply = await h.call('goodsAdd', { goodsInfo: goodsInfo() })
    expect(reply).toMatchObject({ ok: false, error: { code: 'unavailable', errcode: -1 } })
    expect(mirrorCount()).toBe(rows)
    expect(await budgetLeft()).toBe(left)
    // a change is never retried: the busy answer was one call
    expect(h.emu.control.faults()).toEqual([])
  })

  it('says before the call which fields each audit state allows, and mirrors each accepted update', async () => {
    const { goodsId } = await add()
    const updates = () => callsTo('liveBroadcast.goodsUpdate')
    const n = updates()

    const underReview = await h.call('goodsUpdate', { goodsInfo: { goodsId, price: 90 } })
    expect(underReview).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300010, field: 'goodsInfo.goodsId', auditStatus: 1, updatableFields: [] } })

    h.emu.control.auditGoods(goodsId, 'approve')
    const info = await h.call('goodsInfo', { goodsIds: [goodsId] })
    expect(info).toMatchObject({ ok: true, data: { goods: [{ goodsId, auditStatus: 2, updatableFields: ['priceType', 'price', 'price2'], mirrored: true }] } })
    const approvedName = await h.call('goodsUpdate', { goodsInfo: { goodsId, name: '新名字' } })
    expect(approvedName).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300010, field: 'goodsInfo.name', updatableFields: ['priceType', 'price', 'price2'] } })
    expect(updates()).toBe(n)

    const wrongPair = await h.call('goodsUpdate', { goodsInfo: { goodsId, priceType: 2, price2: 50 } })
    expect(wrongPair).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'goodsInfo.price2', errcode: 300003 } })
    expect(updates()).toBe(n)

    const price = await h.call('goodsUpdate', { goodsInfo: { goodsId, priceType: 2, price2: 120 } })
    expect(price).toMatchObject({ ok: true, data: { goodsId, changed: ['priceType', 'price2'], mirror: 'written' } })
    expect(mirror(goodsId)).toMatchObject({ priceType: 2, price: 88, price2: 120, auditStatus: 1 })
    expect(h.emu.control.goods().find((g) => g.goodsId === goodsId)).toMatchObject({ priceType: 2, price2: 120 })
  })

  it('withdraws with the mirror\'s auditId, updates any field while not audited, and resubmits with a new review', async () => {
    const { goodsId, auditId } = await add()
    expect(await h.call('goodsAudit', { goodsId })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300010 } })
    expect(await h.call('goodsResetAudit', { goodsId })).toMatchObject({ ok: true, data: { goodsId, auditStatus: 0, mirror: 'written' } })
    expect(mirror(goodsId)).toMatchObject({ auditStatus: 0, auditId })
    expect(await h.call('goodsResetAudit', { goodsId, auditId })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300017 } })

    expect(await h.call('goodsUpdate', { goodsInfo: { goodsId, name: '冻顶乌龙', url: 'pages/home/index' } })).toMatchObject({ ok: true, data: { mirror: 'written' } })
    expect(mirror(goodsId)).toMatchObject({ name: '冻顶乌龙', url: 'pages/home/index' })

    const left = await budgetLeft()
    const again = await h.call('goodsAudit', { goodsId })
    expect(again).toMatchObject({ ok: true, data: { goodsId, auditStatus: 1, reviewBudgetLeft: left - 1, mirror: 'written' } })
    expect(again.ok && again.data.auditId).not.toBe(auditId)
    expect(mirror(goodsId)).toMatchObject({ auditStatus: 1, auditId: again.ok ? again.data.auditId : -1 })
    expect(await budgetLeft()).toBe(left - 1)
  })

  it('deletes goods over HTTPS with the AppSecret, refusing goods under review, and marks the mirror', async () => {
    const { goodsId } = await add()
    const httpsCalls = () => callsTo('/wxaapi/broadcast/goods/delete')
    const n = httpsCalls()
    expect(await h.call('goodsDelete', { goodsId })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300014 } })
    expect(httpsCalls()).toBe(n + 1)
    expect(mirror(goodsId)).toMatchObject({ missingUpstream: false, deletedAt: null })

    h.emu.control.auditGoods(goodsId, 'reject')
    expect(await h.call('goodsDelete', { goodsId })).toMatchObject({ ok: true, data: { goodsId, mirror: 'written', rooms: [] } })
    expect(h.emu.control.goods().some((g) => g.goodsId === goodsId)).toBe(false)
    expect(mirror(goodsId)).toMatchObject({ missingUpstream: true, deletedAt: expect.any(Date) })
    expect(await h.call('goodsDelete', { goodsId })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300015 } })
  })

  it('lists the warehouse by status with what goodsUpdate may change in it, and refuses a viewer', async () => {
    const { goodsId } = await add()
    h.emu.control.auditGoods(goodsId, 'approve')
    const list = await h.call('goodsList', { status: 2 })
    expect(list).toMatchObject({ ok: true, data: { updatableFields: ['priceType', 'price', 'price2'] } })
    expect(list.ok && list.data.goods.map((g: { goodsId: number }) => g.goodsId)).toContain(goodsId)
    const calls = h.liveCalls()
    expect(await h.call('goodsList', { status: 2 }, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(await h.call('goodsList', { status: 4 })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'status' } })
    expect(h.liveCalls()).toBe(calls)
  })

  it('the sync\'s audit pass (liveSync timer) writes the verdict the sandbox gave into the mirror', async () => {
    const { goodsId } = await add()
    h.emu.control.auditGoods(goodsId, 'approve')
    expect(mirror(goodsId)).toMatchObject({ auditStatus: 1 })
    const run = await h.emu.fireTimer('liveSync')
    expect(run).toMatchObject({ status: 'ok' })
    expect(mirror(goodsId)).toMatchObject({ auditStatus: 2, auditCheckedAt: expect.any(Date) })
  })

  it('deleting goods shown in a cached room re-reads that room, so viewers stop seeing the goods at once', async () => {
    const { goodsId } = await add()
    h.emu.control.auditGoods(goodsId, 'approve')
    const now = h.emu.clock.nowSeconds()
    const { roomId } = h.emu.control.createRoom({ name: '春茶上新直播', startTime: now + 3600, endTime: now + 3 * 3600, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei' })
    h.emu.control.importGoods({ roomId, goodsIds: [goodsId] })
    expect(await h.emu.fireTimer('liveSync')).toMatchObject({ status: 'ok' })
    const cached = () => h.emu.engine.find('live_rooms', { roomId })[0] as unknown as { goods: { goodsId: number }[] }
    expect(cached().goods.map((g) => g.goodsId)).toEqual([goodsId])

    expect(await h.call('goodsDelete', { goodsId })).toMatchObject({ ok: true, data: { rooms: [{ roomId, cache: 'written' }] } })
    expect(cached().goods).toEqual([])
  })

  it('refreshGoodsAudit asks the platform about mirrored goods now and writes what changed', async () => {
    const a = await add()
    const b = await add()
    h.emu.control.auditGoods(a.goodsId, 'reject')
    const reply = await h.call('refreshGoodsAudit', { after: a.goodsId - 1 })
    expect(reply).toMatchObject({ ok: true, data: { checked: 2, changed: [{ goodsId: a.goodsId, from: 1, to: 3 }], missing: [], next: null } })
    expect(mirror(a.goodsId)).toMatchObject({ auditStatus: 3, auditCheckedAt: expect.any(Date) })
    expect(mirror(b.goodsId)).toMatchObject({ auditStatus: 1 })
    const first = await h.call('refreshGoodsAudit', { limit: 1 })
    expect(first).toMatchObject({ ok: true, data: { checked: 1, next: expect.any(Number) } })
  })

  // Last: they spend today's budget; the clock then moves to the next Shanghai day.
  it('answers the platform\'s 300012 with no review left and when it resets, then refuses before the call', async () => {
    const used = 500 - (await budgetLeft())
    h.emu.control.setOptions({ reviewBudget: used })
    const reply = await h.call('goodsAdd', { goodsInfo: goodsInfo() })
    expect(reply).toMatchObject({ ok: false, error: { code: 'resource_exhausted', errcode: 300012, reviewBudgetLeft: 0, resetsAt: expect.any(String) } })
    const resetsAt = !reply.ok ? Date.parse(reply.error.resetsAt as string) : 0
    expect(shanghaiDay(resetsAt)).not.toBe(shanghaiDay(h.emu.clock.nowMs()))
    expect(shanghaiDay(resetsAt - 1)).toBe(shanghaiDay(h.emu.clock.nowMs()))
    expect(await h.call('reviewBudget', {})).toMatchObject({ ok: true, data: { left: 0, exhausted: true, used } })

    const calls = h.liveCalls()
    expect(await h.call('goodsAdd', { goodsInfo: goodsInfo() })).toMatchObject({ ok: false, error: { code: 'resource_exhausted', reviewBudgetLeft: 0 } })
    expect(h.liveCalls()).toBe(calls)

    h.emu.clock.set(Math.ceil(resetsAt / 1000) + 1)
    h.emu.control.setOptions({ reviewBudget: 500 })
    expect(await h.call('reviewBudget', {})).toMatchObject({ ok: true, data: { left: 500, used: 0, exhausted: false } })
  })

  it('refuses before the call when the ledger counts the day\'s 500 reviews spent', async () => {
    const day = shanghaiDay(h.emu.clock.nowMs())
    h.emu.engine.insert('live_api_ledger', [{ _id: day, day, calls: { goodsAdd: 300, goodsAudit: 200 } }])
    const calls = h.liveCalls()
    expect(await h.call('goodsAudit', { goodsId: 1 })).toMatchObject({ ok: false, error: { code: 'resource_exhausted', errcode: 300012, reviewBudgetLeft: 0 } })
    expect(h.liveCalls()).toBe(calls)
    expect(await h.call('reviewBudget', {})).toMatchObject({ ok: true, data: { left: 0, used: 500, exhausted: false } })
  })
})

describe("the mini-program's pages the build hands to the function", () => {
  it('reads app.json pages and subpackage pages under their root, and names a broken field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'app-json-'))
    const file = path.join(dir, 'app.json')
    writeFileSync(file, JSON.stringify({ pages: ['pages/home/index'], subpackages: [{ root: 'shop', pages: ['pages/goods/detail'] }] }))
    expect(miniProgramPages(file)).toEqual(['pages/home/index', 'shop/pages/goods/detail'])
    writeFileSync(file, JSON.stringify({ pages: ['pages/home/index'], subPackages: [{ root: '', pages: [] }] }))
    expect(() => miniProgramPages(file)).toThrow(/subpackages\.0\.root/)
    writeFileSync(file, JSON.stringify({ pages: 'pages/home/index' }))
    expect(() => miniProgramPages(file)).toThrow(/pages: must be an array/)
    rmSync(dir, { recursive: true, force: true })
    // the viewer's entry subpackage is a goods destination, the merchant's back office is not
    expect(miniProgramPages()).toEqual([...JSON.parse(readFileSync(APP_JSON, 'utf8')).pages, 'entry/pages/relay/index', 'entry/pages/goods/index'])
  })
})
