/** Room times in Asia/Shanghai whatever zone the phone is in, and the rooms list's grouping of states. */
import { afterEach, describe, expect, it } from 'vitest'
import { LiveStatus } from '../../../src/live/status'
import { ceilToMinute, durationText, formatShanghai, fromShanghai, parseShanghai, shanghaiParts } from '../../../miniprogram/merchant/utils/time'
import { groupRooms, roomTimeText, statusText, tabOf, type LiveRoomInfo } from '../../../miniprogram/merchant/utils/room-view'

const savedTz = process.env.TZ
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ
  else process.env.TZ = savedTz
})

// 2026-11-27 16:30:00 UTC is 2026-11-28 00:30 in Shanghai: the dates differ across midnight.
const AFTER_MIDNIGHT = Date.UTC(2026, 10, 27, 16, 30) / 1000

describe('Shanghai wall clock', () => {
  it.each(['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Kolkata', 'Europe/London'])('reads the same wall clock on a phone set to %s', (tz) => {
    process.env.TZ = tz
    expect(formatShanghai(AFTER_MIDNIGHT)).toBe('2026-11-28 00:30')
    expect(parseShanghai('2026-11-28 00:30')).toBe(AFTER_MIDNIGHT)
  })

  it('crosses day, month and year boundaries at Shanghai midnight, not UTC midnight', () => {
    expect(formatShanghai(Date.UTC(2026, 11, 31, 15, 59) / 1000)).toBe('2026-12-31 23:59')
    expect(formatShanghai(Date.UTC(2026, 11, 31, 16, 0) / 1000)).toBe('2027-01-01 00:00')
    expect(shanghaiParts(Date.UTC(2028, 1, 28, 16, 0) / 1000)).toEqual({ year: 2028, month: 2, day: 29, hour: 0, minute: 0 })
    expect(parseShanghai('2027-01-01 07:59')).toBe(Date.UTC(2026, 11, 31, 23, 59) / 1000)
  })

  it('keeps a summer date at +8 (no daylight saving) even on a phone in a zone that has it', () => {
    process.env.TZ = 'Europe/Berlin'
    expect(parseShanghai('2026-07-01 20:00')).toBe(Date.UTC(2026, 6, 1, 12, 0) / 1000)
    expect(formatShanghai(Date.UTC(2026, 6, 1, 12, 0) / 1000)).toBe('2026-07-01 20:00')
  })

  it('refuses dates that do not exist and text that is not a time', () => {
    expect(parseShanghai('2027-02-29 10:00')).toBeNull()
    expect(parseShanghai('2026-13-01 10:00')).toBeNull()
    expect(parseShanghai('2026-11-28 24:00')).toBeNull()
    expect(parseShanghai('2026-11-28')).toBeNull()
    expect(parseShanghai('tomorrow 8pm')).toBeNull()
    expect(fromShanghai({ year: 2026, month: 4, day: 31, hour: 8, minute: 0 })).toBeNull()
    expect(parseShanghai('2026/11/28 20:05:59')).toBe(Date.UTC(2026, 10, 28, 12, 5) / 1000)
  })

  it('rounds up to the minute and words durations', () => {
    expect(ceilToMinute(120)).toBe(120)
    expect(ceilToMinute(121)).toBe(180)
    expect(durationText(1800)).toBe('30 分钟')
    expect(durationText(86400)).toBe('24 小时')
    expect(durationText(5400)).toBe('1 小时 30 分钟')
  })
})

function info(roomid: number, liveStatus: number, startTime: number, over: Partial<LiveRoomInfo> = {}): LiveRoomInfo {
  return { roomid, name: `房间${roomid}`, coverImg: '', shareImg: '', liveStatus, startTime, endTime: startTime + 7200, anchorName: '主播', ...over }
}

describe('rooms by state', () => {
  it('files every status under one tab: on air includes paused and abnormal, over includes banned, expired and unknown codes', () => {
    expect(tabOf(LiveStatus.upcoming)).toBe('upcoming')
    for (const s of [LiveStatus.live, LiveStatus.paused, LiveStatus.abnormal]) expect(tabOf(s)).toBe('live')
    for (const s of [LiveStatus.ended, LiveStatus.banned, LiveStatus.expired, 199]) expect(tabOf(s)).toBe('ended')
    expect(statusText(LiveStatus.abnormal)).toBe('异常')
    expect(statusText(199)).toBe('状态 199')
  })

  it('orders upcoming by next start and the others latest first; only upcoming rooms edit, on-air rooms never delete', () => {
    const g = groupRooms([
      info(1, LiveStatus.upcoming, 5000),
      info(2, LiveStatus.upcoming, 3000),
      info(3, LiveStatus.live, 1000),
      info(4, LiveStatus.paused, 2000),
      info(5, LiveStatus.ended, 100, { closeReplay: 0 }),
      info(6, LiveStatus.expired, 900, { closeReplay: 1 }),
    ])
    expect(g.upcoming.map((r) => r.roomId)).toEqual([2, 1])
    expect(g.live.map((r) => r.roomId)).toEqual([4, 3])
    expect(g.ended.map((r) => r.roomId)).toEqual([6, 5])
    expect(g.upcoming.every((r) => r.canEdit && r.canDelete)).toBe(true)
    expect(g.live.some((r) => r.canEdit || r.canDelete)).toBe(false)
    expect(g.ended.map((r) => [r.canEdit, r.canDelete, r.replayText])).toEqual([
      [false, true, '未开启回放'],
      [false, true, '回放已开启'],
    ])
  })

  it('shows one date for a live inside a Shanghai day and both when it runs past midnight', () => {
    const evening = Date.UTC(2026, 10, 28, 12, 0) / 1000 // 20:00 Shanghai
    expect(roomTimeText(evening, evening + 7200)).toBe('2026-11-28 20:00 – 22:00')
    expect(roomTimeText(evening + 3 * 3600, evening + 5 * 3600)).toBe('2026-11-28 23:00 – 2026-11-29 01:00')
  })
})
