/**
 * The dashboard: the statistics aggregates (`live_stats_daily`, written by the fold only) read per date range and
 * per room, and exported as CSV to cloud storage with a temporary download link. Viewers cannot read these
 * collections at all (their rules deny every client), so a merchant reads them here, as an admin; no reply holds an
 * openid because no aggregate does.
 */
import * as z from '../../live/zod'
import * as s from '../../live/schemas'
import { BUILTIN_CHANNELS, CHANNELS_PER_ROOM_MAX, ENTRY_KINDS, type EntryKind } from '../../stats/channels'
import {
  STATS_EXPORT_FOLDER,
  STATS_EXPORT_URL_MAX_AGE_S,
  STATS_RANGE_DAYS_MAX,
  STATS_READ_DOCS_MAX,
  STATS_READ_PAGE,
  addDays,
  checkStatsRange,
  daysOf,
  roomTable,
  roomsTable,
  type KindCount,
  type StatsFigures,
  type StatsTable,
} from '../../stats/dashboard'
import { CHANNELS_ROOM_ID, STATS_COLLECTIONS, type DailyStatsDoc } from '../../stats/docs'
import { LIVE_KIND_NAMES, type LiveKind } from '../../setup/live-setup'
import { COUNTER_NAMES, addCounts, derive, zeroCounts, type Counts } from '../../stats/metrics'
import { cond, type DocDriver, type RawDoc, type Where } from '../../sync/driver'
import { writeCsv } from '../batch/csv'
import { fail } from '../reply'
import { defineAction, type ActionContext, type ActionDef } from '../types'

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD (Beijing time)'))

/** The range rule (one home: src/stats/dashboard.ts) as an issue on the field it names. */
function rangeCheck(p: { from: string; to: string }, ctx: z.core.$RefinementCtx<{ from: string; to: string }>): void {
  const problem = checkStatsRange(p.from, p.to)
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.en, params: { zh: problem.zh }, input: p })
}

/** A Live room's id, or CHANNELS_ROOM_ID for the merchant's Channels live (its events have no room). */
const statsRoomId = z.union([s.roomId, z.literal(CHANNELS_ROOM_ID)])
const rangeParams = z.object({ from: day, to: day }).check(z.superRefine(rangeCheck))
const roomParams = z.object({ roomId: statsRoomId, from: day, to: day }).check(z.superRefine(rangeCheck))
const exportParams = z.object({ roomId: z.optional(statsRoomId), from: day, to: day }).check(z.superRefine(rangeCheck))

/** Which kind of Live a row of the statistics is, and its name when the room cache cannot give one. */
function roomKind(roomId: number): LiveKind {
  return roomId === CHANNELS_ROOM_ID ? 'channelsLive' : 'miniProgramLive'
}
/** Names per row: the room cache's for Live rooms (null when it does not know one), the kind's own for Channels live. */
async function roomNames(ctx: ActionContext, roomIds: number[]): Promise<Map<number, string | null>> {
  const live = roomIds.filter((id) => id !== CHANNELS_ROOM_ID)
  const cached = live.length ? await ctx.ports.cache.getRooms(live) : new Map<number, { name: string }>()
  return new Map(roomIds.map((id) => [id, id === CHANNELS_ROOM_ID ? LIVE_KIND_NAMES.channelsLive.zh : (cached.get(id)?.name ?? null)]))
}

// ---------- reading the aggregates ----------

interface Daily {
  day: string
  roomId: number
  channel: string
  counts: Counts
  kinds: Partial<Record<EntryKind, number>>
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0)

