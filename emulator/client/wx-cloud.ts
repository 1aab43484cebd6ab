/**
 * The test-side `wx.cloud` for mini-program tests: `wx.cloud.database()` built from the real CloudBase query
 * builder and serializer (@cloudbase/database 1.4.3, installed under the alias `@cloudbase/database-client` so
 * its `Db.reqClass` static is not shared with node-sdk's copy), sending every request to the emulator's client
 * channel (`/__client/db`) as one viewer, so security rules and the 20-row cap apply. Results are reshaped into
 * the mini-program's shapes (`{data, errMsg}`, `{_id}`, `{stats}`), failures reject with `{errCode, errMsg}`,
 * and `watch()` is implemented here over `/__client/watch` (1.4.3's own watch breaks once `orderBy` is used).
 *
 * The `Wx*` types below mirror miniprogram-api-typings' `DB` namespace (lib.wx.cloud.d.ts). They are not
 * imported: that file only declares globals (`wx`, `require`, …), and referencing it here would retype Node's
 * `require` for the whole root project. Mini-program code compiled with those typings sees the same shapes.
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { basename } from 'node:path'
import { Db, type Query as SdkQuery, type CollectionReference as SdkCollection, type DocumentReference as SdkDocument } from '@cloudbase/database-client'
import { EJSON } from 'bson'

/** Mirrors of `DB.*` from miniprogram-api-typings 5.2.3 (see the header comment for why they are copies). */
export type WxDocumentId = string | number
export interface WxDocumentData {
  _id?: WxDocumentId
  // documents are schemaless; the wx typings use `any` here too
  [key: string]: unknown
}
export type WxQueryCondition = Record<string, unknown>
export interface WxQueryResult { data: WxDocumentData[]; errMsg: string }
export interface WxQuerySingleResult { data: WxDocumentData; errMsg: string }
export interface WxCountResult { total: number; errMsg: string }
export interface WxAddResult { _id: WxDocumentId; errMsg: string }
export interface WxSetResult { _id: WxDocumentId; stats: { updated: number; created: number }; errMsg: string }
export interface WxUpdateResult { stats: { updated: number }; errMsg: string }
export interface WxRemoveResult { stats: { removed: number }; errMsg: string }
export interface WxAggregateResult { list: unknown[]; errMsg: string }
export interface WxDocChange {
  id: number
  dataType: 'init' | 'update' | 'replace' | 'add' | 'remove' | 'limit'
  queueType: 'init' | 'enqueue' | 'dequeue' | 'update'
  docId: string
  doc: WxDocumentData
  updatedFields?: Record<string, unknown>
  removedFields?: string[]
}
export interface WxSnapshot { id: number; docChanges: WxDocChange[]; docs: WxDocumentData[]; type?: 'init' }
export interface WxWatchOptions {
  onChange: (snapshot: WxSnapshot) => void
  onError: (error: WxCloudError) => void
}
export interface WxRealtimeListener { close: () => Promise<void> }
/** The pipeline builder: every stage method returns the pipeline; `end()` runs it. */
export interface WxAggregate {
  addFields(v: object): WxAggregate
  bucket(v: object): WxAggregate
  bucketAuto(v: object): WxAggregate
  count(fieldName: string): WxAggregate
  geoNear(v: object): WxAggregate
  group(v: object): WxAggregate
  limit(n: number): WxAggregate
  lookup(v: object): WxAggregate
  match(v: object): WxAggregate
  project(v: object): WxAggregate
  replaceRoot(v: object): WxAggregate
  sample(v: { size: number }): WxAggregate
  skip(n: number): WxAggregate
  sort(v: object): WxAggregate
  sortByCount(v: object | string): WxAggregate
  unwind(v: string | object): WxAggregate
  end(): Promise<WxAggregateResult>
}
/** What `wx.cloud.database()` returns; command/serverDate/RegExp/Geo are 1.4.3's, which serialize like wx's. */
export interface WxDatabase {
  readonly config: { env: string }
  readonly command: Db['command']
  readonly Geo: Db['Geo']
  readonly serverDate: Db['serverDate']
  readonly RegExp: Db['RegExp']
  collection(name: string): WxCollection
}
export interface WxCallbacks<T> {
  success?: (res: T) => void
  fail?: (err: WxCloudError) => void
  complete?: (res: T | WxCloudError) => void
}

