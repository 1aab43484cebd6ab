import { describe, expect, it } from 'vitest'
import { latestRoomStart } from '../src/live/rules'
import { makeSandbox } from '../emulator/sandbox/testing'
import { SandboxControlError } from '../emulator/sandbox/errors'
import { LiveStatus } from '../src/live/status'

async function createdRoomId(kit: ReturnType<typeof makeSandbox>, overrides: Record<string, unknown> = {}): Promise<number> {
  const body = await kit.call('createRoom', kit.roomBody(overrides))
  expect(body.errcode).toBe(0)
  return body.roomId as number
}

describe('createRoom time window', () => {
  it('accepts start exactly 10 minutes ahead and rejects one second less', async () => {
    const kit = makeSandbox()
    const now = kit.clock.nowSeconds()
    expect((await kit.call('createRoom', kit.roomBody({ startTime: now + 600, endTime: now + 600 + 1800 }))).errcode).toBe(0)
    const bad = await kit.call('createRoom', kit.roomBody({ startTime: now + 599, endTime: now + 599 + 1800 }))
    expect(bad.errcode).toBe(200002)
    expect(bad.errmsg).toMatch(/^startTime: .* rid: \w{8}-\w{8}-\w{8}$/)
  })

  it('accepts the 6-month horizon exactly and rejects one second beyond', async () => {
    const kit = makeSandbox()
    const last = latestRoomStart(kit.clock.nowSeconds())
    expect((await kit.call('createRoom', kit.roomBody({ startTime: last, endTime: last + 3600 }))).errcode).toBe(0)
    expect((await kit.call('createRoom', kit.roomBody({ startTime: last + 1, endTime: last + 3601 }))).errcode).toBe(200002)
  })

  it('bounds the duration to 30 min … 24 h inclusive', async () => {
    const kit = makeSandbox()
    const s = kit.clock.nowSeconds() + 3600
    const codes = []
    for (const d of [1799, 1800, 86400, 86401]) codes.push((await kit.call('createRoom', kit.roomBody({ startTime: s, endTime: s + d }))).errcode)
    expect(codes).toEqual([200002, 0, 0, 200002])
  })
})

describe('createRoom names count one CJK character as 2', () => {
  it('room name: 3 CJK (6) ok, 5 units too short, 17 CJK ok, 35 units too long', async () => {
    const kit = makeSandbox()
    const codes = []
    for (const name of ['一二三', '一二a', '一'.repeat(17), '一'.repeat(17) + 'a']) {
      codes.push((await kit.call('createRoom', kit.roomBody({ name }))).errcode)
    }
    expect(codes).toEqual([0, 300002, 0, 300002])
  })

  it('anchor name: 2 CJK ok, 3 units too short, 15 CJK ok, 31 units too long', async () => {
    const kit = makeSandbox()
    const codes = []
    for (const anchorName of ['小美', '小a', '一'.repeat(15), '一'.repeat(15) + 'x']) {
      codes.push((await kit.call('createRoom', kit.roomBody({ anchorName }))).errcode)
    }
    expect(codes).toEqual([0, 300034, 0, 300034])
  })
})

