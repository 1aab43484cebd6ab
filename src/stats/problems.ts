/**
 * Problems viewers' devices met with the Channels client APIs (`channels_error` events), kept for the merchant:
 * per (api, errCode) how often, and when first and last seen. Only the fold writes them, into one private
 * document whose size is bounded (CHANNELS_PROBLEMS_MAX entries, the least recently seen dropped first), and no
 * entry holds a viewer. liveAdmin's `channelsStatus` reads them with the merchant's sentence for each errcode.
 */
import { CHANNELS_APIS, type ChannelsApi } from '../channels/client-api'
import type { DocDriver, RawDoc } from '../sync/driver'
import { STATS_COLLECTIONS } from './docs'

/** The one document of `live_stats_problems`. */
export const CHANNELS_PROBLEMS_ID = 'channels'
/** Distinct (api, errCode) pairs kept: four APIs with a handful of documented errcodes each fit many times over. */
export const CHANNELS_PROBLEMS_MAX = 40
/** Compare-and-set attempts before the fold gives up on the document (only a concurrent fold can take one). */
const CAS_ATTEMPTS = 3

export interface ChannelsProblem {
  api: ChannelsApi
  errCode: number
  count: number
  /** The device's clock of the first and last report (ms). */
  firstSeenMs: number
  lastSeenMs: number
}

export interface ChannelsProblemsDoc {
  _id: typeof CHANNELS_PROBLEMS_ID
  /** Newest `lastSeenMs` first, at most CHANNELS_PROBLEMS_MAX. */
  problems: ChannelsProblem[]
  /** Pairs dropped to stay within the bound, ever. */
  dropped: number
  /** The fold range last added (a seqKey): a redo of a range this document already holds leaves it alone. */
  lastFold: string
  updatedAt: number
}

export const problemKey = (api: string, errCode: number): string => `${api}:${errCode}`

const isApi = (v: unknown): v is ChannelsApi => typeof v === 'string' && (CHANNELS_APIS as readonly string[]).includes(v)
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0

/** The stored entries that are well formed (the fold is their only writer; anything else is left out, not trusted). */
export function storedProblems(raw: unknown): ChannelsProblem[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((p: Partial<ChannelsProblem> | null) =>
    p && isApi(p.api) && Number.isSafeInteger(p.errCode) && Number.isSafeInteger(p.count) && p.count! > 0 && isMs(p.firstSeenMs) && isMs(p.lastSeenMs)
      ? [{ api: p.api, errCode: p.errCode!, count: p.count!, firstSeenMs: p.firstSeenMs, lastSeenMs: p.lastSeenMs }]
      : [],
  )
}

/** Newest first; ties by api then errCode, so the order never depends on the input's. */
const newestFirst = (a: ChannelsProblem, b: ChannelsProblem): number => b.lastSeenMs - a.lastSeenMs || a.api.localeCompare(b.api) || a.errCode - b.errCode

/** Adds one report to a range's sums. */
export function addProblem(sums: Map<string, ChannelsProblem>, api: ChannelsApi, errCode: number, atMs: number): void {
  const key = problemKey(api, errCode)
  const p = sums.get(key)
  if (!p) sums.set(key, { api, errCode, count: 1, firstSeenMs: atMs, lastSeenMs: atMs })
  else {
    p.count++
    p.firstSeenMs = Math.min(p.firstSeenMs, atMs)
    p.lastSeenMs = Math.max(p.lastSeenMs, atMs)
  }
}

/** The stored entries with a range's sums added, newest first, cut to the bound; how many pairs the cut dropped. */
export function mergeProblems(stored: readonly ChannelsProblem[], sums: ReadonlyMap<string, ChannelsProblem>, max = CHANNELS_PROBLEMS_MAX): { problems: ChannelsProblem[]; dropped: number } {
  const all = new Map(stored.map((p) => [problemKey(p.api, p.errCode), { ...p }]))
  for (const [key, s] of sums) {
    const p = all.get(key)
    if (!p) all.set(key, { ...s })
    else {
      p.count += s.count
      p.firstSeenMs = Math.min(p.firstSeenMs, s.firstSeenMs)
      p.lastSeenMs = Math.max(p.lastSeenMs, s.lastSeenMs)
    }
  }
  const sorted = [...all.values()].sort(newestFirst)
  return { problems: sorted.slice(0, max), dropped: Math.max(0, sorted.length - max) }
}

/**
 * Adds a range's sums to the problems document: a compare-and-set on the `lastFold` it read, so a redo of a range
 * the document already holds (or a run that outlived its lease) changes nothing. True when this call wrote it.
 */
export async function applyProblems(db: DocDriver, sums: ReadonlyMap<string, ChannelsProblem>, foldId: string, nowMs: number): Promise<boolean> {
  const C = STATS_COLLECTIONS
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const [doc] = await db.find(C.problems, { _id: CHANNELS_PROBLEMS_ID }, { limit: 1 })
    const seen = typeof doc?.lastFold === 'string' ? doc.lastFold : null
    if (seen !== null && seen >= foldId) return false
    const merged = mergeProblems(storedProblems(doc?.problems), sums)
    const dropped = (typeof doc?.dropped === 'number' && Number.isSafeInteger(doc.dropped) ? doc.dropped : 0) + merged.dropped
    const next = { problems: merged.problems, dropped, lastFold: foldId, updatedAt: nowMs }
    if (!doc) {
      if ((await db.insert(C.problems, { _id: CHANNELS_PROBLEMS_ID, ...next } as RawDoc)) === 'ok') return true
      continue
    }
    if (seen === null) {
      // Not the fold's shape (it always sets lastFold): replaced by what it could read plus this range.
      await db.set(C.problems, CHANNELS_PROBLEMS_ID, next)
      return true
    }
    if ((await db.update(C.problems, { _id: CHANNELS_PROBLEMS_ID, lastFold: seen }, { set: next })) === 1) return true
  }
  throw new Error(`${C.problems}: the document kept changing under the fold`)
}

/** The problems as stored, for readers (liveAdmin): newest first, with the count of pairs ever dropped. */
export async function readProblems(db: DocDriver): Promise<{ problems: ChannelsProblem[]; dropped: number }> {
  const [doc] = await db.find(STATS_COLLECTIONS.problems, { _id: CHANNELS_PROBLEMS_ID }, { limit: 1 })
  return {
    problems: storedProblems(doc?.problems).sort(newestFirst),
    dropped: typeof doc?.dropped === 'number' && Number.isSafeInteger(doc.dropped) && doc.dropped > 0 ? doc.dropped : 0,
  }
}