export interface WxCloudShimOptions {
  /** Emulator base URL, e.g. `http://127.0.0.1:4100`. */
  url: string
  /** The viewer; null or absent = anonymous (no openid). */
  openid?: string | null
  env?: string
}

/** What `wx.cloud.callFunction` resolves with. */
export interface WxCallFunctionResult {
  result: unknown
  requestID: string
  errMsg: string
}

/** What `wx.cloud.uploadFile` resolves with. */
export interface WxUploadFileResult {
  fileID: string
  statusCode: number
  errMsg: string
}
/** What an upload reports as its bytes leave (UploadTask.onProgressUpdate's argument). */
export interface WxUploadProgress {
  progress: number
  totalBytesSent: number
  totalBytesExpectedToSend: number
}
/** What callback-style `wx.cloud.uploadFile` returns: listeners for the bytes as they leave. */
export interface WxUploadTask {
  onProgressUpdate(listener: (p: WxUploadProgress) => void): void
  offProgressUpdate(listener?: (p: WxUploadProgress) => void): void
}
export interface WxTempFileURLItem {
  fileID: string
  tempFileURL: string
  maxAge: number
  status: number
  errMsg: string
}
export interface WxDeleteFileItem {
  fileID: string
  status: number
  errMsg: string
}

export interface WxCloudShim {
  init(options?: { env?: string; traceUser?: boolean }): void
  database(options?: { env?: string; throwOnNotFound?: boolean }): WxDatabase
  /** Runs a cloud function as the current viewer (its `getWXContext().OPENID`), through `/__client/functions/{name}`. */
  callFunction(options: { name: string; data?: Record<string, unknown> } & WxCallbacks<WxCallFunctionResult>): Promise<WxCallFunctionResult>
  /**
   * Uploads the local file `filePath` to `cloudPath` as the current viewer, who becomes its owner, through
   * `/__client/storage/upload`; `onProgressUpdate` hears each chunk sent.
   */
  uploadFile(
    options: { cloudPath: string; filePath: string; onProgressUpdate?: (p: WxUploadProgress) => void } & WxCallbacks<WxUploadFileResult>,
  ): Promise<WxUploadFileResult> & WxUploadTask
  /** Temporary URLs (default and at most one day); a file that is missing has a non-zero `status`. */
  getTempFileURL(
    options: { fileList: (string | { fileID: string; maxAge: number })[] } & WxCallbacks<{ fileList: WxTempFileURLItem[]; errMsg: string }>,
  ): Promise<{ fileList: WxTempFileURLItem[]; errMsg: string }>
  /** Deletes the viewer's own files; another user's file has status -503002. */
  deleteFile(options: { fileList: string[] } & WxCallbacks<{ fileList: WxDeleteFileItem[]; errMsg: string }>): Promise<{ fileList: WxDeleteFileItem[]; errMsg: string }>
  /** Switch the viewer for later calls (databases already created follow it too). */
  setOpenid(openid: string | null): void
  readonly openid: string | null
}

/** What the mini-program rejects with: an Error carrying `errCode` and `errMsg`. */
export class WxCloudError extends Error {
  constructor(
    readonly errCode: number,
    readonly errMsg: string,
  ) {
    super(errMsg)
    this.name = 'WxCloudError'
  }
}

const ERR_CODES: Record<string, number> = {
  SYS_ERR: -501001,
  SERVER_TIMEOUT: -501002,
  INVALID_PARAM: -501007,
  DATABASE_REQUEST_FAILED: -502001,
  DATABASE_INVALID_OPERRATOR: -502002,
  DATABASE_PERMISSION_DENIED: -502003,
  DATABASE_COLLECTION_NOT_EXIST: -502005,
  DATABASE_DUPLICATE_WRITE: -502011,
  FUNCTION_NOT_FOUND: -501000,
  FUNCTIONS_EXECUTE_FAIL: -404011,
  STORAGE_REQUEST_FAIL: -503001,
  STORAGE_EXCEED_AUTHORITY: -503002,
  STORAGE_FILE_NONEXIST: -503003,
}

