// @vitest-environment jsdom
/** The rooms list: rooms read through liveAdmin, sorted into tabs by state, each with the actions its state allows. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { OWNER, VIEWER, installMerchantWx, loadMerchantPage, settle, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv()
})
afterAll(async () => {
  await env.stop()
})
beforeEach(() => {
  env.admin.emu.control.reset()
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(openid: string = OWNER): Promise<SimNode> {
  installMerchantWx(env, openid)
  page = loadMerchantPage('merchant/pages/rooms/index')
  await settle()
  await page.instance.onLoad({})
  const p = page
  // The gate's answer first, so a failure says whether the page was let in at all.
  await until(() => expect(p.data.gate).not.toBe('checking'))
  if (openid === OWNER) expect(p.data.gateText).toBe('')
  return p
}

function room(name: string, startIn: number): number {
  const now = env.admin.emu.clock.nowSeconds()
  return env.admin.emu.control.createRoom({ name, startTime: now + startIn, endTime: now + startIn + 7200, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei', closeReplay: 0 }).roomId
}

/** The rooms rendered, in order, by the room number each card shows. */
const ids = (p: SimNode): number[] => p.querySelectorAll('.rid').map((n) => Number(/房间号 (\d+)/.exec(n.dom.textContent ?? '')?.[1]))

describe('merchant rooms list', () => {
  it('puts each room under its state: upcoming soonest first, on air (paused too), ended with its replay', async () => {
    const later = room('晚间春茶上新专场', 5 * 3600)
    const sooner = room('午间好物限时秒杀', 3600)
    const live = room('正在直播的茶叶专场', 3600)
    env.admin.emu.control.roomEvent(live, 'start')
    const paused = room('暂停中的水果专场', 3600)
    env.admin.emu.control.roomEvent(paused, 'start')
    env.admin.emu.control.roomEvent(paused, 'pause')
    const ended = room('已经结束的零食专场', 3600)
    env.admin.emu.control.roomEvent(ended, 'start')
    env.admin.emu.control.roomEvent(ended, 'end')

    const p = await open()
    await until(() => expect(p.data.loadState).toBe('ready'))
    expect(ids(p)).toEqual([sooner, later])
    expect(p.data.tabs.map((t: { label: string }) => t.label)).toEqual(['未开始 2', '直播中 2', '已结束 1'])
    expect(p.querySelectorAll('.op-edit').length).toBe(2)

    p.instance.onTabChange({ detail: { value: 'live' } })
    await until(() => expect(new Set(ids(p))).toEqual(new Set([live, paused])))
    expect(text(p)).toContain('暂停')
    expect(p.querySelectorAll('.op-edit').length).toBe(0)
    expect(p.querySelectorAll('.op-delete').length).toBe(0)

    p.instance.onTabChange({ detail: { value: 'ended' } })
    await until(() => expect(ids(p)).toEqual([ended]))
    expect(text(p)).toContain('已结束')
    expect(text(p)).toContain('回放已开启')
    expect(p.querySelectorAll('.op-delete').length).toBe(1)
  })

  it('reads past the first page of 100 rooms', async () => {
    env.admin.emu.control.setOptions({ listPageCap: 30 })
    try {
      for (let i = 0; i < 130; i++) room(`批量直播间编号${String(i).padStart(3, '0')}`, 3600 + i * 60)
      const p = await open()
      await until(() => expect(p.data.loadState).toBe('ready'), 800)
      expect(p.data.groups.upcoming.length).toBe(130)
    } finally {
      env.admin.emu.control.setOptions({ listPageCap: 100 })
    }
  })

  it('shows an empty list when the platform has no room, and an error with retry when it fails', async () => {
    const p = await open()
    await until(() => expect(p.data.loadState).toBe('ready'))
    expect(p.querySelector('.state-empty')).toBeTruthy()

    env.admin.emu.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 4, errcode: -1 })
    await p.instance.load()
    expect(p.data.loadState).toBe('error')
    expect(text(p)).toContain('系统繁忙')
    expect(text(p)).toContain('-1')

    room('故障之后新建的直播间', 3600)
    await p.instance.load()
    expect(p.data.loadState).toBe('ready')
    expect(p.data.rows.length).toBe(1)
  })

  it('deletes a room after the merchant confirms, and keeps it when they cancel', async () => {
    const keep = room('留下来的直播间名称', 3600)
    const gone = room('要删除的直播间名称', 7200)
    const p = await open()
    await until(() => expect(p.data.rows.length).toBe(2))

    env.modalAnswer.confirm = false
    await p.instance.onDelete({ currentTarget: { dataset: { id: gone } } })
    expect(env.admin.emu.control.rooms().map((r) => r.roomId).sort()).toEqual([keep, gone].sort())

    env.modalAnswer.confirm = true
    await p.instance.onDelete({ currentTarget: { dataset: { id: gone } } })
    expect(env.admin.emu.control.rooms().map((r) => r.roomId)).toEqual([keep])
    expect(ids(p)).toEqual([keep])
    expect(env.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已删除' }))
  })

  it('opens the form, the console and shares the viewer room page', async () => {
    const id = room('可以分享的直播间名', 3600)
    const p = await open()
    await until(() => expect(p.data.rows.length).toBe(1))
    p.instance.onNew()
    expect(env.wx.navigateTo).toHaveBeenLastCalledWith(expect.objectContaining({ url: '/merchant/pages/room-edit/index' }))
    p.instance.onEdit({ currentTarget: { dataset: { id } } })
    expect(env.wx.navigateTo).toHaveBeenLastCalledWith(expect.objectContaining({ url: `/merchant/pages/room-edit/index?id=${id}` }))
    p.instance.onConsole({ currentTarget: { dataset: { id } } })
    expect(env.wx.navigateTo).toHaveBeenLastCalledWith(expect.objectContaining({ url: `/merchant/pages/console/index?roomId=${id}` }))
    const shared = p.instance.onShareAppMessage({ from: 'button', target: { dataset: { id } } })
    expect(shared.title).toBe('可以分享的直播间名')
    expect(shared.path).toContain(`/pages/room/index?roomId=${id}`)
  })

  it('refuses a viewer and reads no room', async () => {
    room('观众看不到的后台列表', 3600)
    const before = env.admin.emu.control.calls()
    const p = await open(VIEWER)
    await until(() => expect(p.data.gate).toBe('refused'))
    expect(p.data.rows).toEqual([])
    expect(env.admin.emu.control.calls()).toEqual(before)
  })
})
