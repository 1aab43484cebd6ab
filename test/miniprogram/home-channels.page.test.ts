// @vitest-environment jsdom
/**
 * Home page with the merchant's Channels live (视频号直播) beside, or instead of, Mini Program Live: each Channels
 * state in its section, reserving, entering, old base libraries, errors kept from the viewer, and the once-a-minute
 * limit on the Channels client APIs. The Channels APIs are answered by the emulator's Channels state.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WxChannelsShim } from '../../emulator/client/wx-channels'
import { checkEvent } from '../../src/stats/events'
import { installWx, loadPage, recordRequests, room, seedRooms, spyOnTrack, startViewerEnv, text, useLiveSetup, VIEWER, type SimNode, type TrackSpy, type ViewerEnv } from './harness'

const HOUR = 3600_000
const FINDER = 'sphTestShop0001'
const CHANNELS_ONLY = { miniProgramLive: false, channels: { finderUserName: FINDER } }
const BOTH = { miniProgramLive: true, channels: { finderUserName: FINDER } }
const FEED = 'export/feedLive0001'
const NONCE = '2000000000000001'

let env: ViewerEnv
let shim: WxChannelsShim
let page: SimNode | null = null
let restoreSetup: (() => void) | null = null
let sent: TrackSpy

beforeAll(async () => {
  env = await startViewerEnv()
  shim = env.channels!
})
afterAll(async () => {
  await env.stop()
})
beforeEach(async () => {
  await env.emu.reset()
  env.navigateTo.mockReset()
  env.showToast.mockReset()
  env.storage.clear()
  shim.baseLibrary = '3.0.0'
  shim.calls.length = 0
  installWx(env)
  restoreSetup = useLiveSetup(CHANNELS_ONLY)
  sent = await spyOnTrack(env)
})
afterEach(() => {
  page?.detach()
  page = null
  restoreSetup?.()
  sent.stop()
})

async function open(): Promise<SimNode> {
  page?.detach()
  page = loadPage('pages/home/index')
  await page.instance.onLoad({})
  await shim.settled()
  return page
}

/** Opens the page and checks it sent no room-cache query or watch (Mini Program Live off). */
async function openReadingNoCache(): Promise<SimNode> {
  const rec = recordRequests()
  try {
    const p = await open()
    expect(rec.requests).toEqual([])
    return p
  } finally {
    rec.stop()
  }
}

const card = (p: SimNode, section: string): SimNode | undefined => p.querySelector(`#channels-${section}`)
const apiCalls = (api?: string): string[] => shim.calls.map((c) => c.api).filter((a) => api === undefined || a === api)
const startSeconds = (ms: number): number => Math.floor(ms / 1000)

async function events(): Promise<Record<string, unknown>[]> {
  await sent.flush()
  const all = sent.events()
  all.forEach((e, i) => expect(checkEvent(e, i, Date.now())).toMatchObject({ ok: true }))
  return all
}

