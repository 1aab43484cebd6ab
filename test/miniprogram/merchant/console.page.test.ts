// @vitest-environment jsdom
/**
 * The room console against the emulator: goods added and approved through liveAdmin, imported into the room
 * (the unapproved ones greyed and not importable), pushed during a live, taken off and put on sale, reordered and
 * removed; a switch the platform refuses goes back with the Chinese sentence; assistants and sub-anchor; the push
 * URL copied; the share code saved to the album; the room re-read at most once a minute.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null
let storage: Map<string, unknown>
let openSetting: ReturnType<typeof vi.fn>

beforeAll(async () => {
  env = await startMerchantEnv()
})
afterAll(async () => {
  await env.stop()
})
beforeEach(() => {
  installMerchantWx(env)
  // simulate's storage keeps nothing; the console remembers sale flags in it, so give it a real one
  storage = new Map()
  openSetting = vi.fn((o?: { success?: (r: unknown) => void }) => {
    o?.success?.({ errMsg: 'openSetting:ok', authSetting: {} })
    return Promise.resolve({ errMsg: 'openSetting:ok' })
  })
  const base = (globalThis as unknown as { wx: Record<string, unknown> }).wx
  vi.stubGlobal('wx', {
    ...base,
    getStorageSync: (k: string) => (storage.has(k) ? structuredClone(storage.get(k)) : ''),
    setStorageSync: (k: string, v: unknown) => void storage.set(k, structuredClone(v)),
    openSetting,
  })
})
afterEach(() => {
  page?.detach()
  page = null
  vi.useRealTimers()
})

const url = (path: string) => `${env.admin.emu.url}${path}`

async function sandbox(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const res = await fetch(url(path), { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  expect(res.status, `${method} ${path}`).toBe(200)
  return res.json()
}

/** liveAdmin's data for an action that must succeed. */
async function adminData(action: string, params: unknown): Promise<any> {
  const reply = await env.admin.call(action, params)
  if (!reply.ok) throw new Error(`${action} refused: ${JSON.stringify(reply.error)}`)
  return reply.data
}

async function sandboxRoom(roomId: number): Promise<any> {
  const rooms = (await sandbox('GET', '/__sandbox/rooms')) as any[]
  return rooms.find((r) => r.roomId === roomId)
}

async function callsTo(api: string): Promise<number> {
  const calls = (await sandbox('GET', '/__sandbox/calls')) as Record<string, Record<string, number>>
  return Object.values(calls).reduce((n, perApi) => n + (perApi[api] ?? 0), 0)
}

