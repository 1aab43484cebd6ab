/**
 * Room operations of liveAdmin through the built function (real wx-server-sdk, the emulator's runner) against the
 * Live sandbox: rules checked before any Live call, the platform's refusals with their errcodes (300036 keeping
 * the real-name QR code), the room written through to the cache and seen by a viewer at once, and a sync run
 * afterwards that changes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWxCloud } from '../emulator/client/wx-cloud'
import { SANDBOX_APPID, SANDBOX_SECRET } from '../emulator/sandbox/sandbox'
import { COLLECTIONS } from '../src/cache/schema'
import { REALNAME_QRCODE_URL } from '../src/live/errors'
import { ROOM_IMAGE_RULES, SHARED_CODE_PARAMS_MAX } from '../src/live/rules'
import { ADMIN_COLLECTIONS } from '../src/admin/store'
import { MEDIA_REUSE_SECONDS, mediaCacheId } from '../src/admin/media'
import { WORDS_DOC } from '../src/admin/content'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'

const T0 = 1_790_000_000
const HOUR = 3600

let h: AdminHarness
let cover: string
let share: string
let feeds: string

/** A small PNG-sized payload of `n` bytes (the sandbox checks presence, validity and size, not pixels). */
const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill)

/** Temporary media through the sandbox's `/cgi-bin/media/upload`, as a merchant's server would upload it. */
async function uploadMedia(data: Uint8Array, name: string): Promise<string> {
  const token = (await (await fetch(`${h.emu.url}/cgi-bin/token?grant_type=client_credential&appid=${SANDBOX_APPID}&secret=${SANDBOX_SECRET}`)).json()) as { access_token: string }
  const form = new FormData()
  form.append('media', new Blob([Buffer.from(data)], { type: 'image/png' }), name)
  const res = await fetch(`${h.emu.url}/cgi-bin/media/upload?access_token=${token.access_token}&type=image`, { method: 'POST', body: form })
  const body = (await res.json()) as { media_id?: string; errcode?: number }
  if (!body.media_id) throw new Error(`media upload failed: ${JSON.stringify(body)}`)
  return body.media_id
}

/** New media_ids for the shared images, after the clock moved past the old ones' validity. */
async function freshImages(): Promise<void> {
  cover = await uploadMedia(bytes(2048), 'cover.png')
  share = await uploadMedia(bytes(1024), 'share.png')
  feeds = await uploadMedia(bytes(512), 'feeds.png')
}

let tmp: string
/** A file the merchant's mini-program uploads with wx.cloud.uploadFile; its fileID. */
async function uploadToStorage(cloudPath: string, data: Uint8Array): Promise<string> {
  const local = path.join(tmp, path.basename(cloudPath))
  writeFileSync(local, data)
  const res = await createWxCloud({ url: h.emu.url, openid: OWNER }).uploadFile({ cloudPath, filePath: local })
  return res.fileID
}

let seq = 0
/** createRoom params that pass every rule, starting `leadHours` from now; each call a distinct name. */
function roomParams(over: Record<string, unknown> = {}, leadHours = 2): Record<string, unknown> {
  const now = h.emu.clock.nowSeconds()
  seq++
  return {
    name: `周末好物直播第${seq}场`,
    coverImg: cover,
    shareImg: share,
    feedsImg: feeds,
    startTime: now + leadHours * HOUR,
    endTime: now + (leadHours + 2) * HOUR,
    anchorName: '小王主播',
    anchorWechat: 'anchor_wang01',
    closeLike: 0,
    closeGoods: 0,
    closeComment: 0,
    type: 0,
    ...over,
  }
}

async function createRoom(over: Record<string, unknown> = {}, leadHours = 2): Promise<number> {
  const reply = await h.call('createRoom', roomParams(over, leadHours))
  if (!reply.ok) throw new Error(`createRoom refused: ${JSON.stringify(reply.error)}`)
  return reply.data.roomId as number
}

const listCalls = (): number => Object.values(h.emu.control.calls()).reduce((n, day) => n + (day['liveBroadcast.getLiveInfo'] ?? 0), 0)

