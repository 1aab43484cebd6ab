/**
 * The columns of a batch file, derived from the action's params schema (never listed by hand): which columns
 * exist, which are required, and how a cell (always text in CSV) becomes the value the schema takes. Times are
 * Unix seconds or `YYYY-MM-DD HH:mm` in Asia/Shanghai, the day the Live platform counts in.
 */
import type * as z from '../../live/zod'
import { defOf, type SchemaDef as Def } from '../schema-def'


/** What a cell is converted to before the schema checks it. */
export type CellKind = 'text' | 'number' | 'time' | 'list'

export interface Column {
  name: string
  required: boolean
  kind: CellKind
  /** Allowed values when the schema lists them (flags, price types). */
  values?: readonly unknown[]
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch'])
const OPTIONAL = new Set(['optional', 'default', 'prefault', 'catch'])

/** The schema under optional/default/pipe wrappers, and whether a wrapper made it optional. */
function unwrap(schema: z.ZodMiniType): { def: Def; optional: boolean } {
  let def = defOf(schema)
  let optional = false
  for (let i = 0; i < 16; i++) {
    if (WRAPPERS.has(def.type) && def.innerType) {
      optional ||= OPTIONAL.has(def.type)
      def = defOf(def.innerType)
    } else if (def.type === 'pipe' && def.in) {
      def = defOf(def.in)
    } else break
  }
  return { def, optional }
}

/** A column named `…Time` holding a number is a time (startTime, endTime): it also takes a Shanghai date. */
const isTimeName = (name: string): boolean => /Time$/.test(name)

function kindOf(name: string, def: Def): { kind: CellKind; values?: readonly unknown[] } {
  if (def.type === 'number' || def.type === 'int' || def.type === 'bigint') return { kind: isTimeName(name) ? 'time' : 'number' }
  if (def.type === 'literal' && def.values) {
    return def.values.every((v) => typeof v === 'number') ? { kind: 'number', values: def.values } : { kind: 'text', values: def.values }
  }
  if (def.type === 'array') return { kind: 'list' }
  if (def.type === 'union' && def.options) {
    const kinds = def.options.map((o) => kindOf(name, unwrap(o).def).kind)
    if (kinds.every((k) => k === kinds[0])) return { kind: kinds[0] }
  }
  return { kind: 'text' }
}

/** The object schema's fields as columns, in the schema's order. */
export function columnsOf(objectSchema: z.ZodMiniType): Column[] {
  const { def } = unwrap(objectSchema)
  if (def.type !== 'object' || !def.shape) throw new Error('batch columns need an object schema')
  return Object.entries(def.shape).map(([name, field]) => {
    const u = unwrap(field)
    return { name, required: !u.optional, ...kindOf(name, u.def) }
  })
}

/** Separator of the items of a list cell (goods keys). */
export const LIST_SEPARATOR = '|'

const SHANGHAI_OFFSET_S = 8 * 3600
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/

/** `YYYY-MM-DD HH:mm[:ss]` in Asia/Shanghai as Unix seconds; null when it is not such a date or not a real one. */
export function shanghaiSeconds(text: string): number | null {
  const m = DATE_TIME.exec(text)
  if (!m) return null
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number)
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  // Date.UTC rolls 2026-02-30 over into March: refuse instead of guessing.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
  return ms / 1000 - SHANGHAI_OFFSET_S
}

/** Unix seconds as `YYYY-MM-DD HH:mm` in Asia/Shanghai. */
export function shanghaiText(seconds: number): string {
  return new Date((seconds + SHANGHAI_OFFSET_S) * 1000).toISOString().slice(0, 16).replace('T', ' ')
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/

/**
 * A cell's value for the schema. Empty text is a missing value (a required column then says so); text that is
 * not the column's kind stays text, so the schema names the column and the type it expected.
 */
export function convertCell(column: Column, value: unknown): unknown {
  if (typeof value !== 'string') return value
  const text = value.trim()
  if (text === '') return undefined
  switch (column.kind) {
    case 'number':
      return NUMBER.test(text) ? Number(text) : text
    case 'time':
      if (/^\d+$/.test(text)) return Number(text)
      return shanghaiSeconds(text) ?? text
    case 'list':
      return text.split(LIST_SEPARATOR).map((s) => s.trim()).filter((s) => s !== '')
    default:
      return text
  }
}

/** An example cell for the template, from the column's kind (times: tomorrow evening, two hours apart). */
export function exampleCell(column: Column, index: number, nowSeconds: number): string {
  if (column.values && column.values.length) return String(column.values[0])
  switch (column.kind) {
    case 'time': {
      const dayStart = Math.floor((nowSeconds + SHANGHAI_OFFSET_S) / 86400) * 86400 - SHANGHAI_OFFSET_S
      return shanghaiText(dayStart + 86400 + 20 * 3600 + 2 * 3600 * index)
    }
    case 'number':
      return '9.9'
    case 'list':
      return `a${LIST_SEPARATOR}b`
    default:
      return `<${column.name}>`
  }
}
