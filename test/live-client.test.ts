import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { catalogue } from '../src/live/catalogue'
import type { EndpointDef } from '../src/live/endpoint'
import { createLiveApi, type CallOutcome, type LiveTransport } from '../src/live/client'
import { LiveParamsError, LiveReplyError, LiveTransportError, WxApiError } from '../src/live/errors'
import { toCamelKeys, toSnakeKeys } from '../src/live/case'
import { createOpenApiTransport } from '../src/cloud/openapi-transport'
import { createRoutingTransport } from '../src/cloud/routing-transport'
import { paramsFromQuery } from '../src/live/query'
import { unverifiedAnchorRoom } from './live-fixtures'
import { LiveStatus } from '../src/live/status'

interface Sent {
  endpoint: EndpointDef
  params: Record<string, unknown>
}

/** A transport that records what it was asked and answers from a script. */
function scripted(answer: (endpoint: EndpointDef, params: Record<string, unknown>) => unknown) {
  const sent: Sent[] = []
  const transport: LiveTransport = {
    async call(endpoint, params) {
      sent.push({ endpoint, params })
      return answer(endpoint, params)
    },
  }
  return { transport, sent }
}

describe('LiveApi types', () => {
  it('takes each schema input and returns each schema output', () => {
    const api = createLiveApi(scripted(() => ({})).transport)
    expectTypeOf<Parameters<typeof api.createRoom>[0]>().toEqualTypeOf<z.input<typeof catalogue.createRoom.request>>()
    expectTypeOf<Awaited<ReturnType<typeof api.createRoom>>>().toEqualTypeOf<
      z.output<typeof catalogue.createRoom.response>
    >()
    expectTypeOf<Awaited<ReturnType<typeof api.getLiveInfo>>['roomInfo'][number]['roomid']>().toEqualTypeOf<number>()
    // All-optional params may be omitted.
    expectTypeOf(api.getGoodsKey).toBeCallableWith()
    expectTypeOf(api.getLiveInfo).parameter(0).toEqualTypeOf<z.input<typeof catalogue.getLiveInfo.request>>()
  })
})

describe('createLiveApi', () => {
  it('sends validated camelCase params and returns the checked reply with defaults', async () => {
    const { transport, sent } = scripted(() => ({ total: 0, roomInfo: [] }))
    const api = createLiveApi(transport)
    const out = await api.getLiveInfo({ start: 0, limit: 100 })
    expect(out).toEqual({ total: 0, roomInfo: [], liveReplay: [] })
    expect(sent).toHaveLength(1)
    expect(sent[0].endpoint).toBe(catalogue.getLiveInfo)
    expect(sent[0].params).toEqual({ start: 0, limit: 100 })
  })

  it('rejects bad params before sending, naming the field and rule', async () => {
    const { transport, sent } = scripted(() => ({}))
    const api = createLiveApi(transport)
    const err = await api.getLiveInfo({ start: 0, limit: 101 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LiveParamsError)
    expect((err as LiveParamsError).message).toMatch(/getLiveInfo: invalid params: limit: .*too_big/)
    const typo = await api
      .updateKF({ roomId: 1, closeKf: 0, closeKF: 1 } as unknown as { roomId: number; closeKf: 0 | 1 })
      .catch((e: unknown) => e)
    expect(typo).toBeInstanceOf(LiveParamsError)
    expect((typo as LiveParamsError).issues.map((i) => i.path.join('.'))).toEqual(['closeKF'])
    expect(sent).toHaveLength(0)
  })

  it('rejects a reply that does not match the catalogue with LiveReplyError', async () => {
    const api = createLiveApi(scripted(() => ({ pushAddr: 42 })).transport)
    const err = await api.getPushUrl({ roomId: 3 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LiveReplyError)
    expect((err as LiveReplyError).message).toContain('getPushUrl')
    expect((err as LiveReplyError).issues[0].path).toEqual(['pushAddr'])
  })

  it('reports every outcome to onCall and passes WxApiError through', async () => {
    const outcomes: Array<[string, CallOutcome['status']]> = []
    const { transport } = scripted((endpoint) => {
      if (endpoint.id === 'deleteRoom') throw new WxApiError({ errcode: 300022, errmsg: 'room not exist', endpointId: 'deleteRoom' })
      if (endpoint.id === 'getSubAnchor') throw new LiveTransportError('getSubAnchor', 'not-json', 'bad body')
      if (endpoint.id === 'getPushUrl') return {}
      return {}
    })
    const api = createLiveApi(transport, {
      onCall: (id, outcome) => {
        outcomes.push([id, outcome.status])
        throw new Error('a broken ledger is ignored')
      },
    })
    await api.updateReplay({ roomId: 1, closeReplay: 0 })
    const wx = await api.deleteRoom({ id: 9 }).catch((e: unknown) => e)
    expect((wx as WxApiError).errcode).toBe(300022)
    await expect(api.getSubAnchor({ roomId: 1 })).rejects.toBeInstanceOf(LiveTransportError)
    await expect(api.getPushUrl({ roomId: 1 })).rejects.toBeInstanceOf(LiveReplyError)
    await expect(api.call('deleteRoom', {})).rejects.toBeInstanceOf(LiveParamsError)
    expect(outcomes).toEqual([
      ['updateReplay', 'ok'],
      ['deleteRoom', 'wx-error'],
      ['getSubAnchor', 'transport-error'],
      ['getPushUrl', 'invalid-reply'],
      ['deleteRoom', 'invalid-params'],
    ])
  })
})

/** Shaped like wx-server-sdk's CloudSDKError: errCode, errMsg, and a message built from them. */
class FakeCloudSDKError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
  ) {
    super(`errCode: ${errCode}  | errMsg: ${errMsg}`)
  }
}

