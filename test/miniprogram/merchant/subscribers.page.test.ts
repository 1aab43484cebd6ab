// @vitest-environment jsdom
/** The subscribers page: followers per room, and pushing a live room to them once, resumable when a push is cut short. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null
let liveRoom = 0
let otherRoom = 0

function newRoom(): number {
  const now = env.admin.emu.clock.nowSeconds()
  const { roomId } = env.admin.emu.control.createRoom({ name: '春茶上新直播间', startTime: now + 3600, endTime: now + 10800, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei' })
  env.admin.emu.control.roomEvent(roomId, 'start')
  return roomId
}

beforeAll(async () => {
  env = await startMerchantEnv()
  liveRoom = newRoom()
  otherRoom = newRoom()
  for (let i = 0; i < 3; i++) env.admin.emu.control.addFollower({ openid: `o-fan-${i}`, roomId: liveRoom })
  env.admin.emu.control.addFollower({ openid: 'o-fan-other', roomId: otherRoom })
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage('merchant/pages/subscribers/index')
  await page.instance.onLoad({})
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

/** openids pushed on the sandbox's day `day`, each as often as it was pushed. */
const pushedOn = (day: string): string[] => env.admin.emu.control.pushedMessages().filter((m) => m.day === day).flatMap((m) => m.openids)

describe('subscribers page', () => {
  it('lists the followers with a count per room and filters by room', async () => {
    const p = await open()
    expect(p.data.all).toHaveLength(4)
    expect(p.data.counts).toEqual([
      { roomId: liveRoom, count: 3 },
      { roomId: otherRoom, count: 1 },
    ])
    p.instance.onFilter({ currentTarget: { dataset: { room: otherRoom } } })
    expect(p.data.shown.map((f: { openid: string }) => f.openid)).toEqual(['o-fan-other'])
    expect(p.querySelectorAll('.follower').length).toBe(1)
    p.instance.onFilter({ currentTarget: { dataset: { room: '' } } })
    expect(p.data.shown).toHaveLength(4)
    expect(p.data.rooms.map((r: { roomId: number }) => r.roomId).sort()).toEqual([liveRoom, otherRoom].sort())
  })

  it('pushes nothing when the merchant does not confirm', async () => {
    const p = await open()
    env.modalAnswer.confirm = false
    await p.instance.onPush({ currentTarget: { dataset: { room: liveRoom } } })
    expect(env.admin.emu.control.pushedMessages()).toEqual([])
  })

  it('pushes a live room to every follower once after confirming, and says how many', async () => {
    const p = await open()
    await p.instance.onPush({ currentTarget: { dataset: { room: liveRoom } } })
    const messages = env.admin.emu.control.pushedMessages()
    expect(messages).toHaveLength(1)
    expect(messages[0].roomId).toBe(liveRoom)
    expect([...messages[0].openids].sort()).toEqual(['o-fan-0', 'o-fan-1', 'o-fan-other', 'o-fan-2'].sort())
    expect(p.data.summary).toContain('已推送给 4 位')
    expect(p.data.summary).toContain('已全部完成')
    expect(p.data.pending).toBeNull()
    expect(text(p)).toContain('已全部完成')
  })

  it('refuses a second room the same day in Chinese with the errcode, leaving nothing to continue', async () => {
    const p = await open()
    await p.instance.onPush({ currentTarget: { dataset: { room: otherRoom } } })
    expect(p.data.pushError).toContain('9410005')
    expect(p.data.pending).toBeNull()
    expect(env.admin.emu.control.pushedMessages()).toHaveLength(1)
  })

  it('keeps a push stopped by a busy platform to continue on the next visit, never pushing anyone twice', async () => {
    env.admin.emu.clock.advance(86_400)
    const room = newRoom()
    const p = await open()
    // busy on every try of the followers read (the first and the function's two retries)
    env.admin.emu.control.addFault({ api: 'liveBroadcast.getFollowers', times: 3, errcode: -1 })
    await p.instance.onPush({ currentTarget: { dataset: { room } } })
    expect(p.data.pushError).toContain('-1')
    expect(p.data.pending).toBe(room)
    expect(env.admin.emu.control.faults()).toEqual([])
    p.detach()
    page = null

    const again = await open()
    expect(again.data.pending).toBe(room)
    expect(text(again)).toContain('继续推送')
    await again.instance.onContinue()
    expect(again.data.pending).toBeNull()
    expect(again.data.summary).toContain('已全部完成')
    const day = env.admin.emu.control.pushedMessages().at(-1)?.day ?? ''
    const pushed = pushedOn(day)
    expect([...pushed].sort()).toEqual(['o-fan-0', 'o-fan-1', 'o-fan-2', 'o-fan-other'])
  })
})
