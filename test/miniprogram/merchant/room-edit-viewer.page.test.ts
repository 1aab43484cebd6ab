// @vitest-environment jsdom
/**
 * Editing a room through the form changes what viewers see at once: liveAdmin writes the room through to the
 * viewers' cache, so the home page shows the new name with no sync run. Also: a second edit needs neither the
 * anchor's WeChat ID nor the images again, since the phone remembers what the platform does not give back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, VIEWER, installMerchantWx, loadMerchantPage, openViewerPage, settle, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

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
afterEach(() => {
  page?.detach()
  page = null
})

/** The viewer's home page on a fresh launch, reading the cache as the viewer does. */
async function openHome(): Promise<SimNode> {
  page?.detach()
  page = (await openViewerPage(env, VIEWER, 'pages/home/index')).page
  const p = page
  await until(() => expect(p.data.status).not.toBe('loading'))
  return p
}

async function openEdit(roomId: number, keepStorage?: Map<string, unknown>): Promise<SimNode> {
  page?.detach()
  installMerchantWx(env, OWNER)
  if (keepStorage) for (const [k, v] of keepStorage) env.storage.set(k, v)
  page = loadMerchantPage('merchant/pages/room-edit/index')
  await settle()
  await page.instance.onLoad({ id: String(roomId) })
  const p = page
  await until(() => expect(p.data.loadState).toBe('ready'))
  return p
}

const syncRuns = (): number => {
  const sync = env.admin.emu.listFunctions().find((f) => f.name === 'liveSync')
  if (!sync) throw new Error('liveSync is not deployed in this emulator')
  return sync.recentRuns.length
}

describe('room form: edit', () => {
  it('renames a room and the viewer home page shows the new name without a sync run', async () => {
    env.cloud.setOpenid(OWNER)
    const files: Record<string, string> = {}
    for (const f of IMAGES) {
      const up = await env.cloud.uploadFile({ cloudPath: `rooms/seed-${f}.png`, filePath: env.writeFile(`seed-${f}.png`, PNG) })
      files[f] = up.fileID
    }
    const start = Math.ceil((Math.floor(Date.now() / 1000) + 3 * 3600) / 60) * 60
    const created = await env.admin.call('createRoom', {
      name: '改名之前的直播间',
      anchorName: '小美老师',
      anchorWechat: 'anchor_xiaomei',
      startTime: start,
      endTime: start + 7200,
      ...files,
      type: 0,
      closeLike: 0,
      closeGoods: 0,
      closeComment: 0,
    })
    if (!created.ok) throw new Error(`createRoom refused: ${JSON.stringify(created.error)}`)
    expect(created.data.cache).toBe('written')
    const roomId = created.data.roomId as number
    const runsBefore = syncRuns()

    const home = await openHome()
    expect(text(home)).toContain('改名之前的直播间')

    const p = await openEdit(roomId)
    expect(p.data.mode).toBe('edit')
    expect(p.data.form.name).toBe('改名之前的直播间')
    expect(p.data.form.anchorWechat).toBe('')
    expect(p.data.form.images.coverImg.fileId).toBe('')
    expect(p.data.canSubmit).toBe(false)
    expect(p.querySelector('.f-subAnchorWechat')).toBeUndefined()

    p.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '改名之后的直播间' } })
    p.instance.onInput({ currentTarget: { dataset: { field: 'anchorWechat' } }, detail: { value: 'anchor_xiaomei' } })
    for (const f of IMAGES) {
      const path = env.writeFile(`edit-${f}.png`, PNG)
      env.picked.media = [{ tempFilePath: path, size: PNG.length, fileType: 'image' }]
      await p.instance.onPickImage({ currentTarget: { dataset: { field: f } } })
      expect(p.data.form.images[f].percent).toBe(100)
    }
    expect(p.data.canSubmit).toBe(true)
    await p.instance.onSubmit()
    expect(env.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已保存' }))
    expect(env.admin.emu.control.rooms().map((r) => r.name)).toEqual(['改名之后的直播间'])
    const remembered = new Map(env.storage)

    const after = await openHome()
    expect(text(after)).toContain('改名之后的直播间')
    expect(text(after)).not.toContain('改名之前的直播间')
    expect(syncRuns()).toBe(runsBefore)

    // The phone remembered the anchor's WeChat ID and the uploaded images: a second edit needs neither.
    const again = await openEdit(roomId, remembered)
    expect(again.data.form.anchorWechat).toBe('anchor_xiaomei')
    expect(again.data.canSubmit).toBe(true)
    again.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '第二次改名的直播间' } })
    await again.instance.onSubmit()
    expect(env.admin.emu.control.rooms().map((r) => r.name)).toEqual(['第二次改名的直播间'])
  })

  it('refuses to edit a room that has started, and names a room id that is not one', async () => {
    const roomId = env.admin.emu.control.createRoom({ name: '已经开播的直播间', startTime: Math.floor(Date.now() / 1000) + 3600, endTime: Math.floor(Date.now() / 1000) + 7200, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei' }).roomId
    env.admin.emu.control.roomEvent(roomId, 'start')
    installMerchantWx(env, OWNER)
    page = loadMerchantPage('merchant/pages/room-edit/index')
    await settle()
  await settle()
    await page.instance.onLoad({ id: String(roomId) })
    const p = page
    await until(() => expect(p.data.loadState).toBe('error'))
    expect(p.data.loadError).toContain('只有未开始的直播间可以编辑')

    page.detach()
    page = loadMerchantPage('merchant/pages/room-edit/index')
    await settle()
  await settle()
    await page.instance.onLoad({ id: 'abc' })
    const bad = page
    await until(() => expect(bad.data.loadState).toBe('error'))
    expect(text(bad)).toContain('房间号无效：abc')
  })
})