/**
 * A fake `cloud` whose openapi behaves like wx-server-sdk's with default convertCase: camel→snake on the
 * way out, WeChat JSON from `wechat`, throw on errcode ≠ 0, snake→camel plus errCode/errMsg on success.
 */
function fakeCloud(wechat: (api: string, snakeParams: Record<string, unknown>) => Record<string, unknown>) {
  const calls: Array<{ api: string; params: unknown; appid?: string }> = []
  const make = (appid?: string) =>
    new Proxy(
      {},
      {
        get: (_t, ns: string) =>
          new Proxy(
            {},
            {
              get: (_t2, method: string) => async (params: Record<string, unknown>) => {
                const api = `${ns}.${method}`
                const snake = toSnakeKeys(params) as Record<string, unknown>
                calls.push({ api, params: snake, appid })
                const reply = wechat(api, snake)
                if (reply.errcode) throw new FakeCloudSDKError(reply.errcode as number, `openapi.${api}:fail ${reply.errmsg}`)
                const { errcode: _c, errmsg: _m, ...rest } = reply
                return { ...(toCamelKeys(rest) as object), errMsg: `openapi.${api}:ok`, errCode: 0 }
              },
            },
          ),
      },
    )
  const openapi = Object.assign((opts: { appid: string }) => make(opts.appid), make())
  // `openapi.liveBroadcast` must resolve on the callable too, as the SDK's Proxy does.
  const callable = new Proxy(openapi, { get: (t, k) => (k in t ? Reflect.get(t, k) : Reflect.get(make(), k)) })
  return { cloud: { openapi: callable }, calls }
}

