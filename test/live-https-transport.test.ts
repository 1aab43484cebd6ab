import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createLiveApi } from '../src/live/client'
import { LiveTransportError, WxApiError } from '../src/live/errors'
import { createHttpsTransport } from '../src/cloud/https-transport'
import { unverifiedAnchorRoom } from './live-fixtures'

interface Seen {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
}

type Handler = (req: Seen) => { status?: number; body: unknown; raw?: string } | 'hang'

/** A tiny stand-in for api.weixin.qq.com: records requests, answers from the current handler. */
let server: Server
let baseUrl: string
let seen: Seen[] = []
let handler: Handler = () => ({ body: {} })
const hanging: ServerResponse[] = []

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? JSON.parse(text) : undefined
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub')
    const entry: Seen = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: await readBody(req),
    }
    seen.push(entry)
    const out = handler(entry)
    if (out === 'hang') {
      hanging.push(res)
      return
    }
    res.writeHead(out.status ?? 200, { 'content-type': 'application/json' })
    res.end(out.raw ?? JSON.stringify(out.body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const res of hanging) res.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  seen = []
})

/** Token endpoint that hands out tok1, tok2, … ; Live endpoints answer via `live`. */
function wechat(live: (req: Seen) => ReturnType<Handler>, tokenLifetime = 7200): void {
  let issued = 0
  handler = (req) => {
    if (req.path === '/cgi-bin/stable_token') {
      issued += 1
      return { body: { access_token: `tok${issued}`, expires_in: tokenLifetime } }
    }
    return live(req)
  }
}

function transport(now: () => number = () => 1_000_000, timeoutMs?: number) {
  return createHttpsTransport({ baseUrl, appid: 'wxapp', secret: 'sekret', now, timeoutMs })
}

const liveCalls = () => seen.filter((s) => s.path !== '/cgi-bin/stable_token')
const tokenCalls = () => seen.filter((s) => s.path === '/cgi-bin/stable_token')

