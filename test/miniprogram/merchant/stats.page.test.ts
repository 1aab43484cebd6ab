// @vitest-environment jsdom
/**
 * The statistics page: every room of the range in one table with the total, the range kept between visits and checked
 * by liveAdmin's own rule, a row opening the room's page, and the CSV export, downloaded through its link, holding
 * exactly the rows the page shows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../../src/admin/batch/csv'
import { shanghaiDay } from '../../../src/live/day'
import { addDays } from '../../../src/stats/dashboard'
import { CHANNELS_ROOM_ID, STATS_COLLECTIONS, dailyDocId } from '../../../src/stats/docs'
import { LIVE_KIND_NAMES } from '../../../src/setup/live-setup'
import { zeroCounts, type Counts } from '../../../src/stats/metrics'
import { OWNER, installMerchantWx, loadMerchantPage, settle, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null

const TODAY = shanghaiDay(Date.now())
const YESTERDAY = addDays(TODAY, -1)

function daily(day: string, roomId: number, channel: string, counts: Partial<Counts>) {
  return { _id: dailyDocId(day, roomId, channel), day, roomId, channel, counts: { ...zeroCounts(), ...counts }, kinds: {}, lastFold: 'f', updatedAt: 1 }
}

beforeAll(async () => {
  env = await startMerchantEnv()
  env.admin.emu.engine.insert(STATS_COLLECTIONS.daily, [
    daily(TODAY, 501, 'home', { reached: 80, entered: 20, goodsClicks: 4, orders: 1, gmvFen: 5000 }),
    daily(YESTERDAY, 501, 'share_room', { entered: 5, sharedEntries: 5 }),
    daily(YESTERDAY, 502, 'home', { reached: 10 }),
    daily(addDays(TODAY, -30), 503, 'home', { reached: 1, entered: 1 }), // outside the default week
  ])
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage('merchant/pages/stats/index')
  await settle()
  await page.instance.onLoad({})
  await until(() => expect(page!.data.gate).toBe('allowed'))
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

/** The cells of each rendered row of a table, as the merchant reads them. */
const rendered = (p: SimNode, rowClass: string): string[][] =>
  p.querySelectorAll(rowClass).map((row) => Array.from(row.dom.children).map((cell) => (cell.textContent ?? '').trim()))

describe('stats page', () => {
  it('shows the last week’s rooms with their figures and the total, most entries first', async () => {
    const p = await open()
    expect(p.data.range).toEqual({ from: addDays(TODAY, -6), to: TODAY })
    const rows = rendered(p, '.room-row')
    expect(rows.map((r) => r[0])).toEqual(['501', '502'])
    const [header] = rendered(p, '.th')
    expect(header.slice(0, 5)).toEqual(['房间号', '直播间', '触达', '卡片点击', '进入直播间'])
    const col = (name: string) => header.indexOf(name)
    expect(rows[0][col('进入直播间')]).toBe('25')
    expect(rows[0][col('进入率')]).toBe('31.3%')
    expect(rows[0][col('千次进入订单数')]).toBe('40.0')
    expect(rows[1][col('进入率')]).toBe('0.0%')
    expect(rows[1][col('千次进入订单数')]).toBe('—')
    expect(rendered(p, '.total-row')[0].slice(0, 5)).toEqual(['合计', '', '90', '0', '25'])
    expect(text(p)).not.toContain('503')
  })

  it('opens a room’s page with the range', async () => {
    const p = await open()
    p.instance.onOpenRoom({ currentTarget: { dataset: { room: '501' } } })
    expect(env.wx.navigateTo).toHaveBeenCalledWith({ url: `/merchant/pages/stats-room/index?roomId=501&from=${addDays(TODAY, -6)}&to=${TODAY}` })
  })

  it('refuses a reversed or too long range beside the field without asking liveAdmin, and keeps a good one for the next visit', async () => {
    const p = await open()
    const before = p.data.rows
    await p.instance.onPick({ currentTarget: { dataset: { field: 'from' } }, detail: { value: addDays(TODAY, 1) } })
    expect(p.data.rangeErrors.to).toContain('不能早于开始日期')
    expect(text(p)).toContain('结束日期不能早于开始日期')
    await p.instance.onExport()
    expect(p.data.link).toBeNull()
    await p.instance.onPick({ currentTarget: { dataset: { field: 'from' } }, detail: { value: addDays(TODAY, -100) } })
    expect(p.data.rangeErrors.to).toContain('最长 92 天')
    expect(p.data.rows).toBe(before)
    await p.instance.onPick({ currentTarget: { dataset: { field: 'from' } }, detail: { value: addDays(TODAY, -40) } })
    expect(p.data.rangeErrors).toEqual({ from: '', to: '' })
    expect(rendered(p, '.room-row').map((r) => r[0])).toEqual(['501', '503', '502'])
    page!.detach()
    const again = await open()
    expect(again.data.range).toEqual({ from: addDays(TODAY, -40), to: TODAY })
    expect(rendered(again, '.room-row')).toHaveLength(3)
    env.storage.clear()
  })

  it('exports a CSV whose rows are the rows the page shows, with a link to copy or forward', async () => {
    const p = await open()
    await p.instance.onExport()
    await until(() => expect(p.data.exporting).toBe(false))
    expect(p.data.exportError).toBe('')
    const link = p.data.link as { url: string; rows: number }
    expect(text(p)).toContain('下载链接')
    const bytes = Buffer.from(await (await fetch(link.url)).arrayBuffer())
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf')
    const csv = parseCsv(bytes.toString('utf8').slice(1), 100)
    if (!csv.ok) throw new Error(csv.problem.en)
    const [header] = rendered(p, '.th')
    expect(csv.records).toEqual([header, ...rendered(p, '.room-row'), ...rendered(p, '.total-row')])
    expect(link.rows).toBe(3)

    await p.instance.onCopyLink()
    expect(env.wx.setClipboardData).toHaveBeenCalledWith({ data: link.url })
    await p.instance.onForward()
    expect(env.wx.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ url: link.url }))
    expect(env.wx.shareFileMessage).toHaveBeenCalledWith(expect.objectContaining({ fileName: expect.stringMatching(/^rooms-\d+\.csv$/) }))
  })

  it('shows the Channels live as its own row, named and without a room number, which opens like a room', async () => {
    env.admin.emu.engine.insert(STATS_COLLECTIONS.daily, [daily(TODAY, CHANNELS_ROOM_ID, 'home', { entered: 7, subscribed: 2 })])
    const p = await open()
    const row = rendered(p, '.room-row').find((r) => r[1] === LIVE_KIND_NAMES.channelsLive.zh)
    expect(row?.[0]).toBe('—')
    const [header] = rendered(p, '.th')
    expect(row?.[header.indexOf('进入直播间')]).toBe('7')
    // the row's key is the room id liveAdmin answered, and the page opens it as it would a room's
    expect(p.data.rows.map((r: { key: string }) => r.key)).toContain(String(CHANNELS_ROOM_ID))
    p.instance.onOpenRoom({ currentTarget: { dataset: { room: String(CHANNELS_ROOM_ID) } } })
    expect(env.wx.navigateTo).toHaveBeenCalledWith({ url: `/merchant/pages/stats-room/index?roomId=${CHANNELS_ROOM_ID}&from=${p.data.range.from}&to=${TODAY}` })
  })
})

