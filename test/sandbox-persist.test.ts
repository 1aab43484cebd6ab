import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Clock } from '../emulator/clock'
import { LiveSandbox, type SandboxOptions, type SandboxSnapshot } from '../emulator/sandbox/sandbox'
import { createControl } from '../emulator/sandbox/control'
import { attachSandboxPersistence } from '../emulator/sandbox/persist'
import { makeSandbox, type SandboxKit } from '../emulator/sandbox/testing'
import { SandboxControlError } from '../emulator/sandbox/errors'
import type { LiveReply } from '../emulator/sandbox/types'
import type { LoadProblem } from '../emulator/durable'

/** Getting the room share code may be called twice a day here, so the quota ledger is visible in replies. */
const OPTIONS: SandboxOptions = { quotas: { getSharedCode: 2 } }

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sandbox-persist-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

async function ok(kit: SandboxKit, id: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const body = await kit.call(id, params)
  expect(body.errcode, `${id}: ${String(body.errmsg)}`).toBe(0)
  return body
}

/** A seeded account after a realistic afternoon of API calls, with a fault still pending and a token issued. */
async function busyAccount(): Promise<{ kit: SandboxKit; newRoom: number; newGoods: number; live: number; token: string }> {
  const kit = makeSandbox(OPTIONS)
  const seed = kit.control.seedDemo()
  const live = seed.rooms.live
  const newRoom = (await ok(kit, 'createRoom', kit.roomBody({ name: '持久化测试直播间' }))).roomId as number
  const newGoods = (await ok(kit, 'goodsAdd', {
    goodsInfo: { coverImgUrl: kit.image(2048), name: '新到白茶', priceType: 1, price: 66, url: 'pages/goods/detail?id=white-1' },
  })).goodsId as number
  await ok(kit, 'importGoods', { roomId: newRoom, ids: [seed.goods.approved[0]] })
  await ok(kit, 'addRole', { username: 'new_operator1', role: 3 })
  await ok(kit, 'addRole', { username: 'new_operator1', role: 1 })
  await ok(kit, 'goodsPush', { roomId: live, goodsId: seed.goods.approved[0] })
  await ok(kit, 'pushMessage', { room_id: live, user_openid: ['oViewer1'] })
  await ok(kit, 'setGoodsKey', { goodsKey: ['tea', 'cup'] })
  await ok(kit, 'getSharedCode', { roomId: live })
  await ok(kit, 'getSharedCode', { roomId: live })
  kit.control.setUserVerified('shy_anchor1', false)
  kit.control.auditGoods(seed.goods.underReview, 'approve')
  kit.sandbox.addFault({ api: 'liveBroadcast.getLiveInfo', times: 3, errcode: 300001 })
  // One of the three faults is used up before the snapshot; two stay pending.
  expect((await kit.call('getLiveInfo', { start: 0, limit: 10 })).errcode).toBe(300001)
  const token = String(kit.sandbox.issueAccessToken({ appid: kit.sandbox.options.appid, secret: kit.sandbox.options.secret }).access_token)
  return { kit, newRoom, newGoods, live, token }
}

function sandboxOn(clock: Clock): LiveSandbox {
  return new LiveSandbox({ clock, options: OPTIONS })
}

/** Error messages end in a fresh request id per reply, like WeChat's; the rest must match. */
function withoutRid(reply: LiveReply): LiveReply {
  const errmsg = reply.body.errmsg
  if (typeof errmsg !== 'string') return reply
  return { ...reply, body: { ...reply.body, errmsg: errmsg.replace(/ rid: [0-9a-f-]+$/, '') } }
}

/** The same calls against both sandboxes must get the same wire replies. */
async function expectSameReplies(a: LiveSandbox, b: LiveSandbox, calls: [string, Record<string, unknown>][]): Promise<Record<string, unknown>[]> {
  const bodies: Record<string, unknown>[] = []
  for (const [endpointId, params] of calls) {
    const ra = await a.callApi({ endpointId, params, via: 'cloud' })
    const rb = await b.callApi({ endpointId, params, via: 'cloud' })
    expect(withoutRid(rb), `${endpointId} ${JSON.stringify(params)}`).toEqual(withoutRid(ra))
    bodies.push(ra.body)
  }
  return bodies
}

