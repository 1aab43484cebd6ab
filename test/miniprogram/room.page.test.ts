// @vitest-environment jsdom
/** Room page: card, countdown, reminder, plugin status polling, entering with the 600-character guard, sharing. */
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { checkEvent } from '../../src/stats/events'
import { spyOnTrack, installWx, loadPage, recordRequests, room, seedRooms, servingIndex, sleep, startViewerEnv, text, until, useLiveSetup, type SimNode, type ViewerEnv } from './harness'
import { LiveStatus } from '../../src/live/status'

const HOUR = 3600_000
let env: ViewerEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startViewerEnv()
})
afterAll(async () => {
  await env.stop()
})
beforeEach(async () => {
  await env.emu.reset()
  env.navigateTo.mockReset()
  env.showToast.mockReset()
  env.storage.clear()
  env.plugin.getLiveStatus.mockReset()
  env.plugin.getLiveStatus.mockImplementation(async () => ({ liveStatus: LiveStatus.upcoming }))
  installWx(env)
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(query: Record<string, string>): Promise<SimNode> {
  page = loadPage('pages/room/index')
  await page.instance.onLoad(query)
  return page
}

describe('room page', () => {
  it('shows an upcoming room with its countdown and the start reminder', async () => {
    seedRooms(env, [room(81, 'upcoming', Date.now() + 2 * HOUR + 10 * 60_000)])
    const p = await open({ roomId: '81' })
    expect(p.data.status).toBe('ready')
    expect(text(p)).toMatch(/2小时(9|10)分后开播/)
    expect(text(p)).toContain('进入直播间看预告')
    const sub = p.querySelector('#room-81')!.querySelector('.sub-btn')!
    expect(sub.data.roomId).toBe(81)
    expect(JSON.parse(decodeURIComponent(sub.data.customParams))).toEqual({ channel: 'direct', path: 'pages/room/index?roomId=81' })
  })

  it('asks the plugin for the live status, updates the card and remembers the hint, and does not re-ask within a minute', async () => {
    seedRooms(env, [room(82, 'upcoming', Date.now() + 5 * 60_000)])
    env.plugin.getLiveStatus.mockImplementation(async () => ({ liveStatus: LiveStatus.live }))
    const p = await open({ roomId: '82' })
    await until(() => expect(p.data.room.badgeText).toBe('直播中'))
    expect(env.plugin.getLiveStatus).toHaveBeenCalledWith({ room_id: 82 })
    const hints = env.storage.get('live-status-hints') as Record<string, { liveStatus: number }>
    expect(hints['82'].liveStatus).toBe(LiveStatus.live)
    expect(p.querySelector('#room-82')!.querySelector('.badge')!.dom.textContent).toContain('直播中')
    p.triggerPageLifeTime('hide')
    p.triggerPageLifeTime('show')
    await sleep(50)
    expect(env.plugin.getLiveStatus).toHaveBeenCalledTimes(1)
  })

  it('enters through the plugin with the entry channel and page path in custom_params', async () => {
    seedRooms(env, [room(83, 'live', Date.now() - HOUR)])
    const p = await open({ roomId: '83', channel: 'share_room' })
    p.querySelector('.enter')!.dispatchEvent('tap')
    await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
    expect(env.navigateTo.mock.calls[0][0].url).toBe(
      'plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin?room_id=83&custom_params=' +
        encodeURIComponent(JSON.stringify({ channel: 'direct', path: 'pages/room/index?roomId=83&channel=share_room' })),
    )
  })

  it('refuses to enter when custom_params would pass 600 characters, saying why', async () => {
    seedRooms(env, [room(84, 'live', Date.now() - HOUR)])
    const p = await open({ roomId: '84', campaign: 'x'.repeat(560) })
    p.querySelector('.enter')!.dispatchEvent('tap')
    await until(() => expect(env.showToast).toHaveBeenCalledTimes(1))
    expect(env.navigateTo).not.toHaveBeenCalled()
    expect(env.showToast.mock.calls[0][0].title).toBe('入口参数过长，无法进入直播间')
    expect(p.querySelector('.enter-error')!.dom.textContent).toContain('入口参数过长')
  })

  it('sends an ended room with a replay to the replay page, and refuses a banned room saying why', async () => {
    seedRooms(env, [room(88, 'ended', Date.now() - 30 * HOUR), room(89, 'banned', Date.now() - 2 * HOUR)])
    env.plugin.getLiveStatus.mockImplementation(async () => ({ liveStatus: LiveStatus.ended }))
    const ended = await open({ roomId: '88' })
    expect(ended.querySelector('.enter')!.dom.textContent).toContain('看回放')
    ended.querySelector('.enter')!.dispatchEvent('tap')
    await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
    expect(env.navigateTo.mock.calls[0][0].url).toBe('/pages/replay/index?roomId=88')
    ended.detach()

    env.plugin.getLiveStatus.mockImplementation(async () => ({ liveStatus: LiveStatus.banned }))
    const banned = await open({ roomId: '89' })
    banned.querySelector('.enter')!.dispatchEvent('tap')
    await until(() => expect(env.showToast).toHaveBeenCalledTimes(1))
    expect(env.navigateTo).toHaveBeenCalledTimes(1)
    expect(env.showToast.mock.calls[0][0].title).toBe('直播间已被封禁，无法进入')
    expect(banned.querySelector('.enter-error')!.dom.textContent).toContain('已被封禁')
  })

  it('shares the room with a channel', async () => {
    seedRooms(env, [room(85, 'live', Date.now() - HOUR)])
    const p = await open({ roomId: '85' })
    expect(p.instance.onShareAppMessage()).toEqual({ title: '直播间85', path: '/pages/room/index?roomId=85&channel=share_room', imageUrl: 'https://img/c85.jpg' })
  })

  it('says when the room does not exist or the id is invalid', async () => {
    const missing = await open({ roomId: '86' })
    expect(text(missing)).toContain('直播间不存在')
    missing.detach()
    const invalid = await open({ roomId: 'abc' })
    expect(text(invalid)).toContain('房间号无效：abc')
  })

  it('does not ask the plugin again within a minute when the room page is reopened, and shows the remembered status', async () => {
    seedRooms(env, [room(87, 'upcoming', Date.now() + 5 * 60_000)])
    env.plugin.getLiveStatus.mockImplementation(async () => ({ liveStatus: LiveStatus.paused }))
    const first = await open({ roomId: '87' })
    await until(() => expect(first.data.room.badgeText).toBe('暂停中'))
    first.detach()
    const again = await open({ roomId: '87' })
    await sleep(50)
    expect(env.plugin.getLiveStatus).toHaveBeenCalledTimes(1)
    // The device's hint from the first visit is newer than the cache's write, so the card says so at once.
    expect(again.data.room.badgeText).toBe('暂停中')
  })

  it('reads the room with one query on the roomId index, projected to what the page shows', async () => {
    seedRooms(env, [room(88, 'live', Date.now() - HOUR)])
    const rec = recordRequests()
    try {
      await open({ roomId: '88' })
    } finally {
      rec.stop()
    }
    expect(rec.requests.map((r) => [r.collectionName, r.query, r.limit, servingIndex(r)])).toEqual([['live_rooms', { roomId: 88 }, 1, 'roomId']])
    expect(Object.keys(rec.requests[0].projection ?? {})).toContain('shareImg')
    expect(Object.keys(rec.requests[0].projection ?? {})).not.toContain('contentHash')
  })

  it('reports the entry into the room (shared when a share card brought the viewer), the reminder and the share to track', async () => {
    seedRooms(env, [room(86, 'live', Date.now() - HOUR)])
    const sent = await spyOnTrack(env)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const attribution = require(join(inject('mpOut'), 'services', 'attribution.js')) as typeof import('../../miniprogram/services/attribution')
    await attribution.recordAppShow({ scene: 1007, query: { channel: 'share_room', roomId: '86' } }, async () => ({}), Date.now())
    try {
      const p = await open({ roomId: '86', channel: 'share_room' })
      p.querySelector('.enter')!.dispatchEvent('tap')
      await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
      p.instance.onSubscribed()
      p.instance.onShareAppMessage()
      await sent.flush()
    } finally {
      await attribution.recordAppShow({ scene: 1001, query: {} }, async () => ({}), Date.now())
    }
    expect(sent.events()).toMatchObject([
      { kind: 'enter', roomId: 86, channel: 'share_room', scene: 1007, shared: true },
      { kind: 'subscribe', roomId: 86, channel: 'share_room' },
      { kind: 'share', roomId: 86, channel: 'share_room' },
    ])
    sent.events().forEach((e, i) => expect(checkEvent(e, i, Date.now())).toMatchObject({ ok: true }))
    sent.stop()
  })

  it('with Mini Program Live off (an old shared link) says the live is offline with a way home, reading no cache and never asking the plugin', async () => {
    seedRooms(env, [room(89, 'live', Date.now() - HOUR)])
    const restore = useLiveSetup({ miniProgramLive: false, channels: { finderUserName: 'sphTestShop0001' } })
    const rec = recordRequests()
    try {
      const p = await open({ roomId: '89' })
      await sleep(20)
      expect(p.data.status).toBe('offline')
      expect(text(p)).toContain('直播已下线')
      expect(p.querySelector('#room-89')).toBeUndefined()
      p.querySelector('.home-link')!.dispatchEvent('tap')
      await until(() => expect(env.reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index' }))
      expect(p.instance.onShareAppMessage()).toEqual({ title: '正在直播 · 好物不停', path: '/pages/home/index?channel=share_home' })
      p.triggerPageLifeTime('show')
      await sleep(20)
    } finally {
      rec.stop()
      restore()
    }
    expect(rec.requests).toEqual([])
    expect(env.plugin.getLiveStatus).not.toHaveBeenCalled()
  })
})
