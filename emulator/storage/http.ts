/**
 * Cloud storage on the wire, three ways in:
 *
 *   POST /admin  `storage.*` actions, as @cloudbase/node-sdk 3.x sends them for wx-server-sdk's uploadFile,
 *                downloadFile, getTempFileURL and deleteFile: `storage.getUploadMetadata` ({path} → an upload URL
 *                with its signature), `storage.batchGetDownloadUrl` ({file_list: [{fileid, max_age}]} →
 *                download_list), `storage.batchDeleteFile` ({fileid_list} → delete_list). The server side has every
 *                right; files it uploads have no owner.
 *   /__storage/<bucket>/<cloudPath>   what those URLs point at, as COS answers: PUT the bytes with the upload
 *                signature (empty 200, or an XML `<Error>` the SDK reads), GET or HEAD with a temporary URL's
 *                `sign` and `t` (the bytes, or a 403/404 XML error).
 *   /__client/storage/{upload,temp-urls,delete}   the mini-program's wx.cloud.uploadFile, getTempFileURL and
 *                deleteFile as a viewer, with the default storage rule (see store.ts).
 *
 * Only translation and checking happen here; the rules, limits and bytes are the engine's.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import Busboy from 'busboy'
import type { Clock } from '../clock'
import { HttpError, hasContentType, parseJsonObject, readBody, sendJson, sendMethodNotAllowed } from '../server/http-util'
import { OPENID_RULE } from '../server/client-http'
import { MAX_FILE_BYTES, MAX_FILES_PER_CALL, TEMP_URL_MAX_AGE_SECONDS, UPLOAD_URL_MAX_AGE_SECONDS, cloudPathProblem } from './limits'
import type { UrlSigner } from './signing'
import { type CloudStorage, type StorageActor, type StoredFile, STORAGE_FAILURES, StorageError } from './store'

export const STORAGE_ROUTE_PREFIX = '/__storage/'
export const CLIENT_STORAGE_PREFIX = '/__client/storage/'

/** What a storage action answers on `/admin`: the reply's `data`, or a CloudBase error `{code, message}`. */
export type StorageActionReply = { data: Record<string, unknown> } | { code: string; message: string }

export interface StorageHttpOptions {
  storage: CloudStorage
  signer: UrlSigner
  clock: Pick<Clock, 'nowMs'>
  /** The emulator's base URL, e.g. `http://127.0.0.1:8787` (known once the port is open). */
  baseUrl: () => string
}

export interface StorageHttp {
  /** `storage.*` on `/admin`, as the server side. */
  adminAction(action: string, params: Record<string, unknown>): StorageActionReply
  /** `/__storage/...`: the upload and download URLs. */
  serveFile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>
  /** `/__client/storage/...`: as a viewer. */
  client(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>
}

/** Some bytes of multipart framing around the file: more than this beyond the file limit is not an upload. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024
const CLIENT_JSON_MAX_BYTES = 256 * 1024
/** An upload's text fields (openid, cloudPath) are short; a longer one is not an upload. */
const FIELD_MAX_BYTES = 4096

const requestId = () => randomBytes(8).toString('hex')

/** Served bytes are the uploader's: never sniffed into something else, never run as a page of the emulator's origin. */
const UNTRUSTED_CONTENT_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox",
}

/** Each path segment percent-encoded (a lone surrogate, which a rule refuses anyway, as U+FFFD so encoding cannot throw). */
function encodePath(cloudPath: string): string {
  return cloudPath
    .replace(/[\uD800-\uDFFF]/gu, '\uFFFD')
    .split('/')
    .map(encodeURIComponent)
    .join('/')
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
}

/** COS's error body; node-sdk reads Code, Message, RequestId and TraceId (all four must be there). */
function sendXmlError(res: ServerResponse, status: number, code: string, message: string, resource: string, extra: Record<string, string> = {}): void {
  const id = requestId()
  const body =
    `<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n  <Code>${escapeXml(code)}</Code>\n  <Message>${escapeXml(message)}</Message>\n` +
    `  <Resource>${escapeXml(resource)}</Resource>\n  <RequestId>${id}</RequestId>\n  <TraceId>${id}</TraceId>\n</Error>\n`
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...extra })
  res.end(body)
}

/**
 * Reads at most `limit` bytes of body. Past it, reads on (discarding) for up to `limit` more so the client, still
 * sending, can see the answer; null then. A declared length past the limit is refused before anything is read.
 */
