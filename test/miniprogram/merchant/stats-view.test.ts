/** The dashboard's rules and view logic: the Beijing-day range, how figures read, channel names, the remembered range, the read-bound note and the room page's tables. */
import { describe, expect, it } from 'vitest'
import { STATS_RANGE_DAYS_MAX, addDays, channelLabel, checkStatsRange, daysOf, figureText, roomTable } from '../../../src/stats/dashboard'
import { derive, zeroCounts } from '../../../src/stats/metrics'
import { coverNote, defaultRange, pickRange, rangeOr, roomTableView, shanghaiToday } from '../../../miniprogram/merchant/utils/stats-view'

describe('the date range', () => {
  it('takes real calendar days only, in order, spanning at most the limit', () => {
    expect(checkStatsRange('2028-02-29', '2028-02-29')).toBeNull()
    expect(checkStatsRange('2026-02-29', '2026-03-01')).toMatchObject({ field: 'from' })
    expect(checkStatsRange('2026-03-01', '2026-13-01')).toMatchObject({ field: 'to' })
    expect(checkStatsRange('2026-3-1', '2026-03-02')).toMatchObject({ field: 'from' })
    expect(checkStatsRange(20260301, '2026-03-02')).toMatchObject({ field: 'from' })
    expect(checkStatsRange('2026-03-02', '2026-03-01')).toMatchObject({ field: 'to', zh: '结束日期不能早于开始日期' })
    const last = addDays('2026-01-01', STATS_RANGE_DAYS_MAX - 1)
    expect(checkStatsRange('2026-01-01', last)).toBeNull()
    expect(checkStatsRange('2026-01-01', addDays(last, 1))?.zh).toBe(`日期范围最长 ${STATS_RANGE_DAYS_MAX} 天，当前 ${STATS_RANGE_DAYS_MAX + 1} 天`)
    expect(daysOf('2026-12-30', '2027-01-02')).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'])
  })

  it('starts on the Beijing day, which begins at 16:00 UTC, and falls back to it for a stored range that breaks the rule', () => {
    const beforeMidnight = Date.UTC(2026, 10, 27, 15, 59)
    const afterMidnight = Date.UTC(2026, 10, 27, 16, 0)
    expect(shanghaiToday(beforeMidnight)).toBe('2026-11-27')
    expect(shanghaiToday(afterMidnight)).toBe('2026-11-28')
    expect(defaultRange(afterMidnight)).toEqual({ from: '2026-11-22', to: '2026-11-28' })
    expect(rangeOr({ from: '2026-10-01', to: '2026-10-31' }, afterMidnight)).toEqual({ from: '2026-10-01', to: '2026-10-31' })
    expect(rangeOr({ from: '2026-10-31', to: '2026-10-01' }, afterMidnight)).toEqual(defaultRange(afterMidnight))
    expect(rangeOr('', afterMidnight)).toEqual(defaultRange(afterMidnight))
  })

  it('marks the end a picked day breaks, and clears it once the range is good', () => {
    const r = { from: '2026-11-01', to: '2026-11-07' }
    expect(pickRange(r, 'from', '2026-11-08')).toEqual({ range: { from: '2026-11-08', to: '2026-11-07' }, errors: { from: '', to: '结束日期不能早于开始日期' } })
    expect(pickRange(r, 'to', '2026-11-30')).toEqual({ range: { from: '2026-11-01', to: '2026-11-30' }, errors: { from: '', to: '' } })
  })
})

describe('figures as they read', () => {
  it('writes counts whole, shares as percentages, averages with one decimal, GPM in whole fen, and no denominator as a dash', () => {
    expect(figureText('entered', 25)).toBe('25')
    expect(figureText('entryRate', 0.3125)).toBe('31.3%')
    expect(figureText('goodsClickRate', 0)).toBe('0.0%')
    expect(figureText('avgReplaySeconds', 82.5)).toBe('82.5')
    expect(figureText('ordersPerK', 40)).toBe('40.0')
    expect(figureText('gmvPerKFen', 192307.69)).toBe('192308')
    expect(figureText('ordersPerK', null)).toBe('—')
  })

  it('names a channel by the merchant’s name with its code, a built-in channel by its name, anything else by its token', () => {
    expect(channelLabel('pa1', '海报A')).toBe('海报A（pa1）')
    expect(channelLabel('share_room', null)).toBe('分享的直播间')
    expect(channelLabel('gone1', null)).toBe('gone1')
  })

  it('says how far a cut read goes, or nothing when it covers the range', () => {
    expect(coverNote({ truncated: false, through: '2026-11-07', to: '2026-11-07' })).toBe('')
    expect(coverNote({ truncated: true, through: '2026-11-03', to: '2026-11-07' })).toContain('只统计到 2026-11-03')
    expect(coverNote({ truncated: true, through: null, to: '2026-11-07' })).toContain('第一天就已超出')
  })
})

describe('the room page’s tables', () => {
  it('splits the export’s table into the channel table and the daily table ending with the total', () => {
    const f = (entered: number) => {
      const counts = { ...zeroCounts(), reached: 10, entered }
      return { counts, derived: derive(counts) }
    }
    const table = roomTable({
      channels: [{ channel: 'pa1', name: '海报', kinds: [{ kind: 'qrcode', entered: 2 }], ...f(2) }],
      days: [{ day: '2026-11-01', ...f(2) }],
      total: f(2),
      kinds: [{ kind: 'qrcode', entered: 2 }],
    })
    const view = roomTableView(table)
    expect(view.channelHeader[0]).toBe('渠道')
    expect(view.channelHeader.at(-1)).toBe('进入方式')
    expect(view.channels).toEqual([{ key: 'pa1', cells: ['海报（pa1）', ...table.rows[0].cells.slice(2)] }])
    expect(view.dayHeader).toEqual(['日期', ...table.header.slice(2, -1)])
    expect(view.days[0].cells).toEqual(['2026-11-01', ...table.rows[1].cells.slice(2, -1)])
    expect(view.total[0].cells).toEqual(['合计', ...table.rows[2].cells.slice(2, -1)])
    expect(view.days[0].cells).toHaveLength(view.dayHeader.length)
    expect(view.channels[0].cells).toHaveLength(view.channelHeader.length)
  })
})
