/**
 * What the merchant's dashboard reads and exports: the date range rule, the read bounds, the figure columns (from
 * COUNTERS and DERIVED, never restated), how each figure reads as text, and the tables a page shows and a CSV
 * export writes. liveAdmin and the merchant pages (through the generated phone bundle) both use this module, so the
 * exported file says exactly what the page's table says.
 */
import { BUILTIN_CHANNELS, ENTRY_KINDS, type EntryKind } from './channels'
import { COUNTERS, COUNTER_NAMES, DERIVED, DERIVED_NAMES, type Counter, type Derived } from './metrics'
import type { LiveKind } from '../setup/live-setup'

/** Days one read or export may span: a quarter, so a read stays within the function's time and read bounds. */
export const STATS_RANGE_DAYS_MAX = 92
/** Aggregate documents one call reads at most (pages of STATS_READ_PAGE); past it the reply covers fewer days. */
export const STATS_READ_DOCS_MAX = 10_000
/** Documents per database read: the server SDK's cap for one get(). */
export const STATS_READ_PAGE = 1000
/** How long an export's download link works: getTempFileURL's longest (https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/storage/getTempFileURL.html). */
export const STATS_EXPORT_URL_MAX_AGE_S = 86_400
/** Where exports are written in cloud storage. */
export const STATS_EXPORT_FOLDER = 'live/exports'

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const DAY_MS = 86_400_000

/** Milliseconds of a `YYYY-MM-DD` calendar day at 00:00 UTC, or null when it is no real date. */
function dayMs(day: string): number | null {
  const m = DAY_RE.exec(day)
  if (!m) return null
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return new Date(ms).toISOString().slice(0, 10) === day ? ms : null
}

export interface RangeProblem {
  field: 'from' | 'to'
  zh: string
  en: string
}

/** Why `from`–`to` (Asia/Shanghai days, both included) is not a range the dashboard reads, or null. */
export function checkStatsRange(from: unknown, to: unknown): RangeProblem | null {
  for (const [field, value] of [['from', from], ['to', to]] as const) {
    if (typeof value !== 'string' || dayMs(value) === null) {
      return { field, zh: '须为 YYYY-MM-DD 格式的日期（北京时间）', en: 'must be a date as YYYY-MM-DD (Beijing time)' }
    }
  }
  const days = statsRangeDays(from as string, to as string)
  if (days < 1) return { field: 'to', zh: '结束日期不能早于开始日期', en: 'must not be before from' }
  if (days > STATS_RANGE_DAYS_MAX) {
    return { field: 'to', zh: `日期范围最长 ${STATS_RANGE_DAYS_MAX} 天，当前 ${days} 天`, en: `the range spans at most ${STATS_RANGE_DAYS_MAX} days, this one ${days}` }
  }
  return null
}

/** Days from `from` to `to`, both included (0 or less when `to` is before `from`). */
export function statsRangeDays(from: string, to: string): number {
  const a = dayMs(from)
  const b = dayMs(to)
  return a === null || b === null ? 0 : Math.round((b - a) / DAY_MS) + 1
}

/** The day `n` days after `day` (n may be negative). */
export function addDays(day: string, n: number): string {
  const ms = dayMs(day)
  if (ms === null) throw new RangeError(`not a day: ${day}`)
  return new Date(ms + n * DAY_MS).toISOString().slice(0, 10)
}

/** Every day from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  const n = statsRangeDays(from, to)
  return Array.from({ length: Math.max(0, n) }, (_, i) => addDays(from, i))
}

// ---------- figures and how they read ----------

export interface StatsFigures {
  counts: Record<Counter, number>
  derived: Record<Derived, number | null>
}

export type FigureKey = Counter | Derived

/** The figure columns, counters first then derived figures, each with its labels. */
export const STATS_COLUMNS: ReadonlyArray<{ key: FigureKey; zh: string; en: string }> = [
  ...COUNTER_NAMES.map((key) => ({ key, zh: COUNTERS[key].zh, en: COUNTERS[key].en })),
  ...DERIVED_NAMES.map((key) => ({ key, zh: DERIVED[key].zh, en: DERIVED[key].en })),
]

