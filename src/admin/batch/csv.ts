/**
 * A small RFC 4180 reader and writer for the batch import (https://www.rfc-editor.org/rfc/rfc4180): comma
 * separated, fields optionally in double quotes (a quote inside doubled), CRLF or LF line ends, line breaks
 * allowed inside quoted fields. Our own instead of a library: see docs/ARCHITECTURE.md ("Batch import").
 */

export interface CsvProblem {
  /** 1-based line of the file where the problem is. */
  line: number
  zh: string
  en: string
}

export type CsvResult = { ok: true; records: string[][] } | { ok: false; problem: CsvProblem }

/**
 * Records of `text` (BOM already removed). Stops as soon as more than `maxRecords` records have been read, so a
 * huge file costs no more than the bound. A blank line between records is skipped (spreadsheets leave them).
 */
export function parseCsv(text: string, maxRecords: number): CsvResult {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let line = 1
  let i = 0
  let quoted = false
  // Where the open quoted field began: an unclosed quote is reported there, not at the end of the file.
  let quoteLine = 1
  // Whether the current record has any content yet (a blank line is a record of one empty field: skipped).
  let started = false
  const endRecord = (): boolean => {
    record.push(field)
    field = ''
    if (started || record.length > 1) records.push(record)
    record = []
    started = false
    return records.length <= maxRecords
  }
  while (i < text.length) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i += 2
          continue
        }
        quoted = false
        i++
        const next = text[i]
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          return { ok: false, problem: { line, zh: `第 ${line} 行：引号结束后须紧跟逗号或换行`, en: `line ${line}: a closing quote must be followed by a comma or a line end` } }
        }
        continue
      }
      if (ch === '\n') line++
      field += ch
      i++
      continue
    }
    if (ch === '"') {
      if (field !== '') {
        return { ok: false, problem: { line, zh: `第 ${line} 行：未加引号的字段中出现引号（整个字段须用引号括起，内部引号写两次）`, en: `line ${line}: a quote inside an unquoted field (quote the whole field and double the quotes inside)` } }
      }
      quoted = true
      quoteLine = line
      started = true
      i++
      continue
    }
    if (ch === ',') {
      record.push(field)
      field = ''
      started = true
      i++
      continue
    }
    if (ch === '\r' || ch === '\n') {
      if (!endRecord()) return { ok: true, records }
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1
      line++
      continue
    }
    field += ch
    started = true
    i++
  }
  if (quoted) return { ok: false, problem: { line: quoteLine, zh: `第 ${quoteLine} 行：引号没有闭合`, en: `line ${quoteLine}: a quoted field is not closed` } }
  if (started || field !== '' || record.length > 0) endRecord()
  return { ok: true, records }
}

/** One field as CSV writes it: quoted when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** Records as CSV text with CRLF line ends (what RFC 4180 and spreadsheets expect). */
export function writeCsv(records: readonly (readonly string[])[]): string {
  return records.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n'
}
