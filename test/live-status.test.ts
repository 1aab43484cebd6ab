/** The live_status codes under their names: the one place the numbers are pinned against the platform's docs. */
import { describe, expect, it } from 'vitest'
import {
  CLOSED_STATUSES,
  LIVE_STATUS_CODES,
  LIVE_STATUS_NAMES,
  LIVE_STATUS_RANGE,
  LIVE_STATUS_TEXT,
  LiveStatus,
  ON_AIR_STATUSES,
  OPEN_STATUSES,
  isLiveStatus,
  liveStatusName,
} from '../src/live/status'

describe('live status', () => {
  it('maps each name to the code getliveinfo documents', () => {
    expect(LiveStatus).toEqual({ live: 101, upcoming: 102, ended: 103, banned: 104, paused: 105, abnormal: 106, expired: 107 })
    expect(LIVE_STATUS_CODES).toEqual([101, 102, 103, 104, 105, 106, 107])
    expect(LIVE_STATUS_RANGE).toBe('101–107')
  })

  it('reads a code back to its name, and knows no other code', () => {
    for (const name of LIVE_STATUS_NAMES) expect(liveStatusName(LiveStatus[name])).toBe(name)
    expect(liveStatusName(100)).toBeUndefined()
    expect(liveStatusName(108)).toBeUndefined()
    expect(isLiveStatus(104)).toBe(true)
    expect(isLiveStatus(108)).toBe(false)
    expect(isLiveStatus('101')).toBe(false)
  })

  it('splits the statuses into open (upcoming or on air) and closed, with no status in both or neither', () => {
    expect([...ON_AIR_STATUSES].sort()).toEqual([101, 105, 106])
    expect([...OPEN_STATUSES].sort()).toEqual([101, 102, 105, 106])
    expect([...CLOSED_STATUSES].sort()).toEqual([103, 104, 107])
    expect([...OPEN_STATUSES, ...CLOSED_STATUSES].sort()).toEqual(LIVE_STATUS_CODES)
  })

  it('words every status in Chinese and English', () => {
    expect(LIVE_STATUS_TEXT.upcoming).toEqual({ zh: '未开始', en: 'not started' })
    for (const name of LIVE_STATUS_NAMES) {
      expect(LIVE_STATUS_TEXT[name].zh.length).toBeGreaterThan(0)
      expect(LIVE_STATUS_TEXT[name].en.length).toBeGreaterThan(0)
    }
  })
})