// the wording wx-server-sdk puts after the code (its ERR_CODE table)
const ERR_TEXT: Record<number, string> = {
  [-501001]: 'resource system error',
  [-501002]: 'resource server timeout',
  [-501007]: 'invalid parameters',
  [-502001]: 'database request fail',
  [-502002]: 'database invalid command',
  [-502003]: 'database permission denied',
  [-502005]: 'database collection not exists',
  [-502011]: 'database duplicate write',
  [-501000]: 'function not found',
  [-404011]: 'cloud function execution error',
  [-503001]: 'storage request fail',
  [-503002]: 'storage permission denied',
  [-503003]: 'storage file not exists',
}

/** A per-file outcome of getTempFileURL or deleteFile: status 0 and "ok", or the code's errCode and wording. */
function fileStatus(code: string, message: string | undefined): { status: number; errMsg: string } {
  if (code === 'SUCCESS') return { status: 0, errMsg: 'ok' }
  const status = ERR_CODES[code] ?? -501001
  return { status, errMsg: `${ERR_TEXT[status] ?? code}. ${message ?? ''}`.trim() }
}

/** Chunk an upload is sent in; progress is reported once per chunk. */
const UPLOAD_CHUNK_BYTES = 64 * 1024

/** POSTs a multipart body in chunks, reporting progress, and answers the status and parsed JSON reply. */
function postMultipart(
  target: string,
  fields: Record<string, string>,
  file: { name: string; bytes: Buffer },
  onProgress?: (p: WxUploadProgress) => void,
): Promise<{ status: number; reply: { fileID?: string; code?: string; message?: string } }> {
  const boundary = `----wx-cloud-shim-${randomBytes(12).toString('hex')}`
  const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
  const head = Buffer.from(
    `${parts.join('')}--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${encodeURIComponent(file.name)}"\r\n` +
      'content-type: application/octet-stream\r\n\r\n',
  )
  const body = Buffer.concat([head, file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)])
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
    })
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, reply: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
        } catch {
          reject(new Error(`emulator answered HTTP ${res.statusCode} with a body that is not JSON`))
        }
      })
    })
    let sent = 0
    const next = () => {
      if (sent >= body.length) return req.end()
      const chunk = body.subarray(sent, sent + UPLOAD_CHUNK_BYTES)
      req.write(chunk, () => {
        sent += chunk.length
        // progress counts the file's bytes, as wx does, not the form framing around them
        const fileSent = Math.max(0, Math.min(file.bytes.length, sent - head.length))
        const progress = file.bytes.length === 0 ? 100 : Math.floor((fileSent / file.bytes.length) * 100)
        onProgress?.({ progress, totalBytesSent: fileSent, totalBytesExpectedToSend: file.bytes.length })
        next()
      })
    }
    next()
  })
}

function wireError(api: string, code: string, message: string): WxCloudError {
  const errCode = ERR_CODES[code] ?? -501001
  return new WxCloudError(errCode, `${api}:fail ${errCode} ${ERR_TEXT[errCode] ?? code}. ${message}`)
}

function localError(api: string, e: unknown): WxCloudError {
  if (e instanceof WxCloudError) return e
  const message = e instanceof Error ? e.message : String(e)
  return new WxCloudError(-1, `${api}:fail ${message}`)
}

interface WireReply {
  code?: string
  message?: string
  requestId?: string
  data?: Record<string, unknown>
}

/** Where a database's requests go; stored in the Db config so one static reqClass serves every shim. */
interface Transport {
  url: string
  openid(): string | null
}

interface ShimDbConfig {
  env: string
  throwOnNotFound: boolean
  transport: Transport
}

