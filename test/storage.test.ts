/**
 * Cloud storage in the emulator, end to end: a viewer uploads through the test-side `wx.cloud`, a built fixture
 * function downloads it, uploads its own file, asks temporary URLs and deletes with the real wx-server-sdk (whose
 * node-sdk speaks `storage.*` on /admin and then PUTs and GETs the URLs those return), under the default storage
 * rule, the naming rules and the limits; hostile requests get clear 4xx answers; files survive a restart.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { createWxCloud, type WxCloudError, type WxUploadProgress } from '../emulator/client/wx-cloud'
import { CLOUD_PATH_MAX_BYTES, MAX_FILE_BYTES, MAX_FILES_PER_CALL, TEMP_URL_MAX_AGE_SECONDS } from '../emulator/storage/limits'

/** What a promise rejects with; resolving fails the test. */
async function rejection<E>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e as E,
  )
}

const FIXTURES = path.resolve(__dirname, 'fixtures/storage-functions')
const TMP = path.resolve(__dirname, '../node_modules/.cache/emulator', `storage-${randomUUID().slice(0, 8)}`)
const OUT = path.join(TMP, 'built')
const DATA = path.join(TMP, 'data')
const DATABASE = path.resolve(__dirname, '../database')

let emu: Emulator

/** A local file for uploads (the mini-program's temp file path). */
function localFile(name: string, content: string | Buffer): string {
  const file = path.join(TMP, 'local', name)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, content)
  return file
}

type StepResult = { ok?: any; errCode?: number | null; code?: string | null; errMsg?: string }

async function steps(...list: Record<string, unknown>[]): Promise<StepResult[]> {
  const run = await emu.invokeFunction('files', { steps: list })
  if (run.status !== 'ok') throw new Error(`the fixture function failed: ${run.errorMessage}`)
  return run.result as StepResult[]
}

async function control(route: string) {
  const res = await fetch(`${emu.url}${route}`)
  return { status: res.status, type: res.headers.get('content-type'), body: res.headers.get('content-type')?.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) }
}

/** A raw HTTP exchange (fetch cannot send a lying content-length or a body with no framing). */
function raw(method: string, route: string, headers: Record<string, string | number>, body?: Buffer | string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${route}`, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
    })
    // the server may answer and close before a large body is all sent; the answer is what counts
    req.on('error', (e) => (e.message.includes('EPIPE') || e.message.includes('ECONNRESET') ? undefined : reject(e)))
    req.end(body)
  })
}

function multipart(parts: { name: string; value: string | Buffer; filename?: string }[], boundary = 'b0undary'): { body: Buffer; type: string } {
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"\r\ncontent-type: application/octet-stream` : ''}\r\n\r\n`),
    Buffer.from(p.value),
    Buffer.from('\r\n'),
  ])
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` }
}

beforeAll(async () => {
  await buildFunctions({ root: FIXTURES, outRoot: OUT })
  emu = await startEmulator({ port: 0, functionsRoot: FIXTURES, builtRoot: OUT, databaseDir: DATABASE, dataDir: DATA })
  silenceSdkPlatformProbe()
})

afterAll(async () => {
  await emu?.stop()
  rmSync(TMP, { recursive: true, force: true })
})

