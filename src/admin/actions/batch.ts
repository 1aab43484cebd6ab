/**
 * Batch import of rooms or goods from a CSV or JSON file in cloud storage: check every row first (as the single
 * action would), then submit across as many runs as the function's time limit needs, within the day's quota,
 * never submitting a row twice. The rows go through the table's own createRoom / goodsAdd, so a batch row gets
 * exactly what a single call gets.
 */
import * as z from '../../live/zod'
import { cond } from '../../sync/driver'
import type { ActionTable } from '../dispatch'
import { fail } from '../reply'
import { ADMIN_COLLECTIONS } from '../store'
import { defineAction, type ActionContext, type ActionDef } from '../types'
import { budgetToday } from '../batch/budget'
import { exampleCell } from '../batch/columns'
import { writeCsv } from '../batch/csv'
import { BATCH_LIMITS, checkFile, kindAction, type CheckedFile } from '../batch/file'
import { batchKindSchema, kindColumns, ROW_KINDS, type BatchKind } from '../batch/kinds'
import { asRowState, continueJob, countRows, createJob, jobState, loadJob, rowView, ROW_STATES, type JobDoc, type JobStates } from '../batch/jobs'

/** A cloud storage file ID as wx.cloud.uploadFile returns it. */
const fileId = z.string().check(z.regex(/^cloud:\/\/[^\s]{1,1000}$/, 'a cloud storage file ID (cloud://…)'))
const jobId = z.string().check(z.regex(/^[0-9a-z-]{1,64}$/, 'a batch job id as batchStart returned it'))

/** What the day allows for a checked file: rows that can go today, and when the quota resets. */
async function today(ctx: ActionContext, kind: BatchKind, valid: number) {
  const b = await budgetToday(ctx, ROW_KINDS[kind])
  return { quota: b.quota, left: b.left, canGoToday: Math.min(valid, b.left), resetsAt: new Date(b.resetsAt) }
}

function report(file: CheckedFile) {
  const errors = file.rows.flatMap((r) => (r.error ? [r.error] : []))
  return { kind: file.kind, format: file.format, fileName: file.fileName, rows: file.rows.length, valid: file.rows.length - errors.length, invalid: errors.length, errors }
}

const ROWS_PAGE_MAX = 500

async function status(ctx: ActionContext, job: JobDoc, page: { offset: number; limit: number; state?: string }) {
  const now = ctx.ports.nowMs()
  const rows = job.rows.filter((r) => page.state === undefined || r.state === page.state)
  return {
    jobId: job._id,
    kind: job.kind,
    fileName: job.fileName,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...jobState(job, now),
    counts: countRows(job),
    rows: rows.slice(page.offset, page.offset + page.limit).map((r) => rowView(job, r)),
    rowsTotal: rows.length,
  }
}