const cachedRoom = (roomId: number) => h.emu.engine.find(COLLECTIONS.rooms, { roomId })[0] as Record<string, unknown> | undefined

/** A refusal made before any Live call: the reply, with the Live call count checked unchanged. */
async function refusedBeforeLive(action: string, params: unknown) {
  const calls = h.liveCalls()
  const reply = await h.call(action, params)
  expect(h.liveCalls()).toBe(calls)
  return reply
}

beforeAll(async () => {
  // Customer service not set up in the MP console, so turning it on is refused (300038).
  h = await startAdminHarness({ alsoBuild: ['liveSync'], sandbox: { kfConfigured: false } })
  h.emu.clock.freeze()
  h.emu.clock.set(T0)
  await freshImages()
  tmp = mkdtempSync(path.join(tmpdir(), 'admin-rooms-'))
}, 60_000)

afterAll(async () => {
  await h?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('createRoom, editRoom, deleteRoom', () => {
  it('creates a room from media_ids, writes it through, and a viewer reads it with no sync run', async () => {
    const params = roomParams({ name: '双十二家电专场', isFeedsPublic: 1 })
    const reply = await h.call('createRoom', params)
    // WeChat's text check is off here (LIVE_TEXT_CHECK unset): the reply says so rather than implying it ran.
    expect(reply).toEqual({ ok: true, data: { roomId: expect.any(Number), cache: 'written', textCheck: expect.objectContaining({ platform: 'off' }) } })
    const roomId = reply.ok ? (reply.data.roomId as number) : 0
    expect(h.emu.control.rooms().find((r) => r.roomId === roomId)).toMatchObject({ name: '双十二家电专场', status: 'upcoming' })
    expect(h.emu.engine.count(COLLECTIONS.syncStatus, {})).toBe(0)

    const db = createWxCloud({ url: h.emu.url, openid: VIEWER }).database()
    const seen = await db.collection(COLLECTIONS.rooms).where({ roomId }).get()
    expect(seen.data).toHaveLength(1)
    expect(seen.data[0]).toMatchObject({ roomId, name: '双十二家电专场', anchorName: '小王主播', section: 'upcoming', feedsPublic: true })
    expect(seen.data[0].startTime).toEqual(new Date((params.startTime as number) * 1000))
    expect(h.audit()).toEqual([expect.objectContaining({ action: 'createRoom', outcome: 'ok', openid: OWNER })])
  })

  it('edits an upcoming room and deletes it, the cache following each change', async () => {
    const roomId = await createRoom()
    const edited = await h.call('editRoom', { ...roomParams({ name: '改期后的新品首发' }, 5), id: roomId, type: undefined })
    expect(edited).toEqual({ ok: true, data: { roomId, cache: 'written', textCheck: expect.objectContaining({ platform: 'off' }) } })
    expect(cachedRoom(roomId)).toMatchObject({ name: '改期后的新品首发', startTime: new Date((T0 + 5 * HOUR) * 1000) })

    expect(await h.call('deleteRoom', { id: roomId })).toEqual({ ok: true, data: { roomId, cache: 'written' } })
    expect(h.emu.control.rooms().some((r) => r.roomId === roomId)).toBe(false)
    expect(cachedRoom(roomId)).toMatchObject({ section: 'hidden' })
    const db = createWxCloud({ url: h.emu.url, openid: VIEWER }).database()
    expect((await db.collection(COLLECTIONS.rooms).where({ roomId, section: 'upcoming' }).get()).data).toHaveLength(0)
  })

  it('finds the room to write through past the first page when the platform serves 50 rooms a page', async () => {
    const target = await createRoom({}, 1)
    // 60 rooms starting later list before it (newest start first): it is on the second page of 50.
    const now = h.emu.clock.nowSeconds()
    const later: number[] = []
    for (let i = 0; i < 60; i++) {
      later.push(h.emu.control.createRoom({ ...roomParams({}, 100 + i), startTime: now + (100 + i) * HOUR, endTime: now + (101 + i) * HOUR }).roomId)
    }
    h.emu.control.setOptions({ listPageCap: 50 })
    try {
      const reply = await h.call('editRoom', { ...roomParams({ name: '第二页上的直播间' }, 1), id: target, type: undefined })
      expect(reply).toMatchObject({ ok: true, data: { roomId: target, cache: 'written' } })
      expect(cachedRoom(target)).toMatchObject({ name: '第二页上的直播间' })
    } finally {
      h.emu.control.setOptions({ listPageCap: 100 })
      for (const id of later) h.emu.control.deleteRoom(id)
    }
  })
})

describe('images from cloud storage', () => {
  it('turns file IDs into temporary media once, reuses them, and uploads again near the end of the 3 days', async () => {
    const files = {
      coverImg: await uploadToStorage('rooms/cover-a.png', bytes(4096, 7)),
      shareImg: await uploadToStorage('rooms/share-a.png', bytes(2048, 8)),
      feedsImg: await uploadToStorage('rooms/feeds-a.png', bytes(1024, 9)),
    }
    const entry = (fileId: string) => h.emu.engine.find(ADMIN_COLLECTIONS.media, { _id: mediaCacheId(fileId) })[0] as Record<string, unknown> | undefined
    const first = await h.call('createRoom', roomParams(files))
    expect(first).toMatchObject({ ok: true, data: { cache: 'written' } })
    const uploaded = entry(files.coverImg)
    expect(uploaded).toMatchObject({ fileId: files.coverImg, mediaId: expect.any(String), bytes: 4096 })
    // The platform holds the file's own bytes under that media_id.
    expect(h.emu.sandbox.media(uploaded!.mediaId as string)?.bytes).toEqual(Buffer.from(bytes(4096, 7)))

    expect(await h.call('createRoom', roomParams(files))).toMatchObject({ ok: true })
    expect(entry(files.coverImg)).toEqual(uploaded)

    // A minute past the reuse limit: the function's clock runs on from the emulator's by the wall time of each run.
    h.emu.clock.advance(MEDIA_REUSE_SECONDS + 60)
    try {
      expect(await h.call('createRoom', roomParams(files))).toMatchObject({ ok: true })
      const renewed = entry(files.coverImg)
      expect(renewed?.mediaId).not.toBe(uploaded!.mediaId)
      expect((renewed?.uploadedAt as Date).getTime()).toBeGreaterThanOrEqual(h.emu.clock.nowSeconds() * 1000)
    } finally {
      await freshImages()
    }
  })

  it('refuses a file missing from storage, or too large for its field, naming the field, before createRoom', async () => {
    const calls = h.liveCalls()
    // A well-formed fileID of this environment's bucket that no one uploaded.
    const gone = `cloud://${h.emu.storage.envId}.${h.emu.storage.bucket}/rooms/never-uploaded.png`
    expect(await h.call('createRoom', roomParams({ shareImg: gone }))).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'shareImg' } })
    const big = await uploadToStorage('rooms/feeds-big.png', bytes(ROOM_IMAGE_RULES.feedsImg.maxBytes + 1))
    expect(await h.call('createRoom', roomParams({ feedsImg: big }))).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'feedsImg', errcode: 300037 } })
    expect(h.liveCalls()).toBe(calls)
    expect(h.emu.engine.count(ADMIN_COLLECTIONS.media, { _id: mediaCacheId(big) })).toBe(0)
  })
})

