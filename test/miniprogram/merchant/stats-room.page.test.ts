// @vitest-environment jsdom
/**
 * One room's statistics page: the funnel and the daily trend handed to the chart component (jsdom has no canvas, so
 * the data it gets is what is checked, and that it reports no error), the figures beside them, the channel table with
 * the merchant's channel names and entry kinds, the daily table, and the room's CSV holding the rows the page shows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../../src/admin/batch/csv'
import { shanghaiDay } from '../../../src/live/day'
import { addDays } from '../../../src/stats/dashboard'
import { CHANNELS_ROOM_ID, STATS_COLLECTIONS, channelDocId, dailyDocId } from '../../../src/stats/docs'
import { LIVE_KIND_NAMES } from '../../../src/setup/live-setup'
import { zeroCounts, type Counts } from '../../../src/stats/metrics'
import { OWNER, installMerchantWx, loadMerchantPage, settle, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null

const TO = shanghaiDay(Date.now())
const FROM = addDays(TO, -2)
const ROOM = 601

function daily(day: string, channel: string, counts: Partial<Counts>, kinds: Record<string, number> = {}) {
  return { _id: dailyDocId(day, ROOM, channel), day, roomId: ROOM, channel, counts: { ...zeroCounts(), ...counts }, kinds, lastFold: 'f', updatedAt: 1 }
}

beforeAll(async () => {
  env = await startMerchantEnv()
  env.admin.emu.engine.insert(STATS_COLLECTIONS.daily, [
    daily(FROM, 'home', { reached: 200, taps: 40, entered: 40, goodsClicks: 10, orders: 2, gmvFen: 19800, subscribed: 6 }, { other: 40 }),
    daily(TO, 'qr1', { reached: 30, entered: 20, goodsClicks: 5, orders: 1, gmvFen: 9900, shares: 3, replayPlays: 4, replaySeconds: 500 }, { qrcode: 18, urllink: 2 }),
  ])
  env.admin.emu.engine.insert(STATS_COLLECTIONS.channels, [{ _id: channelDocId(ROOM, 'qr1'), roomId: ROOM, code: 'qr1', name: '门店海报, 一楼', createdAt: 1, links: {} }])
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(query: Record<string, string>): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage('merchant/pages/stats-room/index')
  await settle()
  await page.instance.onLoad(query)
  await until(() => expect(page!.data.gate).toBe('allowed'))
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

const cellsOf = (row: SimNode): string[] => Array.from(row.dom.children).map((cell) => (cell.textContent ?? '').trim())
const rendered = (p: SimNode, rowClass: string): string[][] => p.querySelectorAll(rowClass).map(cellsOf)

describe('stats-room page', () => {
  it('hands the funnel and the trend to the chart component, which takes them without an error', async () => {
    const p = await open({ roomId: String(ROOM), from: FROM, to: TO })
    expect(p.data.loadError).toBe('')
    expect(p.data.funnel.series[0].data.map((d: { value: number }) => d.value)).toEqual([230, 60, 15, 3])
    expect(p.data.funnel.series[0].data[0].name).toBe('触达 230')
    expect(p.data.trend.categories).toEqual([FROM, addDays(FROM, 1), TO].map((d) => d.slice(5)))
    expect(p.data.trend.series.map((s: { name: string }) => s.name)).toEqual(['触达', '进入直播间', '商品点击', '订单'])
    expect(p.data.trend.series[1].data).toEqual([40, 0, 20])
    for (const [cls, data] of [['.funnel', p.data.funnel], ['.trend', p.data.trend]] as const) {
      const [chart] = p.querySelectorAll(cls)
      expect(chart, cls).toBeDefined()
      await until(() => expect(chart.data.chartData).toEqual(data))
      // it went on to measure its box and would draw (jsdom lays out nothing, so the box is empty)
      await until(() => expect(chart.data.mixinDatacomLoading).toBe(false))
      // the component's own error slot stays empty (it reports bad props or data there)
      expect(chart.data.mixinDatacomErrorMessage ?? null, cls).toBeNull()
    }
  })

  it('shows rates beside the funnel, both per-thousand readings named for entries, replay watch time and entry kinds', async () => {
    const p = await open({ roomId: String(ROOM), from: FROM, to: TO })
    const figures = (cls: string) => p.querySelectorAll(`${cls} .figure`).map((f) => (f.dom.textContent ?? '').replace(/\s+/g, ''))
    expect(figures('.funnel-figures')).toEqual(['进入率26.1%', '商品点击率25.0%', '订阅开播提醒6', '分享3'])
    expect(figures('.per-thousand')).toEqual(['千次进入订单数50.0', '千次进入成交额（分，GPM）495000'])
    expect(figures('.replay')).toEqual(['回放播放4', '回放观看秒数500', '回放平均观看秒数125.0'])
    expect(text(p)).toContain('不是平台观看人数')
    expect(text(p)).toContain('进入方式：扫码 18、URL Link 2、其他 40')
  })

  it('lists channels with the merchant’s names, every day, and exports a CSV holding exactly those rows', async () => {
    const p = await open({ roomId: String(ROOM), from: FROM, to: TO })
    const channels = rendered(p, '.channel-row')
    expect(channels.map((r) => r[0])).toEqual(['首页列表', '门店海报, 一楼（qr1）'])
    expect(channels[1].at(-1)).toBe('扫码 18、URL Link 2')
    const days = rendered(p, '.day-row')
    expect(days.map((r) => r[0])).toEqual([FROM, addDays(FROM, 1), TO])
    expect(days[1].slice(1, 4)).toEqual(['0', '0', '0'])

    await p.instance.onExport()
    await until(() => expect(p.data.exporting).toBe(false))
    expect(p.data.exportError).toBe('')
    const bytes = Buffer.from(await (await fetch(p.data.link.url)).arrayBuffer())
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf')
    const csv = parseCsv(bytes.toString('utf8').slice(1), 100)
    if (!csv.ok) throw new Error(csv.problem.en)
    const [header, ...rows] = csv.records
    expect(header[0]).toBe('分组')
    // the channel table is the CSV's channel rows without the group column; the daily table its day rows, less the kinds column
    expect(rows.filter((r) => r[0] === '渠道').map((r) => r.slice(1))).toEqual(channels)
    expect(rows.filter((r) => r[0] === '日期').map((r) => r.slice(1, -1))).toEqual(days)
    expect(rows.filter((r) => r[0] === '合计').map((r) => ['合计', ...r.slice(2, -1)])).toEqual(rendered(p, '.total-row'))
    expect(rendered(p, '.channels-table .th')[0]).toEqual(['渠道', ...header.slice(2)])
  })

  it('says where to open it from when no room is named, and loads nothing', async () => {
    const p = await open({})
    expect(p.data.loadError).toContain('没有指定直播间')
    expect(p.data.funnel.series).toEqual([])
  })

  it('shows the Channels live (room 0) under its name without a room number, and exports it', async () => {
    env.admin.emu.engine.insert(STATS_COLLECTIONS.daily, [
      { ...daily(TO, 'home', { entered: 6, subscribed: 3 }, { other: 6 }), _id: dailyDocId(TO, CHANNELS_ROOM_ID, 'home'), roomId: CHANNELS_ROOM_ID },
    ])
    const p = await open({ roomId: String(CHANNELS_ROOM_ID), from: FROM, to: TO })
    expect(p.data.loadError).toBe('')
    const title = text(p.querySelector('.room-title')!)
    expect(title).toContain(LIVE_KIND_NAMES.channelsLive.zh)
    expect(title).not.toContain('房间号')
    expect(env.wx.setNavigationBarTitle).toHaveBeenCalledWith({ title: LIVE_KIND_NAMES.channelsLive.zh })
    expect(rendered(p, '.channel-row').map((r) => r[0])).toEqual(['首页列表'])
    await p.instance.onExport()
    await until(() => expect(p.data.exporting).toBe(false))
    expect(p.data.exportError).toBe('')
    expect(p.data.link.cloudPath).toMatch(new RegExp(`/room-${CHANNELS_ROOM_ID}-\\d+\\.csv$`))
  })
})

