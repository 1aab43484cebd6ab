/**
 * What the emulator's persistent mode stands on: an append-only journal written synchronously before a write is
 * acknowledged, atomic file replacement for the compacted state, and the report of a data file that could not be
 * loaded (moved aside, never fatal).
 *
 * Durability covered: a write acknowledged to a client is in the journal before the reply leaves, so it survives
 * the emulator being killed at any moment (`kill -9`, a crash): the kernel keeps written data in its page cache.
 * Not covered: power loss or an OS crash, which can drop data the kernel had not yet flushed; the journal does
 * not call fsync, because the emulator is a development tool and an fsync per write would slow every test.
 */
import { createHash } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** A data file (or part of one) that could not be loaded: the emulator starts without it and says so. */
export interface LoadProblem {
  /** The file that could not be read in full. */
  file: string
  /** What was wrong, naming the document or record when only part of the file was bad. */
  problem: string
  /** Where the original bytes were moved or copied to; null when nothing needed keeping. */
  keptAt: string | null
  /** What the emulator did instead, and how to get the data back. */
  recovery: string
}

export function describeLoadProblem(p: LoadProblem): string {
  const kept = p.keptAt ? ` The original is kept at ${p.keptAt}.` : ''
  return `${p.file}: ${p.problem}.${kept} ${p.recovery}`
}

/** `<file>.corrupt-<UTC wall time>` (names the file for a person, not business time): sorts by time and no loader reads it back (no `.json` ending). */
export function asideName(file: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '')
  let candidate = `${file}.corrupt-${stamp}`
  for (let i = 2; exists(candidate); i++) candidate = `${file}.corrupt-${stamp}-${i}`
  return candidate
}

function exists(file: string): boolean {
  try {
    statSync(file)
    return true
  } catch {
    return false
  }
}

/** Moves a whole bad file out of the way; returns where it went. */
export function moveAside(file: string): string {
  const target = asideName(file)
  renameSync(file, target)
  return target
}

/** Keeps a copy of bytes that are about to be dropped (a torn journal tail, a file loaded only in part). */
export function keepAside(file: string, bytes: string | Buffer): string {
  const target = asideName(file)
  writeFileSync(target, bytes)
  return target
}

/** Replaces `file` with `text` so a reader sees either the old or the new content, never a mix. */
export function writeFileAtomicSync(file: string, text: string | Uint8Array): void {
  const dir = dirname(file)
  mkdirSync(dir, { recursive: true })
  // Dot-prefixed in the same directory: the rename stays on one file system, and no loader picks the temp up.
  const temp = join(dir, `.${basename(file)}.${process.pid}.tmp`)
  try {
    writeFileSync(temp, text)
    renameSync(temp, file)
  } catch (e) {
    try {
      unlinkSync(temp)
    } catch {
      // the temp file was never created
    }
    throw e
  }
}

/** Deletes a file that may not exist. */
export function removeFile(file: string): void {
  try {
    unlinkSync(file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
}

const CHECK_LENGTH = 16

/** A short content hash per line, so a line that was damaged yet still parses is caught instead of replayed. */
function check(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, CHECK_LENGTH)
}

export interface JournalRead {
  /** The text of every intact record, in write order. */
  records: string[]
  problems: LoadProblem[]
}

/**
 * Reads a journal: one record a line, `<check> <text>\n`. A last line without its newline is a write the
 * process was killed in the middle of; it was never acknowledged, so it is dropped (its bytes kept aside).
 * A damaged line elsewhere is reported by line number, kept aside, and skipped.
 */
export function readJournal(file: string, what: string): JournalRead {
  let raw: string
  try {
    raw = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [] }
    throw e
  }
  const records: string[] = []
  const problems: LoadProblem[] = []
  const lines = raw.split('\n')
  const tail = lines.pop() ?? ''
  const damaged: string[] = []
  lines.forEach((line, i) => {
    const space = line.indexOf(' ')
    const text = line.slice(space + 1)
    if (space !== CHECK_LENGTH || line.slice(0, space) !== check(text)) {
      damaged.push(`line ${i + 1}`)
      return
    }
    records.push(text)
  })
  if (damaged.length > 0) {
    problems.push({
      file,
      problem: `${damaged.length} damaged ${what} record(s) skipped (${damaged.slice(0, 5).join(', ')}${damaged.length > 5 ? ', …' : ''})`,
      keptAt: keepAside(file, raw),
      recovery: 'Every other record was applied. Those changes are lost unless you re-apply them by hand from the kept copy.',
    })
  }
  if (tail !== '') {
    problems.push({
      file,
      problem: `the last ${what} record was cut short (${Buffer.byteLength(tail)} bytes), written while the emulator was being killed; it was never acknowledged`,
      keptAt: keepAside(file, tail),
      recovery: 'Nothing acknowledged was lost; no action needed.',
    })
  }
  return { records, problems }
}

/** The writing side: opened lazily, appends whole lines with a synchronous write, removed when compacted. */
export class JournalWriter {
  private fd: number | null = null
  private size = 0

  constructor(readonly file: string) {}

  /** Bytes appended since the journal was last cleared (decides when to compact). */
  get bytes(): number {
    return this.size
  }

  /** Returns once the record is in the kernel: a reply sent after this survives the process being killed. */
  append(text: string): void {
    if (text.includes('\n')) throw new Error('journal: a record must be one line')
    if (this.fd === null) {
      mkdirSync(dirname(this.file), { recursive: true })
      this.fd = openSync(this.file, 'a')
      this.size = statSync(this.file).size
    }
    const line = Buffer.from(`${check(text)} ${text}\n`, 'utf8')
    let offset = 0
    while (offset < line.length) offset += writeSync(this.fd, line, offset, line.length - offset)
    this.size += line.length
  }

  /** Call only once everything the journal holds is in the compacted files. */
  clear(): void {
    this.close()
    removeFile(this.file)
    this.size = 0
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }
}