/** The derived figures' names and formulas without their functions, for the phone bundle (plain data only). */
export const DERIVED_LABELS = Object.fromEntries(DERIVED_NAMES.map((k) => [k, { zh: DERIVED[k].zh, en: DERIVED[k].en, formula: DERIVED[k].formula }])) as {
  [K in Derived]: { zh: (typeof DERIVED)[K]['zh']; en: (typeof DERIVED)[K]['en']; formula: (typeof DERIVED)[K]['formula'] }
}

/** Shares of a whole read as percentages; the other derived figures as numbers with one decimal (fen: none). */
const PERCENT: ReadonlySet<FigureKey> = new Set<FigureKey>(['entryRate', 'goodsClickRate'])
const WHOLE: ReadonlySet<FigureKey> = new Set<FigureKey>(['gmvPerKFen'])

/** One figure as the page shows it and the CSV writes it; null (no denominator) is "—", never 0. */
export function figureText(key: FigureKey, value: number | null): string {
  if (value === null) return '—'
  if (PERCENT.has(key)) return `${(value * 100).toFixed(1)}%`
  if ((COUNTER_NAMES as string[]).includes(key) || WHOLE.has(key)) return String(Math.round(value))
  return value.toFixed(1)
}

function figureCells(f: StatsFigures): string[] {
  return [...COUNTER_NAMES.map((k) => figureText(k, f.counts[k])), ...DERIVED_NAMES.map((k) => figureText(k, f.derived[k]))]
}

// ---------- names ----------

/** A channel as the merchant reads it: their own name with the code, a built-in channel's name, or the bare token. */
export function channelLabel(channel: string, merchantName: string | null): string {
  if (merchantName !== null) return `${merchantName}（${channel}）`
  if (Object.hasOwn(BUILTIN_CHANNELS, channel)) return BUILTIN_CHANNELS[channel as keyof typeof BUILTIN_CHANNELS].zh
  return channel
}

export interface KindCount {
  kind: EntryKind
  entered: number
}

/** "扫码 12、分享卡片 3": how a channel's entries came, in ENTRY_KINDS order. */
export function kindsText(kinds: readonly KindCount[]): string {
  return kinds.map((k) => `${ENTRY_KINDS[k.kind].zh} ${k.entered}`).join('、')
}

// ---------- the tables ----------

export interface StatsTableRow {
  /** 'room' | 'channel' | 'day' | 'total': which part of the page shows the row. */
  group: string
  /** The row's identity (room id, channel token, day, "total"). */
  key: string
  cells: string[]
}

export interface StatsTable {
  header: string[]
  rows: StatsTableRow[]
}

const FIGURE_HEADER = STATS_COLUMNS.map((c) => c.zh)

export interface RoomsTableInput {
  /** `kind` channelsLive: the merchant's Channels live, which has no room id (its row's id cell is "—"). */
  rooms: ReadonlyArray<StatsFigures & { roomId: number; kind: LiveKind; name: string | null }>
  total: StatsFigures
}

/** The rooms of a date range, one row each, and their total. */
export function roomsTable(data: RoomsTableInput): StatsTable {
  return {
    header: ['房间号', '直播间', ...FIGURE_HEADER],
    rows: [
      ...data.rooms.map((r) => ({ group: 'room', key: String(r.roomId), cells: [r.kind === 'channelsLive' ? '—' : String(r.roomId), r.name ?? '', ...figureCells(r)] })),
      { group: 'total', key: 'total', cells: ['合计', '', ...figureCells(data.total)] },
    ],
  }
}

export interface RoomTableInput {
  channels: ReadonlyArray<StatsFigures & { channel: string; name: string | null; kinds: readonly KindCount[] }>
  days: ReadonlyArray<StatsFigures & { day: string }>
  total: StatsFigures
  kinds: readonly KindCount[]
}

/** One room over a range: a row per channel, a row per day, and the total. */
export function roomTable(data: RoomTableInput): StatsTable {
  return {
    header: ['分组', '渠道或日期', ...FIGURE_HEADER, '进入方式'],
    rows: [
      ...data.channels.map((c) => ({ group: 'channel', key: c.channel, cells: ['渠道', channelLabel(c.channel, c.name), ...figureCells(c), kindsText(c.kinds)] })),
      ...data.days.map((d) => ({ group: 'day', key: d.day, cells: ['日期', d.day, ...figureCells(d), ''] })),
      { group: 'total', key: 'total', cells: ['合计', '', ...figureCells(data.total), kindsText(data.kinds)] },
    ],
  }
}
