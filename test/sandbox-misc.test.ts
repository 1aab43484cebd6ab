import { describe, expect, it } from 'vitest'
import { makeSandbox, type SandboxKit } from '../emulator/sandbox/testing'
import { SANDBOX_APPID, SANDBOX_SECRET } from '../emulator/sandbox/sandbox'
import { catalogue } from '../src/live/catalogue'
import { toCamelKeys } from '../src/live/case'
import { LiveStatus } from '../src/live/status'

async function roomId(kit: SandboxKit, overrides: Record<string, unknown> = {}): Promise<number> {
  const body = await kit.call('createRoom', kit.roomBody(overrides))
  expect(body.errcode).toBe(0)
  return body.roomId as number
}

describe('catalogue coverage and reply contract', () => {
  it('seeded replies, converted the way wx-server-sdk does, match the catalogue response schemas', async () => {
    const kit = makeSandbox()
    const seed = kit.control.seedDemo()
    const live = seed.rooms.live
    const calls: [keyof typeof catalogue, Record<string, unknown>][] = [
      ['getLiveInfo', { start: 0, limit: 100 }],
      ['getLiveInfo', { start: 0, limit: 10, action: 'get_replay', room_id: seed.rooms.endedTwoSegments }],
      ['getPushUrl', { roomId: live }],
      ['getSharedCode', { roomId: live }],
      ['getAssistantList', { roomId: live }],
      ['getSubAnchor', { roomId: live }],
      ['getGoodsKey', {}],
      ['goodsInfo', { goods_ids: [...seed.goods.approved, seed.goods.underReview] }],
      ['goodsList', { offset: 0, status: 2 }],
      ['getRoleList', { role: -1 }],
      ['getFollowers', { limit: 10 }],
      ['pushMessage', { room_id: live, user_openid: ['oViewer1'] }],
      ['goodsAdd', { goodsInfo: { coverImgUrl: kit.image(), name: '新茶', priceType: 1, price: 9.9, url: 'pages/a/b' } }],
    ]
    for (const [id, params] of calls) {
      const body = await kit.call(id, params)
      expect(body.errcode, `${id}: ${String(body.errmsg)}`).toBe(0)
      const parsed = catalogue[id].response.safeParse(toCamelKeys(body))
      expect(parsed.success, `${id}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`).toBe(true)
    }
    const info = await kit.call('getLiveInfo', { start: 0, limit: 100 })
    const statuses = (info.room_info as { live_status: number }[]).map((r) => r.live_status).sort()
    expect(statuses).toEqual([LiveStatus.live, LiveStatus.upcoming, LiveStatus.ended, LiveStatus.ended, LiveStatus.ended, LiveStatus.banned, LiveStatus.paused, LiveStatus.expired])
  })
})

describe('roles', () => {
  it('caps admins at 10 (400003), refuses duplicates (400004) and unverified anchors (400002)', async () => {
    const kit = makeSandbox()
    for (let i = 0; i < 10; i++) expect((await kit.call('addRole', { username: `admin_user${i}`, role: 1 })).errcode).toBe(0)
    expect((await kit.call('addRole', { username: 'admin_user10', role: 1 })).errcode).toBe(400003)
    expect((await kit.call('addRole', { username: 'admin_user0', role: 1 })).errcode).toBe(400004)
    expect((await kit.call('addRole', { username: 'admin_user0', role: 3 })).errcode).toBe(0)
    kit.control.setUserVerified('new_anchor1', false)
    const body = await kit.call('addRole', { username: 'new_anchor1', role: 2 })
    expect(body.errcode).toBe(400002)
    expect(body.codeurl).toBeTypeOf('string')
    expect((await kit.call('addRole', { username: '1bad', role: 1 })).errcode).toBe(400001)
  })

  it('lists masked usernames with role filter and limit; super admin exists by default', async () => {
    const kit = makeSandbox()
    const all = await kit.call('getRoleList', {}, 'https')
    expect(all.total).toBe(1)
    expect(all.list).toEqual([expect.objectContaining({ roleList: [0], username: 'me****er' })])
    for (let i = 0; i < 35; i++) await kit.call('addRole', { username: `operator_${i}x`, role: 3 })
    const page = await kit.call('getRoleList', { role: '3', offset: '0', limit: '30' }, 'https')
    expect(page.total).toBe(35)
    expect((page.list as unknown[]).length).toBe(30)
    expect((await kit.call('getRoleList', { role: 3, limit: 31 })).errcode).toBe(200002)
  })

  it('cannot remove an anchor who still has a room that has not started (400005)', async () => {
    const kit = makeSandbox()
    await kit.call('addRole', { username: 'anchor_xiaomei', role: 2 })
    const id = await roomId(kit)
    expect((await kit.call('deleteRole', { username: 'anchor_xiaomei', role: 2 })).errcode).toBe(400005)
    kit.control.roomEvent(id, 'start')
    expect((await kit.call('deleteRole', { username: 'anchor_xiaomei', role: 2 })).errcode).toBe(0)
  })
})