describe('rules checked before any Live call', () => {
  it('names by width with one CJK character counting 2 (300002 room name, 300034 anchor name)', async () => {
    expect(await refusedBeforeLive('createRoom', roomParams({ name: '短名' }))).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'name', errcode: 300002 } })
    // 18 CJK characters are width 36 > 34; 17 pass.
    expect(await refusedBeforeLive('createRoom', roomParams({ name: '一'.repeat(18) }))).toMatchObject({ ok: false, error: { field: 'name', errcode: 300002 } })
    expect(await h.call('createRoom', roomParams({ name: '一'.repeat(17) }))).toMatchObject({ ok: true })
    const anchor = await refusedBeforeLive('createRoom', roomParams({ anchorName: '主'.repeat(16) }))
    expect(anchor).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'anchorName', errcode: 300034 } })
    expect(!anchor.ok && anchor.error.zh).toMatch(/^anchorName：.*一个汉字计 2/)
    expect(await h.call('createRoom', roomParams({ anchorName: 'abcd' }))).toMatchObject({ ok: true })
  })

  it('the time window against the function clock: 10 minutes ahead, at most 6 months, 30 minutes to 24 hours long', async () => {
    const now = h.emu.clock.nowSeconds()
    expect(await refusedBeforeLive('createRoom', roomParams({ startTime: now + 5 * 60, endTime: now + 2 * HOUR }))).toMatchObject({ ok: false, error: { field: 'startTime', errcode: 200002 } })
    expect(await refusedBeforeLive('createRoom', roomParams({ startTime: now + 200 * 24 * HOUR, endTime: now + 201 * 24 * HOUR }))).toMatchObject({ ok: false, error: { field: 'startTime' } })
    expect(await refusedBeforeLive('createRoom', roomParams({ startTime: now + HOUR, endTime: now + HOUR + 20 * 60 }))).toMatchObject({ ok: false, error: { field: 'endTime' } })
    expect(await refusedBeforeLive('createRoom', roomParams({ startTime: now + HOUR, endTime: now + 26 * HOUR }))).toMatchObject({ ok: false, error: { field: 'endTime' } })
  })

  it('WeChat IDs of anchor (300035), sub-anchor (300039) and creator (300041)', async () => {
    expect(await refusedBeforeLive('createRoom', roomParams({ anchorWechat: '1bad' }))).toMatchObject({ ok: false, error: { field: 'anchorWechat', errcode: 300035 } })
    expect(await refusedBeforeLive('createRoom', roomParams({ subAnchorWechat: 'anchor_wang01' }))).toMatchObject({ ok: false, error: { field: 'subAnchorWechat', errcode: 300039 } })
    expect(await refusedBeforeLive('createRoom', roomParams({ createrWechat: 'x' }))).toMatchObject({ ok: false, error: { field: 'createrWechat', errcode: 300041 } })
  })

  it("a word from the merchant's list in the room or anchor name, naming the field and the word", async () => {
    await h.emu.engine.insert(ADMIN_COLLECTIONS.settings, [{ _id: WORDS_DOC, words: ['最低价'] }])
    try {
      const reply = await refusedBeforeLive('createRoom', roomParams({ name: '全网最低价今晚开抢' }))
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'name', word: '最低价' } })
    } finally {
      h.emu.engine.remove(ADMIN_COLLECTIONS.settings, { _id: WORDS_DOC }, { multi: false })
    }
  })

  it('custom share params beyond 600 characters once encoded (1001), never cut', async () => {
    const roomId = await createRoom()
    const long = { note: 'x'.repeat(SHARED_CODE_PARAMS_MAX) }
    expect(await refusedBeforeLive('getSharedCode', { roomId, params: long })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'params', errcode: 1001 } })
    expect(await refusedBeforeLive('getSharedCode', { roomId, params: '%E0%A4%A' })).toMatchObject({ ok: false, error: { field: 'params', errcode: 1001 } })
  })
})

