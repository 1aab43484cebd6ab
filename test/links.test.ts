/**
 * A room's channels and their codes and links through the built liveAdmin against the emulator: each kind generated
 * (the code a real PNG in cloud storage with a working temporary URL), opened through the emulator's resolve route
 * as WeChat would open it (the relay page, its query or scene, the scene value), expiry and renewal, the quotas, and
 * the link APIs' own limits and errcodes as the real wx-server-sdk meets them.
 */
import { createRequire } from 'node:module'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'
import { setDummySecrets } from './admin-wire-harness'
import { adminSdkConfig } from '../emulator/sdk-env'
import { PNG_SIGNATURE } from '../emulator/sandbox/qr-png'
import { RELAY_PAGE, parseQrScene, parseRelayQuery, scenesOf, CHANNELS_PER_ROOM_MAX } from '../src/stats/channels'
import { DAY_S, LINK_EXPIRY_MAX_DAYS, OPEN_SCENE, QR_WIDTH, linkCatalogue } from '../src/links/catalogue'
import { createLinkApi, type CloudLinksLike } from '../src/links/client'
import { WxApiError } from '../src/live/errors'
import type { LinkKind } from '../src/stats/docs'

setDummySecrets()
const load = createRequire(__filename)

const ROOM = 42
let h: AdminHarness
// SDK boundary: `cloud.openapi` is a Proxy the SDK's typings cannot describe.
let cloud: any

beforeAll(async () => {
  h = await startAdminHarness()
  cloud = load('wx-server-sdk')
  cloud.init(adminSdkConfig({ url: h.emu.url, envId: 'local-dev-env' }))
})

afterAll(async () => {
  await h?.stop()
})

/** liveAdmin's reply, loosely typed for reading `data` after a success. */
async function act(action: string, params?: unknown, openid?: string | null): Promise<any> {
  return h.call(action, params, openid)
}

