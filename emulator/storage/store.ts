/**
 * The emulator's cloud storage: one bucket of files, each known by its CloudBase fileID
 * (`cloud://<envId>.<bucket>/<cloudPath>`) and kept with its size, content type, owner and upload time.
 *
 * Who may do what (the default rule, "all users read, only the creator writes":
 * https://docs.cloudbase.net/en/storage/data-permission): a viewer may upload to any path that is free or already
 * theirs, and delete only their own files; anyone may read; the server side (functions, the console, tests using
 * the SDK) may do everything (https://developers.weixin.qq.com/miniprogram/dev/wxcloud/guide/storage/security-rules/index.html).
 *
 * With a data directory the bytes live under `<dataDir>/storage/blobs/<sha256>` and the index in `files.json` plus
 * `storage.journal`: a blob is written (atomically) before the journal record that names it, and the record is
 * appended before the call returns, so an acknowledged upload or delete survives `kill -9` (see ../durable.ts).
 * In memory otherwise.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../clock'
import { JournalWriter, type LoadProblem, keepAside, moveAside, readJournal, removeFile, writeFileAtomicSync } from '../durable'
import { MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, cloudPathProblem } from './limits'

/** A file as the engine keeps it on disk (the fileID is derived, so an env id change does not strand files). */
interface FileRecord {
  cloudPath: string
  size: number
  contentType: string
  /** The viewer (openid) who uploaded it through the client channel; null when a function or an administrator did. */
  owner: string | null
  /** Emulator clock, Unix ms. */
  uploadedAt: number
  /** Hex SHA-256 of the bytes; names the blob that holds them. */
  sha256: string
}

export interface StoredFile extends FileRecord {
  fileID: string
}

/** Who asks: a viewer (the storage rule applies) or the server side (every right). */
export type StorageActor = { kind: 'viewer'; openid: string } | { kind: 'server' }

export type StorageFailure = 'badInput' | 'tooLarge' | 'full' | 'notFound' | 'denied'

/** How each failure travels: CloudBase's code (the SDKs map it to an errCode), the HTTP status, the COS error code. */
export const STORAGE_FAILURES: Record<StorageFailure, { code: string; status: number; cos: string }> = {
  badInput: { code: 'INVALID_PARAM', status: 400, cos: 'InvalidArgument' },
  tooLarge: { code: 'STORAGE_REQUEST_FAIL', status: 413, cos: 'EntityTooLarge' },
  full: { code: 'STORAGE_REQUEST_FAIL', status: 413, cos: 'EntityTooLarge' },
  notFound: { code: 'STORAGE_FILE_NONEXIST', status: 404, cos: 'NoSuchKey' },
  denied: { code: 'STORAGE_EXCEED_AUTHORITY', status: 403, cos: 'AccessDenied' },
}

export class StorageError extends Error {
  constructor(
    readonly kind: StorageFailure,
    message: string,
  ) {
    super(message)
    this.name = 'StorageError'
  }

  get code(): string {
    return STORAGE_FAILURES[this.kind].code
  }

  get status(): number {
    return STORAGE_FAILURES[this.kind].status
  }
}

/** Stands in for the Tencent Cloud account number in bucket names (`<hex>-<envId>-<account>`); only its shape matters. */
const ACCOUNT_NUMBER = '1250000000'

/** CloudBase names an env's bucket `<first two characters of the env id, hex>-<envId>-<account number>`. */
export function bucketOf(envId: string): string {
  return `${Buffer.from(envId.slice(0, 2), 'utf8').toString('hex')}-${envId}-${ACCOUNT_NUMBER}`
}

const TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  json: 'application/json',
  csv: 'text/csv',
  txt: 'text/plain',
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
}
const DEFAULT_TYPE = 'application/octet-stream'
const MEDIA_TYPE = /^[A-Za-z0-9][\w.+-]{0,63}\/[A-Za-z0-9][\w.+-]{0,127}$/

