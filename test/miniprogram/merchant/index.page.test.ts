// @vitest-environment jsdom
/** The merchant front page: admins see their areas (owners also the admins area); anyone else a plain refusal. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, VIEWER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

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

async function open(openid: string | null): Promise<SimNode> {
  installMerchantWx(env, openid)
  page = loadMerchantPage('merchant/pages/index/index')
  await page.instance.onLoad({})
  return page
}

describe('merchant front page', () => {
  it('shows the owner every area, the admins area included, with their openid', async () => {
    const p = await open(OWNER)
    await until(() => expect(p.data.gate).toBe('allowed'))
    expect(p.data.areas.map((a: { key: string }) => a.key)).toContain('admins')
    expect(text(p)).toContain('店主')
    expect(text(p)).toContain(OWNER)
    expect(p.querySelectorAll('.area').length).toBe(p.data.areas.length)
    // Mini Program Live is on (live.config.json): its areas are listed and no line says it is off
    expect(p.data.areas.map((a: { key: string }) => a.key)).toEqual(expect.arrayContaining(['rooms', 'goods', 'batch', 'links', 'roles', 'subscribers']))
    expect(p.data.liveOffText).toBe('')
    expect(p.querySelectorAll('.live-off').length).toBe(0)
  })

  it('shows an admin every area but the admins one', async () => {
    const added = await env.admin.call('addAdmin', { openid: 'admin-openid-000000000000001', note: '店员' })
    expect(added.ok).toBe(true)
    const p = await open('admin-openid-000000000000001')
    await until(() => expect(p.data.gate).toBe('allowed'))
    expect(p.data.areas.map((a: { key: string }) => a.key)).not.toContain('admins')
    expect(text(p)).toContain('管理员')
  })

  it('refuses a viewer who is not an admin with a plain sentence and no area', async () => {
    const p = await open(VIEWER)
    await until(() => expect(p.data.gate).toBe('refused'))
    expect(p.data.areas).toEqual([])
    expect(p.querySelectorAll('.area').length).toBe(0)
    expect(text(p)).toContain('无权访问')
    expect(text(p)).toContain(VIEWER)
  })

  it('opens an area on tap', async () => {
    const p = await open(OWNER)
    await until(() => expect(p.data.gate).toBe('allowed'))
    p.instance.onOpen({ currentTarget: { dataset: { url: '/merchant/pages/rooms/index' } } })
    expect(env.wx.navigateTo).toHaveBeenCalledWith(expect.objectContaining({ url: '/merchant/pages/rooms/index' }))
  })
})