describe('openapi transport (cloud call)', () => {
  it('sends camelCase through the SDK, strips errCode/errMsg and returns camelCase', async () => {
    const { cloud, calls } = fakeCloud(() => ({
      errcode: 0,
      errmsg: 'ok',
      total: 1,
      room_info: [
        { name: '直播间', roomid: 7, cover_img: 'c', share_img: 's', live_status: LiveStatus.upcoming, start_time: 1, end_time: 2, anchor_name: 'a', goods: [] },
      ],
    }))
    const api = createLiveApi(createOpenApiTransport(cloud))
    const out = await api.getLiveInfo({ start: 0, limit: 10, action: 'get_replay', roomId: 7 })
    expect(calls).toEqual([
      { api: 'liveBroadcast.getLiveInfo', params: { start: 0, limit: 10, action: 'get_replay', room_id: 7 }, appid: undefined },
    ])
    expect(out.roomInfo[0]).toMatchObject({ roomid: 7, liveStatus: LiveStatus.upcoming, anchorName: 'a' })
    expect(out).not.toHaveProperty('errCode')
    expect(out).not.toHaveProperty('errMsg')
  })

  it('converts nested goodsInfo keys the way the SDK does', async () => {
    const { cloud, calls } = fakeCloud(() => ({ errcode: 0, goods_id: 11, audit_id: 22 }))
    const api = createLiveApi(createOpenApiTransport(cloud, { appid: 'wx-other' }))
    const out = await api.goodsAdd({
      goodsInfo: { coverImgUrl: 'm', name: '茶杯', priceType: 1, price: 9.9, url: 'pages/a/a' },
    })
    expect(out).toEqual({ goodsId: 11, auditId: 22 })
    expect(calls[0]).toEqual({
      api: 'liveBroadcast.goodsAdd',
      params: { goods_info: { cover_img_url: 'm', name: '茶杯', price_type: 1, price: 9.9, url: 'pages/a/a' } },
      appid: 'wx-other',
    })
  })

  it('maps CloudSDKError to WxApiError with rid, and recovers the 300036 QR link from errMsg', async () => {
    const { cloud } = fakeCloud((api) =>
      api === 'liveBroadcast.getLiveInfo'
        ? { errcode: 9410000, errmsg: 'empty room list rid: 63d1e2f3-1a2b3c4d-5e6f7a8b' }
        : {
            errcode: 300036,
            errmsg: 'anchorWechat has no realName, please open the codeUrl https://res.wx.qq.com/op_res/verify?ticket=abc. rid: 1-2-3',
          },
    )
    const api = createLiveApi(createOpenApiTransport(cloud))
    const empty = (await api.getLiveInfo({ start: 0, limit: 100 }).catch((e: unknown) => e)) as WxApiError
    expect(empty).toBeInstanceOf(WxApiError)
    expect(empty.errcode).toBe(9410000)
    expect(empty.rid).toBe('63d1e2f3-1a2b3c4d-5e6f7a8b')
    expect(empty.errmsg).toContain('openapi.liveBroadcast.getLiveInfo:fail empty room list')
    const room = (await api
      .createRoom(unverifiedAnchorRoom)
      .catch((e: unknown) => e)) as WxApiError
    expect(room.errcode).toBe(300036)
    expect(room.qrcodeUrl).toBe('https://res.wx.qq.com/op_res/verify?ticket=abc')
  })

  it('maps platform errors and refuses endpoints without a cloud call', async () => {
    const cloud = {
      openapi: {
        liveBroadcast: {
          deleteRoom: async () => {
            throw new FakeCloudSDKError(-604101, 'system error: error code: -604101')
          },
          getPushUrl: async () => {
            throw new TypeError('socket hang up')
          },
        },
      },
    }
    const api = createLiveApi(createOpenApiTransport(cloud))
    const denied = (await api.deleteRoom({ id: 1 }).catch((e: unknown) => e)) as WxApiError
    expect(denied.errcode).toBe(-604101)
    expect(denied.en).toMatch(/permission/)
    const net = (await api.getPushUrl({ roomId: 1 }).catch((e: unknown) => e)) as LiveTransportError
    expect(net).toBeInstanceOf(LiveTransportError)
    expect(net.kind).toBe('network')
    const refused = (await api.goodsDelete({ goodsId: 1 }).catch((e: unknown) => e)) as LiveTransportError
    expect(refused).toBeInstanceOf(LiveTransportError)
    expect(refused.kind).toBe('unsupported')
    expect(refused.message).toMatch(/no cloud call.*HTTPS/)
  })
})

describe('paramsFromQuery (sandbox HTTPS GET route)', () => {
  it('turns query strings into the types the schema wants, field by field', () => {
    expect(paramsFromQuery(catalogue.getRoleList, { role: '-1', offset: '0', limit: '10', keyword: '123' })).toEqual({
      role: -1,
      offset: 0,
      limit: 10,
      keyword: '123',
    })
    expect(paramsFromQuery(catalogue.getSharedCode, { roomId: '6', params: '{"a":1}' })).toEqual({ roomId: 6, params: '{"a":1}' })
    // Unparseable values stay strings so validation names the field.
    const bad = paramsFromQuery(catalogue.getPushUrl, { roomId: 'abc' })
    expect(bad).toEqual({ roomId: 'abc' })
    expect(catalogue.getPushUrl.request.safeParse(bad).error?.issues[0].path).toEqual(['roomId'])
  })
})

describe('routing transport', () => {
  it('sends endpoints without a cloud call over HTTPS and the rest by cloud call', async () => {
    const cloud = scripted(() => ({}))
    const https = scripted(() => ({ vendorGoodsKey: [] }))
    const api = createLiveApi(createRoutingTransport(cloud.transport, https.transport))
    await api.getGoodsKey()
    await api.goodsDelete({ goodsId: 1 })
    await api.deleteRoom({ id: 1 })
    expect(https.sent.map((s) => s.endpoint.id)).toEqual(['getGoodsKey', 'goodsDelete'])
    expect(cloud.sent.map((s) => s.endpoint.id)).toEqual(['deleteRoom'])
  })
})
