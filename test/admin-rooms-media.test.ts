/**
 * Room images given as cloud storage file IDs: downloaded and uploaded as temporary media once, reused per file
 * until the 3-day id nears expiry, recorded only after the upload succeeded; missing files and oversized images
 * refused naming the field. Over a fake MediaPort and the emulator's database engine.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createEngineDriver } from '../emulator/db/engine-store'
import { MEDIA_REUSE_SECONDS, mediaCacheId, resolveImage } from '../src/admin/media'
import { AdminFailure } from '../src/admin/reply'
import { ADMIN_COLLECTIONS } from '../src/admin/store'
import type { ActionContext, AdminPorts, MediaPort } from '../src/admin/types'
import type { DocDriver } from '../src/sync/driver'
import { ROOM_IMAGE_RULES, TEMP_MEDIA_TTL_SECONDS, checkRoomImageSize } from '../src/live/rules'

const FILE = 'cloud://env-1.6c6f-env-1-1250000000/rooms/cover.png'
const T0 = 1_790_000_000_000

/** A storage of named files and a temporary-media upload that counts, and can be told to fail. */
function fakeMedia(files: Record<string, number>) {
  const log = { downloads: 0, uploads: 0, failUpload: false }
  let seq = 0
  const port: MediaPort = {
    async download(fileId) {
      log.downloads++
      const size = files[fileId]
      if (size === undefined) throw Object.assign(new Error('storage file not exists'), { errCode: -1, code: 'STORAGE_FILE_NONEXIST' })
      return { bytes: new Uint8Array(size), name: fileId.slice(fileId.lastIndexOf('/') + 1) }
    },
    async uploadTemp() {
      log.uploads++
      if (log.failUpload) throw Object.assign(new Error('system busy'), { errCode: -1 })
      return `media-${++seq}`
    },
  }
  return { port, log }
}

let docs: DocDriver
let now: number

function ctxWith(media: MediaPort | null): ActionContext {
  const ports = { docs, media, nowMs: () => now } as unknown as AdminPorts
  return { caller: { openid: 'o-admin', roles: ['admin'] }, ports }
}

const coverRule = (bytes: number) => checkRoomImageSize('coverImg', bytes)

async function refusal(p: Promise<unknown>): Promise<AdminFailure['body']> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  if (!(e instanceof AdminFailure)) throw new Error(`expected an AdminFailure, got ${String(e)}`)
  return e.body
}

beforeEach(() => {
  const engine = createMemoryEngine({ clock: createClock() })
  // As a deploy creates it from database/live_media.rules.json.
  engine.createCollection(ADMIN_COLLECTIONS.media)
  docs = createEngineDriver(engine)
  now = T0
})

describe('room images from cloud storage', () => {
  it('passes a media_id through untouched, with no storage or upload', async () => {
    const { port, log } = fakeMedia({})
    expect(await resolveImage(ctxWith(port), 'coverImg', 'sbx_1_abc', coverRule)).toEqual({ mediaId: 'sbx_1_abc', source: 'given' })
    expect(log).toMatchObject({ downloads: 0, uploads: 0 })
  })

  it('uploads a file once and reuses its media_id until the margin before the 3 days, then uploads again', async () => {
    const { port, log } = fakeMedia({ [FILE]: 1000 })
    const ctx = ctxWith(port)
    expect(await resolveImage(ctx, 'coverImg', FILE, coverRule)).toEqual({ mediaId: 'media-1', source: 'uploaded' })
    const [entry] = await docs.find(ADMIN_COLLECTIONS.media, { _id: mediaCacheId(FILE) }, { limit: 1 })
    expect(entry).toMatchObject({ fileId: FILE, mediaId: 'media-1', uploadedAt: new Date(T0), bytes: 1000 })

    now = T0 + (MEDIA_REUSE_SECONDS - 1) * 1000
    expect(await resolveImage(ctx, 'shareImg', FILE, coverRule)).toEqual({ mediaId: 'media-1', source: 'cached' })
    expect(log).toMatchObject({ downloads: 1, uploads: 1 })

    // Still inside the platform's 3 days, but inside the margin: a fresh id rather than one about to lapse.
    now = T0 + MEDIA_REUSE_SECONDS * 1000
    expect(MEDIA_REUSE_SECONDS).toBeLessThan(TEMP_MEDIA_TTL_SECONDS)
    expect(await resolveImage(ctx, 'coverImg', FILE, coverRule)).toEqual({ mediaId: 'media-2', source: 'uploaded' })
    expect(log).toMatchObject({ downloads: 2, uploads: 2 })
    const [renewed] = await docs.find(ADMIN_COLLECTIONS.media, { _id: mediaCacheId(FILE) }, { limit: 1 })
    expect(renewed).toMatchObject({ mediaId: 'media-2', uploadedAt: new Date(now) })
  })

  it('writes no cache entry when the upload fails, so the next call uploads again', async () => {
    const { port, log } = fakeMedia({ [FILE]: 1000 })
    log.failUpload = true
    await expect(resolveImage(ctxWith(port), 'coverImg', FILE, coverRule)).rejects.toMatchObject({ errCode: -1 })
    expect(await docs.count(ADMIN_COLLECTIONS.media, {})).toBe(0)
    log.failUpload = false
    expect(await resolveImage(ctxWith(port), 'coverImg', FILE, coverRule)).toMatchObject({ source: 'uploaded' })
  })

  it('refuses a file missing from storage as invalid_argument naming the field', async () => {
    const { port, log } = fakeMedia({})
    const body = await refusal(resolveImage(ctxWith(port), 'feedsImg', FILE, coverRule))
    expect(body).toMatchObject({ code: 'invalid_argument', field: 'feedsImg' })
    expect(body.en).toContain(FILE)
    expect(log.uploads).toBe(0)
  })

  it('refuses an image over its field size before uploading it, with the errcode of that field', async () => {
    const { port, log } = fakeMedia({ [FILE]: ROOM_IMAGE_RULES.feedsImg.maxBytes + 1 })
    const body = await refusal(resolveImage(ctxWith(port), 'feedsImg', FILE, (n) => checkRoomImageSize('feedsImg', n)))
    expect(body).toMatchObject({ code: 'invalid_argument', field: 'feedsImg', errcode: 300037 })
    expect(log.uploads).toBe(0)
    expect(await docs.count(ADMIN_COLLECTIONS.media, {})).toBe(0)
  })

  it('refuses a malformed file ID, and a file ID when the function has no media port', async () => {
    const { port } = fakeMedia({})
    expect(await refusal(resolveImage(ctxWith(port), 'coverImg', 'cloud://no-path', coverRule))).toMatchObject({ code: 'invalid_argument', field: 'coverImg' })
    expect(await refusal(resolveImage(ctxWith(null), 'coverImg', FILE, coverRule))).toMatchObject({ code: 'not_configured', field: 'coverImg' })
  })

  it('answers unavailable, not a missing file, when storage itself fails', async () => {
    const port: MediaPort = {
      download: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
      },
      uploadTemp: async () => 'never',
    }
    expect(await refusal(resolveImage(ctxWith(port), 'shareImg', FILE, coverRule))).toMatchObject({ code: 'unavailable', field: 'shareImg' })
  })
})
