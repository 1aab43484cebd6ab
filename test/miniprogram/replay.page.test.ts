// @vitest-environment jsdom
/** Replay page: segments in order, expiry shown, expired/missing/broken segments explained, sharing. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { COLLECTIONS } from '../../src/cache/schema'
import { checkEvent } from '../../src/stats/events'
import { spyOnTrack, installWx, loadPage, recordRequests, replayDoc, room, seedRooms, servingIndex, startViewerEnv, text, until, useLiveSetup, type SimNode, type ViewerEnv } from './harness'

const DAY = 86400_000
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
  installWx(env)
})
afterEach(() => {
  page?.detach()
  page = null
})

function seg(index: number, expireMs: number) {
  return { index, mediaUrl: `https://media/r/${index}.m3u8`, createTime: new Date(Date.now() - DAY), expireTime: new Date(expireMs) }
}

async function open(roomId: number, segments: ReturnType<typeof seg>[] | null, state: 'available' | 'pending' = 'available'): Promise<SimNode> {
  seedRooms(env, [room(roomId, 'ended', Date.now() - 2 * DAY)])
  if (segments) env.emu.engine.insert(COLLECTIONS.replays, [replayDoc(roomId, segments, state) as unknown as Record<string, unknown>])
  page = loadPage('pages/replay/index')
  await page.instance.onLoad({ roomId: String(roomId) })
  return page
}

describe('replay page', () => {
  it('plays unexpired segments in order and shows when the replay expires', async () => {
    const now = Date.now()
    const p = await open(91, [seg(2, now + 30 * DAY), seg(0, now - DAY), seg(1, now + 20 * DAY)])
    expect(p.querySelectorAll('.segment').map((s) => (s.dom.textContent ?? '').replace(/\s+/g, ''))).toEqual(['第1段已过期', expect.stringMatching(/^第2段.+到期$/), expect.stringMatching(/^第3段.+到期$/)])
    expect(p.data.currentUrl).toBe('https://media/r/1.m3u8')
    expect(p.dom.innerHTML).toMatch(/<(wx-)?video/)
    expect(text(p)).toMatch(/回放将于 .+ 到期/)
    p.instance.onEnded()
    expect(p.data.currentUrl).toBe('https://media/r/2.m3u8')
    p.instance.onEnded()
    expect(text(p)).toContain('回放已播放完毕')
  })

  it('explains an expired segment when chosen, and a segment that fails to play', async () => {
    const now = Date.now()
    const p = await open(92, [seg(0, now - DAY), seg(1, now + DAY), seg(2, now + DAY)])
    p.querySelectorAll('.segment')[0].dispatchEvent('tap')
    await new Promise((r) => setTimeout(r, 0))
    expect(text(p)).toContain('第 1 段回放已过期')
    p.instance.play(1)
    p.instance.onVideoError()
    expect(text(p)).toContain('第 2 段暂时无法播放（可能已过期或已删除）')
    p.querySelector('.next')!.dispatchEvent('tap')
    await new Promise((r) => setTimeout(r, 0))
    expect(p.data.currentUrl).toBe('https://media/r/2.m3u8')
  })

  it('says so when every segment expired, when the replay is missing, and when it is still being produced', async () => {
    const expired = await open(93, [seg(0, Date.now() - 1000)])
    expect(text(expired)).toContain('回放已过期')
    expired.detach()
    const missing = await open(94, null)
    expect(text(missing)).toContain('暂无回放')
    missing.detach()
    const pending = await open(95, [], 'pending')
    expect(text(pending)).toContain('回放生成中，请稍后再来')
  })

  it('shares the replay with a channel', async () => {
    const p = await open(96, [seg(0, Date.now() + DAY)])
    expect(p.instance.onShareAppMessage()).toEqual({ title: '回放 · 直播间96', path: '/pages/replay/index?roomId=96&channel=share_replay', imageUrl: 'https://img/c96.jpg' })
  })

  it('says a segment is missing when its media is gone, instead of a blank player', async () => {
    const now = Date.now()
    const p = await open(97, [{ ...seg(0, now + DAY), mediaUrl: '' }, seg(1, now + DAY)])
    expect(p.data.currentUrl).toBe('https://media/r/1.m3u8')
    expect((p.querySelectorAll('.segment')[0].dom.textContent ?? '').replace(/\s+/g, '')).toBe('第1段缺失')
    p.querySelectorAll('.segment')[0].dispatchEvent('tap')
    await new Promise((r) => setTimeout(r, 0))
    expect(text(p)).toContain('第 1 段回放缺失，暂时无法播放')
    p.detach()
    const only = await open(98, [{ ...seg(0, now + DAY), mediaUrl: '' }])
    expect(text(only)).toContain('回放片段缺失，暂时无法播放')
    expect(text(only)).not.toContain('回放已过期')
  })

  it('reads the replay and its room each with one query on the roomId index', async () => {
    const rec = recordRequests()
    try {
      await open(99, [seg(0, Date.now() + DAY)])
    } finally {
      rec.stop()
    }
    const seen = rec.requests.map((r) => [r.collectionName, r.query, r.limit, servingIndex(r)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(seen).toEqual([
      ['live_replays', { roomId: 99 }, 1, 'roomId'],
      ['live_rooms', { roomId: 99 }, 1, 'roomId'],
    ])
    expect(rec.requests.every((r) => r.projection !== null)).toBe(true)
  })

  it('reports each play with the seconds actually watched (seeks and pauses left out) when it ends or the page hides', async () => {
    const now = Date.now()
    const sent = await spyOnTrack(env)
    const p = await open(95, [seg(0, now + DAY), seg(1, now + DAY)])
    const playTo = (from: number, to: number): void => {
      for (let t = from; t <= to; t += 0.5) p.instance.onTimeUpdate({ detail: { currentTime: t } })
    }
    p.instance.onPlay()
    playTo(0, 10) // 10 s
    playTo(100, 104) // a seek to 100, then 4 s
    p.instance.onPause()
    p.instance.onPlay()
    playTo(110, 111.5) // paused, dragged to 110 and resumed: 1.5 s more
    p.instance.onEnded() // the next segment starts on its own
    expect(p.data.currentUrl).toBe('https://media/r/1.m3u8')
    p.instance.onPlay()
    playTo(0, 3)
    p.triggerPageLifeTime('hide')
    p.instance.onShareAppMessage()
    await sent.flush()
    expect(sent.events()).toMatchObject([
      { kind: 'replay', roomId: 95, channel: 'direct', seconds: 15.5 },
      { kind: 'replay', roomId: 95, channel: 'direct', seconds: 3 },
      { kind: 'share', roomId: 95, channel: 'direct' },
    ])
    sent.events().forEach((e, i) => expect(checkEvent(e, i, Date.now())).toMatchObject({ ok: true }))
    sent.stop()
  })

  it('with Mini Program Live off (an old shared link) says the live is offline with a way home and reads no cache', async () => {
    const restore = useLiveSetup({ miniProgramLive: false, channels: null })
    const rec = recordRequests()
    let p: SimNode
    try {
      p = await open(96, [seg(0, Date.now() + DAY)])
    } finally {
      rec.stop()
      restore()
    }
    expect(rec.requests).toEqual([])
    expect(p.data.status).toBe('offline')
    expect(p.data.currentUrl).toBe('')
    expect(text(p)).toContain('直播已下线')
    p.querySelector('.home-link')!.dispatchEvent('tap')
    const reLaunch = (globalThis as unknown as { wx: { reLaunch: ReturnType<typeof vi.fn> } }).wx.reLaunch
    await until(() => expect(reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index' }))
  })
})
