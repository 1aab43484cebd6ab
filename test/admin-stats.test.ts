/**
 * The dashboard's actions through the built liveAdmin over aggregates written straight into the emulator's
 * database (the DailyStatsDoc shape the fold writes): totals per room and per day and channel, derived figures with
 * null where there is no denominator, merchant channel names, entry kinds, the range rule, admins only, no openid in
 * any reply, and the CSV export downloaded through its temporary link. The read bound is pinned in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statsActions } from '../src/admin/actions/stats'
import { parseCsv } from '../src/admin/batch/csv'
import { buildRoomDoc, type PlatformRoom } from '../src/sync/normalize'
import { LiveStatus } from '../src/live/status'
import { STATS_COLLECTIONS, channelDocId, dailyDocId, type DailyStatsDoc } from '../src/stats/docs'
import { STATS_RANGE_DAYS_MAX, STATS_READ_DOCS_MAX, roomTable, roomsTable } from '../src/stats/dashboard'
import { COUNTER_NAMES, zeroCounts, type Counts } from '../src/stats/metrics'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'
import { startInProcessAdmin } from './admin-inprocess'

let h: AdminHarness

const TRICKY_NAME = '春茶上新, "限时"特惠'
const CHANNEL_NAME = '海报A,"门店"'

function platformRoom(roomid: number, name: string): PlatformRoom {
  return {
    roomid, name, coverImg: 'https://img/c', shareImg: 'https://img/s', feedsImg: 'https://img/f', liveStatus: LiveStatus.ended,
    startTime: 1793500000, endTime: 1793507200, anchorName: '小美', liveType: 0, closeLike: 0, closeGoods: 0, closeComment: 0,
    closeKf: 1, closeReplay: 0, isFeedsPublic: 1, createrOpenid: 'oCreatorSecret', goods: [],
  }
}

function daily(day: string, roomId: number, channel: string, counts: Partial<Counts>, kinds: DailyStatsDoc['kinds'] = {}): DailyStatsDoc {
  return { _id: dailyDocId(day, roomId, channel), day, roomId, channel, counts: { ...zeroCounts(), ...counts }, kinds, lastFold: 'f-1', updatedAt: 1 }
}

const SEED: DailyStatsDoc[] = [
  daily('2026-10-31', 101, 'home', { reached: 999, entered: 999 }), // before the range: never counted
  daily('2026-11-01', 101, 'home', { reached: 100, taps: 20, entered: 20, goodsClicks: 5, orders: 1, gmvFen: 9900 }, { other: 20 }),
  daily('2026-11-01', 101, 'pa1', { reached: 20, entered: 10, sharedEntries: 0, orders: 2, gmvFen: 20000 }, { qrcode: 10 }),
  daily('2026-11-02', 101, 'pa1', { reached: 30, entered: 15, subscribed: 3, shares: 4 }, { qrcode: 12, urllink: 3 }),
  daily('2026-11-02', 101, 'share_room', { entered: 5, sharedEntries: 5, replayPlays: 4, replaySeconds: 330 }, { share: 5 }),
  daily('2026-11-02', 101, 'zz9', { reached: 2 }),
  daily('2026-11-01', 102, 'home', { reached: 50, entered: 0 }),
  daily('2026-11-02', 103, 'direct', { entered: 3, orders: 1, gmvFen: 100 }),
  daily('2026-11-04', 101, 'home', { reached: 7, entered: 7 }), // after the range
]

beforeAll(async () => {
  h = await startAdminHarness()
  const now = new Date()
  h.emu.engine.insert('live_rooms', [buildRoomDoc(platformRoom(101, TRICKY_NAME), undefined, now), buildRoomDoc(platformRoom(102, '秋季新品'), undefined, now)])
  h.emu.engine.insert(STATS_COLLECTIONS.daily, SEED as unknown as Record<string, unknown>[])
  h.emu.engine.insert(STATS_COLLECTIONS.channels, [
    { _id: channelDocId(101, 'pa1'), roomId: 101, code: 'pa1', name: CHANNEL_NAME, createdAt: 1, links: {} },
    { _id: channelDocId(102, 'pa1'), roomId: 102, code: 'pa1', name: '另一个房间的名字', createdAt: 1, links: {} },
  ])
})

afterAll(async () => {
  await h?.stop()
})

/** The data of a reply that must have succeeded. */
async function dataOf(action: string, params: unknown): Promise<any> {
  const reply = await h.call(action, params)
  if (!reply.ok) throw new Error(`${action}: ${reply.error.en}`)
  return reply.data
}