/** A push-type room starting in an hour, made through the sandbox. */
async function newRoom(name: string): Promise<number> {
  const now = env.admin.emu.clock.nowSeconds()
  const { roomId } = await sandbox('POST', '/__sandbox/rooms', { name, startTime: now + 3600, endTime: now + 7200, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei', type: 1 })
  return roomId
}

/** A warehouse item added through liveAdmin (it goes to review), approved by the sandbox unless told otherwise. */
async function newGoods(name: string, approve = true): Promise<number> {
  const cover = String(env.admin.emu.sandbox.uploadMedia({ type: 'image', bytes: Buffer.alloc(1024, 7), filename: 'cover.png' }).media_id)
  const added = await adminData('goodsAdd', { goodsInfo: { coverImgUrl: cover, name, priceType: 1, price: 88, url: 'pages/room/index?goods=1' } })
  const goodsId = added.goodsId as number
  if (approve) await sandbox('POST', `/__sandbox/goods/${goodsId}/audit`, { result: 'approve' })
  return goodsId
}

/** Up to 40 s: on a shared 2-core machine a cold liveAdmin answers its first calls slowly. */
const PATIENT = 1600
const wait = (check: () => void): Promise<void> => until(check, PATIENT)

async function open(roomId: number): Promise<SimNode> {
  page = loadMerchantPage('merchant/pages/console/index')
  await page.instance.onLoad({ roomId: String(roomId) })
  const p = page
  await wait(() => expect(p.data.roomState).toBe('ready'))
  await wait(() => expect(p.data.assistantState).toBe('ready'))
  await wait(() => expect(p.data.subState).toBe('ready'))
  return p
}

const tap = (id: number, extra: Record<string, unknown> = {}) => ({ currentTarget: { dataset: { id: String(id), ...extra } } })
const ids = (p: SimNode) => p.data.goods.map((g: { goodsId: number }) => g.goodsId)

describe('room console: goods in the room', { timeout: 120_000 }, () => {
  let roomId: number
  let a: number
  let b: number
  let pending: number

  beforeAll(async () => {
    roomId = await newRoom('春茶上新直播间')
    a = await newGoods('明前龙井')
    b = await newGoods('洞庭碧螺春')
    pending = await newGoods('正山小种', false)
  })

  it('imports two approved goods; the one under review is greyed with its reason and cannot be picked', async () => {
    const p = await open(roomId)
    expect(p.data.goods).toEqual([])
    expect(p.querySelector('.goods-empty')).toBeTruthy()

    await p.instance.onOpenPicker()
    await wait(() => expect(p.data.pickerState).toBe('ready'))
    const row = (id: number) => p.data.pickRows.find((r: { goodsId: number }) => r.goodsId === id)
    expect(row(a)).toMatchObject({ selectable: true, auditText: '已通过' })
    expect(row(pending)).toMatchObject({ selectable: false, auditText: '审核中' })
    expect(row(pending).reason).toContain('审核通过后才能导入')
    expect(p.querySelectorAll(`.pick-${pending}`).length).toBe(1)
    expect(p.querySelectorAll('.pick-off').length).toBeGreaterThanOrEqual(1)

    p.instance.onPick(tap(pending))
    expect(p.data.pickedCount).toBe(0)
    p.instance.onPick(tap(a))
    p.instance.onPick(tap(b))
    expect(p.data.pickedCount).toBe(2)

    await p.instance.onImport()
    await wait(() => expect(ids(p)).toEqual([a, b]))
    expect(p.data.pickerOpen).toBe(false)
    expect((await sandboxRoom(roomId)).goods.map((g: { goodsId: number }) => g.goodsId)).toEqual([a, b])
    expect(text(p)).toContain('明前龙井')
    expect(text(p)).toContain('¥88.00')
  })

  it('pushes one goods item during the live, and says so in Chinese when another push is still up', async () => {
    let p = await open(roomId)
    expect(p.data.head.isLive).toBe(false)
    const before = await callsTo('liveBroadcast.goodsPush')
    await p.instance.onPush(tap(a))
    expect(await callsTo('liveBroadcast.goodsPush')).toBe(before)

    await sandbox('POST', `/__sandbox/rooms/${roomId}/events`, { event: 'start' })
    p.detach()
    p = await open(roomId)
    expect(p.data.head.isLive).toBe(true)
    expect(p.data.head.statusText).toBe('直播中')

    await p.instance.onPush(tap(a))
    expect(await callsTo('liveBroadcast.goodsPush')).toBe(before + 1)
    expect(env.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已推送给观众' }))
    expect(env.wx.showModal).not.toHaveBeenCalled()
    expect(p.data.goods[0].busy).toBe('')

    // the card stays up for a while (300047): the second push is refused with the platform's sentence
    await p.instance.onPush(tap(b))
    expect(env.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('已有商品正在推送') }))
    expect(env.wx.showModal.mock.calls[0]?.[0].content).toContain('300047')
  })

  it('takes a goods item off sale and back, and remembers it when the console is reopened', async () => {
    let p = await open(roomId)
    await p.instance.onSale(tap(b))
    expect((await sandboxRoom(roomId)).goods.find((g: { goodsId: number }) => g.goodsId === b).onSale).toBe(0)
    expect(p.data.goods[1]).toMatchObject({ goodsId: b, onSale: 0, busy: '' })
    expect(text(p)).toContain('已下架')

    p.detach()
    p = await open(roomId)
    expect(p.data.goods[1]).toMatchObject({ goodsId: b, onSale: 0 })
    await p.instance.onSale(tap(b))
    expect((await sandboxRoom(roomId)).goods.find((g: { goodsId: number }) => g.goodsId === b).onSale).toBe(1)
    expect(p.data.goods[1].onSale).toBe(1)
  })

  it('reorders with up and down, and puts the order back when the platform refuses', async () => {
    const p = await open(roomId)
    await p.instance.onMove(tap(b, { delta: '-1' }))
    expect(ids(p)).toEqual([b, a])
    expect((await sandboxRoom(roomId)).goods.map((g: { goodsId: number }) => g.goodsId)).toEqual([b, a])

    await sandbox('POST', '/__sandbox/faults', { api: 'liveBroadcast.goodsSort', times: 1, errcode: 300048 })
    await p.instance.onMove(tap(b, { delta: '1' }))
    expect(ids(p)).toEqual([b, a])
    expect((await sandboxRoom(roomId)).goods.map((g: { goodsId: number }) => g.goodsId)).toEqual([b, a])
    expect(env.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('300048') }))
    expect(p.data.sorting).toBe(false)

    await p.instance.onMove(tap(a, { delta: '1' }))
    expect(ids(p)).toEqual([b, a])
  })

  it('removes a goods item from the room only after the merchant confirms', async () => {
    // past the pushed card's time on screen, during which the platform refuses removals (300047)
    await sandbox('POST', '/__sandbox/clock', { advance: 120 })
    const p = await open(roomId)
    env.modalAnswer.confirm = false
    await p.instance.onRemove(tap(a))
    expect(ids(p)).toEqual([b, a])
    expect((await sandboxRoom(roomId)).goods).toHaveLength(2)

    env.modalAnswer.confirm = true
    await p.instance.onRemove(tap(a))
    expect(ids(p)).toEqual([b])
    expect((await sandboxRoom(roomId)).goods.map((g: { goodsId: number }) => g.goodsId)).toEqual([b])
    expect((await sandbox('GET', '/__sandbox/goods')).some((g: { goodsId: number }) => g.goodsId === a)).toBe(true)
  })

  it('shows the explanation clip once made, and why not before', async () => {
    const p = await open(roomId)
    await p.instance.onPush(tap(b))
    expect(env.wx.showModal).not.toHaveBeenCalled()
    await p.instance.onVideo(tap(b))
    expect(p.data.goods[0]).toMatchObject({ goodsId: b, videoUrl: '', busy: '' })
    expect(env.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('讲解视频尚未生成（错误码 300045）') }))

    await sandbox('POST', '/__sandbox/clock', { advance: 301 })
    await p.instance.onVideo(tap(b))
    expect(p.data.goods[0].videoUrl).toMatch(/^https:\/\//)
    p.instance.onCopyVideo(tap(b))
    expect(env.wx.setClipboardData).toHaveBeenCalledWith(expect.objectContaining({ data: p.data.goods[0].videoUrl }))
  })
})

