import { describe, expect, it } from 'vitest'
import {
  catalogue,
  endpointList,
  endpointsByCloudName,
  endpointAtPath,
} from '../src/live/catalogue'
import type { EndpointDef } from '../src/live/endpoint'
import {
  describeErrcode,
  isEmptyRoomList,
  isQuotaExhausted,
  isRetryable,
  isTokenExpired,
  LIVE_ERRCODES,
  LiveTransportError,
  WxApiError,
} from '../src/live/errors'
import { LiveStatus } from '../src/live/status'

/** The fixed table from the project brief: id, method, path, cloud name. */
const TABLE: ReadonlyArray<readonly [string, 'GET' | 'POST', string, string | null]> = [
  ['createRoom', 'POST', '/wxaapi/broadcast/room/create', 'liveBroadcast.createRoom'],
  ['getLiveInfo', 'POST', '/wxa/business/getliveinfo', 'liveBroadcast.getLiveInfo'],
  ['deleteRoom', 'POST', '/wxaapi/broadcast/room/deleteroom', 'liveBroadcast.deleteRoom'],
  ['importGoods', 'POST', '/wxaapi/broadcast/room/addgoods', 'liveBroadcast.addGoods'],
  ['editRoom', 'POST', '/wxaapi/broadcast/room/editroom', 'liveBroadcast.editRoom'],
  ['getPushUrl', 'GET', '/wxaapi/broadcast/room/getpushurl', 'liveBroadcast.getPushUrl'],
  ['getSharedCode', 'GET', '/wxaapi/broadcast/room/getsharedcode', 'liveBroadcast.getSharedCode'],
  ['addAssistant', 'POST', '/wxaapi/broadcast/room/addassistant', 'liveBroadcast.addAssistant'],
  ['modifyAssistant', 'POST', '/wxaapi/broadcast/room/modifyassistant', 'liveBroadcast.modifyAssistant'],
  ['removeAssistant', 'POST', '/wxaapi/broadcast/room/removeassistant', 'liveBroadcast.removeAssistant'],
  ['getAssistantList', 'GET', '/wxaapi/broadcast/room/getassistantlist', 'liveBroadcast.getAssistantList'],
  ['addSubAnchor', 'POST', '/wxaapi/broadcast/room/addsubanchor', 'liveBroadcast.addSubAnchor'],
  ['modifySubAnchor', 'POST', '/wxaapi/broadcast/room/modifysubanchor', 'liveBroadcast.modifySubAnchor'],
  ['deleteSubAnchor', 'POST', '/wxaapi/broadcast/room/deletesubanchor', 'liveBroadcast.deleteSubAnchor'],
  ['getSubAnchor', 'GET', '/wxaapi/broadcast/room/getsubanchor', 'liveBroadcast.getSubAnchor'],
  ['updateFeedPublic', 'POST', '/wxaapi/broadcast/room/updatefeedpublic', 'liveBroadcast.updateFeedPublic'],
  ['updateReplay', 'POST', '/wxaapi/broadcast/room/updatereplay', 'liveBroadcast.updateReplay'],
  ['updateKF', 'POST', '/wxaapi/broadcast/room/updatekf', 'liveBroadcast.updateKF'],
  ['updateComment', 'POST', '/wxaapi/broadcast/room/updatecomment', 'liveBroadcast.updateComment'],
  ['goodsSale', 'POST', '/wxaapi/broadcast/goods/onsale', 'liveBroadcast.goodsSale'],
  ['goodsDeleteInRoom', 'POST', '/wxaapi/broadcast/goods/deleteInRoom', 'liveBroadcast.goodsDelete'],
  ['goodsPush', 'POST', '/wxaapi/broadcast/goods/push', 'liveBroadcast.goodsPush'],
  ['goodsSort', 'POST', '/wxaapi/broadcast/goods/sort', 'liveBroadcast.goodsSort'],
  ['goodsVideo', 'POST', '/wxaapi/broadcast/goods/getVideo', 'liveBroadcast.goodsVideo'],
  ['setGoodsKey', 'POST', '/wxaapi/broadcast/goods/setkey', null],
  ['getGoodsKey', 'GET', '/wxaapi/broadcast/goods/getkey', null],
  ['goodsAdd', 'POST', '/wxaapi/broadcast/goods/add', 'liveBroadcast.goodsAdd'],
  ['goodsResetAudit', 'POST', '/wxaapi/broadcast/goods/resetaudit', 'liveBroadcast.goodsResetAudit'],
  ['goodsAudit', 'POST', '/wxaapi/broadcast/goods/audit', 'liveBroadcast.goodsAudit'],
  ['goodsDelete', 'POST', '/wxaapi/broadcast/goods/delete', null],
  ['goodsUpdate', 'POST', '/wxaapi/broadcast/goods/update', 'liveBroadcast.goodsUpdate'],
  ['goodsInfo', 'POST', '/wxa/business/getgoodswarehouse', 'liveBroadcast.goodsInfo'],
  ['goodsList', 'GET', '/wxaapi/broadcast/goods/getapproved', 'liveBroadcast.goodsList'],
  ['addRole', 'POST', '/wxaapi/broadcast/role/addrole', 'liveBroadcast.addRole'],
  ['deleteRole', 'POST', '/wxaapi/broadcast/role/deleterole', 'liveBroadcast.deleteRole'],
  ['getRoleList', 'GET', '/wxaapi/broadcast/role/getrolelist', 'liveBroadcast.getRoleList'],
  ['getFollowers', 'POST', '/wxa/business/get_wxa_followers', 'liveBroadcast.getFollowers'],
  ['pushMessage', 'POST', '/wxa/business/push_message', 'liveBroadcast.pushMessage'],
]