/** A stored aggregate, or null when it is not one (the fold is its only writer; anything else is skipped, not summed). */
function asDaily(d: RawDoc): Daily | null {
  const doc = d as Partial<DailyStatsDoc>
  if (typeof doc.day !== 'string' || typeof doc.roomId !== 'number' || typeof doc.channel !== 'string') return null
  const raw = (typeof doc.counts === 'object' && doc.counts !== null ? doc.counts : {}) as Record<string, unknown>
  const counts = zeroCounts()
  for (const k of COUNTER_NAMES) counts[k] = count(raw[k])
  const kinds: Partial<Record<EntryKind, number>> = {}
  const rawKinds = (typeof doc.kinds === 'object' && doc.kinds !== null ? doc.kinds : {}) as Record<string, unknown>
  for (const k of Object.keys(ENTRY_KINDS) as EntryKind[]) if (count(rawKinds[k]) > 0) kinds[k] = count(rawKinds[k])
  return { day: doc.day, roomId: doc.roomId, channel: doc.channel, counts, kinds }
}

interface DailyRead {
  docs: Daily[]
  /** The last day whose aggregates were all read; null when not even the first day fits the read bound. */
  through: string | null
  truncated: boolean
  docsRead: number
}

/**
 * Aggregates from `from` to `to` matching `where`, in `_id` order, which is day order (`d-<day>-…`). Stops at
 * STATS_READ_DOCS_MAX; a day read only in part is then dropped whole, so every figure covers whole days up to
 * `through` and the reply says it stopped there.
 */
export async function readDaily(db: DocDriver, where: Where, from: string, to: string): Promise<DailyRead> {
  const out: RawDoc[] = []
  // every id of a day on or after `from` sorts after this prefix, and none before it does
  let cursor = `d-${from}`
  const page = (limit: number) => db.find(STATS_COLLECTIONS.daily, { ...where, _id: cond.gt(cursor), day: cond.lte(to) }, { limit, orderBy: { field: '_id', dir: 'asc' } })
  for (;;) {
    const docs = await page(Math.min(STATS_READ_PAGE, STATS_READ_DOCS_MAX - out.length))
    out.push(...docs)
    if (docs.length === 0) break
    cursor = docs[docs.length - 1]._id
    if (out.length >= STATS_READ_DOCS_MAX) break
    if (docs.length < STATS_READ_PAGE) break
  }
  const parsed = out.map(asDaily).filter((d): d is Daily => d !== null)
  if (out.length < STATS_READ_DOCS_MAX) return { docs: parsed, through: to, truncated: false, docsRead: out.length }
  const [next] = await page(1)
  if (!next) return { docs: parsed, through: to, truncated: false, docsRead: out.length }
  const nextDay = asDaily(next)?.day ?? String(next.day)
  const kept = parsed.filter((d) => d.day < nextDay)
  const through = nextDay > from ? addDays(nextDay, -1) : null
  return { docs: kept, through, truncated: true, docsRead: out.length }
}

function figures(c: Counts): StatsFigures {
  return { counts: c, derived: derive(c) }
}

function kindList(kinds: Partial<Record<EntryKind, number>>): KindCount[] {
  return (Object.keys(ENTRY_KINDS) as EntryKind[]).flatMap((kind) => (kinds[kind] ? [{ kind, entered: kinds[kind] }] : []))
}

function addKinds(into: Partial<Record<EntryKind, number>>, from: Partial<Record<EntryKind, number>>): void {
  for (const [k, n] of Object.entries(from) as [EntryKind, number][]) into[k] = (into[k] ?? 0) + n
}

const byEnteredThenKey = <T extends StatsFigures>(key: (x: T) => string | number) => (a: T, b: T): number =>
  b.counts.entered - a.counts.entered || b.counts.reached - a.counts.reached || String(key(a)).localeCompare(String(key(b)))

async function roomsOver(ctx: ActionContext, from: string, to: string) {
  const read = await readDaily(ctx.ports.docs, {}, from, to)
  const perRoom = new Map<number, Counts>()
  const total = zeroCounts()
  for (const d of read.docs) {
    addCounts(perRoom.get(d.roomId) ?? perRoom.set(d.roomId, zeroCounts()).get(d.roomId)!, d.counts)
    addCounts(total, d.counts)
  }
  const names = await roomNames(ctx, [...perRoom.keys()])
  const rooms = [...perRoom].map(([roomId, c]) => ({ roomId, kind: roomKind(roomId), name: names.get(roomId) ?? null, ...figures(c) })).sort(byEnteredThenKey((r) => r.roomId))
  return { from, to, through: read.through, truncated: read.truncated, docsRead: read.docsRead, rooms, total: figures(total) }
}

