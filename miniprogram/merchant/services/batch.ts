/** The batch import through liveAdmin: template, the file uploaded and checked, the job started, continued and read. */
import { runAdmin } from './call'
import { uploadToCloud } from './media'
import { batchCloudPath, type BatchKind, type JobProgress, type JobRowOutcome, type TemplateColumn, type Validation } from '../utils/batch-view'

export interface Template {
  kind: BatchKind
  csv: string
  columns: TemplateColumn[]
}

export function template(kind: BatchKind): Promise<Template> {
  return runAdmin<Template>('batchTemplate', { kind })
}

/** Uploads a file picked from a chat to cloud storage, telling `onProgress` the percentage sent; the file ID. */
export function uploadBatchFile(localPath: string, name: string, onProgress: (percent: number) => void): Promise<string> {
  return uploadToCloud(batchCloudPath(name, Date.now(), Math.random().toString(36).slice(2, 10)), localPath, onProgress)
}

export function validate(fileId: string, kind: BatchKind): Promise<Validation> {
  return runAdmin<Validation>('batchValidate', { fileId, kind })
}

export interface Started extends JobProgress {
  skipped: { row: number; field: string; zh: string }[]
}

/** Creates the job; the rows the check refused are skipped only when the merchant has seen them (`skipInvalid`). */
export function start(fileId: string, kind: BatchKind, skipInvalid: boolean): Promise<Started> {
  return runAdmin<Started>('batchStart', { fileId, kind, skipInvalid })
}

export interface Run extends JobProgress {
  run: { submitted: number; done: number; failed: number; reconciled: number; stoppedFor: string }
  rows: JobRowOutcome[]
}

/** One run of the job: submits rows until the function's time or the day's quota runs out. */
export function continueJob(jobId: string): Promise<Run> {
  return runAdmin<Run>('batchContinue', { jobId })
}

export interface Status extends JobProgress {
  kind: BatchKind
  fileName: string
  rows: JobRowOutcome[]
  rowsTotal: number
}

/** The most rows batchStatus answers at once. */
const STATUS_PAGE = 500

/** The job with every row's outcome (read page by page). */
export async function status(jobId: string): Promise<Status> {
  const first = await runAdmin<Status>('batchStatus', { jobId, offset: 0, limit: STATUS_PAGE })
  const rows = first.rows.slice()
  while (rows.length < first.rowsTotal) {
    const next = await runAdmin<Status>('batchStatus', { jobId, offset: rows.length, limit: STATUS_PAGE })
    if (next.rows.length === 0) break
    rows.push(...next.rows)
  }
  return { ...first, rows }
}

export interface JobSummary extends JobProgress {
  kind: BatchKind
  fileName: string
  createdAt: string
}

/** The most recent jobs, newest first. */
export async function recentJobs(limit = 10): Promise<JobSummary[]> {
  return (await runAdmin<{ jobs: JobSummary[] }>('batchList', { limit })).jobs
}