describe('HTTPS transport', () => {
  it('fetches a stable token once, caches it, and refreshes after expiry minus the margin', async () => {
    wechat(() => ({ body: { errcode: 0, errmsg: 'ok', push_addr_unused: 1, pushAddr: 'rtmp://x' } }))
    let clock = 1_000_000
    const api = createLiveApi(transport(() => clock))
    await api.getPushUrl({ roomId: 1 })
    await api.getPushUrl({ roomId: 2 })
    expect(tokenCalls()).toHaveLength(1)
    expect(tokenCalls()[0]).toMatchObject({
      method: 'POST',
      body: { grant_type: 'client_credential', appid: 'wxapp', secret: 'sekret', force_refresh: false },
    })
    expect(liveCalls().map((c) => c.query.access_token)).toEqual(['tok1', 'tok1'])
    clock += (7200 - 300) * 1000 // margin reached
    await api.getPushUrl({ roomId: 3 })
    expect(tokenCalls()).toHaveLength(2)
    expect(liveCalls()[2].query.access_token).toBe('tok2')
  })

  it('on 40001 refreshes the token once with force_refresh and retries the call', async () => {
    wechat((req) =>
      req.query.access_token === 'tok1'
        ? { body: { errcode: 40001, errmsg: 'invalid credential rid: a-b-c' } }
        : { body: { errcode: 0, errmsg: 'ok' } },
    )
    const api = createLiveApi(transport())
    await api.updateReplay({ roomId: 5, closeReplay: 0 })
    expect(tokenCalls().map((t) => (t.body as { force_refresh: boolean }).force_refresh)).toEqual([false, true])
    expect(liveCalls().map((c) => c.query.access_token)).toEqual(['tok1', 'tok2'])
    expect(liveCalls()[1].body).toEqual({ roomId: 5, closeReplay: 0 })
  })

  it('gives up after one retry when the fresh token is also refused', async () => {
    wechat(() => ({ body: { errcode: 42001, errmsg: 'access_token expired' } }))
    const api = createLiveApi(transport())
    const err = (await api.deleteRoom({ id: 1 }).catch((e: unknown) => e)) as WxApiError
    expect(err).toBeInstanceOf(WxApiError)
    expect(err.errcode).toBe(42001)
    expect(liveCalls()).toHaveLength(2)
    expect(tokenCalls()).toHaveLength(2)
  })

  it('puts GET params in the query string, JSON-encoding objects', async () => {
    wechat(() => ({ body: { errcode: 0, cdnUrl: 'https://c', pagePath: 'plugin-private://p?room_id=6', posterUrl: 'https://p' } }))
    const api = createLiveApi(transport())
    const out = await api.getSharedCode({ roomId: 6, params: { from: 'poster', n: 1 } })
    expect(out).toEqual({ cdnUrl: 'https://c', pagePath: 'plugin-private://p?room_id=6', posterUrl: 'https://p' })
    const [call] = liveCalls()
    expect(call.method).toBe('GET')
    expect(call.path).toBe('/wxaapi/broadcast/room/getsharedcode')
    expect(call.body).toBeUndefined()
    expect(call.query).toEqual({ access_token: 'tok1', roomId: '6', params: '{"from":"poster","n":1}' })
  })

  it('sends snake_case bodies where the docs do (getLiveInfo replay) and camel-cases the reply', async () => {
    wechat(() => ({
      body: {
        errcode: 0,
        errmsg: 'ok',
        total: 1,
        room_info: [],
        live_replay: [{ expire_time: '2020-11-11T03:49:55Z', create_time: '2020-11-11T03:49:55Z', media_url: 'http://r.m3u8' }],
      },
    }))
    const api = createLiveApi(transport())
    const out = await api.getLiveInfo({ start: 0, limit: 10, action: 'get_replay', roomId: 9 })
    expect(liveCalls()[0]).toMatchObject({
      method: 'POST',
      path: '/wxa/business/getliveinfo',
      body: { start: 0, limit: 10, action: 'get_replay', room_id: 9 },
    })
    expect(out.liveReplay).toEqual([{ expireTime: '2020-11-11T03:49:55Z', createTime: '2020-11-11T03:49:55Z', mediaUrl: 'http://r.m3u8' }])
    expect(out).not.toHaveProperty('errcode')
  })

  it('keeps camelCase bodies for camel endpoints, nested included', async () => {
    wechat(() => ({ body: { errcode: 0, goodsId: 3, auditId: 4 } }))
    const api = createLiveApi(transport())
    await api.goodsAdd({ goodsInfo: { coverImgUrl: 'm', name: '杯', priceType: 2, price: 1, price2: 2, url: 'p' } })
    expect(liveCalls()[0].body).toEqual({ goodsInfo: { coverImgUrl: 'm', name: '杯', priceType: 2, price: 1, price2: 2, url: 'p' } })
  })

  it('turns a non-JSON body and a non-2xx status into LiveTransportError', async () => {
    wechat((req) => (req.query.roomId === '1' ? { body: null, raw: '<html>gateway</html>' } : { status: 502, body: { oops: 1 } }))
    const api = createLiveApi(transport())
    const notJson = (await api.getPushUrl({ roomId: 1 }).catch((e: unknown) => e)) as LiveTransportError
    expect(notJson).toBeInstanceOf(LiveTransportError)
    expect(notJson.kind).toBe('not-json')
    expect(notJson.httpStatus).toBe(200)
    expect(notJson.bodySnippet).toContain('gateway')
    const bad = (await api.getPushUrl({ roomId: 2 }).catch((e: unknown) => e)) as LiveTransportError
    expect(bad.kind).toBe('http-status')
    expect(bad.httpStatus).toBe(502)
  })

  it('keeps qrcode_url on 300036', async () => {
    wechat(() => ({ body: { errcode: 300036, errmsg: 'anchorWechat has no realName', qrcode_url: 'https://qr/verify' } }))
    const api = createLiveApi(transport())
    const err = (await api
      .createRoom(unverifiedAnchorRoom)
      .catch((e: unknown) => e)) as WxApiError
    expect(err.errcode).toBe(300036)
    expect(err.qrcodeUrl).toBe('https://qr/verify')
    expect(err.endpointId).toBe('createRoom')
  })

  it('reaches the endpoints without a cloud call', async () => {
    wechat(() => ({ body: { errcode: 0, vendorGoodsKey: ['productId', 'sid'] } }))
    const api = createLiveApi(transport())
    expect(await api.getGoodsKey()).toEqual({ vendorGoodsKey: ['productId', 'sid'] })
    expect(liveCalls()[0]).toMatchObject({ method: 'GET', path: '/wxaapi/broadcast/goods/getkey', query: { access_token: 'tok1' } })
  })

  it('reports a token error as WxApiError and a stalled call as a timeout', async () => {
    handler = (req) => (req.path === '/cgi-bin/stable_token' ? { body: { errcode: 40125, errmsg: 'invalid appsecret' } } : { body: {} })
    const err = (await createLiveApi(transport()).getPushUrl({ roomId: 1 }).catch((e: unknown) => e)) as WxApiError
    expect(err).toBeInstanceOf(WxApiError)
    expect(err.errcode).toBe(40125)
    expect(err.endpointId).toBe('stable_token')

    wechat(() => 'hang')
    const slow = (await createLiveApi(transport(undefined, 200)).getPushUrl({ roomId: 1 }).catch((e: unknown) => e)) as LiveTransportError
    expect(slow).toBeInstanceOf(LiveTransportError)
    expect(slow.kind).toBe('timeout')
  })
})
