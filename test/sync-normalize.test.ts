/**
 * The pure parts of the sync: a platform room becomes a viewer document (units, names, sections, no
 * personal data), merchant writes go through once, replays merge and expire, and small helpers.
 */
import { describe, expect, it } from 'vitest'
import { buildRoomDoc, contentHash, roomChanged, type PlatformRoom } from '../src/sync/normalize'
import { writeThroughRoom, writeThroughRoomDeleted } from '../src/sync/write-through'
import { mergeSegments, summarize, afterLook } from '../src/sync/replays'
import { decodeIds, encodeIds } from '../src/sync/idset'
import { budgetFromContext } from '../src/sync/budget'
import { DEFAULT_SYNC_CONFIG } from '../src/sync/sync'
import { makeHarness } from './sync-helpers'
import { LiveStatus } from '../src/live/status'

const NOW = new Date('2026-01-01T00:00:00Z')

function room(over: Partial<PlatformRoom> = {}): PlatformRoom {
  return {
    roomid: 42,
    name: '春茶上新',
    coverImg: 'https://img/c',
    shareImg: 'https://img/s',
    feedsImg: 'https://img/f',
    liveStatus: LiveStatus.upcoming,
    startTime: 1767229200,
    endTime: 1767236400,
    anchorName: '小美',
    liveType: 0,
    closeLike: 0,
    closeGoods: 0,
    closeComment: 1,
    closeKf: 1,
    closeReplay: 0,
    isFeedsPublic: 1,
    createrOpenid: 'oSECRETopenid',
    goods: [
      { goodsId: 7, name: '龙井', coverImg: 'https://img/g', url: 'pages/g?id=7', price: 12300, price2: 9900, priceType: 3, thirdPartyAppid: '' },
      { goodsId: 8, name: '碧螺春', coverImg: 'https://img/h', url: 'pages/g?id=8', price: 5000, priceType: 1 },
    ],
    ...over,
  }
}

describe('a platform room as viewers read it', () => {
  it('names enums, keeps prices in fen, turns close_* into enabled flags, and leaves out the creator', () => {
    const doc = buildRoomDoc(room(), undefined, NOW)
    expect(doc).toMatchObject({
      _id: 'room-42',
      status: 'upcoming',
      section: 'upcoming',
      sortKey: 1767229200 * 1000,
      liveType: 'phone',
      likeEnabled: true,
      commentEnabled: false,
      kfEnabled: false,
      replayEnabled: true,
      feedsPublic: true,
      startTime: new Date(1767229200 * 1000),
      replay: { state: 'notApplicable', segments: 0, expiresAt: null },
    })
    expect(doc.goods).toEqual([
      { goodsId: 7, name: '龙井', coverImg: 'https://img/g', url: 'pages/g?id=7', priceType: 'discount', price: 12300, price2: 9900, thirdPartyAppid: '' },
      { goodsId: 8, name: '碧螺春', coverImg: 'https://img/h', url: 'pages/g?id=8', priceType: 'fixed', price: 5000, price2: null, thirdPartyAppid: '' },
    ])
    expect(JSON.stringify(doc)).not.toContain('oSECRETopenid')
  })

  it('lists paused and abnormal rooms with live ones, hides banned and expired ones', () => {
    for (const [status, section] of [[LiveStatus.live, 'live'], [LiveStatus.paused, 'live'], [LiveStatus.abnormal, 'live'], [LiveStatus.banned, 'hidden'], [LiveStatus.expired, 'hidden']] as const) {
      expect(buildRoomDoc(room({ liveStatus: status }), undefined, NOW).section).toBe(section)
    }
  })

  it('an ended room waits for its replay when replay is on, and is not listed until it exists', () => {
    const live = buildRoomDoc(room({ liveStatus: LiveStatus.live }), undefined, NOW)
    const ended = buildRoomDoc(room({ liveStatus: LiveStatus.ended }), live, NOW)
    expect(ended.replay.state).toBe('pending')
    expect(ended.section).toBe('ended')
    expect(buildRoomDoc(room({ liveStatus: LiveStatus.ended, closeReplay: 1 }), live, NOW).replay.state).toBe('none')
  })

  it('the same upstream room hashes the same; statusChangedAt moves only with the status', () => {
    const a = buildRoomDoc(room(), undefined, NOW)
    const later = new Date(NOW.getTime() + 60_000)
    const b = buildRoomDoc(room(), a, later)
    expect(roomChanged(a, b)).toBe(false)
    const c = buildRoomDoc(room({ liveStatus: LiveStatus.live }), a, later)
    expect(roomChanged(a, c)).toBe(true)
    expect(c.statusChangedAt).toEqual(later)
    expect(b.statusChangedAt).toEqual(NOW)
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }))
  })
})

describe('write-through for merchant writes', () => {
  it('writes a room once, then nothing while the platform agrees; a delete hides it', async () => {
    const h = makeHarness()
    const first = await writeThroughRoom(h.store, room(), NOW)
    expect(first.written).toBe(true)
    expect((await writeThroughRoom(h.store, room(), NOW)).written).toBe(false)
    expect((await writeThroughRoom(h.store, room({ name: '春茶上新·改' }), NOW)).written).toBe(true)
    const priv = await h.store.getPrivate([42])
    expect(priv.get(42)?.createrOpenid).toBe('oSECRETopenid')
    expect(await writeThroughRoomDeleted(h.store, 42, NOW)).toBe(true)
    expect((await h.store.getRooms([42])).get(42)).toMatchObject({ deleted: true, section: 'hidden' })
    await expect(writeThroughRoom(h.store, room({ liveStatus: 999 }), NOW)).rejects.toThrow(/liveStatus/)
  })
})