describe('snapshot and restore', () => {
  it('a restored sandbox on the same clock has the same truth, call log and replies as the original', async () => {
    const { kit, newRoom, newGoods, live, token } = await busyAccount()
    // Uploaded before the snapshot, so both sandboxes know these images.
    const nextRoom = kit.roomBody()
    const snap = JSON.parse(JSON.stringify(kit.sandbox.snapshot())) as SandboxSnapshot
    expect(snap.version).toBe(1)
    expect(snap.faults).toEqual([{ api: 'liveBroadcast.getLiveInfo', times: 3, remaining: 2, errcode: 300001 }])

    const copy = sandboxOn(kit.clock)
    copy.restore(snap)
    expect(copy.snapshot()).toEqual(kit.sandbox.snapshot())
    expect(copy.truth()).toEqual(kit.sandbox.truth())
    expect(copy.calls()).toEqual(kit.sandbox.calls())
    expect(copy.truth().rooms.map((r) => r.roomId)).toContain(newRoom)
    expect(copy.truth().goods.map((g) => g.goodsId)).toContain(newGoods)
    expect(copy.checkAccessToken(token)).toBe(0)

    // The uploaded cover's bytes come back byte for byte.
    const cover = copy.state.rooms.get(newRoom)!.coverImg
    expect(copy.media(cover)).toEqual(kit.sandbox.media(cover))
    expect(copy.media(cover)!.bytes.length).toBe(1024)

    const replies = await expectSameReplies(kit.sandbox, copy, [
      // The two pending faults answer first on both, then the real list page.
      ['getLiveInfo', { start: 0, limit: 100 }],
      ['getLiveInfo', { start: 0, limit: 100 }],
      ['getLiveInfo', { start: 0, limit: 100 }],
      ['getLiveInfo', { start: 2, limit: 3 }],
      ['goodsList', { offset: 0, limit: 30, status: 2 }],
      ['goodsList', { offset: 0, limit: 30, status: 0 }],
      ['goodsInfo', { goods_ids: [newGoods, 1, 2] }],
      ['getRoleList', { role: -1, limit: 30 }],
      ['getRoleList', { role: 3, limit: 30 }],
      ['getFollowers', { limit: 50 }],
      ['getGoodsKey', {}],
      // Quota already used twice today: 45009 on both.
      ['getSharedCode', { roomId: live }],
      // The card pushed a moment ago still blocks another push.
      ['goodsPush', { roomId: live, goodsId: 2 }],
      // The unverified user stays unverified.
      ['addRole', { username: 'shy_anchor1', role: 2 }],
      // Counters continue where they were: the same new room id on both.
      ['createRoom', nextRoom],
    ])
    expect(replies.map((r) => r.errcode)).toEqual([300001, 300001, 0, 0, 0, 0, 0, 0, 0, 0, 0, 45009, 300047, 400002, 0])
    expect(replies[2].total).toBe(9)
    expect(replies.at(-1)!.roomId).toBe(newRoom + 1)
    expect(copy.calls()).toEqual(kit.sandbox.calls())

    // Time-derived state moves the same way after restore (pushing expires, the live room ends, replays appear).
    kit.clock.advance(3 * 3600 * 1000)
    expect(copy.truth()).toEqual(kit.sandbox.truth())
  })

  it('restore rebuilds the room order, so a room created afterwards lands in the right place of the list', async () => {
    const kit = makeSandbox()
    kit.control.seedDemo()
    // Starts between the seeded upcoming room and the live one, so it lands mid-list.
    const mid = kit.clock.nowSeconds() + 3600
    const body = kit.roomBody({ startTime: mid, endTime: mid + 3600 })
    const copy = sandboxOn(kit.clock)
    copy.restore(JSON.parse(JSON.stringify(kit.sandbox.snapshot())))
    const [created, page] = await expectSameReplies(kit.sandbox, copy, [
      ['createRoom', body],
      ['getLiveInfo', { start: 0, limit: 100 }],
    ])
    // Newest start first: the upcoming demo room, then this one.
    expect((page.room_info as { roomid: number }[])[1].roomid).toBe(created.roomId)
  })

  it('rejects a malformed snapshot naming the field, and leaves the sandbox as it was', async () => {
    const { kit, newRoom } = await busyAccount()
    const good = kit.sandbox.snapshot()
    const target = sandboxOn(kit.clock)
    target.restore(JSON.parse(JSON.stringify(good)))
    const before = target.snapshot()

    const roomIndex = good.rooms.findIndex((r) => r.roomId === newRoom)
    const badType = structuredClone(good) as unknown as { rooms: Record<string, unknown>[] }
    badType.rooms[roomIndex].type = 7
    expect(() => target.restore(badType)).toThrow(new RegExp(`^restore: rooms\\.${roomIndex}\\.type: `))

    const badBytes = structuredClone(good) as unknown as { media: Record<string, unknown>[] }
    badBytes.media[0].bytes = 'not base64!'
    expect(() => target.restore(badBytes)).toThrow(/^restore: media\.0\.bytes: must be base64/)

    const dupRoom = structuredClone(good)
    dupRoom.rooms[1].roomId = dupRoom.rooms[0].roomId
    expect(() => target.restore(dupRoom)).toThrow(/^restore: rooms\.1\.roomId: duplicate roomId/)

    const staleCounter = structuredClone(good)
    staleCounter.counters.nextGoodsId = 1
    expect(() => target.restore(staleCounter)).toThrow(/^restore: counters\.nextGoodsId: must be greater than/)

    const unknownApi = structuredClone(good)
    unknownApi.faults[0].api = 'liveBroadcast.noSuchApi'
    expect(() => target.restore(unknownApi)).toThrow(/^restore: faults\.0\.api: liveBroadcast\.noSuchApi/)

    const { version: _version, ...noVersion } = good
    let caught: unknown
    try {
      target.restore(noVersion)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(SandboxControlError)
    expect((caught as SandboxControlError).field).toBe('version')

    expect(() => target.restore('not a snapshot')).toThrow(/^restore: \(input\): /)
    expect(target.snapshot()).toEqual(before)
  })
})

describe('change hook', () => {
  it('fires after API calls, uploads, tokens, faults and control operations, and stops after unsubscribe', async () => {
    const kit = makeSandbox()
    let n = 0
    const off = kit.sandbox.onChange(() => n++)
    await kit.call('getRoleList', { role: -1 })
    expect(n).toBe(1)
    kit.image()
    kit.sandbox.issueAccessToken({ appid: 'wrong', secret: 'x' })
    kit.sandbox.addFault({ api: 'liveBroadcast.getRoleList', times: 1, errcode: 300001 })
    expect(n).toBe(4)
    kit.control.setUserVerified('some_user1', false)
    expect(n).toBe(5)
    expect(() => kit.control.roomEvent(999, 'start')).toThrow(SandboxControlError)
    expect(n).toBe(6)
    kit.control.calls()
    kit.control.pushedMessages()
    expect(n).toBe(6)
    off()
    await kit.call('getRoleList', { role: -1 })
    expect(n).toBe(6)
  })
})

describe('persistence file', () => {
  it('saves after changes, and a new sandbox attached to the file picks the account up', async () => {
    const dir = tempDir()
    const file = join(dir, 'sandbox', 'live-sandbox.json')
    const { kit } = await busyAccount()
    const first = attachSandboxPersistence(kit.sandbox, file)
    expect(existsSync(file)).toBe(false)
    await kit.call('getRoleList', { role: -1 })
    await first.flush()
    expect(existsSync(file)).toBe(true)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(kit.sandbox.snapshot())))
    // Only the file itself: the temp file was renamed over it.
    expect(readdirSync(join(dir, 'sandbox'))).toEqual(['live-sandbox.json'])

    const restarted = sandboxOn(kit.clock)
    const second = attachSandboxPersistence(restarted, file)
    expect(restarted.truth()).toEqual(kit.sandbox.truth())
    expect(restarted.calls()).toEqual(kit.sandbox.calls())
    await expectSameReplies(kit.sandbox, restarted, [
      ['getLiveInfo', { start: 0, limit: 100 }],
      ['goodsList', { offset: 0, status: 2 }],
      ['getRoleList', { role: -1, limit: 30 }],
    ])
    first.detach()

    // Changes made after the restart are saved too, including a control-plane one.
    const control = createControl(restarted)
    const { roomId } = control.createRoom({
      name: '重启后新建',
      startTime: kit.clock.nowSeconds() + 7200,
      endTime: kit.clock.nowSeconds() + 9000,
      anchorName: '小美老师',
      anchorWechat: 'anchor_xiaomei',
    })
    await second.flush()
    second.detach()
    const third = sandboxOn(kit.clock)
    attachSandboxPersistence(third, file).detach()
    expect(third.truth().rooms.map((r) => r.roomId)).toContain(roomId)
    expect(third.truth()).toEqual(restarted.truth())
  })

  it('flush with nothing changed writes nothing', async () => {
    const dir = tempDir()
    const file = join(dir, 'live-sandbox.json')
    const p = attachSandboxPersistence(makeSandbox().sandbox, file)
    await p.flush()
    expect(existsSync(file)).toBe(false)
    p.detach()
  })

  it('has every change in the journal when the call returns, so a sandbox that never flushed loses nothing', async () => {
    const dir = tempDir()
    const file = join(dir, 'sandbox', 'live-sandbox.json')
    const { kit } = await busyAccount()
    attachSandboxPersistence(kit.sandbox, file)
    const { roomId } = kit.control.createRoom({
      name: '未落盘的直播间',
      startTime: kit.clock.nowSeconds() + 7200,
      endTime: kit.clock.nowSeconds() + 9000,
      anchorName: '小美老师',
      anchorWechat: 'anchor_xiaomei',
    })
    kit.sandbox.addFault({ api: 'liveBroadcast.getLiveInfo', times: 2, errcode: 300001 })
    await kit.call('getRoleList', { role: -1 })
    // no flush: abandoned as a killed process would be; the journal holds every change
    expect(readdirSync(join(dir, 'sandbox')).sort()).toEqual(['live-sandbox.journal'])

    const restarted = sandboxOn(kit.clock)
    const problems: LoadProblem[] = []
    attachSandboxPersistence(restarted, file, { onLoadProblem: (p) => problems.push(p) }).detach()
    expect(problems).toEqual([])
    expect(restarted.truth().rooms.map((r) => r.roomId)).toContain(roomId)
    expect(restarted.snapshot()).toEqual(kit.sandbox.snapshot())
  })

  it('journals a change to one room as that room, not as the whole account', async () => {
    const dir = tempDir()
    const file = join(dir, 'live-sandbox.json')
    const kit = makeSandbox(OPTIONS)
    const persistence = attachSandboxPersistence(kit.sandbox, file)
    const seed = kit.control.seedDemo()
    await persistence.flush()
    kit.control.roomEvent(seed.rooms.upcoming, 'start')
    const [line] = readFileSync(join(dir, 'live-sandbox.journal'), 'utf8').trim().split('\n')
    const record = JSON.parse(line.slice(line.indexOf(' ') + 1)) as { set?: object; items?: Record<string, { put: { roomId: number }[] }> }
    expect(Object.keys(record.set ?? {})).toEqual([])
    expect(record.items?.rooms.put.map((r) => r.roomId)).toEqual([seed.rooms.upcoming])
    persistence.detach()
  })

  it('moves a snapshot that is not JSON aside and starts empty, saying how to recover', () => {
    const dir = tempDir()
    const file = join(dir, 'live-sandbox.json')
    writeFileSync(file, '{"version": 1, "rooms": [')
    const problems: LoadProblem[] = []
    const sandbox = makeSandbox().sandbox
    attachSandboxPersistence(sandbox, file, { onLoadProblem: (p) => problems.push(p) }).detach()
    expect(sandbox.truth().rooms).toEqual([])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ file, problem: expect.stringMatching(/^live sandbox snapshot is not valid JSON/) })
    expect(readFileSync(problems[0].keptAt!, 'utf8')).toBe('{"version": 1, "rooms": [')
    expect(problems[0].recovery).toMatch(/rename it to live-sandbox\.json/)
  })

  it('leaves out the records the snapshot schema refuses, naming each, and loads the rest', () => {
    const dir = tempDir()
    const file = join(dir, 'live-sandbox.json')
    const kit = makeSandbox()
    kit.control.seedDemo()
    const snap = kit.sandbox.snapshot() as unknown as { members: Record<string, unknown>[]; rooms: Record<string, unknown>[] }
    const badRoom = snap.rooms[1].roomId
    snap.members[0].roles = ['admin']
    snap.rooms[1].type = 7
    const original = JSON.stringify(snap)
    writeFileSync(file, original)
    const target = makeSandbox().sandbox
    const problems: LoadProblem[] = []
    attachSandboxPersistence(target, file, { onLoadProblem: (p) => problems.push(p) }).detach()
    expect(problems).toHaveLength(1)
    expect(problems[0].problem).toMatch(/^live sandbox records refused and left out: /)
    expect(problems[0].problem).toMatch(/rooms\.1\.type: /)
    expect(problems[0].problem).toMatch(/members\.0\.roles\.0: /)
    expect(readFileSync(problems[0].keptAt!, 'utf8')).toBe(original)
    const rooms = target.truth().rooms.map((r) => r.roomId)
    expect(rooms).not.toContain(badRoom)
    expect(rooms).toHaveLength(kit.sandbox.truth().rooms.length - 1)
  })
})
