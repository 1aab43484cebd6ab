// @vitest-environment jsdom
/** The admins page, owners only: an owner adds an admin by openid (who can then open the back office) and removes one. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

const CLERK = 'clerk-openid-0000000000000001'

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

async function open(openid: string, path = 'merchant/pages/admins/index'): Promise<SimNode> {
  installMerchantWx(env, openid)
  page = loadMerchantPage(path)
  await page.instance.onLoad({})
  await until(() => expect(page!.data.gate).not.toBe('checking'))
  return page
}

describe('admins page', () => {
  it('lists the owner from the function environment as not removable, and says how a person finds their openid', async () => {
    const p = await open(OWNER)
    await until(() => expect(p.data.loading).toBe(false))
    const owner = p.data.rows.find((r: { openid: string }) => r.openid === OWNER)
    expect(owner).toMatchObject({ roleText: '店主' })
    expect(owner.fixedReason).not.toBe('')
    expect(p.querySelectorAll('.remove').length).toBe(0)
    expect(text(p)).toContain('openid')
    expect(text(p)).toContain('商家后台')
  })

  it('checks the openid as typed with the rule addAdmin applies', async () => {
    const p = await open(OWNER)
    p.instance.onOpenid({ detail: { value: 'a b' } })
    expect(p.data.openidError).not.toBe('')
    expect(p.data.canSubmit).toBe(false)
    p.instance.onOpenid({ detail: { value: CLERK } })
    expect(p.data.openidError).toBe('')
    expect(p.data.canSubmit).toBe(true)
  })

  it('adds an admin with a note, who then opens the merchant front page', async () => {
    const p = await open(OWNER)
    p.instance.onOpenid({ detail: { value: CLERK } })
    p.instance.onNote({ detail: { value: '店员小王' } })
    await p.instance.onAdd()
    expect(p.data.done).toContain('已添加管理员')
    await until(() => expect(p.data.rows.map((r: { openid: string }) => r.openid)).toContain(CLERK))
    expect(text(p)).toContain('店员小王')
    p.detach()
    page = null

    const front = await open(CLERK, 'merchant/pages/index/index')
    expect(front.data.gate).toBe('allowed')
    expect(front.data.roleText).toBe('管理员')
  })

  it('refuses an admin who is not an owner with the owner-only sentence, loading no list', async () => {
    const p = await open(CLERK)
    expect(p.data.gate).toBe('refused')
    expect(p.data.gateText).toContain('只有店主')
    expect(p.data.rows).toEqual([])
    expect(text(p)).toContain('无权访问')
  })

  it('removes an admin after confirming; they are refused afterwards', async () => {
    const p = await open(OWNER)
    await until(() => expect(p.data.rows.map((r: { openid: string }) => r.openid)).toContain(CLERK))
    env.modalAnswer.confirm = false
    await p.instance.onRemove({ currentTarget: { dataset: { openid: CLERK } } })
    expect(await env.admin.call('whoami', undefined, CLERK)).toMatchObject({ ok: true, data: { roles: ['admin'] } })
    env.modalAnswer.confirm = true
    await p.instance.onRemove({ currentTarget: { dataset: { openid: CLERK } } })
    await until(() => expect(p.data.rows.map((r: { openid: string }) => r.openid)).not.toContain(CLERK))
    const who = await env.admin.call('whoami', undefined, CLERK)
    expect(who).toMatchObject({ ok: true, data: { roles: [] } })
  })
})