describe('createRoom media, anchors and ids', () => {
  it('rejects unknown and expired (3 days) media per image field', async () => {
    const kit = makeSandbox()
    expect((await kit.call('createRoom', kit.roomBody({ coverImg: 'nope' }))).errcode).toBe(300031)
    expect((await kit.call('createRoom', kit.roomBody({ shareImg: 'nope' }))).errcode).toBe(300032)
    expect((await kit.call('createRoom', kit.roomBody({ feedsImg: 'nope' }))).errcode).toBe(300037)
    const cover = kit.image()
    kit.clock.advance(3 * 24 * 3600 - 1)
    expect((await kit.call('createRoom', kit.roomBody({ coverImg: cover }))).errcode).toBe(0)
    kit.clock.advance(1)
    expect((await kit.call('createRoom', kit.roomBody({ coverImg: cover }))).errcode).toBe(300031)
  })

  it('rejects a cover over 2 MB', async () => {
    const kit = makeSandbox()
    expect((await kit.call('createRoom', kit.roomBody({ coverImg: kit.image(2 * 1024 * 1024 + 1) }))).errcode).toBe(300031)
  })

  it('answers 300036 with qrcode_url for an unverified anchor, 300039 for a bad sub-anchor', async () => {
    const kit = makeSandbox()
    kit.control.setUserVerified('anchor_xiaomei', false)
    const body = await kit.call('createRoom', kit.roomBody())
    expect(body.errcode).toBe(300036)
    expect(typeof body.qrcode_url).toBe('string')
    kit.control.setUserVerified('anchor_xiaomei', true)
    kit.control.setUserVerified('sub_anchor01', false)
    expect((await kit.call('createRoom', kit.roomBody({ subAnchorWechat: 'sub_anchor01' }))).errcode).toBe(300039)
    expect((await kit.call('createRoom', kit.roomBody({ subAnchorWechat: 'anchor_xiaomei' }))).errcode).toBe(300039)
  })

  it('hands out increasing room ids and accepts snake_case params as cloud call sends them', async () => {
    const kit = makeSandbox()
    const a = await createdRoomId(kit)
    const camel = kit.roomBody()
    const snake: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(camel)) snake[k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())] = v
    expect(snake).toHaveProperty('cover_img')
    const body = await kit.call('createRoom', snake)
    expect(body.errcode).toBe(0)
    expect(body.roomId).toBeGreaterThan(a)
  })

  it('names the failing field for schema errors', async () => {
    const kit = makeSandbox()
    const body = await kit.call('createRoom', kit.roomBody({ startTime: 'soon' }))
    expect(body.errcode).toBe(200002)
    expect(body.errmsg).toContain('startTime')
  })
})

describe('room life cycle on the sandbox clock', () => {
  async function status(kit: ReturnType<typeof makeSandbox>, roomId: number): Promise<number> {
    const rows = (await kit.call('getLiveInfo', { start: 0, limit: 100 })).room_info as { roomid: number; live_status: number }[]
    return rows.find((r) => r.roomid === roomId)!.live_status
  }

  it('upcoming → start live → pause paused → resume live → end ended', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    expect(await status(kit, id)).toBe(LiveStatus.upcoming)
    kit.clock.advance(3600)
    for (const [event, expected] of [['start', LiveStatus.live], ['pause', LiveStatus.paused], ['resume', LiveStatus.live], ['end', LiveStatus.ended]] as const) {
      expect(kit.control.roomEvent(id, event).liveStatus).toBe(expected)
      expect(await status(kit, id)).toBe(expected)
    }
  })

  it('abnormal recovers to live within 15 min, and becomes ended at exactly 15 min', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    kit.control.roomEvent(id, 'start')
    kit.control.roomEvent(id, 'abnormal')
    kit.clock.advance(899)
    expect(await status(kit, id)).toBe(LiveStatus.abnormal)
    kit.control.roomEvent(id, 'recover')
    expect(await status(kit, id)).toBe(LiveStatus.live)
    kit.control.roomEvent(id, 'abnormal')
    kit.clock.advance(900)
    expect(await status(kit, id)).toBe(LiveStatus.ended)
    expect(() => kit.control.roomEvent(id, 'recover')).toThrow(/has status \d+ \(ended\)/)
  })

  it('a room never started turns expired when its end_time passes, and cannot start', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    const end = kit.clock.nowSeconds() + 3 * 3600
    kit.clock.set(end - 1)
    expect(await status(kit, id)).toBe(LiveStatus.upcoming)
    kit.clock.set(end)
    expect(await status(kit, id)).toBe(LiveStatus.expired)
    try {
      kit.control.roomEvent(id, 'start')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(SandboxControlError)
      expect((e as SandboxControlError).status).toBe(400)
      expect((e as Error).message).toContain('(expired)')
    }
  })

  it('ban gives banned; unknown rooms are 404 and unknown events 400', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    kit.control.roomEvent(id, 'ban')
    expect(await status(kit, id)).toBe(LiveStatus.banned)
    expect(() => kit.control.roomEvent(999, 'start')).toThrow(expect.objectContaining({ status: 404 }))
    expect(() => kit.control.roomEvent(id, 'explode')).toThrow(expect.objectContaining({ status: 400 }))
  })

  it('only rooms that have not started can be edited; live rooms cannot be deleted', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    const edit = { ...kit.roomBody({ name: '改过名字的直播间' }), id }
    delete (edit as Record<string, unknown>).type
    expect((await kit.call('editRoom', edit)).errcode).toBe(0)
    expect(kit.sandbox.truth().rooms[0].name).toBe('改过名字的直播间')
    kit.control.roomEvent(id, 'start')
    expect((await kit.call('editRoom', edit)).errcode).toBe(300023)
    expect((await kit.call('deleteRoom', { id })).errcode).toBe(300023)
    kit.control.roomEvent(id, 'end')
    expect((await kit.call('deleteRoom', { id })).errcode).toBe(0)
    expect((await kit.call('deleteRoom', { id })).errcode).toBe(300022)
  })
})