describe('home page with Channels live', () => {
  it('Channels only: the live shows through <channel-live> in 正在直播, with no room-cache query or watch and no sync banner', async () => {
    env.emu.channels.setLive(FINDER, { status: 'live', feedId: FEED, nonceId: NONCE, description: '今晚直播：秋冬上新', nickname: '测试小店' })
    env.emu.channels.setNotice(FINDER, { startTime: startSeconds(Date.now() + 26 * HOUR) })
    const p = await openReadingNoCache()
    expect(p.data.status).toBe('ready')
    expect(p.querySelector('.stale')).toBeUndefined()
    expect(p.querySelectorAll('.section-title').map((t) => (t.dom.textContent ?? '').trim())).toEqual(['正在直播', '即将开播'])
    // simulate renders <channel-live> without its attributes: what it is given is the page data the template binds
    expect(p.querySelector('.channel-live')).toBeDefined()
    expect(p.data.sections[0].channels).toMatchObject({ kind: 'live', useComponent: true, feedId: FEED })
    expect(p.data.channelsFinder).toBe(FINDER)
    expect(p.querySelector('#channels-card-live')).toBeUndefined()
    expect(apiCalls().sort()).toEqual(['getChannelsLiveInfo', 'getChannelsLiveNoticeInfo'])
    p.querySelector('.channel-live')!.dispatchEvent('tap', { bubbles: true }) // the viewer's tap on the component reaches its wrapper
    await vi.waitFor(async () => expect(await events()).toMatchObject([{ kind: 'channels_enter', channel: 'direct', scene: 1001, via: 'component', status: 'live', feedId: FEED }]))
  })

  it('below base library 2.29.0 the live is a card opened by wx.openChannelsLive after a tap, naming the live below 2.19.2', async () => {
    env.emu.channels.setLive(FINDER, { status: 'live', feedId: FEED, nonceId: NONCE, description: '今晚直播' })
    shim.baseLibrary = '2.20.0'
    const p = await open()
    expect(p.querySelector('.channel-live')).toBeUndefined()
    expect(text(card(p, 'live')!)).toContain('视频号直播中')
    expect(text(card(p, 'live')!)).toContain('今晚直播')
    p.querySelector('#channels-card-live')!.dispatchEvent('tap')
    await shim.settled()
    await vi.waitFor(() => expect(apiCalls('openChannelsLive')).toHaveLength(1))
    expect(shim.calls.find((c) => c.api === 'openChannelsLive')).toMatchObject({ options: { finderUserName: FINDER }, result: {} })
    expect(shim.calls.find((c) => c.api === 'openChannelsLive')!.options).not.toHaveProperty('feedId')

    shim.baseLibrary = '2.18.0' // no notice APIs yet, and openChannelsLive must name the live
    env.storage.clear()
    shim.calls.length = 0
    const old = await open()
    expect(apiCalls()).toEqual(['getChannelsLiveInfo'])
    old.querySelector('#channels-card-live')!.dispatchEvent('tap')
    await vi.waitFor(() => expect(apiCalls('openChannelsLive')).toHaveLength(1))
    await shim.settled()
    expect(shim.calls.find((c) => c.api === 'openChannelsLive')).toMatchObject({ options: { finderUserName: FINDER, feedId: FEED, nonceId: NONCE }, result: {} })
    const entered = (await events()).filter((e) => e.kind === 'channels_enter')
    expect(entered).toMatchObject([
      { via: 'api', status: 'live', feedId: FEED },
      { via: 'api', status: 'live', feedId: FEED },
    ])
  })

  it('a preparing live shows as 即将开播 with nothing to tap; a never-live account shows nothing and the page says there is no live', async () => {
    env.emu.channels.setLive(FINDER, { status: 'preparing', feedId: FEED, nonceId: NONCE })
    const p = await open()
    const upcoming = card(p, 'upcoming')!
    expect(text(upcoming)).toContain('即将开播')
    expect(text(upcoming)).toContain('主播正在准备，马上开播')
    expect(p.querySelector('#channels-reserve')).toBeUndefined()
    p.querySelector('#channels-card-upcoming')!.dispatchEvent('tap')
    expect(card(p, 'live')).toBeUndefined()

    env.emu.channels.setLive(FINDER, { status: 'never' })
    env.storage.clear()
    const never = await open()
    expect(never.data.sections.map((s: { channels: unknown }) => s.channels)).toEqual([null, null, null])
    expect(never.data.status).toBe('empty')
    expect(text(never)).toContain('还没有直播')
    await shim.settled()
    expect(apiCalls('openChannelsLive')).toEqual([])
  })

  it('an ended live with its replay ready is a 精彩回放 card that opens it; generating says so; not generated or expired shows nothing', async () => {
    env.emu.channels.setLive(FINDER, { status: 'ended', feedId: FEED, nonceId: NONCE, description: '上周新品', replayStatus: 'ready' })
    const p = await open()
    expect(p.querySelectorAll('.section-title').map((t) => (t.dom.textContent ?? '').trim())).toEqual(['精彩回放'])
    expect(text(card(p, 'replay')!)).toContain('视频号回放')
    expect(text(card(p, 'replay')!)).toContain('上周新品')
    p.querySelector('#channels-card-replay')!.dispatchEvent('tap')
    await vi.waitFor(() => expect(apiCalls('openChannelsLive')).toHaveLength(1))
    await shim.settled()
    expect((await events()).filter((e) => e.kind === 'channels_enter')).toMatchObject([{ via: 'api', status: 'ended', feedId: FEED }])

    env.emu.channels.setReplay(FINDER, { replayStatus: 'generating' })
    env.storage.clear()
    const pending = await open()
    expect(text(card(pending, 'replay')!)).toContain('回放生成中，稍后再来')
    pending.querySelector('#channels-card-replay')!.dispatchEvent('tap')
    await shim.settled()
    expect(apiCalls('openChannelsLive')).toHaveLength(1)

    for (const replayStatus of ['notGenerated', 'expired'] as const) {
      env.emu.channels.setReplay(FINDER, { replayStatus })
      env.storage.clear()
      const none = await open()
      expect(card(none, 'replay'), replayStatus).toBeUndefined()
      expect(none.data.status, replayStatus).toBe('empty')
    }
  })

  it('a usable notice shows its start and a reserve button; reserving is tracked and remembered, so the button goes though WeChat still says reservable', async () => {
    env.emu.channels.setLive(FINDER, { status: 'never' })
    env.emu.channels.setNotice(FINDER, { noticeId: 'notice0001', startTime: startSeconds(Date.now() + 3 * HOUR + 20 * 60_000), nickname: '测试小店' })
    const p = await open()
    const upcoming = card(p, 'upcoming')!
    expect(text(upcoming)).toContain('测试小店的直播预告')
    expect(text(upcoming)).toMatch(/(今天|明天) \d\d:\d\d 开播/)
    expect(text(upcoming)).toMatch(/3小时(19|20)分后开播/)
    p.querySelector('#channels-reserve')!.dispatchEvent('tap')
    await vi.waitFor(() => expect(text(card(p, 'upcoming')!)).toContain('已预约'))
    expect(p.querySelector('#channels-reserve')).toBeUndefined()
    expect(shim.calls.find((c) => c.api === 'reserveChannelsLive')).toMatchObject({ options: { noticeId: 'notice0001' }, result: { state: 6 } })
    expect(env.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '预约成功，开播时会提醒你' }))

    // a minute on, WeChat is asked again and still says reservable: the device's memory decides
    env.storage.set('channels.kept', { ...(env.storage.get('channels.kept') as object), live: null, notice: null })
    shim.calls.length = 0
    const again = await open()
    expect(shim.calls.find((c) => c.api === 'getChannelsLiveNoticeInfo')!.result).toMatchObject({ reservable: true })
    expect(text(card(again, 'upcoming')!)).toContain('已预约，开播时微信会提醒你')
    expect(again.querySelector('#channels-reserve')).toBeUndefined()
    expect((await events()).filter((e) => e.kind === 'channels_reserve')).toMatchObject([{ channel: 'direct', noticeId: 'notice0001', outcome: 'reserved' }])
  })

  it('a viewer who closes the reserve dialog keeps the button; one who had reserved elsewhere is told so', async () => {
    env.emu.channels.setLive(FINDER, { status: 'never' })
    env.emu.channels.setNotice(FINDER, { noticeId: 'notice0002', startTime: startSeconds(Date.now() + 26 * HOUR) })
    env.emu.channels.setReserveChoice(FINDER, VIEWER, 'cancel')
    const p = await open()
    p.querySelector('#channels-reserve')!.dispatchEvent('tap')
    await vi.waitFor(() => expect(apiCalls('reserveChannelsLive')).toHaveLength(1))
    await shim.settled()
    expect(p.querySelector('#channels-reserve')).toBeDefined()
    expect(text(card(p, 'upcoming')!)).not.toContain('已预约')

    // reserved on another device: this one learns it only from the dialog's answer (state 8)
    env.emu.channels.setReserveChoice(FINDER, VIEWER, 'reserve')
    await new Promise<void>((resolve) => shim.reserveChannelsLive({ noticeId: 'notice0002', complete: () => resolve() }))
    p.querySelector('#channels-reserve')!.dispatchEvent('tap')
    await vi.waitFor(() => expect(text(card(p, 'upcoming')!)).toContain('已预约'))
    expect(shim.calls.filter((c) => c.api === 'reserveChannelsLive').map((c) => c.result)).toMatchObject([{ state: 5 }, { state: 6 }, { state: 8 }])
    expect((await events()).filter((e) => e.kind === 'channels_reserve').map((e) => e.outcome)).toEqual(['dismissed', 'alreadyReserved'])
  })

  it('Mini Program Live and Channels both: the Channels live heads 正在直播 above the rooms, its notice heads 即将开播', async () => {
    restoreSetup?.()
    restoreSetup = useLiveSetup(BOTH)
    const now = Date.now()
    seedRooms(env, [room(11, 'live', now - HOUR), room(12, 'upcoming', now + HOUR)])
    env.emu.channels.setLive(FINDER, { status: 'live', feedId: FEED, nonceId: NONCE })
    env.emu.channels.setNotice(FINDER, { startTime: startSeconds(now + 26 * HOUR) })
    const p = await open()
    await vi.waitFor(() => expect(p.querySelectorAll('.room').map((c) => Number(c.data.room.roomId))).toEqual([11, 12]))
    const live = p.querySelector('.section-live')!
    expect(live.dom.innerHTML).toContain('wx-channel-live')
    expect(live.dom.innerHTML.indexOf('wx-channel-live')).toBeLessThan(live.dom.innerHTML.indexOf('直播间11'))
    const upcoming = p.querySelector('.section-upcoming')!
    expect(upcoming.dom.innerHTML).toContain('视频号预告')
    expect(upcoming.dom.innerHTML.indexOf('视频号预告')).toBeLessThan(upcoming.dom.innerHTML.indexOf('直播间12'))
  })

  it('neither kind of Live: the empty state, with no cache query and no Channels call', async () => {
    restoreSetup?.()
    restoreSetup = useLiveSetup({ miniProgramLive: false, channels: null })
    const p = await openReadingNoCache()
    expect(shim.calls).toEqual([])
    expect(p.data.status).toBe('empty')
    expect(text(p)).toContain('还没有直播')
  })

  it('on a base library without the Channels APIs there is quietly no Channels section and no call', async () => {
    env.emu.channels.setLive(FINDER, { status: 'live', feedId: FEED, nonceId: NONCE })
    shim.baseLibrary = '2.14.0'
    const p = await open()
    expect(shim.calls).toEqual([])
    expect(card(p, 'live')).toBeUndefined()
    expect(p.data.status).toBe('empty')
    expect(await events()).toEqual([])
  })

  it('100008 shows the viewer nothing broken and tells the merchant once: one channels_error event within the minute', async () => {
    env.emu.channels.setLive(FINDER, { status: 'live', feedId: FEED, nonceId: NONCE })
    env.emu.channels.setNotice(FINDER, { startTime: startSeconds(Date.now() + 26 * HOUR) })
    env.emu.channels.setFault(FINDER, 'getChannelsLiveInfo', 100008)
    const p = await open()
    expect(shim.calls.find((c) => c.api === 'getChannelsLiveInfo')!.error).toMatchObject({ errCode: 100008 })
    expect(p.data.status).toBe('ready') // the notice still shows; the live is simply absent
    expect(card(p, 'live')).toBeUndefined()
    expect(text(p)).not.toMatch(/失败|错误|100008/)
    expect(env.showToast).not.toHaveBeenCalled()
    await open() // the page opened again within the minute: the kept answer, no new ask, no second report
    expect(apiCalls('getChannelsLiveInfo')).toHaveLength(1)
    expect((await events()).filter((e) => String(e.kind).startsWith('channels_'))).toMatchObject([{ kind: 'channels_error', channel: 'direct', api: 'getChannelsLiveInfo', errCode: 100008 }])
  })

  it('asks each Channels API at most once a minute per device: a reload within the minute reads the kept answer, after it asks again', async () => {
    env.emu.channels.setLive(FINDER, { status: 'live', feedId: FEED, nonceId: NONCE })
    env.emu.channels.setNotice(FINDER, { startTime: startSeconds(Date.now() + 26 * HOUR) })
    const first = await open()
    expect(first.querySelector('.channel-live')).toBeDefined()
    expect(apiCalls().sort()).toEqual(['getChannelsLiveInfo', 'getChannelsLiveNoticeInfo'])
    env.emu.channels.setLive(FINDER, { status: 'ended', replayStatus: 'ready' })
    const second = await open() // a reopened page within the minute
    expect(apiCalls()).toHaveLength(2)
    expect(second.querySelector('.channel-live')).toBeDefined()
    expect(card(second, 'replay')).toBeUndefined()
    const now = Date.now()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(now + 61_000)
      const third = await open()
      expect(apiCalls()).toHaveLength(4)
      expect(third.querySelector('.channel-live')).toBeUndefined()
      expect(text(card(third, 'replay')!)).toContain('视频号回放')
    } finally {
      vi.useRealTimers()
    }
  })
})