describe('subscribers', () => {
  it('pages followers with page_break', async () => {
    const kit = makeSandbox()
    const id = await roomId(kit)
    for (let i = 0; i < 5; i++) kit.control.addFollower({ openid: `oFan${i}`, roomId: id })
    const p1 = await kit.call('getFollowers', { limit: 3 })
    expect((p1.followers as { openid: string }[]).map((f) => f.openid)).toEqual(['oFan0', 'oFan1', 'oFan2'])
    const p2 = await kit.call('getFollowers', { limit: 3, page_break: p1.page_break })
    expect((p2.followers as { openid: string; room_status: number }[]).map((f) => f.openid)).toEqual(['oFan3', 'oFan4'])
    expect((p2.followers as { room_status: number }[])[0].room_status).toBe(LiveStatus.upcoming)
  })

  it('pushes only live rooms (9410006), one room per Shanghai day (9410005), and records messages', async () => {
    const kit = makeSandbox()
    const a = await roomId(kit)
    const b = await roomId(kit)
    expect((await kit.call('pushMessage', { room_id: a, user_openid: ['o1'] })).errcode).toBe(9410006)
    kit.control.roomEvent(a, 'start')
    kit.control.roomEvent(b, 'start')
    const first = await kit.call('pushMessage', { room_id: a, user_openid: ['o1', 'o2'] })
    expect(first.errcode).toBe(0)
    expect(first.message_id).toBeDefined()
    expect((await kit.call('pushMessage', { roomId: b, userOpenid: ['o1'] })).errcode).toBe(9410005)
    kit.clock.advance(16 * 3600) // next Shanghai midnight
    expect((await kit.call('pushMessage', { room_id: b, user_openid: ['o3'] })).errcode).toBe(0)
    expect(kit.control.pushedMessages().map((m) => [m.roomId, m.openids])).toEqual([
      [a, ['o1', 'o2']],
      [b, ['o3']],
    ])
  })
})

describe('daily quotas', () => {
  it('answers 45009 past the quota and resets on the next Shanghai day', async () => {
    const kit = makeSandbox({ quotas: { getLiveInfo: 2 } })
    await kit.call('getLiveInfo', { start: 0, limit: 1 })
    await kit.call('getLiveInfo', { start: 0, limit: 1 })
    const over = await kit.call('getLiveInfo', { start: 0, limit: 1 })
    expect(over.errcode).toBe(45009)
    expect(over.errmsg).toMatch(/^reach max api daily quota limit rid: /)
    kit.clock.advance(16 * 3600 - 1)
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(45009)
    kit.clock.advance(1)
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(9410000)
  })

  it('goodsAdd and goodsAudit share the review bucket', async () => {
    const kit = makeSandbox({ quotas: { review: 2 } })
    const add = () => kit.call('goodsAdd', { goodsInfo: { coverImgUrl: kit.image(), name: '茶', priceType: 1, price: 1, url: 'pages/a/b' } })
    const { goodsId } = (await add()) as { goodsId: number }
    expect((await kit.call('goodsAudit', { goodsId })).errcode).toBe(300010)
    expect((await add()).errcode).toBe(45009)
    expect((await kit.call('goodsAudit', { goodsId })).errcode).toBe(45009)
  })
})

describe('faults', () => {
  it('errcode faults answer that WeChat error for the next `times` calls, then normal service', async () => {
    const kit = makeSandbox()
    kit.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 2, errcode: -1 })
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(-1)
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(-1)
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(9410000)
  })

  it('httpStatus and malformed faults return raw bodies; faulted calls are still logged', async () => {
    const kit = makeSandbox()
    kit.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, httpStatus: 502 })
    kit.control.addFault({ api: '/wxaapi/broadcast/goods/setkey', times: 1, malformed: true })
    const r1 = await kit.sandbox.callApi({ endpointId: 'getLiveInfo', params: { start: 0, limit: 1 }, via: 'cloud' })
    expect(r1.httpStatus).toBe(502)
    expect(r1.rawBody).toBeTypeOf('string')
    const r2 = await kit.sandbox.callApi({ endpointId: 'setGoodsKey', params: { goodsKey: ['a'] }, via: 'https' })
    expect(r2.httpStatus).toBe(200)
    expect(() => JSON.parse(r2.rawBody!)).toThrow()
    expect(kit.sandbox.state.vendorGoodsKey).toEqual([])
    expect(kit.control.calls()).toEqual({ '2026-01-01': { 'liveBroadcast.getLiveInfo': 1, '/wxaapi/broadcast/goods/setkey': 1 } })
  })

  it('delay faults still answer normally', async () => {
    const kit = makeSandbox()
    kit.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, delayMs: 5 })
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(9410000)
  })

  it('rejects bad fault specs with a 400 naming the field', () => {
    const kit = makeSandbox()
    expect(() => kit.control.addFault({ api: 'liveBroadcast.nope', times: 1, errcode: -1 })).toThrow(expect.objectContaining({ status: 400, field: 'api' }))
    expect(() => kit.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 0, errcode: -1 })).toThrow(expect.objectContaining({ status: 400, field: 'times' }))
    expect(() => kit.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1 })).toThrow(expect.objectContaining({ status: 400 }))
  })
})