describe('a function and a viewer share cloud storage through the real SDKs', () => {
  it('a function downloads what a viewer uploaded, uploads its own file, gets a temporary URL and deletes', async () => {
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-a' })
    const progress: WxUploadProgress[] = []
    const cover = 'room cover 封面 '.repeat(10_000)
    const up = await wx.uploadFile({ cloudPath: 'rooms/封面 1.png', filePath: localFile('cover.png', cover), onProgressUpdate: (p) => progress.push(p) })
    expect(up).toEqual({ fileID: `cloud://${emu.envId}.${emu.storage.bucket}/rooms/封面 1.png`, statusCode: 200, errMsg: 'cloud.uploadFile:ok' })
    expect(emu.storage.bucket).toMatch(new RegExp(`^[0-9a-f]{4}-${emu.envId}-\\d{10}$`))
    expect(progress.length).toBeGreaterThan(1)
    expect(progress.at(-1)).toEqual({ progress: 100, totalBytesSent: Buffer.byteLength(cover), totalBytesExpectedToSend: Buffer.byteLength(cover) })

    const [download, upload, urls, deleted] = await steps(
      { op: 'download', fileID: up.fileID },
      { op: 'upload', cloudPath: 'imports/goods.csv', text: 'name,price\n茶,12\n' },
      { op: 'tempUrls', fileList: [{ fileID: `cloud://${emu.envId}.${emu.storage.bucket}/imports/goods.csv`, maxAge: 120 }] },
      { op: 'delete', fileList: [up.fileID] },
    )
    expect(download.ok.text).toBe(cover)
    // wx-server-sdk waits for node-sdk to report the upload's HTTP status, which node-sdk 3.17.2 never does: -1
    expect(upload.ok).toEqual({ fileID: `cloud://${emu.envId}.${emu.storage.bucket}/imports/goods.csv`, statusCode: -1 })
    expect(urls.ok).toEqual([{ fileID: upload.ok.fileID, status: 0, errMsg: 'ok', maxAge: 120, tempFileURL: expect.stringContaining('/imports/goods.csv?sign=') }])
    expect(deleted.ok).toEqual([{ fileID: up.fileID, status: 0, errMsg: 'ok' }])

    const fetched = await fetch(urls.ok[0].tempFileURL)
    expect(fetched.status).toBe(200)
    expect(fetched.headers.get('content-type')).toBe('text/csv')
    expect(await fetched.text()).toBe('name,price\n茶,12\n')

    const listing = await control('/__sandbox/storage')
    const files = listing.body.files as any[]
    expect(files.find((f) => f.cloudPath === 'imports/goods.csv')).toMatchObject({ size: Buffer.byteLength('name,price\n茶,12\n'), contentType: 'text/csv', owner: null })
    expect(files.some((f) => f.fileID === up.fileID)).toBe(false)
  })

  it('the SDK reports an unknown fileID as STORAGE_FILE_NONEXIST (-503003) and a cloudPath that breaks a naming rule as STORAGE_REQUEST_FAIL naming the rule', async () => {
    const missing = `cloud://${emu.envId}.${emu.storage.bucket}/nothing/here.png`
    const [download, urls, deleted, badPath, foreign] = await steps(
      { op: 'download', fileID: missing },
      { op: 'tempUrls', fileList: [missing] },
      { op: 'delete', fileList: [missing] },
      { op: 'upload', cloudPath: 'goods/../../etc/passwd', text: 'x' },
      { op: 'tempUrls', fileList: ['cloud://other-env.6f74-other-env-1250000000/a.png'] },
    )
    // node-sdk 3.17.2 throws a per-file code as an Error carrying `code` (it ignores wx-server-sdk's throwOnCode:
    // false), which wx-server-sdk passes on with errCode -1; getTempFileURL and deleteFile map it to status -503003
    expect(download).toMatchObject({ errCode: -1, code: 'STORAGE_FILE_NONEXIST', errMsg: expect.stringContaining('does not exist') })
    expect(urls.ok).toEqual([{ fileID: missing, status: -503003, errMsg: 'storage file not exists', maxAge: TEMP_URL_MAX_AGE_SECONDS, tempFileURL: '' }])
    expect(deleted.ok).toEqual([{ fileID: missing, status: -503003, errMsg: 'storage file not exists' }])
    expect(badPath).toMatchObject({ code: 'STORAGE_REQUEST_FAIL', errMsg: expect.stringContaining('[InvalidArgument]: cloudPath: must not contain a ".." segment') })
    expect(foreign.ok[0]).toMatchObject({ status: -503003 })
    expect((await control('/__sandbox/storage')).body.files.some((f: any) => f.cloudPath.includes('passwd'))).toBe(false)
  })
})

