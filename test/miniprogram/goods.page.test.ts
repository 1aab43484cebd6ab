// @vitest-environment jsdom
/**
 * The goods landing page, opened as the Live plugin opens a goods' page from the room's shelf (the goods' own url
 * query plus room_id and custom_params): it shows the goods from the cache and reports the visit under the channel.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { checkEvent } from '../../src/stats/events'
import { goods, installWx, loadPage, room, seedRooms, spyOnTrack, startViewerEnv, text, until, type SimNode, type TrackSpy, type ViewerEnv } from './harness'

const PAGE = 'entry/pages/goods/index'
let env: ViewerEnv
let page: SimNode | null = null
let sent: TrackSpy

beforeAll(async () => {
  env = await startViewerEnv()
})
afterAll(async () => {
  await env.stop()
})
beforeEach(async () => {
  await env.emu.reset()
  installWx(env)
  sent = await spyOnTrack(env)
})
afterEach(() => {
  sent.stop()
  page?.detach()
  page = null
})

async function open(options: Record<string, string>): Promise<SimNode> {
  page = loadPage(PAGE)
  await page.instance.onLoad(options)
  return page
}

const customParams = (channel: string): string => encodeURIComponent(JSON.stringify({ channel, path: 'entry/pages/relay/index?roomId=401&ch=poster1' }))

describe('goods landing page', () => {
  beforeEach(() => {
    seedRooms(env, [
      room(401, 'live', Date.now() - 3600_000, {
        goods: [goods(1, { url: `${PAGE}?goodsId=1` }), goods(2, { url: `${PAGE}?sku=B%202`, priceType: 'discount', price: 5000, price2: 3990 })],
      }),
    ])
  })

  it('shows the goods the shelf opened by its goodsId, reports the visit under the room’s channel, and goes back to the room', async () => {
    const p = await open({ goodsId: '1', room_id: '401', custom_params: customParams('poster1') })
    expect(p.data.status).toBe('ready')
    expect(text(p)).toContain('好物1')
    expect(text(p)).toContain('¥1.90')
    expect(text(p)).toContain('来自直播间：直播间401')
    p.querySelector('.back')!.dispatchEvent('tap')
    const wx = (globalThis as unknown as { wx: { navigateBack: ReturnType<typeof vi.fn> } }).wx
    await until(() => expect(wx.navigateBack).toHaveBeenCalledWith({ delta: 1 }))
    await sent.flush()
    expect(sent.events()).toMatchObject([{ kind: 'goods', roomId: 401, channel: 'poster1', goodsId: 1 }])
    expect(checkEvent(sent.events()[0], 0, Date.now())).toMatchObject({ ok: true })
  })

  it('finds goods by the query its url carries when there is no goodsId', async () => {
    const p = await open({ sku: 'B%202', room_id: '401', custom_params: customParams('sms1') })
    expect(p.data.items.map((g: { goodsId: number }) => g.goodsId)).toEqual([2])
    expect(text(p)).toContain('好物2')
    expect(text(p)).not.toContain('好物1')
    expect(text(p)).toContain('¥39.90')
    await sent.flush()
    expect(sent.events()).toEqual([{ kind: 'goods', roomId: 401, channel: 'sms1', atMs: expect.any(Number) }])
  })

  it('says so, with a way home, when the goods left the room or the page was not opened from a room', async () => {
    const gone = await open({ goodsId: '9', room_id: '401', custom_params: customParams('poster1') })
    expect(text(gone)).toContain('没有找到这件商品')
    gone.detach()
    const bare = await open({ goodsId: '1' })
    expect(text(bare)).toContain('请从直播间打开商品')
    bare.querySelector('.home')!.dispatchEvent('tap')
    await until(() => expect(env.reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index' }))
    await sent.flush()
    expect(sent.events()).toMatchObject([{ kind: 'goods', roomId: 401, goodsId: 9 }])
  })
})