async function control(method: string, route: string, body?: unknown) {
  const res = await fetch(`${h.emu.url}${route}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as any }
}

async function rejection(promise: Promise<unknown>): Promise<{ errCode?: number; errMsg?: string }> {
  try {
    await promise
  } catch (e) {
    return e as { errCode?: number; errMsg?: string }
  }
  throw new Error('expected the call to fail')
}

/** Chunks of a PNG file, each CRC checked; throws on anything a PNG reader would refuse. */
function readPng(bytes: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (b: Buffer) => {
    let c = 0xffffffff
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  let at = 8
  let ihdr: Buffer | null = null
  const idat: Buffer[] = []
  let ended = false
  while (at < bytes.length) {
    const len = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    const data = bytes.subarray(at + 8, at + 8 + len)
    expect(bytes.readUInt32BE(at + 8 + len), `${type} CRC`).toBe(crc(bytes.subarray(at + 4, at + 8 + len)))
    if (type === 'IHDR') ihdr = data
    if (type === 'IDAT') idat.push(data)
    if (type === 'IEND') ended = true
    at += 12 + len
  }
  expect(ended).toBe(true)
  const width = ihdr!.readUInt32BE(0)
  const height = ihdr!.readUInt32BE(4)
  const colorType = ihdr![9]
  const pixels = inflateSync(Buffer.concat(idat))
  expect(pixels.length).toBe(height * (1 + width * (colorType === 6 ? 4 : 3)))
  return { width, height, colorType, pixels }
}

describe('channels of a room', () => {
  it('creates channels with the name and code rules, a generated code when none is given, and refuses a used code', async () => {
    const made = await act('createChannel', { roomId: ROOM, name: '海报A', code: 'poster' })
    expect(made).toMatchObject({ ok: true, data: { roomId: ROOM, code: 'poster', name: '海报A' } })
    expect(made.data.links.map((l: { kind: string; state: string }) => [l.kind, l.state])).toEqual([
      ['qrcode', 'none'],
      ['urllink', 'none'],
      ['urlscheme', 'none'],
      ['shortlink', 'none'],
    ])
    const generated = await act('createChannel', { roomId: ROOM, name: '会员群' })
    expect(generated.ok).toBe(true)
    expect(generated.data.code).toMatch(/^[a-z0-9]{4}$/)

    expect(await act('createChannel', { roomId: ROOM, name: '海报B', code: 'poster' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'code' } })
    expect(await act('createChannel', { roomId: ROOM, name: '首页', code: 'home' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'code' } })
    expect(await act('createChannel', { roomId: ROOM, name: '超过十个汉字的渠道名称不可以用', code: 'long' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'name' } })
    expect(await act('createChannel', { roomId: ROOM, name: ' 空格', code: 'sp' })).toMatchObject({ ok: false, error: { field: 'name' } })
    expect(await act('createChannel', { roomId: ROOM, name: '访客', code: 'vis' }, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
  })

  it('holds at most CHANNELS_PER_ROOM_MAX live channels a room', async () => {
    const room = 4343
    for (let i = 0; i < CHANNELS_PER_ROOM_MAX; i++) {
      expect((await act('createChannel', { roomId: room, name: `渠道${i}`, code: `c${i}` })).ok).toBe(true)
    }
    expect(await act('createChannel', { roomId: room, name: '再多一个', code: 'more' })).toMatchObject({ ok: false, error: { code: 'resource_exhausted' } })
    expect((await act('listChannels', { roomId: room })).data.channels).toHaveLength(CHANNELS_PER_ROOM_MAX)
  })

  it('renames, removes, and never issues a removed code again', async () => {
    expect((await act('createChannel', { roomId: ROOM, name: '短信', code: 'sms' })).ok).toBe(true)
    expect(await act('renameChannel', { roomId: ROOM, code: 'sms', name: '短信群发' })).toMatchObject({ ok: true, data: { code: 'sms', name: '短信群发' } })
    expect(await act('removeChannel', { roomId: ROOM, code: 'sms' })).toMatchObject({ ok: true, data: { roomId: ROOM, code: 'sms' } })
    const listed = await act('listChannels', { roomId: ROOM })
    expect(listed.data.channels.map((c: { code: string }) => c.code)).not.toContain('sms')
    expect(await act('renameChannel', { roomId: ROOM, code: 'sms', name: '又来' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'code' } })
    expect(await act('createChannel', { roomId: ROOM, name: '短信', code: 'sms' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'code' } })
    const audited = h.audit().filter((a) => a.action === 'removeChannel')
    expect(audited[0]).toMatchObject({ outcome: 'ok' })
  })
})

describe('each kind of link, generated and opened', () => {
  const opened: Partial<Record<LinkKind, any>> = {}

  it('a code: a real PNG of the relay page and the scene, in cloud storage, with a working temporary URL', async () => {
    const r = await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'qrcode' })
    expect(r).toMatchObject({ ok: true, data: { code: 'poster', link: { kind: 'qrcode', state: 'active', target: `${RELAY_PAGE}?scene=${ROOM}.poster` } } })
    expect(r.data.link.expiresAt).toBeUndefined()
    const { fileId, imageUrl } = r.data.link
    expect(fileId).toMatch(/\/live\/channels\/42\/poster\.png$/)
    const fetched = await fetch(imageUrl)
    expect(fetched.status).toBe(200)
    const bytes = Buffer.from(await fetched.arrayBuffer())
    const png = readPng(bytes)
    expect([png.width, png.height, png.colorType]).toEqual([QR_WIDTH.default, QR_WIDTH.default, 2])
    // both colours of a code are drawn
    expect(png.pixels.includes(0)).toBe(true)
    expect(png.pixels.includes(255)).toBe(true)

    const open = await control('POST', '/__sandbox/links/open', { fileID: fileId })
    expect(open).toMatchObject({ status: 200, body: { opens: true, kind: 'qrcode', path: RELAY_PAGE, scene: OPEN_SCENE.qrcode, expiresAt: null } })
    expect(parseQrScene(decodeURIComponent(open.body.query.scene))).toEqual({ roomId: ROOM, code: 'poster' })
    // the bytes themselves open it too, as a scan of the printed image would
    expect((await control('POST', '/__sandbox/links/open', { image: bytes.toString('base64') })).body).toEqual(open.body)
    opened.qrcode = open.body
  })

  for (const kind of ['urllink', 'urlscheme', 'shortlink'] as const) {
    it(`a ${kind}: the relay page with the room and channel, expiring as documented`, async () => {
      const before = h.emu.clock.nowSeconds() * 1000
      const r = await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind })
      expect(r).toMatchObject({ ok: true, data: { link: { kind, state: 'active', target: `${RELAY_PAGE}?roomId=${ROOM}&ch=poster` } } })
      const { url, expiresAt, generatedAt } = r.data.link
      expect(generatedAt).toBeGreaterThanOrEqual(before - 1000)
      expect(expiresAt - generatedAt).toBe(LINK_EXPIRY_MAX_DAYS * DAY_S * 1000)
      const open = await control('POST', '/__sandbox/links/open', { link: url })
      expect(open).toMatchObject({ status: 200, body: { opens: true, kind, path: RELAY_PAGE, scene: OPEN_SCENE[kind] } })
      expect(parseRelayQuery(open.body.query)).toEqual({ roomId: ROOM, code: 'poster' })
      opened[kind] = open.body
    })
  }

  it('opens each kind with a scene value of its entry kind', () => {
    for (const kind of ['qrcode', 'urllink', 'urlscheme', 'shortlink'] as const) {
      expect(scenesOf(kind)).toContain(OPEN_SCENE[kind])
      expect(opened[kind]?.scene).toBe(OPEN_SCENE[kind])
    }
  })

  it('lists every kind with its state and expiry, and the code with a fresh download URL', async () => {
    const listed = await act('listChannels', { roomId: ROOM })
    const poster = listed.data.channels.find((c: { code: string }) => c.code === 'poster')
    expect(poster.links.map((l: { kind: string; state: string }) => `${l.kind}:${l.state}`)).toEqual(['qrcode:active', 'urllink:active', 'urlscheme:active', 'shortlink:active'])
    expect((await fetch(poster.links[0].imageUrl)).status).toBe(200)
  })

  it('a permanent short link never expires; permanence is for short links only', async () => {
    const r = await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'shortlink', permanent: true })
    expect(r).toMatchObject({ ok: true, data: { link: { kind: 'shortlink', state: 'active' } } })
    expect(r.data.link.expiresAt).toBeUndefined()
    expect(await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'urllink', permanent: true })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'permanent' } })
  })

  it('an expired link answers as expired and lists as expired; generating again renews it', async () => {
    const first = (await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'urllink' })).data.link
    h.emu.clock.advance(LINK_EXPIRY_MAX_DAYS * DAY_S + 1)
    const open = await control('POST', '/__sandbox/links/open', { link: first.url })
    expect(open).toMatchObject({ status: 200, body: { opens: false, kind: 'urllink', reason: 'expired', expiresAt: Math.floor(first.expiresAt / 1000) } })
    const listed = await act('listChannels', { roomId: ROOM })
    const poster = listed.data.channels.find((c: { code: string }) => c.code === 'poster')
    expect(poster.links.find((l: { kind: string }) => l.kind === 'urllink').state).toBe('expired')
    // the code never expires
    expect(poster.links.find((l: { kind: string }) => l.kind === 'qrcode').state).toBe('active')

    const renewed = (await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'urllink' })).data.link
    expect(renewed.url).not.toBe(first.url)
    expect(renewed.state).toBe('active')
    expect((await control('POST', '/__sandbox/links/open', { link: renewed.url })).body.opens).toBe(true)
  })

  it('the resolve route refuses what it cannot read and what it never issued, without a 5xx', async () => {
    expect((await control('POST', '/__sandbox/links/open', { link: 'https://example.com/x' })).status).toBe(400)
    expect((await control('POST', '/__sandbox/links/open', { link: 'https://wxaurl.cn/NeverIssued' })).status).toBe(404)
    expect((await control('POST', '/__sandbox/links/open', {})).status).toBe(400)
    expect((await control('POST', '/__sandbox/links/open', { link: 'x', image: 'AAAA' })).status).toBe(400)
    expect((await control('POST', '/__sandbox/links/open', { image: 'bm90IGEgY29kZQ==' })).status).toBe(404)
    expect((await control('POST', '/__sandbox/links/open', { fileID: 'cloud://nope' })).status).toBeLessThan(500)
    expect((await control('GET', '/__sandbox/links')).body.links.length).toBeGreaterThanOrEqual(5)
  })
})

describe('quotas, through liveAdmin', () => {
  it('URL Links and URL Schemes share a daily quota; over it the merchant reads the catalogue sentence', async () => {
    expect((await control('POST', '/__sandbox/options', { quotas: { urlLinkScheme: 1 } })).status).toBe(200)
    h.emu.clock.advance(DAY_S)
    expect((await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'urlscheme' })).ok).toBe(true)
    const over = await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'urllink' })
    expect(over).toEqual({ ok: false, error: expect.objectContaining({ code: 'resource_exhausted', errcode: 45009, zh: linkCatalogue.generateUrlLink.errcodes[45009].zh }) })
    h.emu.clock.advance(DAY_S)
    expect((await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'urllink' })).ok).toBe(true)
    await control('POST', '/__sandbox/options', { quotas: { urlLinkScheme: linkCatalogue.generateUrlLink.quota.calls } })
  })

  it('codes are counted per minute on the emulator clock', async () => {
    await control('POST', '/__sandbox/options', { quotas: { getUnlimitedQRCode: 1 } })
    h.emu.clock.advance(60)
    expect((await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'qrcode' })).ok).toBe(true)
    const over = await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'qrcode' })
    expect(over).toMatchObject({ ok: false, error: { code: 'resource_exhausted', errcode: 45009, en: linkCatalogue.getUnlimitedQRCode.errcodes[45009].en } })
    h.emu.clock.advance(60)
    expect((await act('generateChannelLink', { roomId: ROOM, code: 'poster', kind: 'qrcode' })).ok).toBe(true)
    await control('POST', '/__sandbox/options', { quotas: { getUnlimitedQRCode: linkCatalogue.getUnlimitedQRCode.quota.calls } })
  })
})

describe('the link APIs as wx-server-sdk meets them', () => {
  it('getUnlimited resolves {contentType, buffer} with a PNG, drawn at the width asked', async () => {
    const r = await cloud.openapi.wxacode.getUnlimited({ scene: '7.ab', page: RELAY_PAGE, width: 280, isHyaline: true })
    expect(r.contentType).toBe('image/png')
    const png = readPng(Buffer.from(r.buffer))
    expect([png.width, png.colorType]).toEqual([280, 6])
  })

  it('answers the documented errcodes for a scene over 32 characters, a bad scene character, a width out of range', async () => {
    expect((await rejection(cloud.openapi.wxacode.getUnlimited({ scene: '1'.repeat(33), page: RELAY_PAGE }))).errCode).toBe(40169)
    expect((await rejection(cloud.openapi.wxacode.getUnlimited({ scene: '中文', page: RELAY_PAGE }))).errCode).toBe(40129)
    expect((await rejection(cloud.openapi.wxacode.getUnlimited({ scene: 'a', width: QR_WIDTH.max + 1 }))).errCode).toBe(40097)
  })

  it('refuses an expiry over 30 days, by interval or by time, and a bad envVersion', async () => {
    expect((await rejection(cloud.openapi.urllink.generate({ path: RELAY_PAGE, expireType: 1, expireInterval: 31 }))).errCode).toBe(85401)
    const now = h.emu.clock.nowSeconds()
    expect((await rejection(cloud.openapi.urlscheme.generate({ jumpWxa: { path: RELAY_PAGE }, expireType: 0, expireTime: now + 31 * DAY_S }))).errCode).toBe(85401)
    expect((await rejection(cloud.openapi.urlscheme.generate({ jumpWxa: { path: RELAY_PAGE }, expireTime: now + 10 }))).errCode).toBe(85401)
    expect((await rejection(cloud.openapi.urllink.generate({ path: RELAY_PAGE, envVersion: 'beta' }))).errCode).toBe(85402)
    const ok = await cloud.openapi.urllink.generate({ path: RELAY_PAGE, expireType: 0, expireTime: now + 2 * DAY_S })
    expect((await control('POST', '/__sandbox/links/open', { link: ok.urlLink })).body).toMatchObject({ opens: true, expiresAt: now + 2 * DAY_S, scene: 1194 })
  })

  it('caps permanent short links in all (85400), and the typed client carries the API’s own sentence', async () => {
    const api = createLinkApi(cloud as CloudLinksLike)
    await control('POST', '/__sandbox/options', { quotas: { permanentShortLinks: 0 } })
    const e = await api.generateShortLink({ pageUrl: `${RELAY_PAGE}?roomId=1&ch=ab`, isPermanent: true }).catch((x) => x)
    expect(e).toBeInstanceOf(WxApiError)
    expect(e).toMatchObject({ errcode: 85400, zh: linkCatalogue.generateShortLink.errcodes[85400].zh })
    expect(await api.generateShortLink({ pageUrl: `${RELAY_PAGE}?roomId=1&ch=ab` })).toMatchObject({ link: expect.stringMatching(/^#小程序:\/\//) })
    await control('POST', '/__sandbox/options', { quotas: { permanentShortLinks: 100_000 } })
  })

  it('the typed client refuses bad params before any call', async () => {
    const api = createLinkApi(cloud as CloudLinksLike)
    const calls = () => Object.values(h.emu.control.calls()).reduce((n, d) => n + (d['wxacode.getUnlimited'] ?? 0), 0)
    const before = calls()
    await expect(api.getUnlimitedQRCode({ scene: 'x'.repeat(40) })).rejects.toThrow(/scene/)
    expect(calls()).toBe(before)
  })
})
