/**
 * The batch import as the merchant sees it: every row's check before submitting, the job's progress and each
 * row's outcome, the job kept on the phone so leaving the page and coming back resumes it, and the template
 * as CSV and as JSON. Pure (no wx), so the branches are unit-tested.
 */
import * as rules from '../generated/rules'
import { startWords } from '../../utils/format'

export type BatchKind = 'goods' | 'rooms'

export const KIND_TEXT: Readonly<Record<BatchKind, string>> = { goods: '商品', rooms: '直播间' }

export function isBatchKind(v: unknown): v is BatchKind {
  return v === 'goods' || v === 'rooms'
}

/** The extensions a batch file may have (the function reads CSV or JSON). */
export const FILE_EXTENSIONS = ['csv', 'json'] as const

/** The extension of a picked file's name when it is one a batch takes; null otherwise. */
export function batchExtension(name: string): string | null {
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase() ?? ''
  return (FILE_EXTENSIONS as readonly string[]).includes(ext) ? ext : null
}

/** A cloud path for an uploaded batch file that keeps the merchant's file name (the job shows it). */
export function batchCloudPath(name: string, nowMs: number, nonce: string): string {
  const safe = name.replace(/[^\w.\-\u4e00-\u9fa5]/g, '_').slice(-80)
  return `live-media/batch/${nowMs}-${nonce}-${safe}`
}

// ---------- template ----------

export interface TemplateColumn {
  name: string
  required: boolean
  kind: 'text' | 'number' | 'time' | 'list'
  values?: readonly unknown[]
}

/** The CSV template's example row as a JSON file of one object, each cell typed as its column takes it. */
export function jsonTemplate(csv: string, columns: readonly TemplateColumn[]): string {
  const parsed = rules.parseCsv(csv, 2)
  if (!parsed.ok || parsed.records.length < 2) return '[]'
  const [header, example] = parsed.records
  const byName = new Map(columns.map((c) => [c.name, c]))
  const row: Record<string, unknown> = {}
  header.forEach((name, i) => {
    const column = byName.get(name)
    const cell = example[i] ?? ''
    if (!column || cell === '') return
    // Times stay as the readable Shanghai date the CSV shows; the function reads both.
    row[name] = column.kind === 'time' ? cell : rules.convertCell(column, cell)
  })
  return JSON.stringify([row], null, 2)
}

/** What each column takes, in the merchant's words. */
export function columnNotes(columns: readonly TemplateColumn[]): { name: string; note: string }[] {
  const kindText = { text: '文字', number: '数字', time: '时间（YYYY-MM-DD HH:mm，北京时间，或 Unix 秒）', list: '多个值用 | 分隔' }
  return columns.map((c) => ({
    name: c.name,
    note: `${c.required ? '必填' : '选填'}，${kindText[c.kind]}${c.values && c.values.length ? `，可选 ${c.values.join(' / ')}` : ''}`,
  }))
}

// ---------- validation ----------

export interface RowError {
  row: number
  field: string
  errcode?: number
  zh: string
  en: string
}

export interface Validation {
  kind: BatchKind
  format: 'csv' | 'json'
  fileName: string
  rows: number
  valid: number
  invalid: number
  errors: RowError[]
  today: { quota: number; left: number; canGoToday: number; resetsAt: string }
}

export interface CheckedRowView {
  row: number
  ok: boolean
  field: string
  text: string
}

/** A row error's sentence: the function's Chinese sentence with WeChat's errcode kept. */
export function rowErrorText(e: Pick<RowError, 'zh' | 'errcode'>): string {
  return e.errcode ? `${e.zh}（错误码 ${e.errcode}）` : e.zh
}

/** Every row of the file, good and bad, in file order. */
export function checkedRows(v: Pick<Validation, 'rows' | 'errors'>): CheckedRowView[] {
  const bad = new Map(v.errors.map((e) => [e.row, e]))
  const out: CheckedRowView[] = []
  for (let row = 1; row <= v.rows; row++) {
    const e = bad.get(row)
    out.push(e ? { row, ok: false, field: e.field, text: rowErrorText(e) } : { row, ok: true, field: '', text: '可以提交' })
  }
  return out
}

