/** Pure viewer logic: formatting, badges, custom_params guard, share payloads, view models, attribution, fallback. */
process.env.TZ = 'Asia/Shanghai' // "today"/"tomorrow" are the viewer's local days; pin them for the test
import { describe, expect, it, vi } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { COLLECTIONS, SYNC_STATUS_ID as SCHEMA_SYNC_ID, type RoomDoc } from '../../src/cache/schema'
import { LIVE_PLUGIN_APPID } from '../../miniprogram/config'
import { agoText, countdownText, priceText, startWords, yuan } from '../../miniprogram/utils/format'
import { LiveStatus as MiniprogramLiveStatus, badgeOf, closedRoomText } from '../../miniprogram/utils/status'
import {
  CUSTOM_PARAMS_MAX,
  CustomParamsTooLong,
  decodeCustomParams,
  encodeCustomParams,
  enterRoomUrl,
  shareHome,
  shareReplay,
  shareRoom,
} from '../../miniprogram/utils/share'
import { REPLAYS, ROOMS, SYNC_STATUS, SYNC_STATUS_ID } from '../../miniprogram/services/collections'
import { freshnessOf, nextPlayable, toReplayView, toRoomCard, type CardRecord } from '../../miniprogram/services/views'
import { entryChannel, lastEntry, onEntry, recordAppShow } from '../../miniprogram/services/attribution'
import { keepFresh } from '../../miniprogram/services/keep-fresh'
import { LiveStatus } from '../../src/live/status'

const at = (iso: string): number => Date.parse(iso)
const NOW = at('2027-03-05T10:00:00+08:00')

function card(over: Partial<RoomDoc> = {}): CardRecord {
  return {
    roomId: 7,
    name: '春季新品专场',
    coverImg: 'https://img/7.jpg',
    anchorName: '小林',
    liveStatus: LiveStatus.live,
    startTime: new Date(NOW - 3600_000),
    goods: [],
    replay: { state: 'notApplicable', segments: 0, expiresAt: null },
    section: 'live',
    syncedAt: new Date(NOW - 60_000),
    ...over,
  }
}

