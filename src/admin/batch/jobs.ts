/**
 * Batch jobs: one document in live_admin_jobs per import, holding every row with its state, so a job survives
 * restarts and any number of short runs. A row is claimed (`pending` → `submitting`, saved) before its call and
 * given its outcome after; the claim is a conditional update, so two runs at once never submit one row. A row
 * found `submitting` when a run starts is in doubt (the run stopped mid-call, or the call's outcome was unknown):
 * it is looked for on the platform and only put back to `pending` when the platform does not have it.
 */
import { shanghaiDay } from '../../live/day'
import { LiveParamsError, WxApiError, isQuotaExhausted, isRetryable } from '../../live/errors'
import type { RawDoc } from '../../sync/driver'
import type { ActionTable } from '../dispatch'
import { AdminFailure, fail, toErrorBody, type AdminErrorBody } from '../reply'
import { ADMIN_COLLECTIONS } from '../store'
import type { ActionContext } from '../types'
import { budgetToday, nextShanghaiMidnight } from './budget'
import { kindAction, type CheckedFile, type RowError } from './file'
import { ROW_KINDS, type BatchKind } from './kinds'

export const ROW_STATES = ['pending', 'submitting', 'done', 'failed', 'skipped'] as const
export type RowState = (typeof ROW_STATES)[number]

/** Time kept back at the end of a run for the last row's outcome, the job's save and the reply. */
export const BATCH_RUN_MARGIN_MS = 1500
/** Submissions of one row whose outcome stayed unknown before it is given up as failed. */
export const MAX_ROW_ATTEMPTS = 3

export interface JobRow {
  row: number
  state: RowState
  /** The single action's params; null for a row skipped as invalid. */
  params: Record<string, unknown> | null
  attempts: number
  /** When the row last changed state. */
  at: Date | null
  /** The room or goods id the platform gave it. */
  id: number | null
  /** Found on the platform after its outcome was in doubt, instead of from its own reply. */
  reconciled: boolean
  error: (Partial<AdminErrorBody> & { zh: string; en: string }) | RowError | null
}

export interface JobDoc {
  _id: string
  kind: BatchKind
  fileId: string
  fileName: string
  createdBy: string | null
  createdAt: Date
  updatedAt: Date
  /** The Asia/Shanghai day on which the platform (or the ledger) said the day's quota was gone. */
  exhaustedDay: string | null
  rows: JobRow[]
}

const C = ADMIN_COLLECTIONS.jobs

