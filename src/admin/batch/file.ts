/**
 * Reads a batch file an admin uploaded to cloud storage and checks every row the way the single action would
 * check it, before anything is submitted: the file's size and row count, its encoding (UTF-8, with or without
 * a BOM), its format (CSV with a header row of the action's param names, or a JSON array of objects), each cell
 * converted to the type its column takes, then the action's params check, its pre-call rules and the merchant's
 * word list. Two rows that would create the same thing are refused too.
 */
import { checkActionParams, type ActionTable } from '../dispatch'
import { readWords } from '../content'
import { fail } from '../reply'
import type { ActionContext, ActionDef } from '../types'
import { convertCell, type Column } from './columns'
import { parseCsv } from './csv'
import { kindColumns, ROW_KINDS, type BatchKind, type RowKind } from './kinds'

/** The bounds of one batch file, in one place (the reference states them from here). */
export const BATCH_LIMITS = {
  /** Bytes of the downloaded file. */
  maxFileBytes: 1024 * 1024,
  /** Data rows (the CSV header not counted). */
  maxRows: 1000,
} as const

export interface RowError {
  /** 1-based: the first data row (after the CSV header, or the array's first object) is row 1. */
  row: number
  /** The column to fix, or `(row)` for the row as a whole. */
  field: string
  errcode?: number
  zh: string
  en: string
}

export interface CheckedRow {
  row: number
  /** The params the single action takes, as its schema output them; null when the row is invalid. */
  params: Record<string, unknown> | null
  error: RowError | null
}

export interface CheckedFile {
  kind: BatchKind
  format: 'csv' | 'json'
  fileName: string
  rows: CheckedRow[]
}

const fileFail = (zh: string, en: string, extra: Record<string, unknown> = {}): never =>
  fail('invalid_argument', { zh: `fileId：${zh}`, en: `fileId: ${en}` }, { field: 'fileId', ...extra })

/** The table's action for a kind (the richer domain version once it replaces the bare endpoint). */
export function kindAction(table: ActionTable, kind: RowKind): ActionDef {
  const def = table[kind.action]
  if (!def) throw new Error(`batch: the action table has no ${kind.action}`)
  return def
}

async function download(ctx: ActionContext, fileId: string): Promise<{ bytes: Uint8Array; name: string }> {
  const media = ctx.ports.media
  if (!media) {
    fail('not_configured', { zh: '此环境不能读取云存储文件', en: 'This environment cannot read cloud storage files' }, { field: 'fileId' })
  }
  try {
    return await media.download(fileId)
  } catch {
    return fail('not_found', { zh: `fileId：无法下载云存储文件 ${fileId.slice(0, 200)}，请确认文件已上传`, en: `fileId: cannot download the cloud storage file ${fileId.slice(0, 200)}; check that it was uploaded` }, { field: 'fileId' })
  }
}

function decode(bytes: Uint8Array): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return fileFail('文件不是 UTF-8 编码（Excel 请另存为“CSV UTF-8”）', 'the file is not UTF-8 (in Excel, save as "CSV UTF-8")')
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

const tooManyRows = (): never =>
  fileFail(`数据行超过 ${BATCH_LIMITS.maxRows} 行，请拆分文件`, `more than ${BATCH_LIMITS.maxRows} data rows; split the file`)

/** CSV records as raw row objects keyed by the header; header problems refuse the whole file. */
function csvRows(text: string, columns: Column[]): { raw: Record<string, unknown> | null; error: RowError | null }[] {
  const parsed = parseCsv(text, BATCH_LIMITS.maxRows + 1)
  if (!parsed.ok) return fileFail(parsed.problem.zh, parsed.problem.en, { line: parsed.problem.line })
  const [header, ...records] = parsed.records
  if (!header) return fileFail('文件为空（第一行须为列名）', 'the file is empty (the first line must name the columns)')
  if (records.length > BATCH_LIMITS.maxRows) tooManyRows()
  const known = new Set(columns.map((c) => c.name))
  const names = header.map((h) => h.trim())
  const seen = new Set<string>()
  for (const name of names) {
    if (!known.has(name)) {
      fileFail(`未知列“${name.slice(0, 64)}”（可用列：${[...known].join('、')}）`, `unknown column "${name.slice(0, 64)}" (columns: ${[...known].join(', ')})`, { column: name.slice(0, 64) })
    }
    if (seen.has(name)) fileFail(`列“${name}”重复`, `column "${name}" appears twice`, { column: name })
    seen.add(name)
  }
  const missing = columns.filter((c) => c.required && !seen.has(c.name)).map((c) => c.name)
  if (missing.length) fileFail(`缺少必填列：${missing.join('、')}`, `missing required columns: ${missing.join(', ')}`, { columns: missing })
  return records.map((cells, i) => {
    if (cells.length !== names.length) {
      return { raw: null, error: { row: i + 1, field: '(row)', zh: `第 ${i + 1} 行有 ${cells.length} 个字段，表头有 ${names.length} 列`, en: `row ${i + 1} has ${cells.length} fields, the header ${names.length} columns` } }
    }
    return { raw: Object.fromEntries(names.map((n, j) => [n, cells[j]])), error: null }
  })
}