describe('getLiveInfo list mode', () => {
  it('answers 9410000 with empty arrays when there are no rooms', async () => {
    const kit = makeSandbox()
    const body = await kit.call('getLiveInfo', { start: 0, limit: 10 })
    expect(body.errcode).toBe(9410000)
    expect(body.errmsg).toMatch(/^empty room list/)
    expect(body.room_info).toEqual([])
    expect(body.live_replay).toEqual([])
  })

  it('lists newest start_time first and pages with start/limit and total', async () => {
    const kit = makeSandbox()
    const now = kit.clock.nowSeconds()
    const offsets = [5, 2, 9, 1, 7]
    for (const h of offsets) await createdRoomId(kit, { startTime: now + h * 3600, endTime: now + h * 3600 + 3600 })
    const page1 = await kit.call('getLiveInfo', { start: 0, limit: 2 })
    const page2 = await kit.call('getLiveInfo', { start: 2, limit: 2 })
    const page3 = await kit.call('getLiveInfo', { start: 4, limit: 2 })
    expect(page1.total).toBe(5)
    const starts = [page1, page2, page3].flatMap((p) => (p.room_info as { start_time: number }[]).map((r) => r.start_time))
    expect(starts).toEqual([...offsets].sort((a, b) => b - a).map((h) => now + h * 3600))
  })

  it('caps a page at listPageCap whatever limit asks', async () => {
    const kit = makeSandbox({ listPageCap: 3 })
    for (let i = 0; i < 5; i++) await createdRoomId(kit)
    const body = await kit.call('getLiveInfo', { start: 0, limit: 100 })
    expect((body.room_info as unknown[]).length).toBe(3)
    expect(body.total).toBe(5)
  })

  it('lists room goods with prices in fen', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    const { goodsId } = kit.control.createGoods({ name: '蜂蜜', priceType: 2, price: 39.9, price2: 59.9, url: 'pages/goods/detail' })
    expect((await kit.call('importGoods', { ids: [goodsId], roomId: id })).errcode).toBe(0)
    const room = ((await kit.call('getLiveInfo', { start: 0, limit: 1 })).room_info as Record<string, unknown>[])[0]
    expect(room.goods).toEqual([expect.objectContaining({ goods_id: goodsId, price: 3990, price2: 5990, price_type: 2 })])
  })

  it('stays correct when paging 20,000 rooms', async () => {
    const kit = makeSandbox()
    const now = kit.clock.nowSeconds()
    for (let i = 0; i < 20000; i++) {
      kit.control.createRoom({ name: '压测直播间', anchorName: '小美', anchorWechat: 'anchor_xiaomei', startTime: now - i * 60, endTime: now - i * 60 + 3600 })
    }
    let seen = 0
    let last = Infinity
    for (let start = 0; ; start += 100) {
      const body = await kit.call('getLiveInfo', { start, limit: 100 })
      const rows = body.room_info as { start_time: number }[]
      if (rows.length === 0) break
      for (const r of rows) {
        expect(r.start_time).toBeLessThanOrEqual(last)
        last = r.start_time
      }
      seen += rows.length
    }
    expect(seen).toBe(20000)
  })
})