/** The summary above the rows, with what today's quota lets through. */
export function validationSummary(v: Validation, nowMs: number): string {
  const head = `共 ${v.rows} 行：${v.valid} 行可以提交，${v.invalid} 行不合格`
  if (v.valid === 0) return `${head}。请修改文件后重新选择。`
  const later = v.valid - v.today.canGoToday
  const quota = later > 0 ? `今天的配额还能提交 ${v.today.canGoToday} 行，其余 ${later} 行${whenText(v.today.resetsAt, nowMs)}自动继续。` : ''
  const skip = v.invalid > 0 ? `提交时跳过不合格的 ${v.invalid} 行。` : ''
  return `${head}。${skip}${quota}`
}

function whenText(iso: string | null, nowMs: number): string {
  const at = iso ? Date.parse(iso) : NaN
  return Number.isFinite(at) ? `在 ${startWords(at, nowMs)} 后` : '在配额恢复后'
}

// ---------- job ----------

export type RowState = 'pending' | 'submitting' | 'done' | 'failed' | 'skipped'
export type JobState = 'running' | 'waiting' | 'done'

export interface JobRowOutcome {
  row: number
  name: string | null
  state: RowState
  id: number | null
  error: { zh: string; errcode?: number } | null
}

export interface JobProgress {
  jobId: string
  state: JobState
  resumeAt: string | null
  counts: Record<RowState, number>
}

const ROW_STATE_TEXT: Readonly<Record<RowState, string>> = {
  pending: '等待提交',
  submitting: '提交中（结果待确认）',
  done: '已提交',
  failed: '失败',
  skipped: '已跳过（不合格）',
}

export interface OutcomeView {
  row: number
  state: RowState
  name: string
  text: string
}

/** One row's outcome in words: the id the platform gave, or the reason it failed. */
export function outcomeView(r: JobRowOutcome, kind: BatchKind): OutcomeView {
  let text = ROW_STATE_TEXT[r.state] ?? r.state
  if (r.state === 'done' && r.id !== null) text += `，${kind === 'goods' ? '商品' : '直播间'} ID ${r.id}`
  if (r.error && (r.state === 'failed' || r.state === 'submitting' || r.state === 'skipped')) text += `：${rowErrorText(r.error)}`
  return { row: r.row, state: r.state, name: r.name ?? '', text }
}

/** Rows settled (done, failed, skipped) out of all rows: the progress bar's percentage. */
export function progressPercent(counts: Record<RowState, number>): number {
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  if (total === 0) return 0
  return Math.floor(((counts.done + counts.failed + counts.skipped) / total) * 100)
}

/** The job's state in words. */
export function jobText(p: JobProgress, nowMs: number): string {
  const c = p.counts
  const tally = `已提交 ${c.done} 行，失败 ${c.failed} 行，跳过 ${c.skipped} 行，待提交 ${c.pending + c.submitting} 行`
  if (p.state === 'done') return `导入完成：${tally}`
  if (p.state === 'waiting') return `今天的配额已用完，${whenText(p.resumeAt, nowMs)}再打开本页即可继续。${tally}`
  return `正在导入…${tally}`
}

/** Merges the rows one run changed into the outcomes shown, keeping file order. */
export function mergeOutcomes(shown: readonly OutcomeView[], changed: readonly OutcomeView[]): OutcomeView[] {
  const byRow = new Map(shown.map((r) => [r.row, r]))
  for (const r of changed) byRow.set(r.row, r)
  return [...byRow.values()].sort((a, b) => a.row - b.row)
}

// ---------- the job kept on the phone ----------

export const JOB_STORAGE_KEY = 'merchant.batch.job'

export interface StoredJob {
  jobId: string
  kind: BatchKind
}

/** The stored job when storage holds a well-formed one; null for anything else (an old or foreign value). */
export function readStoredJob(v: unknown): StoredJob | null {
  const j = v as Partial<StoredJob> | null
  if (typeof j !== 'object' || j === null) return null
  // The id's form is the function's to check: a bad one is refused and the page forgets it.
  if (typeof j.jobId !== 'string' || j.jobId === '' || !isBatchKind(j.kind)) return null
  return { jobId: j.jobId, kind: j.kind }
}
