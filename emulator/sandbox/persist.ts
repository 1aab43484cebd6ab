/**
 * Keeps the Live sandbox on disk so `npm start` finds its account again after a restart, however the last run
 * ended: `live-sandbox.json` holds a compacted snapshot and `live-sandbox.journal` every change since, appended
 * synchronously before the call that made it returns (see `../durable.ts` for what that does and does not cover).
 * A journal record holds only what changed: whole snapshot sections, or single records of the keyed ones.
 *
 * Loading never fails: a file that cannot be read is moved aside; a snapshot with bad records is loaded without
 * them (each named); when nothing can be salvaged the sandbox starts empty. Every such case is a `LoadProblem`.
 */
import { readFileSync } from 'node:fs'
import { type LoadProblem, JournalWriter, describeLoadProblem, keepAside, moveAside, readJournal, writeFileAtomicSync } from '../durable'
import type { LiveSandbox } from './sandbox'

export interface SandboxPersistenceOptions {
  /** Journal size (bytes) past which the snapshot file is rewritten and the journal cleared. Default 4 MiB. */
  compactBytes?: number
  /** Told about each file or record that could not be loaded; default: a console warning. */
  onLoadProblem?: (problem: LoadProblem) => void
}

export interface SandboxPersistence {
  /** Writes the snapshot file and clears the journal (a clean stop); every change is already durable without it. */
  flush(): Promise<void>
  /** Stops recording changes. */
  detach(): void
}

/** Snapshot sections whose items carry an id: a change to one item is journaled as that item alone. */
const KEYED: Record<string, string> = { rooms: 'roomId', goods: 'goodsId', members: 'username', media: 'mediaId', links: 'key' }

type Json = Record<string, unknown>

interface Record_ {
  /** Whole sections, replacing what was there. */
  set?: Json
  /** Keyed sections: items upserted (in place, or appended when new) and ids removed. */
  items?: Record<string, { put?: Json[]; del?: (string | number)[] }>
}

/** What was last written, per section: its JSON text, or per-item texts in order for keyed sections. */
type Written = Map<string, string | Map<string | number, string>>

/** `live-sandbox.json` → `live-sandbox.journal`, beside it. */
function journalOf(file: string): string {
  return `${file.replace(/\.json$/, '')}.journal`
}

/** Reads `file` (and its journal) into the sandbox, then journals every change the sandbox reports. */
export function attachSandboxPersistence(sandbox: LiveSandbox, file: string, options: SandboxPersistenceOptions = {}): SandboxPersistence {
  const compactBytes = options.compactBytes ?? 4 * 1024 * 1024
  const onLoadProblem = options.onLoadProblem ?? ((p: LoadProblem) => console.warn(`[live sandbox] ${describeLoadProblem(p)}`))
  const journal = new JournalWriter(journalOf(file))

  const loaded = load(sandbox, file, journal.file)
  for (const p of loaded.problems) onLoadProblem(p)
  /** Whether the files reproduce `written`; until they do, the first record carries the whole snapshot. */
  let onDisk = loaded.hadData
  let written: Written = sections(sandbox.snapshot() as unknown as Json)
  if (loaded.hadData) compact()

  function compact(): void {
    const snap = sandbox.snapshot() as unknown as Json
    writeFileAtomicSync(file, JSON.stringify(snap))
    written = sections(snap)
    journal.clear()
    onDisk = true
  }

  const unsubscribe = sandbox.onChange(() => {
    const snap = sandbox.snapshot() as unknown as Json
    const next = sections(snap)
    const changed = diff(written, next, snap)
    if (!changed) return
    const rec: Record_ = onDisk ? changed : { set: snap }
    // Sandbox listeners must not throw: a failed append is reported and retried with the next change's diff.
    try {
      journal.append(JSON.stringify(rec))
    } catch (e) {
      console.error(`[live sandbox] journal ${journal.file}: write failed (${(e as Error).message}); the change is kept in memory only`)
      return
    }
    written = next
    onDisk = true
    if (journal.bytes > compactBytes) compact()
  })

  return {
    async flush() {
      if (onDisk) compact()
    },
    detach() {
      unsubscribe()
      journal.close()
    },
  }
}

function sections(snap: Json): Written {
  const out: Written = new Map()
  for (const [name, value] of Object.entries(snap)) {
    const key = KEYED[name]
    if (key && Array.isArray(value)) out.set(name, new Map((value as Json[]).map((item) => [item[key] as string | number, JSON.stringify(item)])))
    else out.set(name, JSON.stringify(value))
  }
  return out
}

/** The journal record turning `before` into `after`, or null when nothing changed. */
function diff(before: Written, after: Written, snap: Json): Record_ | null {
  const rec: Record_ = {}
  for (const [name, now] of after) {
    const was = before.get(name)
    if (typeof now === 'string') {
      if (was !== now) (rec.set ??= {})[name] = snap[name]
      continue
    }
    if (!(was instanceof Map)) {
      ;(rec.set ??= {})[name] = snap[name]
      continue
    }
    const del = [...was.keys()].filter((k) => !now.has(k))
    const put: Json[] = []
    const items = snap[name] as Json[]
    const key = KEYED[name]
    for (const item of items) {
      const id = item[key] as string | number
      if (was.get(id) !== now.get(id)) put.push(item)
    }
    if (del.length === 0 && put.length === 0) continue
    // Item records can say "append" but not "move": when the order changed otherwise, write the section whole.
    const kept = [...was.keys()].filter((k) => now.has(k))
    const expected = [...kept, ...[...now.keys()].filter((k) => !was.has(k))]
    const actual = [...now.keys()]
    if (expected.some((k, i) => k !== actual[i])) (rec.set ??= {})[name] = snap[name]
    else (rec.items ??= {})[name] = { ...(put.length ? { put } : {}), ...(del.length ? { del } : {}) }
  }
  return rec.set || rec.items ? rec : null
}