/** The type a file is served with: the one the uploader gave when it says more than "bytes", else by extension. */
export function contentTypeOf(cloudPath: string, given?: string | null): string {
  const base = given?.split(';')[0].trim().toLowerCase()
  if (base && base !== DEFAULT_TYPE && MEDIA_TYPE.test(base)) return base
  const dot = cloudPath.lastIndexOf('.')
  const ext = dot >= 0 ? cloudPath.slice(dot + 1).toLowerCase() : ''
  return TYPES_BY_EXTENSION[ext] ?? DEFAULT_TYPE
}

/** Where the bytes are: a folder of `<sha256>` files, or a map for in-memory runs. */
interface BlobStore {
  /** Size of the stored blob, or null when it is not there. */
  size(sha: string): number | null
  write(sha: string, bytes: Buffer): void
  read(sha: string): Buffer | null
  remove(sha: string): void
  /** Every blob name, for the sweep of unreferenced ones after loading. */
  names(): string[]
}

function memoryBlobs(): BlobStore {
  const map = new Map<string, Buffer>()
  return {
    size: (sha) => map.get(sha)?.length ?? null,
    write: (sha, bytes) => void map.set(sha, bytes),
    read: (sha) => map.get(sha) ?? null,
    remove: (sha) => void map.delete(sha),
    names: () => [...map.keys()],
  }
}

function diskBlobs(dir: string): BlobStore {
  mkdirSync(dir, { recursive: true })
  const size = (sha: string) => {
    try {
      return statSync(join(dir, sha)).size
    } catch {
      return null
    }
  }
  return {
    size,
    // content-addressed: a blob already there holds these very bytes
    write: (sha, bytes) => (size(sha) === bytes.length ? undefined : writeFileAtomicSync(join(dir, sha), bytes)),
    read: (sha) => {
      try {
        return readFileSync(join(dir, sha))
      } catch {
        return null
      }
    },
    remove: (sha) => removeFile(join(dir, sha)),
    names: () => readdirSync(dir),
  }
}

type JournalRecord = { put: FileRecord } | { del: string }

const SHA256 = /^[0-9a-f]{64}$/

/** Why a stored record cannot be used, or null. */
function recordProblem(r: unknown): string | null {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return 'not an object'
  const f = r as Record<string, unknown>
  const pathProblem = cloudPathProblem(f.cloudPath)
  if (pathProblem) return pathProblem
  if (!Number.isSafeInteger(f.size) || (f.size as number) < 0 || (f.size as number) > MAX_FILE_BYTES) return `size: must be whole bytes from 0 to ${MAX_FILE_BYTES}`
  if (typeof f.contentType !== 'string' || !MEDIA_TYPE.test(f.contentType)) return 'contentType: must be a media type such as image/png'
  if (f.owner !== null && (typeof f.owner !== 'string' || f.owner === '')) return 'owner: must be an openid or null'
  if (typeof f.uploadedAt !== 'number' || !Number.isFinite(f.uploadedAt)) return 'uploadedAt: must be Unix milliseconds'
  if (typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) return 'sha256: must be 64 hex digits'
  return null
}

function pick(r: FileRecord): FileRecord {
  return { cloudPath: r.cloudPath, size: r.size, contentType: r.contentType, owner: r.owner, uploadedAt: r.uploadedAt, sha256: r.sha256 }
}

export interface CloudStorageOptions {
  envId: string
  clock: Pick<Clock, 'nowMs'>
  /** The emulator's data directory; the storage keeps its files in `<dataDir>/storage/`. In memory when absent. */
  dataDir?: string
  onLoadProblem?: (problem: LoadProblem) => void
  /** Journal size past which the index is rewritten and the journal cleared. */
  compactBytes?: number
  /** Bounds for all files together; limits.ts holds the defaults (tests lower them rather than fill a gigabyte). */
  maxTotalBytes?: number
  maxFiles?: number
}

const RECOVER = 'The other files were loaded; to get the data back, stop the emulator, repair the kept copy and rename it to the original name.'