const RANGE = { from: '2026-11-01', to: '2026-11-03' }

describe('statsRooms', () => {
  it('totals each room over the range with derived figures, room names from the cache, most entries first', async () => {
    const d = await dataOf('statsRooms', RANGE)
    expect(d).toMatchObject({ ...RANGE, through: '2026-11-03', truncated: false, docsRead: 7 })
    expect(d.rooms.map((r: { roomId: number }) => r.roomId)).toEqual([101, 103, 102])
    const [r101, r103, r102] = d.rooms
    expect(r101.name).toBe(TRICKY_NAME)
    expect(r101.counts).toMatchObject({ reached: 152, taps: 20, entered: 50, sharedEntries: 5, subscribed: 3, shares: 4, replayPlays: 4, replaySeconds: 330, goodsClicks: 5, orders: 3, gmvFen: 29900 })
    expect(r101.derived.entryRate).toBeCloseTo(50 / 152, 10)
    expect(r101.derived.avgReplaySeconds).toBe(82.5)
    expect(r101.derived.goodsClickRate).toBe(0.1)
    expect(r101.derived.ordersPerK).toBe(60)
    expect(r101.derived.gmvPerKFen).toBe(598000)
    // a room the cache does not know keeps its id, without a name
    expect(r103).toMatchObject({ roomId: 103, name: null, counts: { entered: 3, orders: 1, gmvFen: 100 } })
    // no entries: every per-entry figure is null, not 0
    expect(r102).toMatchObject({ name: '秋季新品', counts: { reached: 50, entered: 0 }, derived: { entryRate: 0, goodsClickRate: null, ordersPerK: null, gmvPerKFen: null, avgReplaySeconds: null } })
    expect(d.total.counts).toMatchObject({ reached: 202, entered: 53, orders: 4, gmvFen: 30000 })
    for (const k of COUNTER_NAMES) expect(d.total.counts[k]).toBe(d.rooms.reduce((n: number, r: { counts: Counts }) => n + r.counts[k], 0))
  })

  it('refuses a day that does not exist, a reversed range and one longer than the limit, naming the field', async () => {
    expect(await h.call('statsRooms', { from: '2026-02-30', to: '2026-03-01' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'from' } })
    expect(await h.call('statsRooms', { from: '2026-11-02', to: '2026-11-01' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'to' } })
    const long = await h.call('statsRooms', { from: '2026-01-01', to: '2026-04-03' })
    expect(long).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'to' } })
    expect(!long.ok && long.error.zh).toContain(`最长 ${STATS_RANGE_DAYS_MAX} 天`)
    expect(await h.call('statsRooms', { from: '2026-01-01', to: '2026-04-02' })).toMatchObject({ ok: true })
    expect(await h.call('statsRooms', { from: '2026-11-01' })).toMatchObject({ ok: false, error: { field: 'to' } })
  })
})