/** The batch actions; `table` is the whole action table, whose createRoom / goodsAdd submit the rows. */
export function createBatchActions(table: () => ActionTable): Record<string, ActionDef> {
  return {
    batchTemplate: defineAction({
      name: 'batchTemplate',
      who: 'admin',
      mutates: false,
      summary: { zh: '批量导入模板：CSV 表头与一行示例', en: 'Batch import template: the CSV header and one example row' },
      params: z.object({ kind: batchKindSchema }),
      reply: '{kind, csv: string (header of the action\'s param names, one example row), columns: {name, required, kind: "text"|"number"|"time"|"list", values?}[]}',
      calls: [],
      needsMiniProgramLive: true,
      run: async (ctx, p) => {
        const kind = ROW_KINDS[p.kind]
        const columns = kindColumns(kind, kindAction(table(), kind))
        const now = Math.floor(ctx.ports.nowMs() / 1000)
        let timeIndex = 0
        const example = columns.map((c) => (c.required ? exampleCell(c, c.kind === 'time' ? timeIndex++ : 0, now) : ''))
        return { kind: p.kind, csv: writeCsv([columns.map((c) => c.name), example]), columns }
      },
    }),

    batchValidate: defineAction({
      name: 'batchValidate',
      who: 'admin',
      mutates: false,
      summary: { zh: '检查批量导入文件的每一行，并说明今天能提交多少行', en: 'Check every row of a batch import file, and say how many rows can go today' },
      params: z.object({ fileId, kind: batchKindSchema }),
      reply: `{kind, format: "csv"|"json", fileName, rows, valid, invalid, errors: {row, field, errcode?, zh, en}[], today: {quota, left, canGoToday, resetsAt}} (at most ${BATCH_LIMITS.maxRows} rows, ${BATCH_LIMITS.maxFileBytes} bytes)`,
      calls: [],
      needsMiniProgramLive: true,
      run: async (ctx, p) => {
        const file = await checkFile(ctx, table(), p.kind, p.fileId)
        const r = report(file)
        return { ...r, today: await today(ctx, p.kind, r.valid) }
      },
    }),

    batchStart: defineAction({
      name: 'batchStart',
      who: 'admin',
      mutates: true,
      summary: { zh: '创建批量导入任务（有不合格行时拒绝，除非 skipInvalid）；随后调用 batchContinue 提交', en: 'Create a batch import job (refused while a row is invalid, unless skipInvalid); then call batchContinue to submit' },
      params: z.object({ fileId, kind: batchKindSchema, skipInvalid: z._default(z.boolean(), false) }),
      reply: '{jobId, state, counts, today: {quota, left, canGoToday, resetsAt}, skipped: {row, field, zh, en}[]}; refused with error.rowErrors when a row is invalid',
      calls: [],
      needsMiniProgramLive: true,
      run: async (ctx, p) => {
        const file = await checkFile(ctx, table(), p.kind, p.fileId)
        const r = report(file)
        if (r.valid === 0) {
          fail('invalid_argument', { zh: 'fileId：没有可提交的行', en: 'fileId: no row can be submitted' }, { field: 'fileId', rowErrors: r.errors })
        }
        if (r.invalid > 0 && !p.skipInvalid) {
          fail('invalid_argument', {
            zh: `fileId：${r.invalid} 行不合格（见 rowErrors），请修改文件，或以 skipInvalid: true 跳过这些行`,
            en: `fileId: ${r.invalid} rows are invalid (see rowErrors); fix the file, or pass skipInvalid: true to skip them`,
          }, { field: 'fileId', rowErrors: r.errors })
        }
        const job = await createJob(ctx, file, p.fileId)
        return { jobId: job._id, ...jobState(job, ctx.ports.nowMs()), counts: countRows(job), today: await today(ctx, p.kind, r.valid), skipped: r.errors }
      },
    }),

    batchContinue: defineAction({
      name: 'batchContinue',
      who: 'admin',
      mutates: true,
      summary: { zh: '继续提交批量任务，直到本次运行时间或今日配额用完；未完成时再次调用', en: 'Continue submitting a batch job until this run\'s time or today\'s quota is used up; call again while it is not done' },
      params: z.object({ jobId }),
      reply: '{jobId, state: "running"|"waiting"|"done", resumeAt, counts, run: {submitted, done, failed, reconciled, stoppedFor: "finished"|"deadline"|"quota"|"in_doubt"}, rows: rows changed by this run}',
      calls: ['createRoom', 'goodsAdd', 'getLiveInfo', 'goodsList'],
      needsMiniProgramLive: true,
      run: async (ctx, p) => {
        const job = await loadJob(ctx, p.jobId)
        const { summary, changed } = await continueJob(ctx, table(), job)
        const now = ctx.ports.nowMs()
        return { jobId: job._id, ...jobState(job, now), counts: countRows(job), run: summary, rows: changed.sort((a, b) => a - b).map((i) => rowView(job, job.rows[i])) }
      },
    }),

    batchStatus: defineAction({
      name: 'batchStatus',
      who: 'admin',
      mutates: false,
      summary: { zh: '批量任务的进度与每行结果（可翻页、按状态筛选）', en: 'A batch job\'s progress and per-row outcomes (paged, filtered by state)' },
      params: z.object({
        jobId,
        offset: z._default(z.int().check(z.gte(0), z.lte(BATCH_LIMITS.maxRows)), 0),
        limit: z._default(z.int().check(z.gte(1), z.lte(ROWS_PAGE_MAX)), 100),
        state: z.optional(z.enum(ROW_STATES)),
      }),
      reply: '{jobId, kind, fileName, createdBy, createdAt, updatedAt, state, resumeAt, counts, rows: {row, name, state, id, reconciled, attempts, at, error}[], rowsTotal}',
      calls: [],
      needsMiniProgramLive: true,
      run: async (ctx, p) => status(ctx, await loadJob(ctx, p.jobId), p),
    }),

    batchList: defineAction({
      name: 'batchList',
      who: 'admin',
      mutates: false,
      summary: { zh: '批量任务列表（新的在前，可翻页）', en: 'Batch jobs, newest first, paged' },
      params: z.object({ limit: z._default(z.int().check(z.gte(1), z.lte(50)), 20), before: z.optional(jobId) }),
      reply: '{jobs: {jobId, kind, fileName, createdBy, createdAt, updatedAt, state, resumeAt, counts}[], next: string | null} (pass next as before for the next page)',
      calls: [],
      needsMiniProgramLive: true,
      run: async (ctx, p) => {
        const docs = await ctx.ports.docs.find(ADMIN_COLLECTIONS.jobs, p.before !== undefined ? { _id: cond.lt(p.before) } : {}, {
          limit: p.limit,
          orderBy: { field: '_id', dir: 'desc' },
          // The rows' states only: a job's params can be hundreds of KB.
          fields: ['kind', 'fileName', 'createdBy', 'createdAt', 'updatedAt', 'exhaustedDay', 'rows.state'],
        })
        const now = ctx.ports.nowMs()
        const jobs = docs.map((d) => {
          const states: JobStates = { exhaustedDay: (d.exhaustedDay as string | null) ?? null, rows: ((d.rows ?? []) as { state: unknown }[]).map((r) => ({ state: asRowState(r?.state) })) }
          const { rows: _rows, exhaustedDay: _day, _id, ...header } = d
          return { jobId: _id, ...header, ...jobState(states, now), counts: countRows(states) }
        })
        return { jobs, next: docs.length === p.limit ? docs[docs.length - 1]._id : null }
      },
    }),
  }
}