export class CloudStorage {
  readonly envId: string
  readonly bucket: string
  /** The folder holding the index, journal, blobs and signing key; null in memory. */
  readonly dir: string | null
  private readonly clock: Pick<Clock, 'nowMs'>
  private readonly files = new Map<string, FileRecord>()
  private readonly refs = new Map<string, number>()
  private bytes = 0
  private readonly blobs: BlobStore
  private readonly journal: JournalWriter | null
  private readonly indexFile: string | null
  private readonly compactBytes: number
  private readonly maxTotalBytes: number
  private readonly maxFiles: number

  constructor(options: CloudStorageOptions) {
    this.envId = options.envId
    this.bucket = bucketOf(options.envId)
    this.clock = options.clock
    this.compactBytes = options.compactBytes ?? 4 * 1024 * 1024
    this.maxTotalBytes = options.maxTotalBytes ?? MAX_TOTAL_BYTES
    this.maxFiles = options.maxFiles ?? MAX_FILES
    this.dir = options.dataDir ? join(options.dataDir, 'storage') : null
    if (!this.dir) {
      this.blobs = memoryBlobs()
      this.journal = null
      this.indexFile = null
      return
    }
    this.blobs = diskBlobs(join(this.dir, 'blobs'))
    this.indexFile = join(this.dir, 'files.json')
    this.journal = new JournalWriter(join(this.dir, 'storage.journal'))
    for (const problem of this.load()) options.onLoadProblem?.(problem)
  }

  /** `cloud://<envId>.<bucket>/<cloudPath>` */
  fileIdOf(cloudPath: string): string {
    return `cloud://${this.envId}.${this.bucket}/${cloudPath}`
  }

  /** The cloudPath a fileID names in this storage; a malformed one is `badInput`, another env's or bucket's `notFound`. */
  pathOf(fileID: unknown, field = 'fileID'): string {
    if (typeof fileID !== 'string' || !fileID.startsWith('cloud://')) {
      throw new StorageError('badInput', `${field}: must be a cloud file ID such as ${JSON.stringify(this.fileIdOf('goods/cover.png'))}`)
    }
    const rest = fileID.slice('cloud://'.length)
    const slash = rest.indexOf('/')
    if (slash <= 0) throw new StorageError('badInput', `${field}: must be cloud://<env>.<bucket>/<path>`)
    const home = `${this.envId}.${this.bucket}`
    if (rest.slice(0, slash) !== home) {
      throw new StorageError('notFound', `${field}: ${JSON.stringify(fileID)} is not in this storage (its files are cloud://${home}/…)`)
    }
    const cloudPath = rest.slice(slash + 1)
    const problem = cloudPathProblem(cloudPath, field)
    if (problem) throw new StorageError('badInput', problem)
    return cloudPath
  }

  /** Stores `bytes` at `cloudPath` (replacing what is there) as `actor`, and returns the file. */
  put(cloudPath: string, bytes: Buffer, options: { actor: StorageActor; contentType?: string | null }): StoredFile {
    const problem = cloudPathProblem(cloudPath)
    if (problem) throw new StorageError('badInput', problem)
    if (bytes.length > MAX_FILE_BYTES) throw new StorageError('tooLarge', `file: ${bytes.length} bytes; at most ${MAX_FILE_BYTES} bytes a file`)
    const existing = this.files.get(cloudPath)
    const { actor } = options
    if (actor.kind === 'viewer' && existing && existing.owner !== actor.openid) {
      throw new StorageError('denied', `write ${this.fileIdOf(cloudPath)}: the file belongs to another user, and the storage rule lets only its creator overwrite it`)
    }
    const total = this.bytes - (existing?.size ?? 0) + bytes.length
    if (total > this.maxTotalBytes) throw new StorageError('full', `storage: this upload would make ${total} bytes in all; at most ${this.maxTotalBytes}`)
    if (!existing && this.files.size >= this.maxFiles) throw new StorageError('full', `storage: already ${this.files.size} files; at most ${this.maxFiles}`)
    const record: FileRecord = {
      cloudPath,
      size: bytes.length,
      contentType: contentTypeOf(cloudPath, options.contentType),
      owner: actor.kind === 'viewer' ? actor.openid : null,
      uploadedAt: this.clock.nowMs(),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    }
    // bytes first: a journal record never names a blob that is not there
    this.blobs.write(record.sha256, bytes)
    this.append({ put: record })
    const displaced = this.applyPut(record)
    if (displaced) this.blobs.remove(displaced)
    this.compactIfLarge()
    return this.view(record)
  }

