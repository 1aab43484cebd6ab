// @vitest-environment jsdom
/** The roles page: members by role from the platform, a role given by WeChat ID and taken away again, checked before the call. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

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

async function open(): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage('merchant/pages/roles/index')
  await page.instance.onLoad({})
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

const member = (wechatId: string) => env.admin.emu.control.members().find((m) => m.username === wechatId)

describe('roles page', () => {
  it('shows the caps and adds an operator, who is then a member on the platform and in the list', async () => {
    const p = await open()
    expect(text(p)).toContain('运营者最多 500 人')
    p.instance.onUsername({ detail: { value: 'operator_chen' } })
    p.instance.onRole({ detail: { value: 3 } })
    expect(p.data.canSubmit).toBe(true)
    await p.instance.onAdd()
    expect(p.data.done).toContain('已把 operator_chen 设为运营者')
    expect(member('operator_chen')?.roles).toContain('operator')
    await until(() => expect(p.data.rows.some((r: { username: string }) => r.username === 'op****en')).toBe(true))
    expect(p.querySelectorAll('.member').length).toBe(p.data.rows.length)
  })

  it('marks a malformed WeChat ID while typing and keeps submit off, without calling the platform', async () => {
    const p = await open()
    const calls = env.admin.liveCalls()
    p.instance.onUsername({ detail: { value: '1abc' } })
    expect(p.data.usernameError).toContain('微信号')
    expect(p.data.canSubmit).toBe(false)
    await p.instance.onAdd()
    expect(env.admin.liveCalls()).toBe(calls)
  })

  it('says in Chinese with the errcode when the platform refuses a role twice, marking the field', async () => {
    const p = await open()
    p.instance.onUsername({ detail: { value: 'operator_chen' } })
    p.instance.onRole({ detail: { value: 3 } })
    await p.instance.onAdd()
    expect(p.data.usernameError).toContain('400004')
    expect(p.data.done).toBe('')
  })

  it('shows the real-name QR code when an anchor must verify first', async () => {
    env.admin.emu.control.setUserVerified('anchor_noreal', false)
    const p = await open()
    p.instance.onUsername({ detail: { value: 'anchor_noreal' } })
    p.instance.onRole({ detail: { value: 2 } })
    await p.instance.onAdd()
    expect(p.data.usernameError).toContain('400002')
    expect(p.data.codeurl).toMatch(/^https:\/\//)
    expect(p.querySelectorAll('.qr-img').length).toBe(1)
  })

  it('filters by role', async () => {
    const p = await open()
    p.instance.onTab({ currentTarget: { dataset: { value: 1 } } })
    await until(() => expect(p.data.loading).toBe(false))
    expect(p.data.tab).toBe(1)
    expect(p.data.rows.some((r: { username: string }) => r.username === 'op****en')).toBe(false)
  })

  it('takes a role away only when the whole WeChat ID typed fits the masked one, after confirming', async () => {
    const p = await open()
    const row = p.data.rows.find((r: { username: string }) => r.username === 'op****en')
    expect(row).toBeTruthy()
    env.modalAnswer.content = 'operator_wang'
    await p.instance.onRemove({ currentTarget: { dataset: { username: row.username, role: 3 } } })
    expect(env.wx.showModal).toHaveBeenLastCalledWith(expect.objectContaining({ content: expect.stringContaining('不一致') }))
    expect(member('operator_chen')?.roles).toContain('operator')

    env.modalAnswer.content = 'operator_chen'
    await p.instance.onRemove({ currentTarget: { dataset: { username: row.username, role: 3 } } })
    expect(env.wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已解除运营者' }))
    expect(member('operator_chen')?.roles ?? []).not.toContain('operator')
    await until(() => expect(p.data.rows.some((r: { username: string }) => r.username === 'op****en')).toBe(false))
  })

  it('shows an empty state and an error state with a retry', async () => {
    const p = await open()
    p.instance.onTab({ currentTarget: { dataset: { value: 1 } } })
    await until(() => expect(p.data.loading).toBe(false))
    expect(p.data.rows).toEqual([])
    expect(p.querySelectorAll('.empty').length).toBe(1)
    env.admin.emu.control.addFault({ api: 'liveBroadcast.getRoleList', times: 1, errcode: 200002 })
    await p.instance.reload()
    expect(p.data.listError).toContain('200002')
    expect(text(p)).toContain('重试')
  })
})