const QUOTAS: Record<string, number> = {
  setGoodsKey: 500,
  getGoodsKey: 500,
  goodsAdd: 500,
  goodsResetAudit: 500,
  goodsAudit: 500,
  goodsDelete: 1000,
  goodsUpdate: 1000,
  goodsInfo: 1000,
  goodsList: 10000,
  getFollowers: 5000,
  pushMessage: 5000,
  getLiveInfo: 100000,
}

/** Parses and returns the issue paths (dot-joined) of a failure, or [] on success. */
function issuePaths(e: EndpointDef, input: unknown): string[] {
  const r = e.request.safeParse(input)
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'))
}

describe('catalogue structure', () => {
  it('has the endpoints of the table, in order, with unique ids and paths (ignoring case)', () => {
    expect(endpointList.map((e) => [e.id, e.method, e.path, e.cloud])).toEqual(TABLE.map((r) => [...r]))
    expect(new Set(endpointList.map((e) => e.id)).size).toBe(TABLE.length)
    expect(new Set(endpointList.map((e) => e.path.toLowerCase())).size).toBe(TABLE.length)
    for (const [key, e] of Object.entries(catalogue)) expect(e.id).toBe(key)
  })

  it('names every cloud call liveBroadcast.x, once each, and exactly setkey, getkey and goods/delete have none', () => {
    const withoutCloud = endpointList.filter((e) => e.cloud === null).map((e) => e.id)
    expect(withoutCloud.sort()).toEqual(['getGoodsKey', 'goodsDelete', 'setGoodsKey'])
    const clouds = endpointList.flatMap((e) => (e.cloud === null ? [] : [e.cloud]))
    for (const cloud of clouds) expect(cloud).toMatch(/^liveBroadcast\.[a-zA-Z]+$/)
    expect(new Set(clouds).size).toBe(clouds.length)
  })

  it('carries the daily quotas, with goods add and audit sharing the review bucket', () => {
    for (const e of endpointList) expect([e.id, e.dailyQuota]).toEqual([e.id, QUOTAS[e.id] ?? 10000])
    const review = endpointList.filter((e) => e.quotaBucket === 'review').map((e) => e.id)
    expect(review.sort()).toEqual(['goodsAdd', 'goodsAudit'])
  })

  it('uses snake_case on the wire only where the docs do, and keeps the one camelCase key getgoodswarehouse sends', () => {
    const snake = endpointList.filter((e) => e.wireCase === 'snake').map((e) => e.id)
    expect(snake.sort()).toEqual(['getFollowers', 'getLiveInfo', 'goodsInfo', 'pushMessage'])
    expect(endpointList.filter((e) => e.camelOnWire).map((e) => [e.id, e.camelOnWire])).toEqual([['goodsInfo', ['thirdPartyAppid']]])
  })

  it('finds an endpoint by cloud name, and by HTTPS path whatever its case', () => {
    expect(endpointsByCloudName['liveBroadcast.addGoods'].id).toBe('importGoods')
    expect(endpointsByCloudName['liveBroadcast.goodsAdd'].id).toBe('goodsAdd')
    expect(endpointsByCloudName['liveBroadcast.goodsDelete'].id).toBe('goodsDeleteInRoom')
    expect(endpointAtPath('/wxa/business/getliveinfo')?.id).toBe('getLiveInfo')
    expect(endpointAtPath('/wxaapi/broadcast/goods/deleteInRoom')?.id).toBe('goodsDeleteInRoom')
    expect(endpointAtPath('/wxaapi/broadcast/goods/deleteinroom')?.id).toBe('goodsDeleteInRoom')
    expect(endpointAtPath('/nope')).toBeUndefined()
  })
})