/** The class 1.4.3 instantiates (`new Db.reqClass(config)`) for every builder step. */
class EmulatorRequest {
  private readonly transport: Transport

  constructor(config: ShimDbConfig) {
    this.transport = config.transport
  }

  async send(action: string, params: Record<string, unknown>): Promise<WireReply> {
    const res = await fetch(`${this.transport.url}/__client/db`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid: this.transport.openid(), action, ...params }),
    })
    if (!res.ok) return { code: 'SYS_ERR', message: `emulator answered HTTP ${res.status} for ${action}` }
    return (await res.json()) as WireReply
  }
}

/** Results of 1.4.3 with a `code` are failures returned, not thrown. */
function checked<T extends object>(api: string, result: T | WireReply): T {
  const r = result as WireReply
  if (r && typeof r.code === 'string') throw wireError(api, r.code, r.message ?? '')
  return result as T
}

/** Promise style unless callbacks are given (then wx returns nothing and reports through them). */
function run<T>(api: string, options: WxCallbacks<T> | undefined, work: () => Promise<T>): Promise<T> {
  const promise = work().catch((e: unknown) => {
    throw localError(api, e)
  })
  if (!options || (!options.success && !options.fail && !options.complete)) return promise
  promise.then(
    (res) => {
      options.success?.(res)
      options.complete?.(res)
    },
    (err: WxCloudError) => {
      options.fail?.(err)
      options.complete?.(err)
    },
  )
  return undefined as unknown as Promise<T> // wx returns void in callback style
}

/** Fields 1.4.3 keeps on a Query but strips from its typings; watch needs them to build the request. */
interface SdkQueryInternals {
  _coll: string
  _fieldFilters?: string
  _apiOptions: { order?: Record<string, number>; limit?: number }
}

interface WatchSpec {
  collectionName: string
  query?: string
  order?: string
  limit?: number
}

export class WxQuery {
  constructor(
    protected readonly inner: SdkQuery,
    protected readonly transport: Transport,
  ) {}

  where(condition: WxQueryCondition): WxQuery {
    return new WxQuery(this.inner.where(condition), this.transport)
  }

  orderBy(fieldPath: string, order: string): WxQuery {
    if (order !== 'asc' && order !== 'desc') throw localError('collection.orderBy', new Error(`order: must be "asc" or "desc", got ${JSON.stringify(order)}`))
    return new WxQuery(this.inner.orderBy(fieldPath, order), this.transport)
  }

  limit(max: number): WxQuery {
    return new WxQuery(this.inner.limit(max), this.transport)
  }

  skip(offset: number): WxQuery {
    return new WxQuery(this.inner.skip(offset), this.transport)
  }

  field(projection: Record<string, unknown>): WxQuery {
    return new WxQuery(this.inner.field(projection), this.transport)
  }

  get(options?: WxCallbacks<WxQueryResult>): Promise<WxQueryResult> {
    return run('collection.get', options, async () => {
      const res = checked<{ data: WxDocumentData[] }>('collection.get', await this.inner.get())
      return { data: res.data, errMsg: 'collection.get:ok' }
    })
  }

  count(options?: WxCallbacks<WxCountResult>): Promise<WxCountResult> {
    return run('collection.count', options, async () => {
      const res = checked<{ total: number }>('collection.count', (await this.inner.count()) as WireReply)
      return { total: res.total, errMsg: 'collection.count:ok' }
    })
  }

  update(options: { data: WxQueryCondition } & WxCallbacks<WxUpdateResult>): Promise<WxUpdateResult> {
    return run('collection.update', options, async () => {
      if (!options || typeof options.data !== 'object' || options.data === null) throw new Error('data: must be an object')
      const res = checked<{ updated: number }>('collection.update', (await this.inner.update(options.data)) as WireReply)
      return { stats: { updated: res.updated }, errMsg: 'collection.update:ok' }
    })
  }

  remove(options?: WxCallbacks<WxRemoveResult>): Promise<WxRemoveResult> {
    return run('collection.remove', options, async () => {
      const res = checked<{ deleted: number }>('collection.remove', (await this.inner.remove()) as WireReply)
      return { stats: { removed: res.deleted }, errMsg: 'collection.remove:ok' }
    })
  }