function jsonRows(text: string): { raw: Record<string, unknown> | null; error: RowError | null }[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return fileFail('不是合法的 JSON', 'not valid JSON')
  }
  if (!Array.isArray(value)) return fileFail('JSON 文件须为对象数组', 'a JSON file must be an array of objects')
  if (value.length > BATCH_LIMITS.maxRows) tooManyRows()
  return value.map((v, i) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? { raw: v as Record<string, unknown>, error: null }
      : { raw: null, error: { row: i + 1, field: '(row)', zh: `第 ${i + 1} 行须为对象`, en: `row ${i + 1} must be an object` } },
  )
}

/** A raw row with each cell converted to its column's type; columns the action does not take pass unchanged (the params check names them). */
function convertRow(raw: Record<string, unknown>, byName: Map<string, Column>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(raw)) {
    const column = byName.get(name)
    const v = column ? convertCell(column, value) : value
    if (v !== undefined) out[name] = v
  }
  return out
}

/** Downloads, parses and checks every row. Throws AdminFailure for a file that cannot be read as rows at all. */
export async function checkFile(ctx: ActionContext, table: ActionTable, kindName: BatchKind, fileId: string): Promise<CheckedFile> {
  const kind = ROW_KINDS[kindName]
  const def = kindAction(table, kind)
  const columns = kindColumns(kind, def)
  const byName = new Map(columns.map((c) => [c.name, c]))
  const file = await download(ctx, fileId)
  if (file.bytes.byteLength > BATCH_LIMITS.maxFileBytes) {
    fileFail(`文件超过 ${BATCH_LIMITS.maxFileBytes} 字节`, `the file is larger than ${BATCH_LIMITS.maxFileBytes} bytes`)
  }
  const text = decode(file.bytes)
  const format = /\.json$/i.test(file.name) || (!/\.csv$/i.test(file.name) && text.trimStart().startsWith('[')) ? 'json' : 'csv'
  const raws = format === 'json' ? jsonRows(text) : csvRows(text, columns)
  if (raws.length === 0) fileFail('文件没有数据行', 'the file has no data rows')

  const words = await readWords(ctx)
  const rows: CheckedRow[] = []
  const firstRowOfKey = new Map<string, number>()
  for (let i = 0; i < raws.length; i++) {
    const row = i + 1
    const { raw, error } = raws[i]
    if (!raw) {
      rows.push({ row, params: null, error })
      continue
    }
    const checked = checkActionParams(def, kind.toParams(convertRow(raw, byName)), Math.floor(ctx.ports.nowMs() / 1000))
    if (!checked.ok) {
      const e = checked.error
      rows.push({ row, params: null, error: { row, field: kind.column(e.field ?? '(row)'), ...(e.errcode !== undefined ? { errcode: e.errcode } : {}), zh: e.zh, en: e.en } })
      continue
    }
    const params = checked.data as Record<string, unknown>
    const flat = kind.rowOf(params)
    const problem = kind.check(ctx, flat, words)
    if (problem) {
      rows.push({ row, params: null, error: { row, field: problem.field, ...(problem.errcode ? { errcode: problem.errcode } : {}), zh: problem.zh, en: problem.en } })
      continue
    }
    const key = kind.key(flat)
    const first = firstRowOfKey.get(key)
    if (first !== undefined) {
      rows.push({ row, params: null, error: { row, field: 'name', zh: `name：与第 ${first} 行重复（同一文件中不能重复创建）`, en: `name: the same as row ${first} (one file cannot create it twice)` } })
      continue
    }
    firstRowOfKey.set(key, row)
    rows.push({ row, params, error: null })
  }
  return { kind: kindName, format, fileName: file.name, rows }
}