describe('the default storage rule on the client channel', () => {
  it('every viewer reads; only the creator overwrites or deletes; a function’s file belongs to no viewer', async () => {
    const a = createWxCloud({ url: emu.url, openid: 'viewer-a' })
    const b = createWxCloud({ url: emu.url, openid: 'viewer-b' })
    const { fileID } = await a.uploadFile({ cloudPath: 'avatars/a.jpg', filePath: localFile('a.jpg', 'A1') })

    const read = await b.getTempFileURL({ fileList: [fileID] })
    expect(read.fileList[0]).toMatchObject({ status: 0, errMsg: 'ok', maxAge: TEMP_URL_MAX_AGE_SECONDS })
    expect(await (await fetch(read.fileList[0].tempFileURL)).text()).toBe('A1')
    const anonymous = await createWxCloud({ url: emu.url, openid: null }).getTempFileURL({ fileList: [fileID] })
    expect(anonymous.fileList[0].status).toBe(0)

    const overwrite = await rejection<WxCloudError>(b.uploadFile({ cloudPath: 'avatars/a.jpg', filePath: localFile('b.jpg', 'B') }))
    expect(overwrite).toMatchObject({ errCode: -503002, errMsg: expect.stringMatching(/^cloud\.uploadFile:fail -503002 storage permission denied\. write .*belongs to another user/) })
    const notTheirs = await b.deleteFile({ fileList: [fileID] })
    expect(notTheirs.fileList).toEqual([{ fileID, status: -503002, errMsg: expect.stringContaining('only its creator delete it') }])

    await a.uploadFile({ cloudPath: 'avatars/a.jpg', filePath: localFile('a2.jpg', 'A2') })
    expect((await control(`/__sandbox/storage/file?fileID=${encodeURIComponent(fileID)}`)).body.toString()).toBe('A2')

    const [serverFile] = await steps({ op: 'upload', cloudPath: 'avatars/server.jpg', text: 'S' })
    expect((await a.deleteFile({ fileList: [serverFile.ok.fileID] })).fileList[0]).toMatchObject({ status: -503002, errMsg: expect.stringContaining('the server side') })
    const mine = await a.deleteFile({ fileList: [fileID] })
    expect(mine).toEqual({ fileList: [{ fileID, status: 0, errMsg: 'ok' }], errMsg: 'cloud.deleteFile:ok' })

    const noViewer = await rejection<WxCloudError>(createWxCloud({ url: emu.url, openid: null }).uploadFile({ cloudPath: 'x.png', filePath: localFile('x.png', 'x') }))
    expect(noViewer).toMatchObject({ errCode: -501007, errMsg: expect.stringContaining('openid: required') })
  })
})