describe('request schemas', () => {
  const createRoomExample = {
    name: '测试直播间',
    coverImg: 'hw7zsntcr0rE-RBfBAaF553DqBk-J02UtWsP8VqrUh3tKu3jO_JwEO8n1cWTJ5TN',
    startTime: 1588237130,
    endTime: 1588337130,
    anchorName: '测试主播',
    anchorWechat: 'test1234',
    subAnchorWechat: 'test4567',
    createrWechat: 'test7890',
    shareImg: 'hw7zsntcr0rE-RBfBAaF553DqBk-J02UtWsP8VqrUh3tKu3jO_JwEO8n1cWTJ5TN',
    feedsImg: 'hw7zsntcr0rE-RBfBAaF553DqBk-J02UtWsP8VqrUh3tKu3jO_JwEO8n1cWTJ5TN',
    isFeedsPublic: 1,
    type: 1,
    closeLike: 0,
    closeGoods: 0,
    closeComment: 0,
    closeReplay: 1,
    closeShare: 0,
    closeKf: 0,
  }

  it('accepts the documented createRoom example and names a bad switch', () => {
    expect(issuePaths(catalogue.createRoom, createRoomExample)).toEqual([])
    expect(issuePaths(catalogue.createRoom, { ...createRoomExample, closeLike: 2 })).toEqual(['closeLike'])
    const { anchorWechat: _omit, ...noAnchor } = createRoomExample
    expect(issuePaths(catalogue.createRoom, noAnchor)).toEqual(['anchorWechat'])
    expect(issuePaths(catalogue.createRoom, { ...createRoomExample, startTime: '1588237130' })).toEqual(['startTime'])
  })

  it('getLiveInfo: list mode, replay mode, and the limit cap', () => {
    expect(issuePaths(catalogue.getLiveInfo, { start: 0, limit: 100 })).toEqual([])
    expect(issuePaths(catalogue.getLiveInfo, { start: 0, limit: 100, action: 'get_replay', roomId: 3 })).toEqual([])
    expect(issuePaths(catalogue.getLiveInfo, { start: 0, limit: 101 })).toEqual(['limit'])
    expect(issuePaths(catalogue.getLiveInfo, { start: -1, limit: 10 })).toEqual(['start'])
    expect(issuePaths(catalogue.getLiveInfo, { start: 0, limit: 10, action: 'get_replay' })).toEqual(['roomId'])
    expect(issuePaths(catalogue.getLiveInfo, { start: 0, limit: 10, action: 'replay', roomId: 1 })).toEqual(['action'])
  })

  it('goods warehouse: price pairs, 2 decimals, and the 20-id cap', () => {
    const add = { goodsInfo: { coverImgUrl: 'media', name: 'TIT茶杯', priceType: 1, price: 99.5, url: 'pages/goods/index' } }
    expect(issuePaths(catalogue.goodsAdd, add)).toEqual([])
    expect(issuePaths(catalogue.goodsAdd, { goodsInfo: { ...add.goodsInfo, priceType: 2 } })).toEqual(['goodsInfo.price2'])
    expect(issuePaths(catalogue.goodsAdd, { goodsInfo: { ...add.goodsInfo, priceType: 3, price2: 80 } })).toEqual([])
    // The price pair rule of rules.ts: a range's upper bound above price, a discount below it.
    expect(issuePaths(catalogue.goodsAdd, { goodsInfo: { ...add.goodsInfo, priceType: 2, price2: 99.5 } })).toEqual(['goodsInfo.price2'])
    expect(issuePaths(catalogue.goodsAdd, { goodsInfo: { ...add.goodsInfo, priceType: 3, price2: 120 } })).toEqual(['goodsInfo.price2'])
    expect(issuePaths(catalogue.goodsAdd, { goodsInfo: { ...add.goodsInfo, price: 1.234 } })).toEqual(['goodsInfo.price'])
    expect(issuePaths(catalogue.goodsAdd, { goodsInfo: { ...add.goodsInfo, priceType: 4 } })).toEqual(['goodsInfo.priceType'])
    expect(issuePaths(catalogue.goodsUpdate, { goodsInfo: { goodsId: 9, price: 10 } })).toEqual([])
    expect(issuePaths(catalogue.goodsUpdate, { goodsInfo: { price: 10 } })).toEqual(['goodsInfo.goodsId'])
    const ids = Array.from({ length: 20 }, (_, i) => i + 1)
    expect(issuePaths(catalogue.goodsInfo, { goodsIds: ids })).toEqual([])
    expect(issuePaths(catalogue.goodsInfo, { goodsIds: [...ids, 21] })).toEqual(['goodsIds'])
    expect(issuePaths(catalogue.goodsList, { offset: 0, limit: 30, status: 2 })).toEqual([])
    expect(issuePaths(catalogue.goodsList, { offset: 0, status: 4 })).toEqual(['status'])
  })

  it('accepts both documented shapes where the docs disagree', () => {
    expect(issuePaths(catalogue.updateComment, { roomId: 1, banComment: 1 })).toEqual([])
    expect(issuePaths(catalogue.updateComment, { id: 1, banComment: 0 })).toEqual([])
    expect(issuePaths(catalogue.updateComment, { banComment: 0 })).toEqual(['roomId'])
    expect(issuePaths(catalogue.goodsSort, { roomId: 1, goods: [{ goodsId: '123' }, { goodsId: 234 }] })).toEqual([])
    expect(issuePaths(catalogue.goodsSort, { roomId: 1, goods: [{ goodsId: 'abc' }] })).toEqual(['goods.0.goodsId'])
  })

  it('members and subscribers: role values, list caps, 2000 openids', () => {
    expect(issuePaths(catalogue.addRole, { username: 'wx1', role: 2 })).toEqual([])
    expect(issuePaths(catalogue.addRole, { username: 'wx1', role: 0 })).toEqual(['role'])
    expect(issuePaths(catalogue.getRoleList, {})).toEqual([])
    expect(issuePaths(catalogue.getRoleList, { role: -1, offset: 0, limit: 31 })).toEqual(['limit'])
    expect(issuePaths(catalogue.getFollowers, { limit: 2001 })).toEqual(['limit'])
    const openids = Array.from({ length: 2000 }, (_, i) => `o${i}`)
    expect(issuePaths(catalogue.pushMessage, { roomId: 5, userOpenid: openids })).toEqual([])
    expect(issuePaths(catalogue.pushMessage, { roomId: 5, userOpenid: [...openids, 'x'] })).toEqual(['userOpenid'])
    expect(issuePaths(catalogue.addAssistant, { roomId: 5, users: [{ username: 'a', nickname: 'b' }] })).toEqual([])
    expect(issuePaths(catalogue.setGoodsKey, { goodsKey: 'productId' })).toEqual(['goodsKey'])
  })
})

