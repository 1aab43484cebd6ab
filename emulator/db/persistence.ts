/**
 * On-disk form of the emulator's database: one file per collection, `<encoded name>.json`, holding canonical
 * EJSON so Dates (and numbers' int/double nature) survive a restart, plus `database.journal`, where every write
 * is appended before it is acknowledged (see `../durable.ts`). Loading applies the journal over the files;
 * compaction writes the files again (each atomically) and removes the journal.
 *
 * A file that cannot be loaded never stops the start: it is moved aside (or, when only some documents are bad,
 * copied aside and loaded without them) and reported as a `LoadProblem`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { EJSON } from 'bson'
import { type LoadProblem, keepAside, moveAside, readJournal, removeFile, writeFileAtomicSync } from '../durable'
import { isPlainObject } from './values'

const SUFFIX = '.json'
export const JOURNAL_FILE = 'database.journal'

interface CollectionFile {
  collection: string
  documents: Record<string, unknown>[]
}

/**
 * One journal record: the after-image of everything one engine call changed, so replaying a record twice (a
 * crash between compaction and clearing the journal) gives the same state as replaying it once.
 */
export type JournalRecord =
  | { c: string; put?: Record<string, unknown>[]; del?: string[] }
  | { create: string }
  | { drop: string }

export function fileOf(dataDir: string, collection: string): string {
  // encodeURIComponent keeps names like `a.b` readable while making `/` or `..` harmless
  return join(dataDir, encodeURIComponent(collection) + SUFFIX)
}

export interface LoadedDatabase {
  collections: Map<string, Record<string, unknown>[]>
  /** Collections whose file must be rewritten (documents were dropped from it). */
  rewrite: Set<string>
  problems: LoadProblem[]
}

const RECOVER_FILE = 'The collection starts without it; to get the data back, stop the emulator, repair the kept copy and rename it to the original name.'

/** Reads every collection file in `dataDir` (creating the directory when missing); bad files never throw. */
export function loadCollections(dataDir: string): LoadedDatabase {
  mkdirSync(dataDir, { recursive: true })
  const collections = new Map<string, Record<string, unknown>[]>()
  const rewrite = new Set<string>()
  const problems: LoadProblem[] = []
  for (const entry of readdirSync(dataDir).sort()) {
    if (!entry.endsWith(SUFFIX) || entry.startsWith('.')) continue
    const path = join(dataDir, entry)
    const raw = readFileSync(path, 'utf8')
    let parsed: unknown
    try {
      parsed = EJSON.parse(raw, { relaxed: true })
    } catch (e) {
      problems.push({ file: path, problem: `not valid EJSON (${(e as Error).message})`, keptAt: moveAside(path), recovery: RECOVER_FILE })
      continue
    }
    if (!isPlainObject(parsed) || typeof parsed.collection !== 'string' || !Array.isArray(parsed.documents)) {
      problems.push({ file: path, problem: 'expected {"collection": string, "documents": [...]}', keptAt: moveAside(path), recovery: RECOVER_FILE })
      continue
    }
    const name = parsed.collection
    const good: Record<string, unknown>[] = []
    const bad: string[] = []
    const ids = new Set<string>()
    parsed.documents.forEach((d, i) => {
      if (!isPlainObject(d) || typeof d._id !== 'string' || d._id === '') bad.push(`documents[${i}] is not an object with a string _id`)
      else if (ids.has(d._id)) bad.push(`documents[${i}] repeats _id ${JSON.stringify(d._id)}`)
      else {
        ids.add(d._id)
        good.push(d)
      }
    })
    if (bad.length > 0) {
      problems.push({
        file: path,
        problem: `collection ${name}: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more` : ''}`,
        keptAt: keepAside(path, raw),
        recovery: `The other ${good.length} document(s) were loaded and the file rewritten without the bad ones; repair them in the kept copy and insert them again.`,
      })
      rewrite.add(name)
    }
    collections.set(name, good)
  }
  return { collections, rewrite, problems }
}

/** The journal's records in order; damaged ones are reported, kept aside and skipped. */
export function loadJournal(dataDir: string): { records: JournalRecord[]; problems: LoadProblem[] } {
  const file = join(dataDir, JOURNAL_FILE)
  const { records: texts, problems } = readJournal(file, 'database')
  const records: JournalRecord[] = []
  const unreadable: number[] = []
  texts.forEach((text, i) => {
    try {
      const r = EJSON.parse(text, { relaxed: true }) as unknown
      if (isPlainObject(r) && (typeof r.c === 'string' || typeof r.create === 'string' || typeof r.drop === 'string')) records.push(r as JournalRecord)
      else unreadable.push(i + 1)
    } catch {
      unreadable.push(i + 1)
    }
  })
  if (unreadable.length > 0) {
    problems.push({
      file,
      problem: `${unreadable.length} record(s) could not be decoded (record ${unreadable.slice(0, 5).join(', ')})`,
      keptAt: keepAside(file, readFileSync(file)),
      recovery: 'Every other record was applied.',
    })
  }
  return { records, problems }
}

export function encodeJournalRecord(record: JournalRecord): string {
  return EJSON.stringify(record, { relaxed: false })
}

/** Writes one collection file atomically; `documents === null` deletes it (the collection was dropped). */
export function writeCollection(dataDir: string, collection: string, documents: readonly Record<string, unknown>[] | null): void {
  const target = fileOf(dataDir, collection)
  if (documents === null) return removeFile(target)
  const body: CollectionFile = { collection, documents: [...documents] }
  writeFileAtomicSync(target, EJSON.stringify(body, undefined, 1, { relaxed: false }))
}
