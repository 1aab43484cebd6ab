/**
 * `wx.openApi` over `/admin`, spoken by the REAL wx-server-sdk: multipart form + protobuf CommApiData in,
 * protobuf CommOpenApiResp out. The open-API callback is a stub that records what arrived.
 */
import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Caller } from '../emulator/identity'
import type { OpenApiMedia, OpenApiOutcome } from '../emulator/server/admin'
import {
  decodeCommApiData,
  decodeCommOpenApiResp,
  encodeCommApiData,
  encodeCommOpenApiResp,
  pairsToParams,
} from '../emulator/server/openapi-wire'
import { type AdminHarness, setDummySecrets, startAdminServer } from './admin-wire-harness'
import { LiveStatus } from '../src/live/status'

setDummySecrets()
const load = createRequire(__filename)

// SDK boundary: `cloud.openapi` is a Proxy the SDK's typings cannot describe.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any

interface Received {
  caller: Caller
  apiName: string
  params: Record<string, unknown>
  media: Record<string, OpenApiMedia>
}

let h: AdminHarness
let cloud: Loose
const received: Received[] = []

function json(body: Record<string, unknown>): OpenApiOutcome {
  return { httpStatus: 200, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json; charset=utf-8' }
}

function answerWith(outcome: OpenApiOutcome): void {
  h.openapi = async (caller, apiName, params, media) => {
    received.push({ caller, apiName, params, media })
    return outcome
  }
}

async function rejection(promise: Promise<unknown>): Promise<{ errCode?: number; errMsg?: string }> {
  try {
    await promise
  } catch (e) {
    return e as { errCode?: number }
  }
  throw new Error('expected the call to fail')
}

beforeAll(async () => {
  h = await startAdminServer()
  cloud = load('wx-server-sdk')
  cloud.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
})

afterAll(async () => {
  await h?.close()
})

afterEach(() => {
  received.length = 0
  delete process.env.WX_API_TOKEN
  delete process.env.WX_CONTEXT_KEYS
})

describe('wx.openApi through /admin with wx-server-sdk', () => {
  it('delivers params snake_case with numbers and returns the WeChat reply camelCase with errCode 0', async () => {
    answerWith(
      json({
        errcode: 0,
        errmsg: 'ok',
        total: 1,
        room_info: [{ roomid: 7, name: '春季上新', live_status: LiveStatus.live, cover_img: 'https://x/c.png', goods: [] }],
      }),
    )
    const reply = await cloud.openapi.liveBroadcast.getLiveInfo({ start: 0, limit: 10 })
    expect(received).toHaveLength(1)
    expect(received[0].apiName).toBe('liveBroadcast.getLiveInfo')
    expect(received[0].params).toEqual({ start: 0, limit: 10 })
    expect(received[0].caller).toEqual({ kind: 'admin' })
    expect(received[0].media).toEqual({})
    expect(reply).toEqual({
      total: 1,
      roomInfo: [{ roomid: 7, name: '春季上新', liveStatus: LiveStatus.live, coverImg: 'https://x/c.png', goods: [] }],
      errMsg: 'openapi.liveBroadcast.getLiveInfo:ok',
      errCode: 0,
    })

    await cloud.openapi.liveBroadcast.getLiveInfo({ action: 'get_replay', roomId: 7, start: 0, limit: 10 })
    expect(received[1].params).toEqual({ action: 'get_replay', room_id: 7, start: 0, limit: 10 })
  })

  it('resolves the calling function from its API token', async () => {
    const token = h.identities.issue({ functionName: 'liveAdmin', openapi: ['liveBroadcast.getLiveInfo'], appid: 'wx1', trigger: 'call' })
    process.env.WX_CONTEXT_KEYS = 'WX_API_TOKEN'
    process.env.WX_API_TOKEN = token
    answerWith(json({ errcode: 0, total: 0, room_info: [] }))
    await cloud.openapi.liveBroadcast.getLiveInfo({ start: 0, limit: 1 })
    expect(received[0].caller).toMatchObject({ kind: 'function', functionName: 'liveAdmin', openapi: ['liveBroadcast.getLiveInfo'] })
  })

  it('throws a platform error (-604101, no permission) as errCode', async () => {
    answerWith({ platformError: -604101 })
    const err = await rejection(cloud.openapi.liveBroadcast.getLiveInfo({ start: 0, limit: 10 }))
    expect(err.errCode).toBe(-604101)
  })

  it('throws a WeChat errcode in the JSON body (9410000, empty list) as errCode', async () => {
    answerWith(json({ errcode: 9410000, errmsg: 'live room not exist' }))
    const err = await rejection(cloud.openapi.liveBroadcast.getLiveInfo({ start: 0, limit: 10 }))
    expect(err.errCode).toBe(9410000)
    expect(err.errMsg).toMatch(/live room not exist/)
  })

  it('turns a failing callback into an HTTP 500 (an emulator fault) that the SDK reports as a system error, rather than a hang', async () => {
    h.openapi = async () => {
      throw new Error('sandbox exploded')
    }
    const err = await rejection(cloud.openapi.liveBroadcast.getLiveInfo({ start: 0, limit: 10 }))
    expect(err.errCode).toBe(-501001)
    expect(err.errMsg).toMatch(/500 Internal Server Error/)
  })

  it('delivers uploadTempMedia bytes as media, apart from the JSON params', async () => {
    answerWith(json({ errcode: 0, type: 'image', media_id: 'MEDIA_1', created_at: 1700000000 }))
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10])
    const reply = await cloud.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/png', value: png } })
    expect(received[0].apiName).toBe('customerServiceMessage.uploadTempMedia')
    expect(received[0].params).toEqual({ type: 'image' })
    expect(Object.keys(received[0].media)).toEqual(['media'])
    expect(received[0].media.media.bytes.equals(png)).toBe(true)
    expect(received[0].media.media.filename).not.toBe('')
    expect(reply).toMatchObject({ type: 'image', mediaId: 'MEDIA_1', createdAt: 1700000000, errCode: 0 })
  })

  it('passes a binary reply (e.g. a QR code image) back as a buffer', async () => {
    const image = Buffer.from('not really a jpeg')
    answerWith({ httpStatus: 200, body: image, contentType: 'image/jpeg' })
    const reply = await cloud.openapi.wxacode.getUnlimited({ scene: 'r=7' })
    expect(reply.contentType).toBe('image/jpeg')
    expect(Buffer.from(reply.buffer).equals(image)).toBe(true)
  })
})

describe('openapi wire codec', () => {
  it('round-trips CommApiData and CommOpenApiResp', () => {
    const bytes = encodeCommApiData({
      appid: 'wx123',
      pairs: [
        { key: 'room_id', value: Buffer.from('7'), contenttype: '', filename: '' },
        { key: 'media', value: Buffer.from([1, 2, 3]), contenttype: '', filename: 'media.png' },
      ],
    })
    const decoded = decodeCommApiData(bytes)
    expect(decoded.appid).toBe('wx123')
    const { params, media } = pairsToParams(decoded.pairs)
    expect(params).toEqual({ room_id: 7 })
    expect([...media.media.bytes]).toEqual([1, 2, 3])

    const resp = decodeCommOpenApiResp(encodeCommOpenApiResp({ errorCode: -604101 }))
    expect(resp.errorCode).toBe(-604101)
    expect(resp.respData.length).toBe(0)
  })

  it('names a param whose value is not JSON', () => {
    expect(() => pairsToParams([{ key: 'start', value: Buffer.from('{'), contenttype: '', filename: '' }])).toThrow(/param "start"/)
  })
})