describe('response schemas', () => {
  it('parses a camel-cased getLiveInfo reply, keeping unknown fields', () => {
    const reply = {
      total: 1,
      roomInfo: [
        {
          name: '直播房间名',
          roomid: 1,
          coverImg: 'http://mmbiz.qpic.cn/a',
          shareImg: 'http://mmbiz.qpic.cn/b',
          liveStatus: LiveStatus.live,
          startTime: 1568128900,
          endTime: 1568131200,
          anchorName: '李四',
          goods: [{ coverImg: 'http://x', url: 'pages/index/index', name: '茶杯', price: 1100, price2: 0, priceType: 1, goodsId: 256, thirdPartyAppid: '' }],
          liveType: 0,
          closeLike: 0,
          closeGoods: 0,
          closeComment: 0,
          closeKf: 0,
          closeReplay: 1,
          isFeedsPublic: 1,
          createrOpenid: 'o1',
          feedsImg: 'http://mmbiz.qpic.cn/c',
          anchorImg: 'later field',
        },
      ],
    }
    const out = catalogue.getLiveInfo.response.parse(reply)
    expect(out.roomInfo[0].roomid).toBe(1)
    expect(out.roomInfo[0].anchorImg).toBe('later field')
    expect(out.liveReplay).toEqual([])
  })

  it('rejects a room without roomid and names the path', () => {
    const r = catalogue.getLiveInfo.response.safeParse({
      total: 1,
      roomInfo: [{ name: 'x', coverImg: '', shareImg: '', liveStatus: LiveStatus.live, startTime: 1, endTime: 2, anchorName: 'a' }],
    })
    expect(r.success).toBe(false)
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['roomInfo.0.roomid'])
  })

  it('parses replays and getapproved goods', () => {
    const replay = catalogue.getLiveInfo.response.parse({
      total: 1,
      roomInfo: [],
      liveReplay: [{ expireTime: '2020-11-11T03:49:55Z', createTime: '2020-11-11T03:49:55Z', mediaUrl: 'http://x.m3u8' }],
    })
    expect(replay.liveReplay[0].mediaUrl).toBe('http://x.m3u8')
    const list = catalogue.goodsList.response.parse({
      goods: [{ goodsId: 1, coverImgUrl: 'u', name: 'n', price: 1, url: 'p', priceType: 1, thirdPartyTag: 2 }],
      total: 1,
    })
    expect(list.goods[0].goodsId).toBe(1)
  })
})