  watch(options: WxWatchOptions): WxRealtimeListener {
    const q = this.inner as unknown as SdkQueryInternals
    const spec: WatchSpec = { collectionName: q._coll }
    if (q._fieldFilters) spec.query = q._fieldFilters
    if (q._apiOptions.order && Object.keys(q._apiOptions.order).length) spec.order = EJSON.stringify(q._apiOptions.order, { relaxed: false })
    if (q._apiOptions.limit) spec.limit = q._apiOptions.limit
    return openWatch('collection.watch', this.transport, spec, options)
  }
}

export class WxCollection extends WxQuery {
  constructor(
    private readonly collection: SdkCollection,
    transport: Transport,
    private readonly config: ShimDbConfig,
  ) {
    super(collection, transport)
  }

  get collectionName(): string {
    return this.collection.name
  }

  doc(docId: string | number): WxDocument {
    return new WxDocument(this.collection.doc(docId), docId, this.transport, this.config)
  }

  add(options: { data: WxDocumentData } & WxCallbacks<WxAddResult>): Promise<WxAddResult> {
    return run('collection.add', options, async () => {
      if (!options || typeof options.data !== 'object' || options.data === null) throw new Error('data: must be an object')
      const res = checked<{ id: string }>('collection.add', await this.collection.add(options.data))
      return { _id: res.id, errMsg: 'collection.add:ok' }
    })
  }

  aggregate(): WxAggregate {
    const inner = this.collection.aggregate() as unknown as Record<string, (...args: unknown[]) => unknown> & { end(): Promise<unknown> }
    // every stage method returns the same pipeline object; only end() is reshaped
    const proxy: WxAggregate = new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'end') {
          return () =>
            run('collection.aggregate', undefined, async () => {
              const res = checked<{ data: unknown[] }>('collection.aggregate', (await target.end()) as WireReply)
              return { list: res.data, errMsg: 'collection.aggregate:ok' }
            })
        }
        const value = Reflect.get(target, prop, receiver) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          ;(value as (...a: unknown[]) => unknown).apply(target, args)
          return proxy
        }
      },
    }) as unknown as WxAggregate
    return proxy
  }
}

export class WxDocument {
  constructor(
    private readonly inner: SdkDocument,
    private readonly id: string | number,
    private readonly transport: Transport,
    private readonly config: ShimDbConfig,
  ) {}

  field(projection: Record<string, unknown>): WxDocument {
    return new WxDocument(this.inner.field(projection), this.id, this.transport, this.config)
  }

  get(options?: WxCallbacks<WxQuerySingleResult>): Promise<WxQuerySingleResult> {
    return run('document.get', options, async () => {
      const res = checked<{ data: WxDocumentData[] }>('document.get', (await this.inner.get()) as WireReply)
      const doc = res.data[0]
      if (!doc) {
        // wx throws this unless throwOnNotFound is off, and then answers data: null
        if (this.config.throwOnNotFound) throw new WxCloudError(-1, `document.get:fail document with _id ${this.id} does not exist`)
        // wx types data as a document although it is null here; keep the wx shape for callers
        return { data: null as unknown as WxDocumentData, errMsg: 'document.get:ok' }
      }
      return { data: doc, errMsg: 'document.get:ok' }
    })
  }

  set(options: { data: WxDocumentData } & WxCallbacks<WxSetResult>): Promise<WxSetResult> {
    return run('document.set', options, async () => {
      if (!options || typeof options.data !== 'object' || options.data === null) throw new Error('data: must be an object')
      const res = checked<{ updated: number; upsertedId?: string }>('document.set', (await this.inner.set(options.data)) as WireReply)
      return {
        _id: res.upsertedId ?? this.id,
        stats: { updated: res.updated, created: res.upsertedId ? 1 : 0 },
        errMsg: 'document.set:ok',
      }
    })
  }