async function roomOver(ctx: ActionContext, roomId: number, from: string, to: string) {
  const read = await readDaily(ctx.ports.docs, { roomId }, from, to)
  const [names, channelDocs] = await Promise.all([
    roomNames(ctx, [roomId]),
    ctx.ports.docs.find(STATS_COLLECTIONS.channels, { roomId }, { limit: CHANNELS_PER_ROOM_MAX, fields: ['code', 'name'] }),
  ])
  const merchantNames = new Map(channelDocs.flatMap((c) => (typeof c.code === 'string' && typeof c.name === 'string' ? [[c.code, c.name] as const] : [])))
  const perDay = new Map<string, Counts>()
  const perChannel = new Map<string, { counts: Counts; kinds: Partial<Record<EntryKind, number>> }>()
  const total = zeroCounts()
  const kinds: Partial<Record<EntryKind, number>> = {}
  for (const d of read.docs) {
    addCounts(perDay.get(d.day) ?? perDay.set(d.day, zeroCounts()).get(d.day)!, d.counts)
    const ch = perChannel.get(d.channel) ?? perChannel.set(d.channel, { counts: zeroCounts(), kinds: {} }).get(d.channel)!
    addCounts(ch.counts, d.counts)
    addKinds(ch.kinds, d.kinds)
    addCounts(total, d.counts)
    addKinds(kinds, d.kinds)
  }
  const channels = [...perChannel]
    .map(([channel, c]) => ({
      channel,
      name: merchantNames.get(channel) ?? null,
      builtin: Object.hasOwn(BUILTIN_CHANNELS, channel),
      kinds: kindList(c.kinds),
      ...figures(c.counts),
    }))
    .sort(byEnteredThenKey((c) => c.channel))
  // every day of the range read, zeros included, so a trend has no gaps
  const days = read.through === null ? [] : daysOf(from, read.through).map((day) => ({ day, ...figures(perDay.get(day) ?? zeroCounts()) }))
  return {
    from,
    to,
    through: read.through,
    truncated: read.truncated,
    docsRead: read.docsRead,
    room: { roomId, kind: roomKind(roomId), name: names.get(roomId) ?? null },
    total: figures(total),
    kinds: kindList(kinds),
    days,
    channels,
  }
}

// ---------- export ----------

const CSV_BOM = '\uFEFF'

/**
 * A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a leading
 * apostrophe: channel tokens come from viewers' devices and names from any admin (https://owasp.org/www-community/attacks/CSV_Injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/
const inert = (cell: string): string => (FORMULA_START.test(cell) ? `'${cell}` : cell)

/** The CSV of a table: UTF-8 with a byte order mark, so Excel reads the Chinese headers and names as UTF-8. */
export function tableCsv(table: StatsTable): string {
  return CSV_BOM + writeCsv([table.header, ...table.rows.map((r) => r.cells.map(inert))])
}

const FIGURES_REPLY = '{counts: {reached, taps, entered, sharedEntries, subscribed, shares, replayPlays, replaySeconds, goodsClicks, orders, gmvFen}, derived: {entryRate, avgReplaySeconds, goodsClickRate, ordersPerK, gmvPerKFen: number | null}}'
const READ_NOTE = `reads at most ${STATS_READ_DOCS_MAX} aggregate documents; past that the figures cover whole days up to \`through\` and \`truncated\` is true`