describe('statsRoom', () => {
  it('splits one room by day (every day, zeros included) and by channel with the merchant’s names and entry kinds', async () => {
    const d = await dataOf('statsRoom', { roomId: 101, ...RANGE })
    expect(d.room).toEqual({ roomId: 101, kind: 'miniProgramLive', name: TRICKY_NAME })
    expect(d.days.map((x: { day: string }) => x.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'])
    expect(d.days[0].counts).toMatchObject({ reached: 120, entered: 30, orders: 3, gmvFen: 29900 })
    expect(d.days[0].derived.entryRate).toBe(0.25)
    expect(d.days[0].derived.ordersPerK).toBe(100)
    expect(d.days[2].counts).toEqual(zeroCounts())
    expect(d.days[2].derived.entryRate).toBeNull()
    const byChannel = Object.fromEntries(d.channels.map((c: { channel: string }) => [c.channel, c]))
    expect(d.channels.map((c: { channel: string }) => c.channel)).toEqual(['pa1', 'home', 'share_room', 'zz9'])
    expect(byChannel.pa1).toMatchObject({ name: CHANNEL_NAME, builtin: false, counts: { reached: 50, entered: 25, orders: 2 }, kinds: [{ kind: 'qrcode', entered: 22 }, { kind: 'urllink', entered: 3 }] })
    expect(byChannel.pa1.derived.entryRate).toBe(0.5)
    expect(byChannel.home).toMatchObject({ name: null, builtin: true })
    expect(byChannel.zz9).toMatchObject({ name: null, builtin: false, counts: { reached: 2 } })
    expect(d.kinds).toEqual([{ kind: 'share', entered: 5 }, { kind: 'qrcode', entered: 22 }, { kind: 'urllink', entered: 3 }, { kind: 'other', entered: 20 }])
    expect(d.total.counts).toMatchObject({ reached: 152, entered: 50, replayPlays: 4, replaySeconds: 330 })
  })

  it('answers a room without aggregates with zeros and null rates', async () => {
    const reply = await h.call('statsRoom', { roomId: 999, from: '2026-11-01', to: '2026-11-01' })
    expect(reply).toMatchObject({ ok: true, data: { room: { roomId: 999, name: null }, channels: [], kinds: [], days: [{ day: '2026-11-01', counts: zeroCounts() }] } })
    expect(reply.ok && reply.data.total.derived).toEqual({ entryRate: null, avgReplaySeconds: null, goodsClickRate: null, ordersPerK: null, gmvPerKFen: null })
  })
})

describe('who may read', () => {
  it('refuses every statistics action to a viewer, and no reply holds an openid', async () => {
    const params: Record<string, unknown> = { statsRooms: RANGE, statsRoom: { roomId: 101, ...RANGE }, statsExport: RANGE }
    expect(Object.keys(statsActions).sort()).toEqual(Object.keys(params).sort())
    for (const name of Object.keys(statsActions)) {
      const refused = await h.call(name, params[name], VIEWER)
      expect(refused, name).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
      const ok = await h.call(name, params[name])
      expect(ok.ok, name).toBe(true)
      const text = JSON.stringify(ok)
      expect(text, name).not.toMatch(/openid/i)
      for (const id of [OWNER, VIEWER, 'oCreatorSecret']) expect(text, name).not.toContain(id)
    }
  })
})

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

describe('statsExport', () => {

  it('writes the range’s rooms as UTF-8 CSV with a BOM, quoted where a name needs it, and links it for a day', async () => {
    const before = Date.now()
    const d = await dataOf('statsExport', RANGE)
    expect(d.cloudPath).toMatch(/^live\/exports\/2026-11-01_2026-11-03\/rooms-\d+\.csv$/)
    expect(new Date(d.expiresAt).getTime()).toBeGreaterThanOrEqual(before + 86_400_000 - 5000)
    const bytes = await download(d.url)
    expect(bytes.length).toBe(d.bytes)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8')
    expect(text).toContain(`"春茶上新, ""限时""特惠"`)
    const parsed = parseCsv(text.slice(1), 100)
    if (!parsed.ok) throw new Error(parsed.problem.en)
    const table = roomsTable(await dataOf('statsRooms', RANGE))
    expect(parsed.records).toEqual([table.header, ...table.rows.map((r) => r.cells)])
    expect(parsed.records[0].slice(0, 4)).toEqual(['房间号', '直播间', '触达', '卡片点击'])
    expect(parsed.records[1].slice(0, 2)).toEqual(['101', TRICKY_NAME])
    expect(parsed.records.at(-1)?.[0]).toBe('合计')
    expect(d.rows).toBe(4)
    // mutating: audited with the file, never with the rows themselves
    expect(h.audit()[0]).toMatchObject({ action: 'statsExport', outcome: 'ok', detail: { fileId: d.fileId, rows: 4 } })
  })

  it('writes one room’s channels, days and total, with the merchant’s channel name quoted', async () => {
    const d = await dataOf('statsExport', { roomId: 101, ...RANGE })
    const text = (await download(d.url)).toString('utf8')
    const parsed = parseCsv(text.slice(1), 100)
    if (!parsed.ok) throw new Error(parsed.problem.en)
    const table = roomTable(await dataOf('statsRoom', { roomId: 101, ...RANGE }))
    expect(parsed.records).toEqual([table.header, ...table.rows.map((r) => r.cells)])
    expect(parsed.records[1].slice(0, 4)).toEqual(['渠道', `${CHANNEL_NAME}（pa1）`, '50', '0'])
    expect(parsed.records[1].at(-1)).toBe('扫码 22、URL Link 3')
    expect(parsed.records.filter((r) => r[0] === '日期').map((r) => r[1])).toEqual(['2026-11-01', '2026-11-02', '2026-11-03'])
    expect(text).toContain('"海报A,""门店""（pa1）"')
  })
})

describe('formulas in the CSV', () => {
  it('writes a name or channel a spreadsheet would run as a formula with a leading apostrophe, and leaves the reply as is', async () => {
    h.emu.engine.insert('live_rooms', [buildRoomDoc(platformRoom(104, '=1+1 春茶'), undefined, new Date())])
    h.emu.engine.insert(STATS_COLLECTIONS.daily, [daily('2026-11-10', 104, '-A1', { reached: 3, entered: 1 })] as unknown as Record<string, unknown>[])
    const day = { from: '2026-11-10', to: '2026-11-10' }
    expect((await dataOf('statsRoom', { roomId: 104, ...day })).channels[0].channel).toBe('-A1')
    const read = async (d: { url: string }) => {
      const parsed = parseCsv((await download(d.url)).toString('utf8').slice(1), 100)
      if (!parsed.ok) throw new Error(parsed.problem.en)
      return parsed.records
    }
    const rooms = await read(await dataOf('statsExport', day))
    expect(rooms[1].slice(0, 3)).toEqual(['104', "'=1+1 春茶", '3'])
    const room = await read(await dataOf('statsExport', { roomId: 104, ...day }))
    expect(room[1].slice(0, 3)).toEqual(['渠道', "'-A1", '3'])
    expect(room.filter((r) => r[0] === '日期')[0].slice(0, 3)).toEqual(['日期', '2026-11-10', '3'])
  })
})

describe('the read bound', () => {
  it(`past ${STATS_READ_DOCS_MAX} aggregates, covers whole days up to the last one read entirely and says so`, async () => {
    const a = startInProcessAdmin()
    const perDay = 4000
    const docs: DailyStatsDoc[] = []
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) {
      for (let i = 0; i < perDay; i++) docs.push(daily(day, 1 + (i % 400), `c${Math.floor(i / 400)}`, { reached: 1, entered: 1 }))
    }
    a.engine.insert(STATS_COLLECTIONS.daily, docs as unknown as Record<string, unknown>[])
    const reply = await a.raw({ action: 'statsRooms', params: RANGE })
    expect(reply).toMatchObject({ ok: true, data: { through: '2026-11-02', truncated: true, docsRead: STATS_READ_DOCS_MAX } })
    expect(reply.ok && reply.data.total.counts.reached).toBe(2 * perDay)
    const small = await a.raw({ action: 'statsRooms', params: { from: '2026-11-03', to: '2026-11-03' } })
    expect(small).toMatchObject({ ok: true, data: { through: '2026-11-03', truncated: false, docsRead: perDay } })
  })
})