  update(options: { data: WxQueryCondition } & WxCallbacks<WxUpdateResult>): Promise<WxUpdateResult> {
    return run('document.update', options, async () => {
      if (!options || typeof options.data !== 'object' || options.data === null) throw new Error('data: must be an object')
      const res = checked<{ updated: number }>('document.update', (await this.inner.update(options.data)) as WireReply)
      return { stats: { updated: res.updated }, errMsg: 'document.update:ok' }
    })
  }

  remove(options?: WxCallbacks<WxRemoveResult>): Promise<WxRemoveResult> {
    return run('document.remove', options, async () => {
      const res = checked<{ deleted: number }>('document.remove', (await this.inner.remove()) as WireReply)
      return { stats: { removed: res.deleted }, errMsg: 'document.remove:ok' }
    })
  }

  watch(options: WxWatchOptions): WxRealtimeListener {
    const collectionName = (this.inner as unknown as { _coll: string })._coll
    return openWatch('document.watch', this.transport, { collectionName, query: EJSON.stringify({ _id: this.id }, { relaxed: false }) }, options)
  }
}

/** Read Server-Sent Events off a fetch body, one `{event, data}` per block. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const decoder = new TextDecoder()
  let buffer = ''
  const reader = body.getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true })
    let cut: number
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut)
      buffer = buffer.slice(cut + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length) onEvent(event, data.join('\n'))
    }
  }
}

function openWatch(api: string, transport: Transport, spec: WatchSpec, options: WxWatchOptions): WxRealtimeListener {
  if (!options || typeof options.onChange !== 'function' || typeof options.onError !== 'function') {
    throw localError(api, new Error('onChange and onError are both required'))
  }
  const params = new URLSearchParams()
  const openid = transport.openid()
  if (openid) params.set('openid', openid)
  params.set('collectionName', spec.collectionName)
  if (spec.query) params.set('query', spec.query)
  if (spec.order) params.set('order', spec.order)
  if (spec.limit) params.set('limit', String(spec.limit))

  const abort = new AbortController()
  let closed = false
  let failed = false
  const fail = (err: WxCloudError) => {
    if (closed || failed) return
    failed = true
    abort.abort()
    options.onError(err)
  }

  void (async () => {
    try {
      const res = await fetch(`${transport.url}/__client/watch?${params.toString()}`, { signal: abort.signal })
      if (!res.ok || !res.body) throw new Error(`emulator answered HTTP ${res.status}`)
      await readEvents(res.body, (event, data) => {
        if (closed || failed) return
        if (event === 'error') {
          const { code, message } = JSON.parse(data) as { code: string; message: string }
          fail(wireError(api, code, message))
        } else if (event === 'snapshot') {
          options.onChange(EJSON.parse(data, { relaxed: true }) as WxSnapshot)
        }
      })
      fail(localError(api, new Error('the watch connection was closed by the emulator')))
    } catch (e) {
      fail(localError(api, e))
    }
  })()

  return {
    close: async () => {
      closed = true
      abort.abort()
    },
  }
}

/** POSTs JSON to a client storage route; a `{code}` reply rejects as wx does. */
async function postJson<T>(api: string, target: string, body: Record<string, unknown>): Promise<T> {
  const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const reply = (await res.json()) as T & { code?: string; message?: string }
  if (typeof reply.code === 'string') throw wireError(api, reply.code, reply.message ?? '')
  if (!res.ok) throw new Error(`emulator answered HTTP ${res.status}`)
  return reply
}