describe('room console: switches, people, push URL and share code', { timeout: 120_000 }, () => {
  let roomId: number

  beforeAll(async () => {
    roomId = await newRoom('夏日茶会直播间')
  })

  it('turns the replay off and the comment ban on; a refused switch goes back with the Chinese sentence', async () => {
    const p = await open(roomId)
    const sw = (key: string) => p.data.switches.find((s: { key: string }) => s.key === key)
    const change = (key: string, value: boolean) => p.instance.onSwitch({ currentTarget: { dataset: { key } }, detail: { value } })
    const replayWas = sw('replay').on

    await sandbox('POST', '/__sandbox/faults', { api: 'liveBroadcast.updateReplay', times: 1, errcode: 300023 })
    await change('replay', !replayWas)
    expect(sw('replay')).toMatchObject({ on: replayWas, busy: false })
    expect(sw('replay').error).toContain('直播间当前状态不允许此操作')
    expect(sw('replay').error).toContain('300023')
    expect(text(p)).toContain('直播间当前状态不允许此操作')
    expect((await sandboxRoom(roomId)).closeReplay).toBe(replayWas ? 0 : 1)

    await change('replay', !replayWas)
    expect(sw('replay')).toMatchObject({ on: !replayWas, busy: false, error: '' })
    expect((await sandboxRoom(roomId)).closeReplay).toBe(replayWas ? 1 : 0)

    await change('banComment', true)
    expect((await sandboxRoom(roomId)).banComment).toBe(1)
    p.detach()
    const again = await open(roomId)
    expect(again.data.switches.find((s: { key: string }) => s.key === 'banComment').on).toBe(true)
  })

  it('adds, renames and removes an assistant, refusing an invalid WeChat ID before sending', async () => {
    const p = await open(roomId)
    expect(p.data.assistants).toEqual([])
    p.instance.onAssistantInput({ currentTarget: { dataset: { field: 'username' } }, detail: { value: '1bad' } })
    p.instance.onAssistantInput({ currentTarget: { dataset: { field: 'nickname' } }, detail: { value: '场控小王' } })
    expect(p.data.aInvalid).toBe(true)
    expect(p.data.aErrors.username).toContain('微信号')
    const before = await callsTo('liveBroadcast.addAssistant')
    await p.instance.onSubmitAssistant()
    expect(await callsTo('liveBroadcast.addAssistant')).toBe(before)

    p.instance.onAssistantInput({ currentTarget: { dataset: { field: 'username' } }, detail: { value: 'helper_wang01' } })
    expect(p.data.aInvalid).toBe(false)
    await p.instance.onSubmitAssistant()
    await wait(() => expect(p.data.assistants.map((x: { alias: string }) => x.alias)).toEqual(['helper_wang01']))
    expect(text(p)).toContain('场控小王')

    p.instance.onEditAssistant({ currentTarget: { dataset: { alias: 'helper_wang01' } } })
    expect(p.data.aMode).toBe('modify')
    p.instance.onAssistantInput({ currentTarget: { dataset: { field: 'nickname' } }, detail: { value: '场控老王' } })
    await p.instance.onSubmitAssistant()
    await wait(() => expect(p.data.assistants[0]?.nickname).toBe('场控老王'))

    await p.instance.onRemoveAssistant({ currentTarget: { dataset: { alias: 'helper_wang01' } } })
    await wait(() => expect(p.data.assistants).toEqual([]))
    expect((await adminData('getAssistantList', { roomId })).list).toEqual([])
  })

  it('sets, changes and deletes the sub-anchor, marking an invalid WeChat ID while typing', async () => {
    const p = await open(roomId)
    expect(p.data.subAnchor).toBe('')
    p.instance.onSubInput({ detail: { value: 'x' } })
    expect(p.data.subInputError).toContain('微信号')

    p.instance.onSubInput({ detail: { value: 'sub_anchor01' } })
    expect(p.data.subInputError).toBe('')
    await p.instance.onSubmitSub()
    await wait(() => expect(p.data.subAnchor).toBe('sub_anchor01'))

    // the platform's own refusal lands next to the field, errcode kept
    p.instance.onSubInput({ detail: { value: 'anchor_xiaomei' } })
    await p.instance.onSubmitSub()
    expect(p.data.subInputError).toContain('500005')
    expect(p.data.subAnchor).toBe('sub_anchor01')

    p.instance.onSubInput({ detail: { value: 'sub_anchor02' } })
    await p.instance.onSubmitSub()
    await wait(() => expect(p.data.subAnchor).toBe('sub_anchor02'))
    expect((await adminData('getSubAnchor', { roomId })).username).toBe('sub_anchor02')

    await p.instance.onDeleteSub()
    await wait(() => expect(p.data.subAnchor).toBe(''))
    expect((await adminData('getSubAnchor', { roomId })).username).toBeNull()
  })

  it('shows the push URL and copies it', async () => {
    const p = await open(roomId)
    await p.instance.onPushUrl()
    expect(p.data.pushUrl).toMatch(/^rtmp:\/\//)
    p.instance.onCopyPushUrl()
    expect(env.wx.setClipboardData).toHaveBeenCalledWith(expect.objectContaining({ data: p.data.pushUrl }))
  })

  it('saves the share code to the album, and offers the settings when the album permission is refused', async () => {
    const p = await open(roomId)
    await p.instance.onShareCode()
    expect(p.data.share.cdnUrl).toMatch(/^https:\/\//)
    expect(p.data.share.posterUrl).toMatch(/^https:\/\//)
    expect(p.querySelector('.share-code')).toBeTruthy()

    await p.instance.onSaveImage({ currentTarget: { dataset: { which: 'code' } } })
    expect(env.wx.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ url: p.data.share.cdnUrl }))
    const saved = env.wx.saveImageToPhotosAlbum.mock.calls[0]?.[0] as { filePath: string }
    expect(saved.filePath).toBe(await env.wx.downloadFile.mock.results[0]?.value.then((r: { tempFilePath: string }) => r.tempFilePath))
    expect(env.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存到相册' }))
    expect(p.data.saving).toBe('')

    env.wx.saveImageToPhotosAlbum.mockImplementationOnce((o: { fail?: (r: unknown) => void }) => {
      o.fail?.({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' })
      return Promise.reject(new Error('auth deny'))
    })
    await p.instance.onSaveImage({ currentTarget: { dataset: { which: 'poster' } } })
    expect(env.wx.downloadFile).toHaveBeenLastCalledWith(expect.objectContaining({ url: p.data.share.posterUrl }))
    expect(p.data.saveError).toContain('相册')
    expect(env.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ confirmText: '去设置' }))
    expect(openSetting).toHaveBeenCalledTimes(1)
  })
})

describe('room console: status refresh', { timeout: 120_000 }, () => {
  it('re-reads the room once a minute while shown, refuses a sooner manual refresh, and stops when hidden', async () => {
    const roomId = await newRoom('秋茶品鉴直播间')
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], shouldAdvanceTime: true })
    const p = await open(roomId)
    p.instance.onShow()
    expect(p.data.head.statusText).toBe('未开始')
    const reads = await callsTo('liveBroadcast.getLiveInfo')

    await sandbox('POST', `/__sandbox/rooms/${roomId}/events`, { event: 'start' })
    p.instance.onRefresh()
    expect(p.data.refreshNote).toMatch(/请 \d+ 秒后再刷新/)
    await p.instance.onPullDownRefresh()
    expect(env.wx.stopPullDownRefresh).toHaveBeenCalled()
    vi.advanceTimersByTime(30_000)
    expect(await callsTo('liveBroadcast.getLiveInfo')).toBe(reads)
    expect(p.data.head.statusText).toBe('未开始')

    vi.advanceTimersByTime(30_000)
    await wait(() => expect(p.data.head.statusText).toBe('直播中'))
    expect(await callsTo('liveBroadcast.getLiveInfo')).toBe(reads + 1)

    p.instance.onHide()
    vi.advanceTimersByTime(180_000)
    expect(await callsTo('liveBroadcast.getLiveInfo')).toBe(reads + 1)

    // back on screen: the manual refresh is allowed again, a minute having passed
    p.instance.onShow()
    p.instance.onRefresh()
    await wait(() => expect(p.data.refreshing).toBe(true))
    await wait(() => expect(p.data.refreshing).toBe(false))
    expect(await callsTo('liveBroadcast.getLiveInfo')).toBe(reads + 2)
    expect(p.data.refreshNote).toBe('')

    p.detach()
    page = null
    vi.advanceTimersByTime(180_000)
    expect(await callsTo('liveBroadcast.getLiveInfo')).toBe(reads + 2)
  })

  it('tells an admin who opens the console without a room id where to open it from, and reads nothing', async () => {
    const reads = await callsTo('liveBroadcast.getLiveInfo')
    const p = loadMerchantPage('merchant/pages/console/index')
    page = p
    await p.instance.onLoad({ roomId: 'abc' })
    await wait(() => expect(p.data.roomState).toBe('error'))
    expect(p.data.gate).toBe('allowed')
    expect(text(p)).toContain('没有指定直播间')
    expect(p.querySelector('.room-retry')).toBeFalsy()
    p.instance.onShow()
    expect(await callsTo('liveBroadcast.getLiveInfo')).toBe(reads)
  })
})