export const statsActions: Readonly<Record<string, ActionDef>> = {
  statsRooms: defineAction({
    name: 'statsRooms',
    who: 'admin',
    mutates: false,
    summary: { zh: `统计：日期范围内各直播间的数据与合计（北京时间，最长 ${STATS_RANGE_DAYS_MAX} 天）`, en: `Statistics: every room's figures over a date range, and their total (Beijing days, at most ${STATS_RANGE_DAYS_MAX})` },
    params: rangeParams,
    reply: `{from, to, through: string | null, truncated: boolean, docsRead, rooms: ({roomId, kind: 'miniProgramLive' | 'channelsLive', name: string | null} & Figures)[] (most entries first; the Channels live row is roomId ${CHANNELS_ROOM_ID}, named "${LIVE_KIND_NAMES.channelsLive.zh}"), total: Figures}; Figures = ${FIGURES_REPLY}; ${READ_NOTE}`,
    calls: [],
    run: async (ctx, p) => roomsOver(ctx, p.from, p.to),
  }),

  statsRoom: defineAction({
    name: 'statsRoom',
    who: 'admin',
    mutates: false,
    summary: {
      zh: `统计：一个直播间（roomId ${CHANNELS_ROOM_ID} 为${LIVE_KIND_NAMES.channelsLive.zh}）在日期范围内按天、按渠道的数据，进入方式与合计`,
      en: `Statistics: one room (roomId ${CHANNELS_ROOM_ID}: ${LIVE_KIND_NAMES.channelsLive.en}) over a date range, by day and by channel, with entry kinds and the total`,
    },
    params: roomParams,
    reply: `{from, to, through, truncated, docsRead, room: {roomId, kind, name: string | null}, total: Figures, kinds: {kind, entered}[], days: ({day} & Figures)[] (every day to through), channels: ({channel, name: string | null (the merchant's name for a channel code), builtin: boolean, kinds} & Figures)[]}; ${READ_NOTE}`,
    calls: [],
    run: async (ctx, p) => roomOver(ctx, p.roomId, p.from, p.to),
  }),

  statsExport: defineAction({
    name: 'statsExport',
    who: 'admin',
    mutates: true,
    summary: {
      zh: '导出统计 CSV（UTF-8 带 BOM，Excel 可直接打开）到云存储，返回临时下载链接；带 roomId 导出该直播间，否则导出日期范围内各直播间',
      en: 'Export statistics as CSV (UTF-8 with BOM, opens in Excel) to cloud storage and answer a temporary download link; with roomId that room, else every room of the range',
    },
    params: exportParams,
    reply: `{fileId, cloudPath, url, expiresAt: Date (the link stops working then, ${STATS_EXPORT_URL_MAX_AGE_S} s after the export), rows: number (data rows, total included), bytes, through, truncated}`,
    calls: [],
    run: async (ctx, p) => {
      const files = ctx.ports.files
      if (!files) fail('not_configured', { zh: '云函数没有可用的云存储', en: 'this function has no cloud storage' })
      const data = p.roomId === undefined ? await roomsOver(ctx, p.from, p.to) : await roomOver(ctx, p.roomId, p.from, p.to)
      const table = 'rooms' in data ? roomsTable(data) : roomTable(data)
      const nowMs = ctx.ports.nowMs()
      const cloudPath = `${STATS_EXPORT_FOLDER}/${p.from}_${p.to}/${p.roomId === undefined ? 'rooms' : `room-${p.roomId}`}-${nowMs}.csv`
      const bytes = new TextEncoder().encode(tableCsv(table))
      const fileId = await files.upload(cloudPath, bytes)
      const [link] = await files.tempUrls([fileId], STATS_EXPORT_URL_MAX_AGE_S)
      if (!link?.url) fail('unavailable', { zh: '导出文件已保存，但暂时拿不到下载链接，请稍后重试', en: 'the export was saved but no download link could be had; try again' }, { fileId })
      return {
        fileId,
        cloudPath,
        url: link.url,
        expiresAt: new Date(nowMs + STATS_EXPORT_URL_MAX_AGE_S * 1000),
        rows: table.rows.length,
        bytes: bytes.length,
        through: data.through,
        truncated: data.truncated,
      }
    },
    auditDetail: (data) => {
      const d = data as { fileId: string; rows: number; bytes: number }
      return { fileId: d.fileId, rows: d.rows, bytes: d.bytes }
    },
  }),
}