export function createWxCloud(options: WxCloudShimOptions): WxCloudShim {
  const url = options.url.replace(/\/+$/, '')
  let viewer: string | null = options.openid ?? null
  let initEnv: string | undefined
  const transport: Transport = { url, openid: () => viewer }

  return {
    init(opts) {
      initEnv = opts?.env
    },
    database(opts) {
      // 1.4.3 reads the transport from this static at every builder step; set it on every database() call
      Db.reqClass = EmulatorRequest
      const config: ShimDbConfig = {
        env: opts?.env ?? initEnv ?? options.env ?? 'emulator-env',
        throwOnNotFound: opts?.throwOnNotFound ?? true,
        transport,
      }
      const db = new Db(config)
      return {
        config: { env: config.env },
        command: db.command,
        Geo: db.Geo,
        serverDate: db.serverDate,
        RegExp: db.RegExp,
        collection: (name: string) => new WxCollection(db.collection(name), transport, config),
      }
    },
    callFunction(opts) {
      return run('cloud.callFunction', opts, async () => {
        if (!opts || typeof opts.name !== 'string' || opts.name === '') throw new Error('name: must be the cloud function name')
        const res = await fetch(`${url}/__client/functions/${encodeURIComponent(opts.name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ openid: viewer, data: opts.data ?? {} }),
        })
        const reply = (await res.json()) as { requestId: string; result?: unknown; code?: string; message?: string }
        if (typeof reply.code === 'string') throw wireError('cloud.callFunction', reply.code, reply.message ?? '')
        if (!res.ok) throw new Error(`emulator answered HTTP ${res.status}`)
        return { result: reply.result ?? null, requestID: reply.requestId, errMsg: 'cloud.callFunction:ok' }
      })
    },
    uploadFile(opts) {
      // Callback style returns an UploadTask (wx's way to hear progress); the promise style resolves the result.
      const listeners = new Set<(p: WxUploadProgress) => void>()
      const progress = (p: WxUploadProgress): void => {
        opts?.onProgressUpdate?.(p)
        for (const l of listeners) l(p)
      }
      const promise = run('cloud.uploadFile', opts, async () => {
        if (!opts || typeof opts.cloudPath !== 'string') throw new Error('cloudPath: must be the path to store the file at')
        if (typeof opts.filePath !== 'string' || opts.filePath === '') throw new Error('filePath: must be a local file path')
        const bytes = await readFile(opts.filePath)
        const fields: Record<string, string> = { cloudPath: opts.cloudPath }
        if (viewer !== null) fields.openid = viewer
        const { status, reply } = await postMultipart(`${url}/__client/storage/upload`, fields, { name: basename(opts.filePath), bytes }, progress)
        if (typeof reply.code === 'string') throw wireError('cloud.uploadFile', reply.code, reply.message ?? '')
        if (status !== 200 || typeof reply.fileID !== 'string') throw new Error(`emulator answered HTTP ${status}`)
        return { fileID: reply.fileID, statusCode: status, errMsg: 'cloud.uploadFile:ok' }
      })
      const task: WxUploadTask = {
        onProgressUpdate: (l) => void listeners.add(l),
        offProgressUpdate: (l) => (l ? void listeners.delete(l) : listeners.clear()),
      }
      return (promise ? Object.assign(promise, task) : task) as Promise<WxUploadFileResult> & WxUploadTask
    },
    getTempFileURL(opts) {
      return run('cloud.getTempFileURL', opts, async () => {
        const reply = await postJson<{ fileList: { fileID: string; tempFileURL: string; maxAge: number; code: string; message?: string }[] }>(
          'cloud.getTempFileURL',
          `${url}/__client/storage/temp-urls`,
          { openid: viewer, fileList: opts?.fileList },
        )
        const fileList = reply.fileList.map((f) => ({ fileID: f.fileID, tempFileURL: f.tempFileURL, maxAge: f.maxAge, ...fileStatus(f.code, f.message) }))
        return { fileList, errMsg: 'cloud.getTempFileURL:ok' }
      })
    },
    deleteFile(opts) {
      return run('cloud.deleteFile', opts, async () => {
        const reply = await postJson<{ fileList: { fileID: string; code: string; message?: string }[] }>('cloud.deleteFile', `${url}/__client/storage/delete`, {
          openid: viewer,
          fileList: opts?.fileList,
        })
        return { fileList: reply.fileList.map((f) => ({ fileID: f.fileID, ...fileStatus(f.code, f.message) })), errMsg: 'cloud.deleteFile:ok' }
      })
    },
    setOpenid(openid) {
      viewer = openid
    },
    get openid() {
      return viewer
    },
  }
}