function readBounded(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
      else if (size > 2 * limit) {
        req.pause()
        resolve(null)
      }
    })
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : null))
    req.on('error', reject)
  })
}

/** A 413 ends the connection: the rest of an oversized body is not worth reading. */
function tooLargeHeaders(): Record<string, string> {
  return { connection: 'close' }
}

interface TempUrlAsk {
  fileID: unknown
  maxAge: number
}

/** maxAge: whole seconds ≥ 1, default and cap one day (a longer ask gets a day, and the reply says so). */
function maxAgeOf(value: unknown, field: string): number {
  if (value === undefined || value === null) return TEMP_URL_MAX_AGE_SECONDS
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new StorageError('badInput', `${field}: must be whole seconds ≥ 1`)
  return Math.min(value, TEMP_URL_MAX_AGE_SECONDS)
}

function listOf(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new StorageError('badInput', `${field}: must be an array of fileIDs`)
  if (value.length > MAX_FILES_PER_CALL) throw new StorageError('badInput', `${field}: ${value.length} entries; at most ${MAX_FILES_PER_CALL} a call`)
  return value
}

function failureOf(e: unknown): { code: string; message: string } {
  if (e instanceof StorageError) return { code: e.code, message: e.message }
  throw e
}

export function createStorageHttp(options: StorageHttpOptions): StorageHttp {
  const { storage, signer, clock } = options
  const nowSeconds = () => Math.floor(clock.nowMs() / 1000)
  const routeOf = (cloudPath: string) => `${STORAGE_ROUTE_PREFIX}${storage.bucket}/${encodePath(cloudPath)}`

  /** The path is left as characters (not percent-encoded): node-sdk runs `encodeURI` on it before fetching. */
  function tempUrl(file: StoredFile, maxAge: number): string {
    const t = String(nowSeconds() + maxAge)
    const sign = signer.sign(['GET', file.cloudPath, t])
    return `${options.baseUrl()}${STORAGE_ROUTE_PREFIX}${storage.bucket}/${file.cloudPath}?sign=${sign}&t=${t}`
  }

  function tempUrls(asks: TempUrlAsk[]): Record<string, unknown>[] {
    return asks.map(({ fileID, maxAge }) => {
      try {
        const file = storage.stat(fileID as string)
        if (!file) throw new StorageError('notFound', `fileID: ${String(fileID)} does not exist`)
        return { fileID, tempFileURL: tempUrl(file, maxAge), code: 'SUCCESS', maxAge }
      } catch (e) {
        return { fileID, tempFileURL: '', ...failureOf(e), maxAge }
      }
    })
  }

  function deleteAll(list: unknown[], actor: StorageActor): Record<string, unknown>[] {
    return list.map((fileID) => {
      try {
        storage.remove(fileID as string, actor)
        return { fileID, code: 'SUCCESS' }
      } catch (e) {
        return { fileID, ...failureOf(e) }
      }
    })
  }

  function adminAction(action: string, params: Record<string, unknown>): StorageActionReply {
    try {
      switch (action) {
        case 'storage.getUploadMetadata': {
          const cloudPath = params.path
          if (typeof cloudPath !== 'string') throw new StorageError('badInput', 'path: must be the cloudPath string')
          // a path that breaks a naming rule still gets its URL: the upload then answers the rule, which the SDK
          // reports (an error here would reach the caller as a TypeError from inside uploadFile)
          const t = String(nowSeconds() + UPLOAD_URL_MAX_AGE_SECONDS)
          const token = Buffer.from(JSON.stringify({ p: cloudPath, t })).toString('base64url')
          return {
            data: {
              url: `${options.baseUrl()}${routeOf(cloudPath)}`,
              token,
              authorization: signer.sign(['PUT', cloudPath, t]),
              fileId: storage.fileIdOf(cloudPath),
              cosFileId: token,
            },
          }
        }
        case 'storage.batchGetDownloadUrl': {
          const asks = listOf(params.file_list, 'file_list').map((item, i): TempUrlAsk => {
            if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new StorageError('badInput', `file_list[${i}]: must be {fileid, max_age?}`)
            const entry = item as Record<string, unknown>
            return { fileID: entry.fileid, maxAge: maxAgeOf(entry.max_age, `file_list[${i}].max_age`) }
          })
          return { data: { download_list: tempUrls(asks) } }
        }
        case 'storage.batchDeleteFile':
          return { data: { delete_list: deleteAll(listOf(params.fileid_list, 'fileid_list'), { kind: 'server' }) } }
        default:
          throw new StorageError(
            'badInput',
            `action ${action}: not offered by the emulator's storage (it offers storage.getUploadMetadata, storage.batchGetDownloadUrl, storage.batchDeleteFile)`,
          )
      }
    } catch (e) {
      return failureOf(e)
    }
  }

  async function servePut(req: IncomingMessage, res: ServerResponse, url: URL, resource: string): Promise<void> {
    const token = req.headers['x-cos-security-token']
    const authorization = req.headers.authorization
    let grant: { p: string; t: string } | null = null
    try {
      const decoded = JSON.parse(Buffer.from(String(token ?? ''), 'base64url').toString('utf8')) as { p?: unknown; t?: unknown }
      if (typeof decoded.p === 'string' && typeof decoded.t === 'string' && /^\d{1,12}$/.test(decoded.t)) grant = { p: decoded.p, t: decoded.t }
    } catch {
      grant = null
    }
    if (!grant || typeof authorization !== 'string') {
      return sendXmlError(res, 403, 'AccessDenied', 'an upload needs the authorization and x-cos-security-token that storage.getUploadMetadata handed out', resource)
    }
    if (!signer.verify(['PUT', grant.p, grant.t], authorization)) {
      return sendXmlError(res, 403, 'SignatureDoesNotMatch', 'the upload signature does not match its token', resource)
    }
    if (Number(grant.t) < nowSeconds()) {
      return sendXmlError(res, 403, 'AccessDenied', `Request has expired: the upload URL was valid until ${new Date(Number(grant.t) * 1000).toISOString()}`, resource)
    }
    const problem = cloudPathProblem(grant.p)
    if (problem) return sendXmlError(res, 400, STORAGE_FAILURES.badInput.cos, problem, resource)
    if (url.pathname !== routeOf(grant.p)) {
      return sendXmlError(res, 403, 'SignatureDoesNotMatch', `the upload was granted for ${routeOf(grant.p)}, not ${url.pathname}`, resource)
    }
    const bytes = await readBounded(req, MAX_FILE_BYTES)
    if (!bytes) {
      return sendXmlError(res, 413, STORAGE_FAILURES.tooLarge.cos, `file: over ${MAX_FILE_BYTES} bytes, the most one upload may carry`, resource, tooLargeHeaders())
    }
    try {
      const file = storage.put(grant.p, bytes, { actor: { kind: 'server' }, contentType: req.headers['content-type'] })
      res.writeHead(200, { etag: `"${file.sha256}"`, 'content-length': 0 })
      res.end()
    } catch (e) {
      if (!(e instanceof StorageError)) throw e
      sendXmlError(res, e.status, STORAGE_FAILURES[e.kind].cos, e.message, resource)
    }
  }

  function serveGet(req: IncomingMessage, res: ServerResponse, url: URL, cloudPath: string, resource: string): void {
    const sign = url.searchParams.get('sign')
    const t = url.searchParams.get('t')
    if (!sign || !t) return sendXmlError(res, 403, 'AccessDenied', 'this URL is not signed: ask getTempFileURL for a temporary URL', resource)
    if (!/^\d{1,12}$/.test(t) || !signer.verify(['GET', cloudPath, t], sign)) {
      return sendXmlError(res, 403, 'SignatureDoesNotMatch', 'the URL signature does not match its path and expiry', resource)
    }
    if (Number(t) < nowSeconds()) {
      return sendXmlError(res, 403, 'AccessDenied', `Request has expired: the URL was valid until ${new Date(Number(t) * 1000).toISOString()}`, resource)
    }
    let found: { file: StoredFile; bytes: Buffer }
    try {
      found = storage.read(storage.fileIdOf(cloudPath))
    } catch (e) {
      if (!(e instanceof StorageError)) throw e
      return sendXmlError(res, e.status, STORAGE_FAILURES[e.kind].cos, e.message, resource)
    }
    const { file, bytes } = found
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': bytes.length,
      etag: `"${file.sha256}"`,
      'last-modified': new Date(file.uploadedAt).toUTCString(),
      ...UNTRUSTED_CONTENT_HEADERS,
    })
    res.end(req.method === 'HEAD' ? undefined : bytes)
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rest = url.pathname.slice(STORAGE_ROUTE_PREFIX.length)
    const slash = rest.indexOf('/')
    const bucket = slash < 0 ? rest : rest.slice(0, slash)
    const resource = url.pathname
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'PUT') {
      return sendXmlError(res, 405, 'MethodNotAllowed', `${req.method} is not offered here; GET, HEAD or PUT`, resource, { allow: 'GET, HEAD, PUT' })
    }
    // the upload's token says where it goes (URL parsing may have folded a ".." in its path, which the token refuses)
    if (req.method === 'PUT') return servePut(req, res, url, resource)
    if (bucket !== storage.bucket) return sendXmlError(res, 404, 'NoSuchBucket', `no bucket ${JSON.stringify(bucket)} (this storage is ${storage.bucket})`, resource)
    let cloudPath: string
    try {
      cloudPath = decodeURIComponent(rest.slice(slash + 1))
    } catch {
      return sendXmlError(res, 400, 'InvalidURI', 'the path is not valid percent-encoding', resource)
    }
    const problem = cloudPathProblem(cloudPath, 'path')
    if (slash < 0 || problem) return sendXmlError(res, 400, STORAGE_FAILURES.badInput.cos, problem ?? 'path: names no file', resource)
    serveGet(req, res, url, cloudPath, resource)
  }

  function clientViewer(openid: unknown, required: boolean): StorageActor | null {
    if ((openid === undefined || openid === null) && !required) return null
    if (typeof openid !== 'string' || !OPENID_RULE.test(openid)) {
      throw new HttpError(400, `openid: ${required ? 'required, ' : ''}1 to 128 of [A-Za-z0-9_-]${required ? ': only a signed-in user may write to storage' : ''}`)
    }
    return { kind: 'viewer', openid }
  }

  /** A multipart upload `{openid, cloudPath, file}`; every framing or field problem is a 400 naming it. */
  function readUpload(req: IncomingMessage): Promise<{ fields: Record<string, string>; file: { bytes: Buffer; contentType: string } | null }> {
    return new Promise((resolve, reject) => {
      let parser: Busboy.Busboy
      try {
        parser = Busboy({ headers: req.headers, limits: { files: 1, fileSize: MAX_FILE_BYTES, fields: 8, fieldSize: FIELD_MAX_BYTES, parts: 10 } })
      } catch (e) {
        reject(new HttpError(400, `body: not multipart form data (${(e as Error).message})`))
        return
      }
      const fields: Record<string, string> = {}
      let file: { bytes: Buffer; contentType: string } | null = null
      let failure: HttpError | null = null
      const fail = (e: HttpError) => {
        failure ??= e
      }
      let received = 0
      // a client that goes away mid-upload ends the parse; nothing was stored
      req.on('error', (e: Error) => reject(new HttpError(400, `body: the upload was cut off (${e.message})`)))
      req.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > MAX_FILE_BYTES + MULTIPART_OVERHEAD_BYTES) {
          req.unpipe(parser)
          req.pause()
          reject(new HttpError(413, `body: over ${MAX_FILE_BYTES} bytes of file and ${MULTIPART_OVERHEAD_BYTES} of framing`))
        }
      })
      parser.on('field', (name, value, info) => {
        if (name !== 'openid' && name !== 'cloudPath') return fail(new HttpError(400, `${name}: not a field of an upload (fields: openid, cloudPath, and the file part "file")`))
        if (name in fields) return fail(new HttpError(400, `${name}: given twice`))
        if (info.valueTruncated) return fail(new HttpError(400, `${name}: over ${FIELD_MAX_BYTES} bytes`))
        fields[name] = value
      })
      parser.on('file', (name, stream, info) => {
        const chunks: Buffer[] = []
        stream.on('error', (e: Error) => fail(new HttpError(400, `body: bad multipart form data (${e.message})`)))
        if (name !== 'file') {
          fail(new HttpError(400, `${name}: not the file part; send the file as the part named "file"`))
          stream.resume()
          return
        }
        stream.on('limit', () => fail(new HttpError(413, `file: over ${MAX_FILE_BYTES} bytes, the most one upload may carry`)))
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          file = { bytes: Buffer.concat(chunks), contentType: info.mimeType }
        })
      })
      parser.on('filesLimit', () => fail(new HttpError(400, 'file: one file part per upload')))
      parser.on('fieldsLimit', () => fail(new HttpError(400, 'body: too many fields (an upload has openid and cloudPath)')))
      parser.on('partsLimit', () => fail(new HttpError(400, 'body: too many parts (an upload has openid, cloudPath and file)')))
      parser.on('error', (e: Error) => reject(new HttpError(400, `body: bad multipart form data (${e.message})`)))
      parser.on('close', () => (failure ? reject(failure) : resolve({ fields, file })))
      req.pipe(parser)
    })
  }

  async function clientUpload(req: IncomingMessage): Promise<Record<string, unknown>> {
    if (!hasContentType(req, 'multipart/form-data')) {
      throw new HttpError(415, `content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: an upload is multipart/form-data (openid, cloudPath, file)`)
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_FILE_BYTES + MULTIPART_OVERHEAD_BYTES) {
      throw new HttpError(413, `body: ${declared} bytes; at most ${MAX_FILE_BYTES} bytes of file and ${MULTIPART_OVERHEAD_BYTES} of framing`)
    }
    const { fields, file } = await readUpload(req)
    const actor = clientViewer(fields.openid, true)!
    if (fields.cloudPath === undefined) throw new HttpError(400, 'cloudPath: required, the path to store the file at')
    if (!file) throw new HttpError(400, 'file: required, the part named "file" with the bytes')
    const stored = storage.put(fields.cloudPath, file.bytes, { actor, contentType: file.contentType })
    return { fileID: stored.fileID }
  }

  async function clientJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    if (!hasContentType(req, 'application/json')) throw new HttpError(415, `content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: takes application/json`)
    return parseJsonObject(await readBody(req, CLIENT_JSON_MAX_BYTES), { allowEmpty: false })
  }

  function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
    const extra = Object.keys(body).find((k) => !allowed.includes(k))
    if (extra !== undefined) throw new HttpError(400, `${extra}: not a field here (fields: ${allowed.join(', ')})`)
  }

  async function clientTempUrls(req: IncomingMessage): Promise<Record<string, unknown>> {
    const body = await clientJson(req)
    onlyFields(body, ['openid', 'fileList'])
    // reading is open to every user under the default rule; the openid is only checked for shape
    clientViewer(body.openid, false)
    const asks = listOf(body.fileList, 'fileList').map((item, i): TempUrlAsk => {
      if (typeof item === 'string') return { fileID: item, maxAge: TEMP_URL_MAX_AGE_SECONDS }
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new StorageError('badInput', `fileList[${i}]: must be a fileID or {fileID, maxAge}`)
      const entry = item as Record<string, unknown>
      return { fileID: entry.fileID, maxAge: maxAgeOf(entry.maxAge, `fileList[${i}].maxAge`) }
    })
    return { fileList: tempUrls(asks) }
  }

  async function clientDelete(req: IncomingMessage): Promise<Record<string, unknown>> {
    const body = await clientJson(req)
    onlyFields(body, ['openid', 'fileList'])
    const actor = clientViewer(body.openid, true)!
    return { fileList: deleteAll(listOf(body.fileList, 'fileList'), actor) }
  }

  const CLIENT_ROUTES: Record<string, (req: IncomingMessage) => Promise<Record<string, unknown>>> = {
    upload: clientUpload,
    'temp-urls': clientTempUrls,
    delete: clientDelete,
  }

  async function client(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const rid = requestId()
    const name = url.pathname.slice(CLIENT_STORAGE_PREFIX.length)
    const handler = Object.hasOwn(CLIENT_ROUTES, name) ? CLIENT_ROUTES[name] : undefined
    if (!handler) {
      return sendJson(res, 404, { code: 'INVALID_PARAM', message: `no storage route ${url.pathname} (${Object.keys(CLIENT_ROUTES).map((r) => CLIENT_STORAGE_PREFIX + r).join(', ')})`, requestId: rid })
    }
    if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST'], { code: 'INVALID_PARAM', message: `method ${req.method}: ${url.pathname} takes POST`, requestId: rid })
    try {
      sendJson(res, 200, { requestId: rid, ...(await handler(req)) })
    } catch (e) {
      if (e instanceof StorageError) return sendJson(res, e.status, { code: e.code, message: e.message, requestId: rid })
      if (!(e instanceof HttpError)) throw e
      const code = e.status === 413 ? STORAGE_FAILURES.tooLarge.code : 'INVALID_PARAM'
      res.setHeader('connection', e.status === 413 ? 'close' : 'keep-alive')
      sendJson(res, e.status, { code, message: e.message, requestId: rid })
      // whatever of the body is still coming is not needed
      req.resume()
    }
  }

  return { adminAction, serveFile, client }
}