describe('configuration', () => {
  it('declares live-player-plugin once, with the fixed provider and a pinned version', () => {
    const app = JSON.parse(readFileSync(join(__dirname, '../../miniprogram/app.json'), 'utf8'))
    expect(app.plugins['live-player-plugin'].provider).toBe('wx2b03c6e691cd7370')
    expect(app.plugins['live-player-plugin'].version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(LIVE_PLUGIN_APPID).toBe(app.plugins['live-player-plugin'].provider)
  })
  it('uses the cache schema collection names', () => {
    expect([ROOMS, REPLAYS, SYNC_STATUS, SYNC_STATUS_ID]).toEqual([COLLECTIONS.rooms, COLLECTIONS.replays, COLLECTIONS.syncStatus, SCHEMA_SYNC_ID])
  })
})

describe('format', () => {
  it('prints fen as yuan exactly', () => {
    expect(yuan(1999)).toBe('19.99')
    expect(yuan(5)).toBe('0.05')
    expect(yuan(100000)).toBe('1000.00')
  })
  it('labels fixed, range and discount prices', () => {
    expect(priceText('fixed', 1990, null)).toEqual({ now: '¥19.90', was: '' })
    expect(priceText('range', 1000, 2500)).toEqual({ now: '¥10.00–25.00', was: '' })
    expect(priceText('discount', 3000, 1990)).toEqual({ now: '¥19.90', was: '¥30.00' })
  })
  it('says the start time in the viewer’s words', () => {
    expect(startWords(at('2027-03-05T20:00:00+08:00'), NOW)).toBe('今天 20:00')
    expect(startWords(at('2027-03-06T09:30:00+08:00'), NOW)).toBe('明天 09:30')
    expect(startWords(at('2027-03-07T00:05:00+08:00'), NOW)).toBe('后天 00:05')
    expect(startWords(at('2027-04-01T19:00:00+08:00'), NOW)).toBe('4月1日 19:00')
    expect(startWords(at('2028-01-02T19:00:00+08:00'), NOW)).toBe('2028年1月2日 19:00')
  })
  it('counts down in days, hours, minutes and seconds', () => {
    expect(countdownText(NOW + 2 * 86400_000 + 3 * 3600_000 + 5, NOW)).toBe('2天3小时后开播')
    expect(countdownText(NOW + 3 * 3600_000 + 25 * 60_000, NOW)).toBe('3小时25分后开播')
    expect(countdownText(NOW + 12 * 60_000 + 5_000, NOW)).toBe('12分05秒后开播')
    expect(countdownText(NOW - 1, NOW)).toBe('即将开播')
  })
  it('says how long ago', () => {
    expect(agoText(NOW - 30_000, NOW)).toBe('刚刚')
    expect(agoText(NOW - 25 * 60_000, NOW)).toBe('25 分钟前')
    expect(agoText(NOW - 5 * 3600_000, NOW)).toBe('5 小时前')
  })
})

describe('status badges', () => {
  it('names every live_status, with paused and abnormal shown as warnings', () => {
    const seen = Object.values(LiveStatus).map((code) => badgeOf(code))
    expect(seen.map((b) => b.text)).toEqual(['直播中', '预告', '已结束', '已封禁', '暂停中', '主播暂时离开', '已过期'])
    expect(badgeOf(LiveStatus.paused).tone).toBe('warn')
    expect(badgeOf(LiveStatus.abnormal).tone).toBe('warn')
    expect(badgeOf(LiveStatus.ended, 'available')).toEqual({ text: '回放', tone: 'replay' })
    expect(badgeOf(999).text).toBe('状态未知')
  })

  it('knows the same live_status codes under the same names as src/live', () => {
    expect(MiniprogramLiveStatus).toEqual(LiveStatus)
  })

  it('says why a room that is over cannot be entered, and nothing for one that can', () => {
    expect(closedRoomText(LiveStatus.paused)).toBe('')
    expect(closedRoomText(LiveStatus.upcoming)).toBe('')
    expect(closedRoomText(LiveStatus.banned)).toBe('直播间已被封禁，无法进入')
    expect(closedRoomText(999)).toBe('直播间暂时无法进入')
  })
})

describe('custom_params', () => {
  it('encodes channel and path as JSON and round-trips', () => {
    const encoded = encodeCustomParams({ channel: 'share_room', path: 'pages/room/index?roomId=7' })
    expect(decodeURIComponent(encoded)).toBe('{"channel":"share_room","path":"pages/room/index?roomId=7"}')
    expect(decodeCustomParams(encoded)).toEqual({ channel: 'share_room', path: 'pages/room/index?roomId=7' })
    expect(decodeCustomParams(decodeURIComponent(encoded))).toEqual({ channel: 'share_room', path: 'pages/room/index?roomId=7' })
    expect(decodeCustomParams({ channel: 'x y' })).toEqual({})
    expect(decodeCustomParams('%E0%A4%A')).toEqual({})
  })
  it('refuses, never cuts, a value longer than 600 characters', () => {
    const overhead = encodeCustomParams({ channel: 'c', path: '' }).length
    const fits = 'p'.repeat(CUSTOM_PARAMS_MAX - overhead)
    expect(encodeCustomParams({ channel: 'c', path: fits })).toHaveLength(CUSTOM_PARAMS_MAX)
    expect(() => encodeCustomParams({ channel: 'c', path: fits + 'p' })).toThrow(CustomParamsTooLong)
    // Encoding expands CJK 9×: the limit applies to the encoded string the plugin receives.
    expect(() => encodeCustomParams({ channel: 'c', path: '房'.repeat(70) })).toThrow(/exceeds the plugin limit of 600/)
  })
  it('rejects an invalid channel, naming the field', () => {
    expect(() => encodeCustomParams({ channel: 'a b', path: '' })).toThrow(/custom_params\.channel/)
  })
  it('builds the plugin room URL', () => {
    expect(enterRoomUrl(12, { channel: 'home', path: 'pages/home/index' })).toBe(
      'plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin?room_id=12&custom_params=' +
        encodeURIComponent('{"channel":"home","path":"pages/home/index"}'),
    )
    expect(() => enterRoomUrl(0, { channel: 'home', path: '' })).toThrow(/room_id/)
  })
})

describe('share payloads', () => {
  it('carry a channel for home, room and replay', () => {
    expect(shareHome().path).toBe('/pages/home/index?channel=share_home')
    expect(shareRoom({ roomId: 7, name: '专场', coverImg: 'c.jpg' })).toEqual({
      title: '专场',
      path: '/pages/room/index?roomId=7&channel=share_room',
      imageUrl: 'c.jpg',
    })
    expect(shareReplay({ roomId: 7, name: '专场', coverImg: '' }).path).toBe('/pages/replay/index?roomId=7&channel=share_replay')
  })
})

describe('room card view model', () => {
  it('maps an upcoming room with goods preview, countdown and start words', () => {
    const vm = toRoomCard(
      card({
        liveStatus: LiveStatus.upcoming,
        section: 'upcoming',
        startTime: new Date(at('2027-03-05T20:00:00+08:00')),
        goods: [1, 2, 3, 4].map((n) => ({
          goodsId: n, name: `商品${n}`, coverImg: `g${n}.jpg`, url: 'pages/g', priceType: 'fixed' as const, price: n * 100, price2: null, thirdPartyAppid: '',
        })),
      }),
      NOW,
    )
    expect(vm.badgeText).toBe('预告')
    expect(vm.startText).toBe('今天 20:00 开播')
    expect(vm.countdown).toBe('10小时0分后开播')
    expect(vm.goods.map((g) => g.price)).toEqual(['¥1.00', '¥2.00', '¥3.00'])
    expect(vm.moreGoods).toBe(1)
  })
  it('lets a newer device hint override the cached status, and ignores an older one', () => {
    expect(toRoomCard(card(), NOW, { liveStatus: LiveStatus.paused, atMs: NOW }).badgeText).toBe('暂停中')
    expect(toRoomCard(card(), NOW, { liveStatus: LiveStatus.paused, atMs: NOW - 3600_000 }).badgeText).toBe('直播中')
  })
  it('shows when a replay expires', () => {
    const vm = toRoomCard(card({ liveStatus: LiveStatus.ended, section: 'replay', replay: { state: 'available', segments: 2, expiresAt: new Date(at('2027-06-01T12:00:00+08:00')) } }), NOW)
    expect(vm.badgeText).toBe('回放')
    expect(vm.replayText).toBe('回放 6月1日 12:00 到期')
  })
})

describe('freshness', () => {
  it('is quiet when fresh, says minutes ago when stale, and says never when missing', () => {
    expect(freshnessOf({ lastSuccessAt: new Date(NOW - 60_000), lastError: null }, NOW).stale).toBe(false)
    const stale = freshnessOf({ lastSuccessAt: new Date(NOW - 42 * 60_000), lastError: { at: new Date(NOW), errcode: 45009, zh: '接口调用次数超限', en: 'quota' } }, NOW)
    expect(stale).toEqual({ stale: true, text: '数据更新于 42 分钟前', problem: '接口调用次数超限' })
    expect(freshnessOf(null, NOW)).toEqual({ stale: true, text: '直播列表尚未同步', problem: '' })
  })

  it('is quiet while Mini Program Live is off, however old the last success', () => {
    const liveOff = { zh: '本小程序未开启小程序直播', en: 'Mini Program Live is off' }
    expect(freshnessOf({ lastSuccessAt: null, lastError: null, liveOff }, NOW)).toEqual({ stale: false, text: '', problem: '' })
    expect(freshnessOf({ lastSuccessAt: new Date(NOW - 3 * 86_400_000), lastError: null, liveOff }, NOW)).toEqual({ stale: false, text: '', problem: '' })
    expect(freshnessOf({ lastSuccessAt: new Date(NOW - 42 * 60_000), lastError: null, liveOff: null }, NOW).stale).toBe(true)
  })
})

describe('replay view model', () => {
  const seg = (index: number, expireMs: number, mediaUrl = `https://v/${index}.m3u8`) => ({
    index, mediaUrl, createTime: new Date(NOW - 86400_000), expireTime: new Date(expireMs),
  })
  it('orders segments by index, skips expired ones and names the earliest expiry', () => {
    const view = toReplayView(7, { state: 'available', segments: [seg(2, NOW + 9e8), seg(0, NOW - 1), seg(1, NOW + 5e8)] }, NOW)
    expect(view.segments.map((s) => [s.number, s.expired])).toEqual([[1, true], [2, false], [3, false]])
    expect(view.firstPlayable).toBe(1)
    expect(nextPlayable(view.segments, 1)).toBe(2)
    expect(nextPlayable(view.segments, 2)).toBe(-1)
    expect(view.expiresText).toMatch(/^回放将于 3月1\d日 \d\d:\d\d 到期$/)
  })
  it('explains expired, pending and missing replays', () => {
    expect(toReplayView(7, { state: 'available', segments: [seg(0, NOW - 1)] }, NOW).message).toBe('回放已过期')
    expect(toReplayView(7, { state: 'pending', segments: [] }, NOW).message).toBe('回放生成中，请稍后再来')
    expect(toReplayView(7, null, NOW)).toMatchObject({ state: 'missing', message: '暂无回放', firstPlayable: -1 })
  })
  it('tells a segment whose media is missing apart from an expired one', () => {
    const view = toReplayView(7, { state: 'available', segments: [seg(0, NOW + 9e8, ''), seg(1, NOW - 1)] }, NOW)
    expect(view.segments.map((s) => s.expiresText)).toEqual(['缺失', '已过期'])
    expect(view).toMatchObject({ state: 'missing', firstPlayable: -1, message: '回放片段缺失，暂时无法播放' })
  })
})

describe('entry attribution', () => {
  it('reads the channel from getShareParams for share scenes and tells the analytics hook', async () => {
    const seen: string[] = []
    const off = onEntry((e) => seen.push(`${e.scene}:${e.channel}:${e.roomId}:${e.sharerOpenid}`))
    const params = encodeCustomParams({ channel: 'share_room', path: 'pages/room/index?roomId=9' })
    const entry = await recordAppShow({ scene: 1007, query: {} }, async () => ({ room_id: 9, share_openid: 'o-sharer', custom_params: params }), NOW)
    expect(entry).toEqual({ channel: 'share_room', scene: 1007, roomId: 9, sharerOpenid: 'o-sharer', atMs: NOW })
    expect(entryChannel()).toBe('share_room')
    off()
    await recordAppShow({ scene: 1001, query: { channel: 'poster_a' } }, async () => { throw new Error('must not be asked') }, NOW)
    expect(seen).toEqual(['1007:share_room:9:o-sharer'])
    expect(lastEntry()?.channel).toBe('poster_a')
  })
  it('keeps the query channel when the plugin fails, and drops invalid channels', async () => {
    const entry = await recordAppShow({ scene: 1044, query: { channel: 'sub_msg', roomId: '5' } }, async () => { throw new Error('cold start') }, NOW)
    expect(entry).toMatchObject({ channel: 'sub_msg', roomId: 5, sharerOpenid: null })
    expect((await recordAppShow({ scene: 1001, query: { channel: '<script>' } }, async () => ({}), NOW)).channel).toBe('direct')
  })
})

describe('keepFresh', () => {
  function ports() {
    let onChange = (): void => {}
    let onError = (_e: unknown): void => {}
    const timers: Array<() => void> = []
    const p = {
      watch: vi.fn((c: () => void, e: (err: unknown) => void) => { onChange = c; onError = e; return { close: vi.fn() } }),
      refresh: vi.fn(),
      pollMs: 30_000,
      setInterval: vi.fn((fn: () => void) => { timers.push(fn); return timers.length }),
      clearInterval: vi.fn(),
    }
    return { p, change: () => onChange(), fail: () => onError(new Error('socket closed')), timers }
  }
  it('refreshes on every change while the watch holds', () => {
    const { p, change } = ports()
    const f = keepFresh(p)
    change(); change()
    expect(p.refresh).toHaveBeenCalledTimes(2)
    expect(f.mode()).toBe('watch')
  })
  it('falls back to polling when the watch errors, and stops cleanly', () => {
    const { p, fail, change, timers } = ports()
    const f = keepFresh(p)
    fail()
    expect(f.mode()).toBe('poll')
    expect(p.refresh).toHaveBeenCalledTimes(1)
    expect(p.setInterval).toHaveBeenCalledWith(expect.any(Function), 30_000)
    timers[0]()
    change() // a late event from the dead watch does not double-refresh
    expect(p.refresh).toHaveBeenCalledTimes(2)
    f.stop()
    expect(p.clearInterval).toHaveBeenCalledWith(1)
    expect(f.mode()).toBe('stopped')
  })
  it('polls when the watch cannot even start', () => {
    const { p } = ports()
    p.watch.mockImplementation(() => { throw new Error('watch unsupported') })
    expect(keepFresh(p).mode()).toBe('poll')
  })
})