let seq = 0
function newJobId(nowMs: number): string {
  seq = (seq + 1) % 1e6
  return `${nowMs.toString(36).padStart(9, '0')}-${seq.toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

/** A stored state, or `failed` for anything unreadable (never `pending`: an unreadable row is not resubmitted). */
export function asRowState(v: unknown): RowState {
  return ROW_STATES.includes(v as RowState) ? (v as RowState) : 'failed'
}

/** The job as stored (only this function writes the collection; no client may): rows with a readable state. */
function asJob(doc: RawDoc): JobDoc | null {
  if ((doc.kind !== 'rooms' && doc.kind !== 'goods') || !Array.isArray(doc.rows)) return null
  const job = doc as unknown as JobDoc
  for (const r of job.rows) r.state = asRowState(r.state)
  return job
}

export async function loadJob(ctx: ActionContext, jobId: string): Promise<JobDoc> {
  const [doc] = await ctx.ports.docs.find(C, { _id: jobId }, { limit: 1 })
  const job = doc ? asJob(doc) : null
  if (!job) fail('not_found', { zh: `jobId：没有编号为 ${jobId} 的批量任务`, en: `jobId: no batch job ${jobId}` }, { field: 'jobId' })
  return job
}

/** Creates the job from a checked file; invalid rows are `skipped` with their error (the caller decided to allow them). */
export async function createJob(ctx: ActionContext, file: CheckedFile, fileId: string): Promise<JobDoc> {
  const now = ctx.ports.nowMs()
  const job: JobDoc = {
    _id: newJobId(now),
    kind: file.kind,
    fileId,
    fileName: file.fileName,
    createdBy: ctx.caller.openid,
    createdAt: new Date(now),
    updatedAt: new Date(now),
    exhaustedDay: null,
    rows: file.rows.map((r) => ({
      row: r.row,
      state: r.params ? 'pending' : 'skipped',
      params: r.params,
      attempts: 0,
      at: null,
      id: null,
      reconciled: false,
      error: r.error,
    })),
  }
  await ctx.ports.docs.insert(C, { ...job })
  return job
}

/** Moves row `i` from `from` to the fields given, only if it is still in `from`; false when another run moved it. */
async function moveRow(ctx: ActionContext, job: JobDoc, i: number, from: RowState, to: Partial<JobRow> & { state: RowState }): Promise<boolean> {
  const at = new Date(ctx.ports.nowMs())
  const set: Record<string, unknown> = { updatedAt: at, [`rows.${i}.at`]: at }
  for (const [k, v] of Object.entries(to)) set[`rows.${i}.${k}`] = v
  const moved = (await ctx.ports.docs.update(C, { _id: job._id, [`rows.${i}.state`]: from }, { set })) === 1
  if (moved) Object.assign(job.rows[i], to, { at })
  return moved
}

/** The day's quota is gone: the platform's 45009/300012, or the single action refusing before its call for it. */
function quotaGone(e: unknown): boolean {
  return isQuotaExhausted(e) || (e instanceof AdminFailure && e.body.code === 'resource_exhausted')
}

/** The outcome of a call whose reply never came or could not be read: the change may have happened. */
function inDoubt(e: unknown): boolean {
  if (e instanceof AdminFailure || e instanceof LiveParamsError) return false
  if (e instanceof WxApiError) return isRetryable(e)
  return true
}

export type JobState = 'running' | 'waiting' | 'done'

export interface RunSummary {
  submitted: number
  done: number
  failed: number
  reconciled: number
  /** Why this run stopped: every row settled, the time limit, the day's quota, or a row whose outcome is still unknown. */
  stoppedFor: 'finished' | 'deadline' | 'quota' | 'in_doubt'
}

/** A row as replies show it: its label (the name) instead of the whole params. */
export function rowView(job: JobDoc, r: JobRow) {
  const row = r.params ? ROW_KINDS[job.kind].rowOf(r.params) : null
  return {
    row: r.row,
    name: row && typeof row.name === 'string' ? row.name : null,
    state: r.state,
    id: r.id,
    reconciled: r.reconciled,
    attempts: r.attempts,
    at: r.at,
    error: r.error,
  }
}

/** Only what counting and the job's state read, so a listing can fetch just the rows' states. */
export interface JobStates {
  exhaustedDay: string | null
  rows: readonly { state: RowState }[]
}

export function countRows(job: JobStates): Record<RowState, number> {
  const counts = Object.fromEntries(ROW_STATES.map((s) => [s, 0])) as Record<RowState, number>
  for (const r of job.rows) counts[r.state]++
  return counts
}

export function jobState(job: JobStates, nowMs: number): { state: JobState; resumeAt: Date | null } {
  const open = job.rows.some((r) => r.state === 'pending' || r.state === 'submitting')
  if (!open) return { state: 'done', resumeAt: null }
  if (job.exhaustedDay === shanghaiDay(nowMs)) return { state: 'waiting', resumeAt: new Date(nextShanghaiMidnight(nowMs)) }
  return { state: 'running', resumeAt: null }
}

/**
 * One run of a job: settles rows in doubt, then submits pending rows through the single action until every row
 * is settled, the run's time is up, or the day's quota is gone. Saves each row's state as it goes.
 */
export async function continueJob(ctx: ActionContext, table: ActionTable, job: JobDoc): Promise<{ summary: RunSummary; changed: number[] }> {
  const kind = ROW_KINDS[job.kind]
  const def = kindAction(table, kind)
  const stopAt = ctx.ports.deadlineMs - BATCH_RUN_MARGIN_MS
  const summary: RunSummary = { submitted: 0, done: 0, failed: 0, reconciled: 0, stoppedFor: 'finished' }
  const changed = new Set<number>()
  const stop = (stoppedFor: RunSummary['stoppedFor']) => ({ summary: { ...summary, stoppedFor }, changed: [...changed] })
  const claimed = new Set(job.rows.filter((r) => r.id !== null).map((r) => r.id as number))

  // ---- rows in doubt first: each is either found on the platform (done) or known absent (pending again)
  for (let i = 0; i < job.rows.length; i++) {
    const r = job.rows[i]
    if (r.state !== 'submitting' || !r.params) continue
    if (ctx.ports.nowMs() > stopAt) return stop('deadline')
    const found = await kind.find(ctx, kind.rowOf(r.params), claimed, stopAt)
    if (found.found === 'unknown') return stop('in_doubt')
    if (found.found) {
      if (await moveRow(ctx, job, i, 'submitting', { state: 'done', id: found.id, reconciled: true, error: null })) {
        claimed.add(found.id)
        summary.reconciled++
        summary.done++
        changed.add(i)
      }
    } else {
      const giveUp = r.attempts >= MAX_ROW_ATTEMPTS
      if (await moveRow(ctx, job, i, 'submitting', { state: giveUp ? 'failed' : 'pending' })) {
        if (giveUp) summary.failed++
        changed.add(i)
      }
    }
  }

  // ---- pending rows, in file order, within the day's quota and the run's time
  const today = shanghaiDay(ctx.ports.nowMs())
  const stopForQuota = async () => {
    if (job.exhaustedDay !== today) {
      await ctx.ports.docs.update(C, { _id: job._id }, { set: { exhaustedDay: today, updatedAt: new Date(ctx.ports.nowMs()) } })
      job.exhaustedDay = today
    }
    return stop('quota')
  }
  const hasPending = job.rows.some((r) => r.state === 'pending')
  if (!hasPending) return stop('finished')
  if (job.exhaustedDay === today) return stop('quota')
  let left = (await budgetToday(ctx, kind)).left
  for (let i = 0; i < job.rows.length; i++) {
    const r = job.rows[i]
    if (r.state !== 'pending' || !r.params) continue
    if (left <= 0) return stopForQuota()
    if (ctx.ports.nowMs() > stopAt) return stop('deadline')
    if (!(await moveRow(ctx, job, i, 'pending', { state: 'submitting', attempts: r.attempts + 1, error: null }))) continue
    changed.add(i)
    summary.submitted++
    left--
    let data: unknown
    try {
      data = await def.run(ctx, r.params)
    } catch (e) {
      if (quotaGone(e)) {
        // Refused before anything was made: the row goes back to wait for tomorrow.
        await moveRow(ctx, job, i, 'submitting', { state: 'pending', attempts: r.attempts - 1 })
        summary.submitted--
        return stopForQuota()
      }
      if (inDoubt(e)) {
        // Left `submitting`: the next run looks for it on the platform before anything else.
        await ctx.ports.docs.update(C, { _id: job._id, [`rows.${i}.state`]: 'submitting' }, { set: { [`rows.${i}.error`]: toErrorBody(e) } })
        r.error = toErrorBody(e)
        continue
      }
      await moveRow(ctx, job, i, 'submitting', { state: 'failed', error: toErrorBody(e) })
      summary.failed++
      continue
    }
    const id = (data as Record<string, unknown> | null)?.[kind.idField]
    await moveRow(ctx, job, i, 'submitting', { state: 'done', id: typeof id === 'number' ? id : null })
    if (typeof id === 'number') claimed.add(id)
    summary.done++
  }
  return stop('finished')
}