describe("the platform's refusals", () => {
  it('300036 keeps the real-name QR code URL through the cloud call', async () => {
    h.emu.control.setUserVerified('anchor_new007', false)
    const reply = await h.call('createRoom', roomParams({ anchorWechat: 'anchor_new007' }))
    expect(reply).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300036, field: 'anchorWechat', qrcodeUrl: REALNAME_QRCODE_URL } })
    expect(!reply.ok && reply.error.zh).toMatch(/实名/)
  })

  it('300022 for a room that does not exist, on edit, delete and every switch', async () => {
    const missing = 987654
    expect(await h.call('editRoom', { ...roomParams(), id: missing, type: undefined })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300022, field: 'roomId' } })
    for (const [action, params] of [
      ['deleteRoom', { id: missing }],
      ['updateFeedPublic', { roomId: missing, isFeedsPublic: 0 }],
      ['updateReplay', { roomId: missing, closeReplay: 0 }],
      ['updateKF', { roomId: missing, closeKf: 1 }],
      ['updateComment', { roomId: missing, banComment: 1 }],
      ['getPushUrl', { roomId: missing }],
      ['getSharedCode', { roomId: missing }],
    ] as const) {
      expect(await h.call(action, params), action).toMatchObject({ ok: false, error: { errcode: 300022 } })
    }
  })

  it('300023 for a room in the wrong state: editing or deleting a live room, a push URL for a phone room', async () => {
    const roomId = await createRoom()
    expect(await h.call('getPushUrl', { roomId })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300023 } })
    h.emu.control.roomEvent(roomId, 'start')
    expect(await h.call('editRoom', { ...roomParams(), id: roomId, type: undefined })).toMatchObject({ ok: false, error: { errcode: 300023 } })
    expect(await h.call('deleteRoom', { id: roomId })).toMatchObject({ ok: false, error: { errcode: 300023 } })
  })

  it('images: an expired media_id (300031) and a feeds image over its size (300037)', async () => {
    const big = await uploadMedia(bytes(ROOM_IMAGE_RULES.feedsImg.maxBytes + 1), 'big.png')
    expect(await h.call('createRoom', roomParams({ feedsImg: big }))).toMatchObject({ ok: false, error: { code: 'invalid_argument', errcode: 300037, field: 'feedsImg' } })
    const old = await uploadMedia(bytes(100), 'old.png')
    h.emu.clock.advance(3 * 24 * HOUR)
    try {
      expect(await h.call('createRoom', roomParams({ coverImg: old }))).toMatchObject({ ok: false, error: { errcode: 300031, field: 'coverImg' } })
    } finally {
      await freshImages()
    }
  })

  it('people and images only the platform knows: unverified sub-anchor 300039, unverified anchor on edit 300030, unknown share image 300032', async () => {
    h.emu.control.setUserVerified('helper_zhao03', false)
    expect(await h.call('createRoom', roomParams({ subAnchorWechat: 'helper_zhao03' }))).toMatchObject({ ok: false, error: { code: 'invalid_argument', errcode: 300039, field: 'subAnchorWechat' } })
    const roomId = await createRoom()
    expect(await h.call('editRoom', { ...roomParams({ anchorWechat: 'helper_zhao03' }), id: roomId, type: undefined })).toMatchObject({ ok: false, error: { errcode: 300030, field: 'anchorWechat' } })
    expect(await h.call('createRoom', roomParams({ shareImg: 'sbx_never_uploaded' }))).toMatchObject({ ok: false, error: { code: 'invalid_argument', errcode: 300032, field: 'shareImg' } })
  })

  it('a busy platform (-1) on createRoom answers unavailable and caches nothing', async () => {
    const rooms = h.emu.control.rooms().length
    const cached = h.emu.engine.count(COLLECTIONS.rooms, {})
    const audited = new Set(h.audit().map((e) => e._id as string))
    h.emu.control.addFault({ api: 'liveBroadcast.createRoom', times: 1, errcode: -1 })
    expect(await h.call('createRoom', roomParams())).toMatchObject({ ok: false, error: { code: 'unavailable', errcode: -1 } })
    expect(h.emu.control.rooms().length).toBe(rooms)
    expect(h.emu.engine.count(COLLECTIONS.rooms, {})).toBe(cached)
    expect(h.emu.engine.count(COLLECTIONS.roomsPrivate, {})).toBe(cached)
    // With the emulator clock frozen, each run's clock restarts at the same instant: find the new entry by id.
    const added = h.audit().filter((e) => !audited.has(e._id as string))
    expect(added).toEqual([expect.objectContaining({ action: 'createRoom', outcome: 'unavailable', errcode: -1 })])
  })
})