describe('access tokens', () => {
  it('checks the secret, expires after 7200 s and tells missing / unknown / expired apart', () => {
    const kit = makeSandbox()
    expect(kit.sandbox.issueAccessToken({ appid: SANDBOX_APPID, secret: 'wrong' }).errcode).toBe(40125)
    const body = kit.sandbox.issueAccessToken({ appid: SANDBOX_APPID, secret: SANDBOX_SECRET })
    expect(body.expires_in).toBe(7200)
    const token = String(body.access_token)
    expect(kit.sandbox.checkAccessToken(token)).toBe(0)
    expect(kit.sandbox.checkAccessToken('')).toBe(41001)
    expect(kit.sandbox.checkAccessToken('made-up')).toBe(40001)
    kit.clock.advance(7199)
    expect(kit.sandbox.checkAccessToken(token)).toBe(0)
    kit.clock.advance(1)
    expect(kit.sandbox.checkAccessToken(token)).toBe(42001)
  })

  it('stable_token returns the same token until expiry unless force_refresh', () => {
    const kit = makeSandbox()
    const req = { appid: SANDBOX_APPID, secret: SANDBOX_SECRET, stable: true }
    const a = kit.sandbox.issueAccessToken(req)
    kit.clock.advance(100)
    const b = kit.sandbox.issueAccessToken(req)
    expect(b.access_token).toBe(a.access_token)
    expect(b.expires_in).toBe(7100)
    const c = kit.sandbox.issueAccessToken({ ...req, forceRefresh: true })
    expect(c.access_token).not.toBe(a.access_token)
    kit.clock.advance(7200)
    expect(kit.sandbox.checkAccessToken(String(c.access_token))).toBe(42001)
    expect(kit.sandbox.issueAccessToken(req).access_token).not.toBe(c.access_token)
  })

  it('a plain token superseded by a new one stops working after 5 minutes', () => {
    const kit = makeSandbox()
    const old = String(kit.sandbox.issueAccessToken({ appid: SANDBOX_APPID, secret: SANDBOX_SECRET }).access_token)
    kit.sandbox.issueAccessToken({ appid: SANDBOX_APPID, secret: SANDBOX_SECRET })
    kit.clock.advance(299)
    expect(kit.sandbox.checkAccessToken(old)).toBe(0)
    kit.clock.advance(1)
    expect(kit.sandbox.checkAccessToken(old)).toBe(40001)
  })
})

describe('temporary media', () => {
  it('returns type/media_id/created_at, rejects unknown types, and expires ids after 3 days', () => {
    const kit = makeSandbox()
    const body = kit.sandbox.uploadMedia({ type: 'image', bytes: Buffer.from('png'), filename: 'a.png' })
    expect(body).toEqual({ type: 'image', media_id: expect.any(String), created_at: kit.clock.nowSeconds() })
    expect(kit.sandbox.uploadMedia({ type: 'gif', bytes: Buffer.from('x'), filename: 'a.gif' }).errcode).toBe(40004)
    const id = String(body.media_id)
    kit.clock.advance(3 * 86400 - 1)
    expect(kit.sandbox.media(id)).toBeDefined()
    kit.clock.advance(1)
    expect(kit.sandbox.media(id)).toBeUndefined()
  })
})

describe('control API input checks', () => {
  it('createRoom allows past history but still applies name rules; reset empties the account', async () => {
    const kit = makeSandbox()
    const now = kit.clock.nowSeconds()
    expect(() => kit.control.createRoom({ name: 'ab', anchorName: '小美', anchorWechat: 'anchor_xiaomei', startTime: now - 10, endTime: now + 3600 })).toThrow(
      expect.objectContaining({ status: 400 }),
    )
    expect(() => kit.control.createRoom({ name: '过去的直播', anchorName: '小美', anchorWechat: 'anchor_xiaomei', startTime: 'x', endTime: now })).toThrow(
      expect.objectContaining({ status: 400, field: 'startTime' }),
    )
    const r = kit.control.createRoom({ name: '过去的直播', anchorName: '小美', anchorWechat: 'anchor_xiaomei', startTime: now - 7200, endTime: now - 3600 })
    expect(r.liveStatus).toBe(LiveStatus.expired)
    expect(() => kit.control.deleteRoom(999)).toThrow(expect.objectContaining({ status: 404 }))
    kit.control.reset()
    expect((await kit.call('getLiveInfo', { start: 0, limit: 1 })).errcode).toBe(9410000)
  })
})