  /** The file and its bytes; `notFound` when there is none. */
  read(fileID: string): { file: StoredFile; bytes: Buffer } {
    const cloudPath = this.pathOf(fileID)
    const record = this.files.get(cloudPath)
    if (!record) throw new StorageError('notFound', `fileID: ${fileID} does not exist`)
    const bytes = this.blobs.read(record.sha256)
    if (!bytes) throw new StorageError('notFound', `fileID: ${fileID}: its bytes are missing from the data directory`)
    return { file: this.view(record), bytes }
  }

  /** The file, or null when the fileID names nothing (a malformed fileID still throws `badInput`). */
  stat(fileID: string): StoredFile | null {
    const record = this.files.get(this.pathOf(fileID))
    return record ? this.view(record) : null
  }

  /** Deletes a file as `actor`; `notFound` when it does not exist, `denied` when a viewer does not own it. */
  remove(fileID: string, actor: StorageActor): void {
    const cloudPath = this.pathOf(fileID)
    const record = this.files.get(cloudPath)
    if (!record) throw new StorageError('notFound', `fileID: ${fileID} does not exist`)
    if (actor.kind === 'viewer' && record.owner !== actor.openid) {
      throw new StorageError('denied', `delete ${fileID}: the file belongs to ${record.owner ? 'another user' : 'the server side'}, and the storage rule lets only its creator delete it`)
    }
    this.append({ del: cloudPath })
    const displaced = this.applyDelete(cloudPath)
    if (displaced) this.blobs.remove(displaced)
    this.compactIfLarge()
  }

  /** Every file, by cloudPath. */
  list(): StoredFile[] {
    return [...this.files.values()].sort((a, b) => (a.cloudPath < b.cloudPath ? -1 : a.cloudPath > b.cloudPath ? 1 : 0)).map((r) => this.view(r))
  }

  get totalBytes(): number {
    return this.bytes
  }

  /** Empties the storage (the index first, so a kill part-way leaves only unreferenced blobs, swept at the next load). */
  reset(): void {
    const blobs = [...this.refs.keys()]
    this.files.clear()
    this.refs.clear()
    this.bytes = 0
    if (this.indexFile && this.journal) {
      writeFileAtomicSync(this.indexFile, JSON.stringify({ files: [] }))
      this.journal.clear()
    }
    for (const sha of blobs) this.blobs.remove(sha)
  }

  /** Folds the journal into the index (at load, on a clean stop, and when the journal grows). */
  flush(): void {
    if (!this.indexFile || !this.journal) return
    writeFileAtomicSync(this.indexFile, JSON.stringify({ files: [...this.files.values()] }))
    this.journal.clear()
  }

  close(): void {
    this.flush()
    this.journal?.close()
  }

  private view(record: FileRecord): StoredFile {
    return { fileID: this.fileIdOf(record.cloudPath), ...record }
  }

  private append(record: JournalRecord): void {
    if (!this.journal) return
    this.journal.append(JSON.stringify(record))
  }

  private compactIfLarge(): void {
    if (this.journal && this.journal.bytes > this.compactBytes) this.flush()
  }