function apply(state: Json, rec: unknown): void {
  if (rec === null || typeof rec !== 'object') throw new Error('not an object')
  const { set, items } = rec as Record_
  if (set) Object.assign(state, set)
  for (const [name, change] of Object.entries(items ?? {})) {
    const key = KEYED[name]
    if (!key) throw new Error(`items.${name}: not a keyed section`)
    let list = Array.isArray(state[name]) ? (state[name] as Json[]) : []
    const gone = new Set(change.del ?? [])
    list = list.filter((item) => !gone.has(item[key] as string | number))
    for (const item of change.put ?? []) {
      const i = list.findIndex((x) => x[key] === item[key])
      if (i >= 0) list[i] = item
      else list.push(item)
    }
    state[name] = list
  }
}

const RECOVER = 'To get it back, stop the emulator, repair the kept copy and rename it to live-sandbox.json, or load it into a running emulator with the sandbox\'s restore().'

/** Loads what can be loaded; returns whether any sandbox data was found and what could not be used. */
function load(sandbox: LiveSandbox, file: string, journalFile: string): { hadData: boolean; problems: LoadProblem[] } {
  const problems: LoadProblem[] = []
  let state: Json = {}
  let hadData = false
  let raw: string | null = null
  try {
    raw = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
  }
  if (raw !== null) {
    try {
      const parsed: unknown = JSON.parse(raw)
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object')
      state = parsed as Json
      hadData = true
    } catch (e) {
      problems.push({
        file,
        problem: `live sandbox snapshot is not valid JSON (${(e as Error).message})`,
        keptAt: moveAside(file),
        recovery: `The account is rebuilt from the journal alone (or starts empty). ${RECOVER}`,
      })
    }
  }
  const { records, problems: journalProblems } = readJournal(journalFile, 'live sandbox')
  problems.push(...journalProblems)
  const unusable: number[] = []
  records.forEach((text, i) => {
    try {
      apply(state, JSON.parse(text))
      hadData = true
    } catch {
      unusable.push(i + 1)
    }
  })
  if (unusable.length > 0) {
    problems.push({
      file: journalFile,
      problem: `${unusable.length} record(s) could not be applied (record ${unusable.slice(0, 5).join(', ')})`,
      keptAt: keepAside(journalFile, readFileSync(journalFile)),
      recovery: 'Every other record was applied.',
    })
  }
  if (!hadData) return { hadData, problems }
  problems.push(...restoreSalvaging(sandbox, state, file, raw))
  return { hadData, problems }
}

/**
 * Restores the sandbox, dropping each list item the snapshot schema refuses (a room with a bad field, a token
 * list naming an unknown token) until it loads; when the fault is not inside a list item, starts empty.
 */
function restoreSalvaging(sandbox: LiveSandbox, state: Json, file: string, raw: string | null): LoadProblem[] {
  const dropped: string[] = []
  for (let attempt = 0; attempt < 1000; attempt++) {
    try {
      sandbox.restore(state)
      if (dropped.length === 0) return []
      return [
        {
          file,
          problem: `live sandbox records refused and left out: ${dropped.slice(0, 5).join('; ')}${dropped.length > 5 ? `; and ${dropped.length - 5} more` : ''}`,
          keptAt: raw === null ? null : keepAside(file, raw),
          recovery: `Everything else was loaded. ${RECOVER}`,
        },
      ]
    } catch (e) {
      const path = (e as { field?: unknown }).field
      const message = (e as Error).message
      const item = typeof path === 'string' ? listItemAt(state, path.split('.')) : null
      if (!item) {
        sandbox.reset()
        return [
          {
            file,
            problem: `the live sandbox snapshot cannot be loaded (${message})`,
            keptAt: raw === null ? null : keepAside(file, raw),
            recovery: `The sandbox starts as an empty account. ${RECOVER}`,
          },
        ]
      }
      item.list.splice(item.index, 1)
      dropped.push(message.replace(/^restore: /, ''))
    }
  }
  sandbox.reset()
  return [{ file, problem: 'too many bad records', keptAt: raw === null ? null : keepAside(file, raw), recovery: `The sandbox starts as an empty account. ${RECOVER}` }]
}

/** The innermost list item on a field path (`rooms.3.type` → rooms[3]), or null when the path crosses no list. */
function listItemAt(state: Json, path: string[]): { list: unknown[]; index: number } | null {
  let node: unknown = state
  let found: { list: unknown[]; index: number } | null = null
  for (const part of path) {
    if (Array.isArray(node) && /^\d+$/.test(part) && Number(part) < node.length) {
      found = { list: node, index: Number(part) }
      node = node[Number(part)]
    } else if (node !== null && typeof node === 'object') {
      node = (node as Json)[part]
    } else break
  }
  return found
}
