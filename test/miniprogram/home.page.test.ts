// @vitest-environment jsdom
/** Home page with Mini Program Live only, against the emulator's client channel as a viewer (rules enforced). */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createWxCloud } from '../../emulator/client/wx-cloud'
import { COLLECTIONS } from '../../src/cache/schema'
import { goods, installWx, loadPage, recordRequests, room, seedRooms, seedSyncStatus, servingIndex, startViewerEnv, text, until, VIEWER, type SimNode, type ViewerEnv } from './harness'
import { LiveStatus } from '../../src/live/status'
import { checkEvent } from '../../src/stats/events'
import { spyOnTrack, useLiveSetup } from './harness'

const HOUR = 3600_000
let env: ViewerEnv
let page: SimNode | null = null
let restoreSetup: () => void

beforeAll(async () => {
  env = await startViewerEnv()
  restoreSetup = useLiveSetup({ miniProgramLive: true, channels: null })
})
afterAll(async () => {
  restoreSetup()
  await env.stop()
})
beforeEach(async () => {
  await env.emu.reset()
  env.navigateTo.mockReset()
  env.showToast.mockReset()
  installWx(env)
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(): Promise<SimNode> {
  page = loadPage('pages/home/index')
  await page.instance.onLoad({})
  return page
}

function cardIds(p: SimNode, section?: string): number[] {
  return p.querySelectorAll(section ? `.room-${section}` : '.room').map((c) => Number(c.data.room.roomId))
}

function badge(p: SimNode, roomId: number): string {
  const card = p.querySelector(`#room-${roomId}`)
  return (card?.querySelector('.badge')?.dom.textContent ?? '').trim()
}

describe('home page', () => {
  it('lists live, upcoming and replay sections in order, with a badge for every listed status', async () => {
    const now = Date.now()
    seedRooms(env, [
      room(1, 'live', now - 3 * HOUR),
      room(2, 'paused', now - 1 * HOUR),
      room(3, 'abnormal', now - 2 * HOUR),
      room(4, 'upcoming', now + 5 * HOUR),
      room(5, 'upcoming', now + 1 * HOUR),
      room(6, 'ended', now - 30 * HOUR),
      room(7, 'ended', now - 10 * HOUR),
      room(8, 'ended', now - 5 * HOUR, { replay: { state: 'none', segments: 0, expiresAt: null }, section: 'ended' }),
      room(9, 'banned', now - 4 * HOUR),
      room(10, 'expired', now - 50 * HOUR),
    ])
    const p = await open()
    expect(cardIds(p)).toEqual([2, 3, 1, 5, 4, 7, 6])
    expect([2, 3, 1, 5, 7].map((id) => badge(p, id))).toEqual(['暂停中', '主播暂时离开', '直播中', '预告', '回放'])
    expect(p.querySelectorAll('.section-title').map((t) => (t.dom.textContent ?? '').trim())).toEqual(['正在直播', '即将开播', '精彩回放'])
  })

  it('shows goods with yuan prices, the upcoming start time and countdown, and the reminder button', async () => {
    const now = Date.now()
    seedRooms(env, [
      room(21, 'live', now - HOUR, { goods: [goods(1), goods(2, { priceType: 'discount', price: 5000, price2: 3990 }), goods(3), goods(4)] }),
      room(22, 'upcoming', now + 3 * HOUR + 20 * 60_000),
    ])
    const p = await open()
    const live = text(p.querySelector('#room-21')!)
    expect(live).toContain('好物1')
    expect(live).toContain('¥1.90')
    expect(live).toContain('¥39.90')
    expect(live).toContain('¥50.00')
    expect(live).toContain('+1')
    const upcoming = p.querySelector('#room-22')!
    expect(text(upcoming)).toMatch(/(今天|明天) \d\d:\d\d 开播/)
    expect(text(upcoming)).toMatch(/3小时(19|20)分后开播/)
    const sub = upcoming.querySelector('.sub-btn')!
    expect(sub.data.roomId).toBe(22)
    expect(JSON.parse(decodeURIComponent(sub.data.customParams))).toEqual({ channel: 'direct', path: 'pages/home/index' })
    expect(p.querySelector('#room-21')!.querySelector('.sub-btn')).toBeUndefined()
  })

  it('pages past 20 rooms with infinite scroll, continuing into the next section', async () => {
    const now = Date.now()
    seedRooms(env, [
      ...Array.from({ length: 25 }, (_, i) => room(100 + i, 'live', now - (i + 1) * 60_000)),
      ...Array.from({ length: 3 }, (_, i) => room(200 + i, 'upcoming', now + (i + 1) * HOUR)),
    ])
    const p = await open()
    expect(cardIds(p)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i))
    expect(p.data.allLoaded).toBe(false)
    await p.instance.onReachBottom()
    await until(() => expect(cardIds(p)).toHaveLength(28))
    expect(cardIds(p, 'live')).toEqual(Array.from({ length: 25 }, (_, i) => 100 + i))
    expect(cardIds(p, 'upcoming')).toEqual([200, 201, 202])
    await until(() => expect(p.data.allLoaded).toBe(true))
    expect(text(p)).toContain('没有更多了')
  })

  it('enters a live room through the plugin with custom_params, upcoming and replay through their pages', async () => {
    const now = Date.now()
    seedRooms(env, [room(31, 'live', now - HOUR), room(32, 'upcoming', now + HOUR), room(33, 'ended', now - 9 * HOUR)])
    const p = await open()
    p.querySelector('#room-31')!.querySelector('.card')!.dispatchEvent('tap')
    await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
    expect(env.navigateTo.mock.calls[0][0].url).toBe(
      'plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin?room_id=31&custom_params=' +
        encodeURIComponent(JSON.stringify({ channel: 'direct', path: 'pages/home/index' })),
    )
    p.querySelector('#room-32')!.querySelector('.card')!.dispatchEvent('tap')
    p.querySelector('#room-33')!.querySelector('.card')!.dispatchEvent('tap')
    await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(3))
    expect(env.navigateTo.mock.calls.slice(1).map((c) => c[0].url)).toEqual(['/pages/room/index?roomId=32', '/pages/replay/index?roomId=33'])
  })

  it('shares the home page with a channel', async () => {
    const p = await open()
    expect(p.instance.onShareAppMessage()).toEqual({ title: '正在直播 · 好物不停', path: '/pages/home/index?channel=share_home' })
  })

  it('says there are no rooms yet when nothing is listed', async () => {
    seedRooms(env, [room(41, 'banned', Date.now() - HOUR)])
    const p = await open()
    expect(p.data.status).toBe('empty')
    expect(text(p)).toContain('还没有直播')
  })

  it('shows "updated N minutes ago" when the cache is stale, and nothing when fresh', async () => {
    seedRooms(env, [room(51, 'live', Date.now() - HOUR)])
    seedSyncStatus(env, Date.now() - 42 * 60_000 - 5_000)
    const p = await open()
    expect(p.querySelector('.stale')!.dom.textContent).toContain('数据更新于 42 分钟前')
    p.detach()
    env.emu.engine.update(COLLECTIONS.syncStatus, { _id: 'public' }, { $set: { lastSuccessAt: new Date() } }, { multi: false, upsert: false, merge: true })
    const fresh = await open()
    expect(fresh.querySelector('.stale')).toBeUndefined()
  })

  it('shows a network error with retry, and recovers on retry', async () => {
    seedRooms(env, [room(61, 'live', Date.now() - HOUR)])
    const dead = createWxCloud({ url: 'http://127.0.0.1:9', openid: VIEWER })
    const real = env.cloud
    env.cloud = dead
    env.network.type = 'none'
    installWx(env)
    const p = await open()
    expect(p.data.status).toBe('error')
    expect(text(p)).toContain('网络不可用，请检查网络后重试')
    env.cloud = real
    env.network.type = 'wifi'
    installWx(env)
    p.querySelector('.retry')!.dispatchEvent('tap')
    await until(() => expect(cardIds(p)).toEqual([61]))
  })

  it('updates in real time when the cache moves a room from upcoming to live', async () => {
    const now = Date.now()
    seedRooms(env, [room(71, 'upcoming', now + HOUR), room(72, 'live', now - HOUR)])
    const p = await open()
    expect(cardIds(p, 'live')).toEqual([72])
    expect(cardIds(p, 'upcoming')).toEqual([71])
    env.emu.engine.update(
      COLLECTIONS.rooms,
      { _id: 'room-71' },
      { $set: { liveStatus: LiveStatus.live, status: 'live', section: 'live', sortKey: -(now + 10) } },
      { multi: false, upsert: false, merge: true },
    )
    await until(() => expect(cardIds(p, 'live')).toEqual([71, 72]))
    await until(() => expect(cardIds(p, 'upcoming')).toEqual([]))
    expect(badge(p, 71)).toBe('直播中')
  })

  it('reads each section with one indexed query (section + sortKey), 20 rows at a time, only the card fields', async () => {
    const now = Date.now()
    seedRooms(env, [room(11, 'live', now - HOUR), room(12, 'upcoming', now + HOUR), room(13, 'ended', now - 9 * HOUR)])
    seedSyncStatus(env, now)
    const rec = recordRequests()
    try {
      const p = await open()
      expect(cardIds(p)).toEqual([11, 12, 13])
      await until(() => expect(rec.requests.filter((r) => r.kind === 'watch')).toHaveLength(2))
    } finally {
      rec.stop()
    }
    const reads = rec.requests.filter((r) => r.kind === 'db' && r.collectionName === 'live_rooms')
    expect(reads.map((r) => r.query)).toEqual([{ section: 'live' }, { section: 'upcoming' }, { section: 'replay' }])
    for (const r of reads) {
      expect(r).toMatchObject({ action: 'database.getDocument', order: { sortKey: 1 }, limit: 20, offset: 0 })
      expect(Object.keys(r.projection ?? {}).sort()).toEqual(['anchorName', 'coverImg', 'goods', 'liveStatus', 'name', 'replay', 'roomId', 'section', 'startTime', 'syncedAt'])
      expect(servingIndex(r)).toBe('section_sortKey')
    }
    const watches = rec.requests.filter((r) => r.kind === 'watch')
    expect(watches.map((w) => [w.collectionName, w.query, servingIndex(w)])).toEqual([
      ['live_rooms', { section: 'live' }, 'section_sortKey'],
      ['live_rooms', { section: 'upcoming' }, 'section_sortKey'],
    ])
    const status = rec.requests.filter((r) => r.collectionName === 'live_sync_status')
    expect(status.map((r) => [r.query, r.limit, servingIndex(r)])).toEqual([[{ _id: 'public' }, 1, '_id_']])
    expect(rec.requests.filter((r) => r.kind === 'db').map((r) => r.collectionName).sort()).toEqual(['live_rooms', 'live_rooms', 'live_rooms', 'live_sync_status'])
    expect(env.channels!.calls).toEqual([]) // no Channels account: no Channels API asked
  })

  it('pull to refresh reloads every section from the first page and stops the spinner', async () => {
    const now = Date.now()
    seedRooms(env, [room(15, 'live', now - HOUR)])
    const p = await open()
    expect(cardIds(p)).toEqual([15])
    // The replay section is not watched: only a reload can show this room.
    seedRooms(env, [room(17, 'ended', now - 9 * HOUR)])
    const stop = (globalThis as unknown as { wx: { stopPullDownRefresh: ReturnType<typeof vi.fn> } }).wx.stopPullDownRefresh
    expect(stop).not.toHaveBeenCalled()
    await p.instance.onPullDownRefresh()
    expect(cardIds(p)).toEqual([15, 17])
    expect(stop).toHaveBeenCalledTimes(1)
  })

  it('turns stale while the page stays open, without a new read, once the last sync is old enough', async () => {
    const now = Date.now()
    seedRooms(env, [room(18, 'live', now - HOUR)])
    seedSyncStatus(env, now - 5 * 60_000)
    const p = await open()
    expect(p.querySelector('.stale')).toBeUndefined()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(now + 20 * 60_000)
      p.instance.tickCountdowns()
    } finally {
      vi.useRealTimers()
    }
    expect(p.querySelector('.stale')!.dom.textContent).toContain('数据更新于 25 分钟前')
  })

  it('reports each card seen once a visit, taps and the entry into a live room to track, in well-formed batches', async () => {
    const now = Date.now()
    seedRooms(env, [room(81, 'live', now - HOUR), room(82, 'upcoming', now + HOUR)])
    const sent = await spyOnTrack(env)
    const p = await open()
    const observer = env.observers.at(-1)!
    expect(observer.selector).toBe('.room')
    const [live, upcoming] = [p.querySelector('#room-81')!, p.querySelector('#room-82')!]
    observer.show(live)
    observer.show(upcoming)
    observer.show(live) // scrolled past and back: still one impression this visit
    live.querySelector('.card')!.dispatchEvent('tap')
    await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
    p.instance.onSubscribed({ detail: { roomId: 82 } })
    p.triggerPageLifeTime('hide') // the viewer went into the room and came back: a new look at the list
    observer.show(live)
    await sent.flush()
    expect(sent.events()).toMatchObject([
      { kind: 'impression', roomId: 81, channel: 'direct', section: 'live' },
      { kind: 'impression', roomId: 82, channel: 'direct', section: 'upcoming' },
      { kind: 'tap', roomId: 81, channel: 'direct', section: 'live' },
      { kind: 'enter', roomId: 81, channel: 'direct', scene: 1001, shared: false },
      { kind: 'subscribe', roomId: 82, channel: 'direct' },
      { kind: 'impression', roomId: 81, channel: 'direct', section: 'live' },
    ])
    sent.events().forEach((e, i) => expect(checkEvent(e, i, Date.now())).toMatchObject({ ok: true }))
    sent.stop()
  })
})