describe('replays', () => {
  const seg = (n: number, expire: string) => ({ createTime: `2026-01-01T0${n}:00:00Z`, expireTime: expire, mediaUrl: `https://r/${n}.m3u8` })

  it('keeps segments the platform stopped listing, in play order, and counts new ones', () => {
    const first = mergeSegments([], [seg(2, '2027-01-01T00:00:00Z')])
    const second = mergeSegments(first.segments, [seg(1, '2026-01-02T00:00:00Z')])
    expect(second.added).toBe(1)
    expect(second.segments.map((s) => [s.index, s.mediaUrl])).toEqual([
      [0, 'https://r/1.m3u8'],
      [1, 'https://r/2.m3u8'],
    ])
    expect(mergeSegments(second.segments, [seg(2, '2027-01-01T00:00:00Z')]).added).toBe(0)
  })

  it('is available until the last segment expires, with the earliest expiry shown', () => {
    const { segments } = mergeSegments([], [seg(1, '2026-01-02T00:00:00Z'), seg(2, '2026-01-03T00:00:00Z')])
    expect(summarize(segments, new Date('2026-01-01T12:00:00Z'), 'pending')).toEqual({
      state: 'available',
      segments: 2,
      expiresAt: new Date('2026-01-02T00:00:00Z'),
    })
    expect(summarize(segments, new Date('2026-01-02T12:00:00Z'), 'pending').expiresAt).toEqual(new Date('2026-01-03T00:00:00Z'))
    expect(summarize(segments, new Date('2026-01-04T00:00:00Z'), 'pending').state).toBe('expired')
    expect(summarize([], NOW, 'none').state).toBe('none')
  })

  const t = { ...DEFAULT_SYNC_CONFIG.replay, cadenceMs: 60_000 }
  const HOUR = 3_600_000

  it('looks every cadence right after the end, backs off later, and gives up after the window', () => {
    const task = { roomId: 1, endedSeenAt: 0, sawEnd: true, nextTryAt: 0, tries: 0, lastNewAt: null }
    const soon = afterLook(task, { held: 0, added: 0, newestCreateMs: null }, 60_000, t)
    expect(soon).toMatchObject({ kind: 'again', task: { nextTryAt: 120_000 } })
    const late = afterLook({ ...task, tries: 5 }, { held: 0, added: 0, newestCreateMs: null }, HOUR, t)
    expect(late.kind === 'again' && late.task.nextTryAt - HOUR).toBeGreaterThan(60_000)
    expect(afterLook(task, { held: 0, added: 0, newestCreateMs: null }, t.giveUpAfterMs + 1, t)).toEqual({ kind: 'done', giveUp: true })
  })

  it('a room seen ending keeps its full schedule, however old the segments it finds', () => {
    const task = { roomId: 1, endedSeenAt: 10 * HOUR, sawEnd: true, nextTryAt: 10 * HOUR, tries: 0, lastNewAt: null }
    const look = afterLook(task, { held: 1, added: 1, newestCreateMs: 0 }, 10 * HOUR + 300_000, t)
    expect(look).toMatchObject({ kind: 'again', task: { nextTryAt: 10 * HOUR + 360_000 } })
  })

  it('a room first seen already ended: old segments settle it in one look; with none, one more look after the fast window', () => {
    const task = { roomId: 1, endedSeenAt: 10 * HOUR, sawEnd: false, nextTryAt: 10 * HOUR, tries: 0, lastNewAt: null }
    expect(afterLook(task, { held: 2, added: 2, newestCreateMs: 0 }, 10 * HOUR, t)).toEqual({ kind: 'done', giveUp: false })
    // Segments younger than the settle age: it may have just ended, so it keeps looking for more.
    expect(afterLook(task, { held: 1, added: 1, newestCreateMs: 10 * HOUR - 60_000 }, 10 * HOUR, t)).toMatchObject({ kind: 'again' })
    const none = afterLook(task, { held: 0, added: 0, newestCreateMs: null }, 10 * HOUR, t)
    expect(none).toMatchObject({ kind: 'again', task: { nextTryAt: 10 * HOUR + t.fastWindowMs } })
    if (none.kind !== 'again') throw new Error('expected another look')
    expect(afterLook(none.task, { held: 0, added: 0, newestCreateMs: null }, 10 * HOUR + t.fastWindowMs, t)).toEqual({ kind: 'done', giveUp: true })
    expect(afterLook(none.task, { held: 1, added: 1, newestCreateMs: 10 * HOUR + 60_000 }, 10 * HOUR + t.fastWindowMs, t)).toMatchObject({ kind: 'again' })
  })
})

describe('helpers', () => {
  it('room id sets survive the checkpoint encoding', () => {
    const ids = [5, 1, 99999, 1000, 5, 37]
    expect([...decodeIds(encodeIds(ids))].sort((a, b) => a - b)).toEqual([1, 5, 37, 1000, 99999])
    expect(decodeIds('').size).toBe(0)
  })

  it('the budget comes from the remaining time, else the limit, else the 3-second default', () => {
    expect(budgetFromContext({ getRemainingTimeInMillis: () => 2500, time_limit_in_ms: 60000 })).toBe(2300)
    expect(budgetFromContext({ time_limit_in_ms: 20000 })).toBe(19800)
    expect(budgetFromContext(undefined)).toBe(2800)
  })
})