describe('temporary URLs', () => {
  it('expire on the emulator clock, and a forged, altered or unsigned URL reads nothing', async () => {
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-a' })
    const { fileID } = await wx.uploadFile({ cloudPath: 'docs/secret.txt', filePath: localFile('secret.txt', 'top secret') })
    await wx.uploadFile({ cloudPath: 'docs/other.txt', filePath: localFile('other.txt', 'other') })
    const week = await wx.getTempFileURL({ fileList: [{ fileID, maxAge: 7 * 86400 }] })
    expect(week.fileList[0].maxAge).toBe(TEMP_URL_MAX_AGE_SECONDS)
    const { tempFileURL } = (await wx.getTempFileURL({ fileList: [{ fileID, maxAge: 60 }] })).fileList[0]
    const url = new URL(tempFileURL)

    const head = await fetch(tempFileURL, { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length'), head.headers.get('x-content-type-options')]).toEqual([200, '10', 'nosniff'])

    const forged = new URL(url)
    forged.searchParams.set('sign', 'A'.repeat(43))
    const later = new URL(url)
    later.searchParams.set('t', String(Number(url.searchParams.get('t')) + 3600))
    const elsewhere = new URL(url)
    elsewhere.pathname = elsewhere.pathname.replace('secret.txt', 'other.txt')
    const unsigned = new URL(url)
    unsigned.search = ''
    for (const bad of [forged, later, elsewhere]) {
      const res = await fetch(bad)
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
    }
    expect(await (await fetch(unsigned)).text()).toContain('this URL is not signed')

    emu.clock.advance(61)
    const expired = await fetch(tempFileURL)
    expect(expired.status).toBe(403)
    expect(await expired.text()).toContain('Request has expired')
  })
})

describe('hostile input gets a 4xx naming the field and the rule', () => {
  const upload = (parts: Parameters<typeof multipart>[0], boundary?: string) => {
    const { body, type } = multipart(parts, boundary)
    return raw('POST', '/__client/storage/upload', { 'content-type': type, 'content-length': body.length }, body)
  }
  type Part = Parameters<typeof multipart>[0][number]
  const file = (cloudPath: string): Part[] => [
    { name: 'openid', value: 'viewer-h' },
    { name: 'cloudPath', value: cloudPath },
    { name: 'file', value: 'x', filename: 'x.bin' },
  ]

  it('paths: traversal, absolute, NUL, forbidden characters, too long', async () => {
    const cases: [string, RegExp][] = [
      ['a/../b.png', /must not contain a "\.\." segment/],
      ['./b.png', /must not contain a "\." segment/],
      ['/etc/passwd', /must not start with "\/"/],
      ['a//b.png', /must not contain "\/\/"/],
      ['a\u0000b.png', /control character U\+0000/],
      ['100%.png', /must not contain "%"/],
      ['a\\b.png', /must not contain "\\\\"/],
      ['', /must not be empty/],
      ['dir/', /must name a file/],
      ['长'.repeat(CLOUD_PATH_MAX_BYTES / 3 + 1), new RegExp(`at most ${CLOUD_PATH_MAX_BYTES}`)],
    ]
    for (const [cloudPath, rule] of cases) {
      const res = await upload(file(cloudPath))
      expect(res.status, cloudPath).toBe(400)
      expect(JSON.parse(res.text), cloudPath).toMatchObject({ code: 'INVALID_PARAM', message: expect.stringMatching(rule) })
    }
    const traversal = await fetch(`${emu.url}/__sandbox/storage/file?fileID=${encodeURIComponent(`cloud://${emu.envId}.${emu.storage.bucket}/a/../../package.json`)}`)
    expect(traversal.status).toBe(400)
    // URL parsing resolves dot segments (encoded or not) before routing, so a climb leaves the bucket's route
    const getTraversal = await raw('GET', `/__storage/${emu.storage.bucket}/a/%2E%2E/%2E%2E/package.json?sign=x&t=1`, {})
    expect([getTraversal.status, getTraversal.text]).toEqual([404, expect.stringContaining('<Code>NoSuchBucket</Code>')])
    expect(emu.storage.list().some((f) => f.cloudPath.includes('..'))).toBe(false)
  })

  it('multipart that is malformed, incomplete or has unknown parts; wrong type or method', async () => {
    const missingFile = await upload(file('a.png').slice(0, 2))
    expect([missingFile.status, JSON.parse(missingFile.text).message]).toEqual([400, expect.stringContaining('file: required')])
    const missingPath = await upload([file('a.png')[0], file('a.png')[2]])
    expect(JSON.parse(missingPath.text).message).toContain('cloudPath: required')
    const unknown = await upload([...file('a.png').slice(0, 2), { name: 'owner', value: 'someone-else' }])
    expect([unknown.status, JSON.parse(unknown.text).message]).toEqual([400, expect.stringContaining('owner: not a field of an upload')])
    const twoFiles = await upload([...file('a.png'), { name: 'file', value: 'y', filename: 'y.bin' }])
    expect(twoFiles.status).toBe(400)
    const truncated = multipart(file('a.png')).body.subarray(0, 150)
    const cut = await raw('POST', '/__client/storage/upload', { 'content-type': 'multipart/form-data; boundary=b0undary', 'content-length': truncated.length }, truncated)
    expect([cut.status, JSON.parse(cut.text).code]).toEqual([400, 'INVALID_PARAM'])
    const noBoundary = await raw('POST', '/__client/storage/upload', { 'content-type': 'multipart/form-data', 'content-length': 3 }, 'abc')
    expect([noBoundary.status, JSON.parse(noBoundary.text).message]).toEqual([400, expect.stringContaining('not multipart form data')])
    const json = await raw('POST', '/__client/storage/upload', { 'content-type': 'application/json' }, '{}')
    expect(json.status).toBe(415)
    const get = await raw('GET', '/__client/storage/upload', {})
    expect([get.status, get.headers.allow]).toEqual([405, 'POST'])
    const tooMany = await raw('POST', '/__client/storage/temp-urls', { 'content-type': 'application/json' }, JSON.stringify({ fileList: Array(MAX_FILES_PER_CALL + 1).fill('cloud://x') }))
    expect([tooMany.status, JSON.parse(tooMany.text).message]).toEqual([400, `fileList: ${MAX_FILES_PER_CALL + 1} entries; at most ${MAX_FILES_PER_CALL} a call`])
    const badAge = await raw('POST', '/__client/storage/temp-urls', { 'content-type': 'application/json' }, JSON.stringify({ fileList: [{ fileID: 'cloud://x', maxAge: -5 }] }))
    expect(JSON.parse(badAge.text).message).toBe('fileList[0].maxAge: must be whole seconds ≥ 1')
  })

  it('a file over the size limit is a 413, declared or streamed', async () => {
    const declared = await raw('POST', '/__client/storage/upload', { 'content-type': 'multipart/form-data; boundary=b', 'content-length': MAX_FILE_BYTES + 1_000_000 })
    expect([declared.status, JSON.parse(declared.text).code]).toEqual([413, 'STORAGE_REQUEST_FAIL'])
    const { body, type } = multipart(file('big.bin').slice(0, 2).concat({ name: 'file', value: Buffer.alloc(MAX_FILE_BYTES + 1), filename: 'big.bin' }))
    const streamed = await raw('POST', '/__client/storage/upload', { 'content-type': type, 'transfer-encoding': 'chunked' }, body)
    expect([streamed.status, JSON.parse(streamed.text).message]).toEqual([413, `file: over ${MAX_FILE_BYTES} bytes, the most one upload may carry`])
    expect(emu.storage.list().some((f) => f.cloudPath === 'big.bin')).toBe(false)
  })

  it('a client that goes away mid-upload stores nothing and leaves the emulator answering', async () => {
    const { body, type } = multipart(file('cut/off.bin').slice(0, 2).concat({ name: 'file', value: Buffer.alloc(256 * 1024, 7), filename: 'off.bin' }))
    await new Promise<void>((resolve) => {
      const req = request(`${emu.url}/__client/storage/upload`, { method: 'POST', headers: { 'content-type': type, 'content-length': body.length } })
      req.on('error', () => resolve())
      req.write(body.subarray(0, body.length / 2), () => {
        req.destroy()
        resolve()
      })
    })
    const after = await upload(file('cut/after.bin'))
    expect(after.status).toBe(200)
    expect(emu.storage.list().map((f) => f.cloudPath).filter((p) => p.startsWith('cut/'))).toEqual(['cut/after.bin'])
  })

  it('upload URLs: no token, a token for another path, a bad signature, an oversized body', async () => {
    const meta = await adminStorage({ action: 'storage.getUploadMetadata', path: 'granted.txt', method: 'put' })
    const { url, token, authorization } = meta.data
    const route = new URL(url).pathname
    const none = await raw('PUT', route, {}, 'x')
    expect([none.status, none.text]).toEqual([403, expect.stringContaining('<Code>AccessDenied</Code>')])
    const elsewhere = await raw('PUT', route.replace('granted', 'other'), { authorization, 'x-cos-security-token': token }, 'x')
    expect(elsewhere.text).toContain('the upload was granted for')
    const badSig = await raw('PUT', route, { authorization: authorization.slice(1) + 'A', 'x-cos-security-token': token }, 'x')
    expect(badSig.text).toContain('<Code>SignatureDoesNotMatch</Code>')
    const big = await raw('PUT', route, { authorization, 'x-cos-security-token': token, 'content-length': MAX_FILE_BYTES + 1 })
    expect([big.status, big.text]).toEqual([413, expect.stringContaining('<Code>EntityTooLarge</Code>')])
    const ok = await raw('PUT', route, { authorization, 'x-cos-security-token': token }, 'granted')
    expect([ok.status, ok.text]).toEqual([200, ''])
    const del = await raw('DELETE', route, {})
    expect([del.status, del.headers.allow]).toEqual([405, 'GET, HEAD, PUT'])
  })

  it('/admin storage actions refuse a bad list with INVALID_PARAM (HTTP 200, as the SDK reads errors)', async () => {
    expect(await adminStorage({ action: 'storage.batchDeleteFile', fileid_list: 'cloud://x' })).toMatchObject({ code: 'INVALID_PARAM', message: 'fileid_list: must be an array of fileIDs' })
    expect(await adminStorage({ action: 'storage.batchGetDownloadUrl', file_list: [{ fileid: 'cloud://x', max_age: 1.5 }] })).toMatchObject({
      code: 'INVALID_PARAM',
      message: 'file_list[0].max_age: must be whole seconds ≥ 1',
    })
    expect(await adminStorage({ action: 'storage.getUploadMetadata', path: 42 })).toMatchObject({ code: 'INVALID_PARAM', message: 'path: must be the cloudPath string' })
    expect((await adminStorage({ action: 'storage.batchMoveFile' })).message).toContain('not offered by the emulator')
  })
})

async function adminStorage(body: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${emu.url}/admin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  return res.json()
}

describe('control routes, reset and restarts', () => {
  it('list files and serve their bytes; reset empties storage; files, owners and URLs survive a restart with the same data dir', async () => {
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-k' })
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])
    const { fileID } = await wx.uploadFile({ cloudPath: 'kept/logo.png', filePath: localFile('logo.png', png) })
    const { tempFileURL } = (await wx.getTempFileURL({ fileList: [fileID] })).fileList[0]
    const served = await control(`/__sandbox/storage/file?fileID=${encodeURIComponent(fileID)}`)
    expect([served.status, served.type, served.body]).toEqual([200, 'image/png', png])
    expect((await control('/__sandbox/storage/file?fileID=' + encodeURIComponent(fileID + 'x'))).status).toBe(404)
    expect((await control('/__sandbox/storage/file')).status).toBe(400)

    await emu.stop()
    emu = await startEmulator({ port: 0, functionsRoot: FIXTURES, builtRoot: OUT, databaseDir: DATABASE, dataDir: DATA })
    expect(emu.loadProblems).toEqual([])
    const listed = (await control('/__sandbox/storage')).body.files.find((f: any) => f.fileID === fileID)
    expect(listed).toMatchObject({ size: png.length, contentType: 'image/png', owner: 'viewer-k' })
    // same signing key, new port: the path and signature still hold
    const again = new URL(tempFileURL)
    again.port = String(emu.port)
    expect(Buffer.from(await (await fetch(again)).arrayBuffer())).toEqual(png)

    await fetch(`${emu.url}/__sandbox/reset`, { method: 'POST' })
    expect((await control('/__sandbox/storage')).body).toMatchObject({ files: [], totalBytes: 0 })
  })
})
