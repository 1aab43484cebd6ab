/**
 * The dashboard pages' logic that is not view: the date range (Beijing days, remembered between visits, checked by
 * liveAdmin's own rule), the tables' rows (the same functions the CSV export writes with), the read-bound note, and
 * the data handed to the chart component. Labels come from the generated bundle, never written here.
 */
import * as rules from '../generated/rules'
import type { StatsFigures, StatsTable } from '../generated/rules'
import { formatShanghai } from './time'

export interface Range {
  from: string
  to: string
}

/** Where the page keeps the range the merchant last looked at. */
export const RANGE_KEY = 'merchant.stats.range'
/** The range a first visit shows: the last week, today included. */
export const DEFAULT_DAYS = 7

export function shanghaiToday(nowMs: number): string {
  return formatShanghai(Math.floor(nowMs / 1000)).slice(0, 10)
}

export function defaultRange(nowMs: number): Range {
  const to = shanghaiToday(nowMs)
  return { from: rules.addDays(to, 1 - DEFAULT_DAYS), to }
}

/** A range read back from storage or a page query; the default when it is missing or breaks the rule. */
export function rangeOr(raw: unknown, nowMs: number): Range {
  const r = raw as Partial<Range> | null
  if (typeof r === 'object' && r !== null && rules.checkStatsRange(r.from, r.to) === null) return { from: r.from as string, to: r.to as string }
  return defaultRange(nowMs)
}

/** The range with one end changed by a picker, and the problem to show beside that end (or ''). */
export function pickRange(range: Range, field: 'from' | 'to', day: string): { range: Range; errors: { from: string; to: string } } {
  const next = { ...range, [field]: day }
  const problem = rules.checkStatsRange(next.from, next.to)
  return { range: next, errors: { from: problem?.field === 'from' ? problem.zh : '', to: problem?.field === 'to' ? problem.zh : '' } }
}

// ---------- tables ----------

export interface TableRow {
  key: string
  cells: string[]
}

/** The rows of one group of a table (`room`, `channel`, `day`, `total`), as the page lists them. */
export function rowsOf(table: StatsTable, group: string): TableRow[] {
  return table.rows.filter((r) => r.group === group).map((r) => ({ key: r.key, cells: r.cells }))
}

export interface RoomTableView {
  channelHeader: string[]
  channels: TableRow[]
  dayHeader: string[]
  days: TableRow[]
  total: TableRow[]
}

/**
 * A room's table as its page shows it: the channel table (the group column dropped: the table says it), and the
 * daily table (without the entry-kind column, which days do not have) ending with the total.
 */
export function roomTableView(table: StatsTable): RoomTableView {
  const drop = (rows: TableRow[], last: boolean): TableRow[] => rows.map((r) => ({ key: r.key, cells: r.cells.slice(1, last ? undefined : -1) }))
  const figures = table.header.slice(2, -1)
  return {
    channelHeader: ['渠道', ...figures, table.header[table.header.length - 1]],
    channels: drop(rowsOf(table, 'channel'), true),
    dayHeader: ['日期', ...figures],
    days: drop(rowsOf(table, 'day'), false),
    total: drop(rowsOf(table, 'total'), false).map((r) => ({ key: r.key, cells: ['合计', ...r.cells.slice(1)] })),
  }
}

/** What the page says when a read stopped at its bound (empty when it covers the whole range). */
export function coverNote(d: { truncated: boolean; through: string | null; to: string }): string {
  if (!d.truncated) return ''
  return d.through === null
    ? `数据太多：一次最多读取 ${rules.STATS_READ_DOCS_MAX} 条汇总，第一天就已超出；请缩短日期范围。`
    : `数据太多：一次最多读取 ${rules.STATS_READ_DOCS_MAX} 条汇总，只统计到 ${d.through}；${d.through} 之后到 ${d.to} 的数据请缩短日期范围再看。`
}

// ---------- the charts (uCharts' chartData: https://www.ucharts.cn/v2/#/document/index) ----------

/** The funnel's steps, top to bottom. */
export const FUNNEL_STEPS = ['reached', 'entered', 'goodsClicks', 'orders'] as const
/** Shown beside the funnel: they are not steps of it. */
export const BESIDE_FUNNEL = ['subscribed', 'shares'] as const
/** The daily trend's lines. */
export const TREND_LINES = ['reached', 'entered', 'goodsClicks', 'orders'] as const

export interface FunnelChart {
  series: Array<{ name: string; data: Array<{ name: string; value: number }> }>
}

export function funnelChart(total: StatsFigures): FunnelChart {
  return {
    series: [{ name: '转化漏斗', data: FUNNEL_STEPS.map((k) => ({ name: `${rules.COUNTERS[k].zh} ${total.counts[k]}`, value: total.counts[k] })) }],
  }
}

export interface LineChart {
  categories: string[]
  series: Array<{ name: string; data: number[] }>
}

/** One line per counter over the days (MM-DD on the axis). */
export function trendChart(days: ReadonlyArray<StatsFigures & { day: string }>): LineChart {
  return {
    categories: days.map((d) => d.day.slice(5)),
    series: TREND_LINES.map((k) => ({ name: rules.COUNTERS[k].zh, data: days.map((d) => d.counts[k]) })),
  }
}

export interface Figure {
  key: string
  label: string
  value: string
}

const figure = (key: keyof typeof rules.COUNTERS | keyof typeof rules.DERIVED_LABELS, f: StatsFigures): Figure => {
  const isCounter = Object.prototype.hasOwnProperty.call(rules.COUNTERS, key)
  const label = isCounter ? rules.COUNTERS[key as keyof typeof rules.COUNTERS].zh : rules.DERIVED_LABELS[key as keyof typeof rules.DERIVED_LABELS].zh
  return { key, label, value: rules.figureText(key, isCounter ? f.counts[key] : f.derived[key]) }
}

/** The funnel's rates, and the figures shown beside it. */
export function funnelFigures(total: StatsFigures): Figure[] {
  return [figure('entryRate', total), figure('goodsClickRate', total), ...BESIDE_FUNNEL.map((k) => figure(k, total))]
}

/** Both per-thousand readings, each named for what it divides by: our own recorded entries, not platform viewers. */
export function perThousandFigures(total: StatsFigures): Figure[] {
  return [figure('ordersPerK', total), figure('gmvPerKFen', total)]
}

/** Replay watch time: plays, seconds watched in all, and the average per play. */
export function replayFigures(total: StatsFigures): Figure[] {
  return [figure('replayPlays', total), figure('replaySeconds', total), figure('avgReplaySeconds', total)]
}

/** "链接 2026-11-29 08:00 前有效" for an export's expiry (ISO string or Date). */
export function expiryText(expiresAt: string | Date): string {
  const ms = new Date(expiresAt).getTime()
  return Number.isFinite(ms) ? `下载链接 ${formatShanghai(Math.floor(ms / 1000))}（北京时间）前有效` : ''
}