describe('switches, push URL and share code', () => {
  it('each switch reaches the platform and the cache says whether viewers see a change', async () => {
    const roomId = await createRoom({ isFeedsPublic: 1, closeReplay: 1 })
    expect(await h.call('updateReplay', { roomId, closeReplay: 0 })).toEqual({ ok: true, data: { roomId, cache: 'written' } })
    expect(cachedRoom(roomId)).toMatchObject({ replayEnabled: true })
    expect(await h.call('updateReplay', { roomId, closeReplay: 0 })).toEqual({ ok: true, data: { roomId, cache: 'unchanged' } })
    expect(await h.call('updateFeedPublic', { roomId, isFeedsPublic: 0 })).toEqual({ ok: true, data: { roomId, cache: 'written' } })
    expect(cachedRoom(roomId)).toMatchObject({ feedsPublic: false })
    // Banning comments is not in the room list viewers' documents come from.
    expect(await h.call('updateComment', { id: roomId, banComment: 1 })).toEqual({ ok: true, data: { roomId, cache: 'unchanged' } })
    expect(await h.call('updateKF', { roomId, closeKf: 1 })).toEqual({ ok: true, data: { roomId, cache: 'unchanged' } })
    expect(await h.call('updateKF', { roomId, closeKf: 0 })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300038 } })
    expect(await h.call('createRoom', roomParams({ closeKf: 0 }))).toMatchObject({ ok: false, error: { errcode: 300038 } })
  })

  it('a push URL for a push room, and a share code carrying custom params', async () => {
    const roomId = await createRoom({ type: 1 })
    expect(await h.call('getPushUrl', { roomId })).toEqual({ ok: true, data: { roomId, pushAddr: expect.stringMatching(/^rtmp:\/\//) } })
    const custom = { channel: 'poster', path: 'pages/home/index' }
    const code = await h.call('getSharedCode', { roomId, params: custom })
    expect(code).toEqual({
      ok: true,
      data: { roomId, pagePath: expect.stringContaining(`room_id=${roomId}&custom_params=${encodeURIComponent(JSON.stringify(custom))}`), cdnUrl: expect.any(String), posterUrl: expect.any(String), customParams: custom },
    })
    const plain = await h.call('getSharedCode', { roomId })
    expect(plain).toMatchObject({ ok: true, data: { customParams: null, pagePath: expect.not.stringContaining('custom_params') } })
    // WeChat's own form, encodeURIComponent(JSON.stringify(object)), is taken too.
    const encoded = await h.call('getSharedCode', { roomId, params: encodeURIComponent(JSON.stringify(custom)) })
    expect(encoded).toMatchObject({ ok: true, data: { customParams: custom } })
  })
})

describe('a sync run after write-through', () => {
  it('changes no cached room after rooms were created, edited, switched and deleted through liveAdmin', async () => {
    // First bring the cache in line with what earlier tests did behind liveAdmin's back (control events, the clock).
    const first = await h.emu.fireTimer('liveSync')
    if (first.status !== 'ok') throw new Error(`liveSync failed: ${first.errorMessage}`)

    const kept = await createRoom({ name: '同步前写入的直播间', closeReplay: 1 })
    const gone = await createRoom()
    expect(await h.call('editRoom', { ...roomParams({ name: '同步前改过的直播间' }, 3), id: kept, type: undefined })).toMatchObject({ ok: true, data: { cache: 'written' } })
    expect(await h.call('updateReplay', { roomId: kept, closeReplay: 0 })).toMatchObject({ ok: true, data: { cache: 'written' } })
    expect(await h.call('deleteRoom', { id: gone })).toMatchObject({ ok: true, data: { cache: 'written' } })

    const viewerCollections = [COLLECTIONS.rooms, COLLECTIONS.roomsPrivate, COLLECTIONS.replays]
    const snapshot = () => viewerCollections.map((c) => JSON.stringify(h.emu.engine.find(c, {}, { sort: { _id: 1 } })))
    const counts = () => viewerCollections.map((c) => h.emu.engine.count(c, {}))
    const before = { docs: snapshot(), counts: counts(), listCalls: listCalls() }
    const run = await h.emu.fireTimer('liveSync')
    if (run.status !== 'ok') throw new Error(`liveSync failed: ${run.errorMessage}`)
    expect(run.result).toMatchObject({ status: 'ok' })
    // It did read the room list: "nothing changed" is a finding, not a skipped run.
    expect(listCalls()).toBeGreaterThan(before.listCalls)
    expect(counts()).toEqual(before.counts)
    expect(snapshot()).toEqual(before.docs)
  })
})
