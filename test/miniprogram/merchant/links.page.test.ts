// @vitest-environment jsdom
/**
 * The merchant links page against the emulator: a room picked or given by ?roomId=, channel names and codes checked
 * as typed by the function's rules, a channel created, each kind generated with its state and Beijing-time expiry,
 * a link copied and opened through the emulator as WeChat would open it, the code previewed and saved, a channel
 * renamed and removed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'
import { RELAY_PAGE, parseQrScene, parseRelayQuery } from '../../../src/stats/channels'
import { shanghaiTime } from '../../../miniprogram/merchant/utils/people-format'

let env: MerchantEnv
let page: SimNode | null = null
let roomId = 0

beforeAll(async () => {
  env = await startMerchantEnv()
  await fetch(`${env.admin.emu.url}/__sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: 'demo' }) })
  const rooms = await env.admin.call('getLiveInfo', { start: 0, limit: 100 })
  roomId = (rooms as any).data.roomInfo[0].roomid
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(options: Record<string, string>): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage('merchant/pages/links/index')
  await page.instance.onLoad(options)
  await until(() => expect(page!.data.gate).toBe('allowed'))
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

const tap = (code: string, kind?: string) => ({ currentTarget: { dataset: kind ? { code, kind } : { code } } })

async function opened(body: Record<string, unknown>) {
  const res = await fetch(`${env.admin.emu.url}/__sandbox/links/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return (await res.json()) as any
}

describe('links page', () => {
  it('opened with ?roomId=: checks names and codes as typed, creates a channel, generates and copies a URL Link that opens the relay page', async () => {
    const p = await open({ roomId: String(roomId) })
    expect(p.data.roomIndex).toBeGreaterThanOrEqual(0)
    expect(p.data.rooms[p.data.roomIndex].roomId).toBe(roomId)
    expect(p.querySelectorAll('.empty').length).toBe(1)

    p.instance.onName({ detail: { value: '名字太长了超过十个汉字的渠道' } })
    expect(p.data.nameError).toContain('渠道名称最长')
    p.instance.onCode({ detail: { value: 'home' } })
    expect(p.data.codeError).toContain('保留')
    p.instance.onName({ detail: { value: '海报A' } })
    p.instance.onCode({ detail: { value: 'poster' } })
    expect([p.data.nameError, p.data.codeError]).toEqual(['', ''])
    await p.instance.onCreate()
    await until(() => expect(p.data.channels).toHaveLength(1))
    expect(p.data.channels[0].links.map((l: { stateText: string }) => l.stateText)).toEqual(['未生成', '未生成', '未生成', '未生成'])

    // the same code again: the function's refusal lands on the code field
    p.instance.onName({ detail: { value: '海报B' } })
    p.instance.onCode({ detail: { value: 'poster' } })
    await p.instance.onCreate()
    expect(p.data.codeError).toContain('已用过')

    await p.instance.onGenerate(tap('poster', 'urllink'))
    const stored = await env.admin.call('listChannels', { roomId })
    const urllink = (stored as any).data.channels[0].links.find((l: { kind: string }) => l.kind === 'urllink')
    const row = p.data.channels[0].links.find((l: { kind: string }) => l.kind === 'urllink')
    expect(row).toMatchObject({ state: 'active', url: urllink.url, stateText: `有效至 ${shanghaiTime(urllink.expiresAt)}`, actionText: '续期' })
    expect(text(p)).toContain(urllink.url)

    p.instance.onCopy(tap('poster', 'urllink'))
    expect(env.wx.setClipboardData).toHaveBeenCalledWith({ data: urllink.url })
    const open1 = await opened({ link: urllink.url })
    expect(open1).toMatchObject({ opens: true, path: RELAY_PAGE, scene: 1194 })
    expect(parseRelayQuery(open1.query)).toEqual({ roomId, code: 'poster' })
  })

  it('generates the code, previews it and saves it to the album; renames and removes the channel', async () => {
    const p = await open({ roomId: String(roomId) })
    await p.instance.onGenerate(tap('poster', 'qrcode'))
    const code = p.data.channels[0].links.find((l: { kind: string }) => l.kind === 'qrcode')
    expect(code).toMatchObject({ state: 'active', stateText: '长期有效' })
    expect(code.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__storage\//)
    expect(p.querySelectorAll('.code-image').length).toBe(1)
    const bytes = Buffer.from(await (await fetch(code.imageUrl)).arrayBuffer())
    const scan = await opened({ image: bytes.toString('base64') })
    expect(parseQrScene(decodeURIComponent(scan.query.scene))).toEqual({ roomId, code: 'poster' })

    p.instance.onPreview(tap('poster', 'qrcode'))
    expect(env.wx.previewImage).toHaveBeenCalledWith({ urls: [code.imageUrl], current: code.imageUrl })
    await p.instance.onSave(tap('poster', 'qrcode'))
    expect(env.wx.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ url: code.imageUrl }))
    expect(env.wx.saveImageToPhotosAlbum).toHaveBeenCalledTimes(1)

    env.modalAnswer.content = '海报A（门店）'
    await p.instance.onRename(tap('poster'))
    await until(() => expect(p.data.channels[0].name).toBe('海报A（门店）'))
    env.modalAnswer.content = undefined
    await p.instance.onRemove(tap('poster'))
    await until(() => expect(p.data.channels).toHaveLength(0))
  })

  it('without a room id: a room is picked from the list, then its channels load', async () => {
    await env.admin.call('createChannel', { roomId, name: '会员群', code: 'vip' })
    const p = await open({})
    expect(p.data.roomId).toBe(null)
    expect(p.querySelectorAll('.create').length).toBe(0)
    const index = p.data.rooms.findIndex((r: { roomId: number }) => r.roomId === roomId)
    await p.instance.onRoom({ detail: { value: index } })
    await until(() => expect(p.data.channels.map((c: { code: string }) => c.code)).toEqual(['vip']))
  })
})