describe('errcodes and errors', () => {
  it('describes every code in the reference tables, and unknown ones by number', () => {
    for (const code of [-1, 40001, 42001, 45009, 48001, -604101, 300036, 9410000, 400005, 500005, 300053]) {
      expect(LIVE_ERRCODES[code], String(code)).toBeDefined()
    }
    expect(describeErrcode(300022).zh).toBe('直播间不存在')
    expect(describeErrcode(123456).en).toContain('123456')
    expect(describeErrcode(123456).zh).toContain('123456')
  })

  it('WxApiError carries the wire fields, the rid and both sentences', () => {
    const e = new WxApiError({
      errcode: 300022,
      errmsg: 'room not exist rid: 6412f0a1-2a3b4c5d-6e7f8091',
      endpointId: 'deleteRoom',
    })
    expect(e.rid).toBe('6412f0a1-2a3b4c5d-6e7f8091')
    expect(e.message).toContain('deleteRoom')
    expect(e.message).toContain('300022')
    expect(e.message).toContain('does not exist')
    expect(e.zh).toBe('直播间不存在')
  })

  it('classifies empty list, quota, token and retryable failures (also raw SDK errors)', () => {
    const mk = (errcode: number) => new WxApiError({ errcode, errmsg: '', endpointId: 'getLiveInfo' })
    expect(isEmptyRoomList(mk(9410000))).toBe(true)
    expect(isEmptyRoomList({ errCode: 9410000, errMsg: 'openapi.liveBroadcast.getLiveInfo:fail empty room list' })).toBe(true)
    expect(isEmptyRoomList(mk(-1))).toBe(false)
    expect(isQuotaExhausted(mk(45009))).toBe(true)
    expect(isRetryable(mk(45009))).toBe(false)
    expect(isRetryable(mk(-1))).toBe(true)
    expect(isRetryable(new LiveTransportError('x', 'http-status', 'HTTP 502', { httpStatus: 502 }))).toBe(true)
    expect(isRetryable(new LiveTransportError('x', 'not-json', 'bad'))).toBe(false)
    expect(isTokenExpired(mk(40001))).toBe(true)
    expect(isTokenExpired(mk(42001))).toBe(true)
    expect(isTokenExpired(mk(300022))).toBe(false)
    expect(isTokenExpired(new Error('plain'))).toBe(false)
  })
})
