// @vitest-environment jsdom
/**
 * The room form creating rooms through liveAdmin: real PNG files picked and uploaded with progress, every field
 * checked as typed with the function's rules, the real-name QR code when the anchor must verify, a half-filled
 * form resumed after leaving the page, and the new room under "upcoming" in the list.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as rules from '../../../miniprogram/merchant/generated/rules'
import { DRAFT_KEY } from '../../../miniprogram/merchant/utils/room-form'
import { formatShanghai } from '../../../miniprogram/merchant/utils/time'
import { OWNER, installMerchantWx, loadMerchantPage, settle, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

// A 1×1 PNG: real image bytes for the upload and the platform's media check.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
const IMAGES = ['coverImg', 'shareImg', 'feedsImg'] as const

let env: MerchantEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv()
})
afterAll(async () => {
  await env.stop()
})
beforeEach(async () => {
  await env.admin.emu.reset()
  // Each test starts as a phone with no draft: the env's storage otherwise lasts across tests.
  env.storage.clear()
  installMerchantWx(env, OWNER)
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(path: string, query: Record<string, string> = {}): Promise<SimNode> {
  page?.detach()
  page = loadMerchantPage(path)
  await settle()
  await page.instance.onLoad(query)
  return page
}

async function openForm(): Promise<SimNode> {
  const p = await open('merchant/pages/room-edit/index')
  await until(() => expect(p.data.loadState).toBe('ready'))
  return p
}

const input = (p: SimNode, field: string, value: string): void => p.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } })

/** Picks a PNG for one image cell and waits for its upload; the percentages the cell showed on the way. */
async function pickImage(p: SimNode, field: (typeof IMAGES)[number]): Promise<number[]> {
  const path = env.writeFile(`${field}.png`, PNG)
  env.picked.media = [{ tempFilePath: path, size: PNG.length, fileType: 'image' }]
  const seen: number[] = []
  const setData = p.instance.setData.bind(p.instance)
  p.instance.setData = (d: Record<string, unknown>, cb?: () => void) => {
    const key = `form.images.${field}.percent`
    if (key in d) seen.push(Number(d[key]))
    return setData(d, cb)
  }
  try {
    await p.instance.onPickImage({ currentTarget: { dataset: { field } } })
  } finally {
    p.instance.setData = setData
  }
  return seen
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

async function fill(p: SimNode, o: { name: string; anchorWechat: string; startIn: number; length: number }): Promise<{ start: number; end: number }> {
  input(p, 'name', o.name)
  input(p, 'anchorName', '小美老师')
  input(p, 'anchorWechat', o.anchorWechat)
  // Whole minutes: the picker chooses minutes.
  const start = Math.ceil((nowSeconds() + o.startIn) / 60) * 60
  const end = start + o.length
  p.instance.onOpenPicker({ currentTarget: { dataset: { field: 'start' } } })
  expect(p.data.picker.visible).toBe(true)
  p.instance.onPickerConfirm({ detail: { value: formatShanghai(start) } })
  p.instance.onOpenPicker({ currentTarget: { dataset: { field: 'end' } } })
  p.instance.onPickerConfirm({ detail: { value: formatShanghai(end) } })
  for (const f of IMAGES) await pickImage(p, f)
  return { start, end }
}

describe('room form: create', () => {
  it('uploads three picked PNGs with progress, creates the room with its Shanghai times, and the list shows it under upcoming', async () => {
    const p = await openForm()
    input(p, 'name', '春茶上新专场直播')
    input(p, 'anchorName', '小美老师')
    input(p, 'anchorWechat', 'anchor_xiaomei')
    const start = Math.ceil((nowSeconds() + 2 * 3600) / 60) * 60
    p.instance.onOpenPicker({ currentTarget: { dataset: { field: 'start' } } })
    p.instance.onPickerConfirm({ detail: { value: formatShanghai(start) } })
    p.instance.onOpenPicker({ currentTarget: { dataset: { field: 'end' } } })
    p.instance.onPickerConfirm({ detail: { value: formatShanghai(start + 3 * 3600) } })
    expect(p.data.canSubmit).toBe(false)
    expect(p.data.summary).toContain('封面图')

    for (const f of IMAGES) {
      const seen = await pickImage(p, f)
      expect(seen[seen.length - 1]).toBe(100)
      expect(p.data.form.images[f].fileId).toMatch(/^cloud:\/\//)
      expect(p.data.form.images[f].uploading).toBe(false)
    }
    expect(p.querySelectorAll('.img-progress').length).toBe(3)
    const stored = (await (await fetch(`${env.admin.emu.url}/__sandbox/storage`)).json()) as { files: { fileID: string }[] }
    expect(stored.files.map((f) => f.fileID).sort()).toEqual(IMAGES.map((f) => p.data.form.images[f].fileId).sort())

    expect(p.data.problems).toEqual({})
    expect(p.data.canSubmit).toBe(true)
    await p.instance.onSubmit()

    const rooms = env.admin.emu.control.rooms()
    expect(rooms).toHaveLength(1)
    expect(rooms[0]).toMatchObject({ name: '春茶上新专场直播', anchorName: '小美老师', startTime: start, endTime: start + 3 * 3600, status: 'upcoming' })
    expect(env.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '直播间已创建' }))
    expect(env.wx.navigateBack).toHaveBeenCalled()
    expect(env.storage.has(DRAFT_KEY)).toBe(false)

    const list = await open('merchant/pages/rooms/index')
    await until(() => expect(list.data.loadState).toBe('ready'))
    expect(list.data.tab).toBe('upcoming')
    expect(list.data.rows.map((r: { roomId: number }) => r.roomId)).toEqual([rooms[0]!.roomId])
    expect(text(list)).toContain('春茶上新专场直播')
    expect(text(list)).toContain(formatShanghai(start))
  })

  it('marks a name too short next to the field while typing, and submits nothing', async () => {
    const p = await openForm()
    await fill(p, { name: '春茶上新专场直播', anchorWechat: 'anchor_xiaomei', startIn: 3600, length: 7200 })
    input(p, 'name', '春')
    await until(() => expect(p.data.shown.name).toBeTruthy())
    expect(p.data.shown.name).toBe(rules.checkRoomName('春')?.zh)
    expect(text(p)).toContain(p.data.shown.name)
    expect(p.data.nameWidth).toBe(2)
    expect(p.data.canSubmit).toBe(false)
    expect(p.data.shown.anchorName).toBeUndefined()

    const before = env.admin.liveCalls()
    await p.instance.onSubmit()
    expect(env.admin.liveCalls()).toBe(before)
    expect(env.admin.emu.control.rooms()).toEqual([])
    expect(env.admin.audit().filter((a) => a.action === 'createRoom')).toEqual([])
  })

  it('marks a start too soon and an end past 24 hours from the rules, in Shanghai time', async () => {
    const p = await openForm()
    const start = Math.ceil((nowSeconds() + 120) / 60) * 60
    p.instance.onOpenPicker({ currentTarget: { dataset: { field: 'start' } } })
    p.instance.onPickerConfirm({ detail: { value: formatShanghai(start) } })
    expect(p.data.shown.startTime).toContain('10 分钟')
    p.instance.onPickerConfirm({ detail: { value: formatShanghai(start + 3600) } })
    p.instance.onOpenPicker({ currentTarget: { dataset: { field: 'end' } } })
    expect(p.data.picker.min).toBe(formatShanghai(start + 3600 + 1800))
    p.instance.onPickerConfirm({ detail: { value: formatShanghai(start + 3600 + 25 * 3600) } })
    expect(p.data.shown.endTime).toContain('24 小时')
    expect(p.data.window.text).toContain('30 分钟')
  })

  it('refuses an image over its size before uploading it', async () => {
    const p = await openForm()
    const path = env.writeFile('big.png', PNG)
    env.picked.media = [{ tempFilePath: path, size: 200 * 1024, fileType: 'image' }]
    await p.instance.onPickImage({ currentTarget: { dataset: { field: 'feedsImg' } } })
    expect(p.data.shown.feedsImg).toContain('100 KB')
    expect(p.data.form.images.feedsImg.fileId).toBe('')
    const stored = (await (await fetch(`${env.admin.emu.url}/__sandbox/storage`)).json()) as { files: unknown[] }
    expect(stored.files).toEqual([])
  })

  it('shows the real-name QR code when the anchor is not verified, and creates the room once they are', async () => {
    env.admin.emu.control.setUserVerified('anchor_unverified', false)
    const p = await openForm()
    await fill(p, { name: '实名认证测试专场', anchorWechat: 'anchor_unverified', startIn: 3600, length: 7200 })
    expect(p.data.canSubmit).toBe(true)
    await p.instance.onSubmit()

    expect(env.admin.emu.control.rooms()).toEqual([])
    expect(p.data.realnameQr).toMatch(/^https?:\/\//)
    expect(p.querySelector('.realname-qr')).toBeTruthy()
    expect(text(p)).toContain('主播还没有完成实名认证')
    expect(p.data.shown.anchorWechat).toContain('300036')
    expect(p.data.canSubmit).toBe(false)

    await p.instance.onSaveQr()
    expect(env.wx.downloadFile).toHaveBeenCalledWith(expect.objectContaining({ url: p.data.realnameQr }))
    expect(env.wx.saveImageToPhotosAlbum).toHaveBeenCalled()

    env.admin.emu.control.setUserVerified('anchor_unverified', true)
    await p.instance.onRealnameDone()
    expect(env.admin.emu.control.rooms().map((r) => r.name)).toEqual(['实名认证测试专场'])
    expect(p.data.realnameQr).toBe('')
  })

  it('keeps a half-filled form, uploads included, when the merchant leaves and comes back', async () => {
    const p = await openForm()
    input(p, 'name', '离开后继续填写的专场')
    await pickImage(p, 'coverImg')
    const fileId = p.data.form.images.coverImg.fileId
    expect(fileId).toMatch(/^cloud:\/\//)

    const again = await openForm()
    expect(again.data.form.name).toBe('离开后继续填写的专场')
    expect(again.data.form.images.coverImg.fileId).toBe(fileId)
    expect(again.data.form.images.shareImg.fileId).toBe('')
  })
})