describe('getLiveInfo replay mode', () => {
  async function replays(kit: ReturnType<typeof makeSandbox>, roomId: number) {
    const body = await kit.call('getLiveInfo', { start: 0, limit: 10, action: 'get_replay', room_id: roomId })
    expect(body.errcode).toBe(0)
    expect(body.room_info).toEqual([])
    return body.live_replay as { create_time: string; expire_time: string; media_url: string }[]
  }

  it('shows nothing until the room ended and the delay passed, then the segments until they expire', async () => {
    const kit = makeSandbox({ replayDelaySeconds: 600, replayTtlSeconds: 7 * 86400 })
    const id = await createdRoomId(kit, { closeReplay: 0 })
    kit.control.roomEvent(id, 'start')
    expect(await replays(kit, id)).toEqual([])
    kit.control.roomEvent(id, 'end')
    kit.clock.advance(599)
    expect(await replays(kit, id)).toEqual([])
    kit.clock.advance(1)
    const list = await replays(kit, id)
    expect(list).toHaveLength(1)
    expect(list[0].media_url).toMatch(/\.m3u8$/)
    expect(Date.parse(list[0].expire_time) - Date.parse(list[0].create_time)).toBe(7 * 86400 * 1000)
    kit.clock.advance(7 * 86400)
    expect(await replays(kit, id)).toEqual([])
  })

  it('produces several segments when the room asks for them', async () => {
    const kit = makeSandbox()
    const now = kit.clock.nowSeconds()
    const { roomId } = kit.control.createRoom({
      name: '断线重连的品茶夜', anchorName: '小美', anchorWechat: 'anchor_xiaomei', closeReplay: 0, replaySegments: 2,
      startTime: now - 7200, endTime: now, history: [{ event: 'start', at: now - 7200 }, { event: 'end', at: now - 3600 }],
    })
    const list = await replays(kit, roomId)
    expect(list).toHaveLength(2)
    expect(new Set(list.map((r) => r.media_url)).size).toBe(2)
  })

  it('hides replays while close_replay is 1', async () => {
    const kit = makeSandbox()
    const id = await createdRoomId(kit)
    kit.control.roomEvent(id, 'start')
    kit.control.roomEvent(id, 'end')
    kit.clock.advance(3600)
    expect(await replays(kit, id)).toEqual([])
    expect((await kit.call('updateReplay', { roomId: id, closeReplay: 0 })).errcode).toBe(0)
    expect(await replays(kit, id)).toHaveLength(1)
  })
})

describe('room side endpoints', () => {
  it('share code points at the plugin page; push URL only for push rooms', async () => {
    const kit = makeSandbox()
    const phone = await createdRoomId(kit)
    const push = await createdRoomId(kit, { type: 1 })
    const code = await kit.call('getSharedCode', { roomId: String(phone) }, 'https')
    expect(code.pagePath).toBe(`plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin?room_id=${phone}`)
    expect(code.cdnUrl).toBeTypeOf('string')
    expect((await kit.call('getPushUrl', { roomId: phone })).errcode).toBe(300023)
    expect((await kit.call('getPushUrl', { roomId: push })).pushAddr).toMatch(/^rtmp:\/\//)
    expect((await kit.call('getPushUrl', { roomId: 404 })).errcode).toBe(300022)
  })

  it('caps assistants at 10 per room', async () => {
    const kit = makeSandbox()
    const roomId = await createdRoomId(kit)
    const users = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ username: `helper_${from + i}x`, nickname: `助手${from + i}` }))
    expect((await kit.call('addAssistant', { roomId, users: users(0, 6) })).errcode).toBe(0)
    expect((await kit.call('addAssistant', { roomId, users: users(6, 5) })).errcode).toBe(200002)
    expect((await kit.call('addAssistant', { roomId, users: users(6, 4) })).errcode).toBe(0)
    const list = await kit.call('getAssistantList', { roomId })
    expect(list).toMatchObject({ count: 10, maxCount: 10 })
    expect((await kit.call('removeAssistant', { roomId, username: 'helper_0x' })).errcode).toBe(0)
    expect((await kit.call('getAssistantList', { roomId })).count).toBe(9)
  })

  it('sub-anchor rules 500005 / 500004 / 500002', async () => {
    const kit = makeSandbox()
    const roomId = await createdRoomId(kit)
    expect((await kit.call('addSubAnchor', { roomId, username: 'anchor_xiaomei' })).errcode).toBe(500005)
    expect((await kit.call('addSubAnchor', { roomId, username: 'sub_anchor01' })).errcode).toBe(0)
    expect((await kit.call('addSubAnchor', { roomId, username: 'sub_anchor01' })).errcode).toBe(500004)
    kit.control.setUserVerified('sub_anchor02', false)
    expect((await kit.call('modifySubAnchor', { roomId, username: 'sub_anchor02' })).errcode).toBe(500002)
    expect((await kit.call('getSubAnchor', { roomId })).username).toBe('sub_anchor01')
  })

  it('updateComment accepts id or roomId', async () => {
    const kit = makeSandbox()
    const roomId = await createdRoomId(kit)
    expect((await kit.call('updateComment', { id: roomId, banComment: 1 })).errcode).toBe(0)
    expect(kit.sandbox.truth().rooms[0].banComment).toBe(1)
    expect((await kit.call('updateComment', { roomId, banComment: 0 })).errcode).toBe(0)
    expect(kit.sandbox.truth().rooms[0].banComment).toBe(0)
  })
})