  /** Applies a put; returns the blob it left unreferenced, if any. */
  private applyPut(record: FileRecord): string | null {
    const displaced = this.applyDelete(record.cloudPath, record.sha256)
    this.files.set(record.cloudPath, record)
    this.refs.set(record.sha256, (this.refs.get(record.sha256) ?? 0) + 1)
    this.bytes += record.size
    return displaced
  }

  /** Applies a delete; returns the blob it left unreferenced (never `keep`, which is about to be referenced again). */
  private applyDelete(cloudPath: string, keep?: string): string | null {
    const old = this.files.get(cloudPath)
    if (!old) return null
    this.files.delete(cloudPath)
    this.bytes -= old.size
    const left = (this.refs.get(old.sha256) ?? 1) - 1
    if (left > 0) {
      this.refs.set(old.sha256, left)
      return null
    }
    this.refs.delete(old.sha256)
    return old.sha256 === keep ? null : old.sha256
  }

  /** Index, then journal, then a check that every file's bytes are there; bad parts are reported, never fatal. */
  private load(): LoadProblem[] {
    const problems: LoadProblem[] = []
    const indexFile = this.indexFile!
    const journalFile = this.journal!.file
    let raw: string | null = null
    try {
      raw = readFileSync(indexFile, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    if (raw !== null) {
      let parsed: unknown
      try {
        parsed = JSON.parse(raw)
      } catch (e) {
        problems.push({ file: indexFile, problem: `not valid JSON (${(e as Error).message})`, keptAt: moveAside(indexFile), recovery: 'Storage starts empty. ' + RECOVER })
      }
      const list = (parsed as { files?: unknown } | undefined)?.files
      if (parsed !== undefined && !Array.isArray(list)) {
        problems.push({ file: indexFile, problem: 'expected {"files": [...]}', keptAt: moveAside(indexFile), recovery: 'Storage starts empty. ' + RECOVER })
      } else if (Array.isArray(list)) {
        const bad: string[] = []
        list.forEach((r, i) => {
          const problem = recordProblem(r)
          if (problem) bad.push(`files[${i}]: ${problem}`)
          else this.applyPut(pick(r as FileRecord))
        })
        if (bad.length > 0) {
          problems.push({ file: indexFile, problem: `${bad.length} file record(s) left out: ${bad.slice(0, 5).join('; ')}`, keptAt: keepAside(indexFile, raw), recovery: RECOVER })
        }
      }
    }
    const journal = readJournal(journalFile, 'storage')
    problems.push(...journal.problems)
    const unusable: number[] = []
    journal.records.forEach((text, i) => {
      try {
        const r = JSON.parse(text) as Partial<Record<'put' | 'del', unknown>>
        if (typeof r.del === 'string') this.applyDelete(r.del)
        else if (r.put !== undefined && recordProblem(r.put) === null) this.applyPut(pick(r.put as FileRecord))
        else unusable.push(i + 1)
      } catch {
        unusable.push(i + 1)
      }
    })
    if (unusable.length > 0) {
      problems.push({
        file: journalFile,
        problem: `${unusable.length} storage record(s) could not be applied (record ${unusable.slice(0, 5).join(', ')})`,
        keptAt: keepAside(journalFile, readFileSync(journalFile)),
        recovery: 'Every other record was applied.',
      })
    }
    const missing: string[] = []
    for (const record of [...this.files.values()]) {
      if (this.blobs.size(record.sha256) !== record.size) {
        missing.push(record.cloudPath)
        this.applyDelete(record.cloudPath)
      }
    }
    if (missing.length > 0) {
      problems.push({
        file: join(this.dir!, 'blobs'),
        problem: `the bytes of ${missing.length} file(s) are missing or the wrong size: ${missing.slice(0, 5).join(', ')}`,
        keptAt: null,
        recovery: 'Those files were left out of the storage; upload them again.',
      })
    }
    // blobs no file names: uploads the process died in before acknowledging, and interrupted temp files
    for (const name of this.blobs.names()) if (!this.refs.has(name)) this.blobs.remove(name)
    this.flush()
    return problems
  }
}
