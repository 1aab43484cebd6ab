/**
 * What every step of a sync run shares: the configuration, the run's context (store, gate, checkpoint, the
 * run's fixed "now") and the outcome it fills in.
 */
import type { CallGate } from './gate'
import type { CacheStore, SyncCheckpoint } from './ports'
import type { ReplayTiming } from './replays'

export interface SyncConfig {
  /** How often the timer fires; replays are polled at this pace while they are due. */
  cadenceMs: number
  /** A full sweep at least this often, to catch edits and deletions of old rooms. */
  fullSweepEveryMs: number
  /** The head read goes down to rooms that started before now minus this (and past every open room). */
  headHorizonMs: number
  pageSize: number
  /** Rows re-read at the start of each page after the first, to prove it continues the previous one. */
  overlap: number
  /** A head longer than this many pages is read as a full sweep instead. */
  maxHeadPages: number
  /** Share of each API's daily quota this sync may spend (the rest is the merchant's, for admin calls). */
  quotaShare: number
  callTimeoutMs: number
  /** No Live call starts with less budget than this left. */
  minCallMs: number
  /** Budget kept back for the ledger, status and checkpoint writes at the end. */
  reserveMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  goodsAuditEveryMs: number
  maxReplayLooksPerRun: number
  replay: Omit<ReplayTiming, 'cadenceMs'>
}

const MIN = 60_000
const HOUR = 60 * MIN

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  cadenceMs: MIN,
  fullSweepEveryMs: 6 * HOUR,
  headHorizonMs: 2 * HOUR,
  pageSize: 100,
  overlap: 3,
  maxHeadPages: 5,
  quotaShare: 0.5,
  callTimeoutMs: 8_000,
  minCallMs: 250,
  reserveMs: 600,
  backoffBaseMs: 30_000,
  backoffMaxMs: 15 * MIN,
  goodsAuditEveryMs: 10 * MIN,
  maxReplayLooksPerRun: 60,
  replay: {
    firstDelayMs: 5 * MIN,
    fastWindowMs: 30 * MIN,
    maxDelayMs: 2 * HOUR,
    giveUpAfterMs: 3 * 24 * HOUR,
    keepLookingMs: 2 * HOUR,
    settledAfterMs: 6 * HOUR,
  },
}

export interface SyncError {
  errcode: number | null
  zh: string
  en: string
}

export interface SyncOutcome {
  /** 'off': Mini Program Live is off in the setup, nothing was called (notes say why). */
  status: 'ok' | 'partial' | 'failed' | 'busy' | 'backoff' | 'off'
  calls: Record<string, number>
  roomsWritten: number
  roomsDeleted: number
  replaysWritten: number
  goodsUpdated: number
  sweep: 'none' | 'progress' | 'complete' | 'tainted'
  error: SyncError | null
  notes: string[]
}

export function emptyOutcome(): SyncOutcome {
  return { status: 'ok', calls: {}, roomsWritten: 0, roomsDeleted: 0, replaysWritten: 0, goodsUpdated: 0, sweep: 'none', error: null, notes: [] }
}

/** One run's context. `nowMs`/`now` are read once at the start: every document the run writes carries them. */
export interface Run {
  owner: string
  store: CacheStore
  gate: CallGate
  cp: SyncCheckpoint
  cfg: SyncConfig
  timing: ReplayTiming
  nowMs: number
  now: Date
  out: SyncOutcome
}
