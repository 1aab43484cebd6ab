// @vitest-environment jsdom
/** The audit page: the actions just done, newest first, with outcome, errcode and Shanghai time; paged; filtered by action and person. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

const CLERK = 'clerk-openid-0000000000000002'

let env: MerchantEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv()
  expect(await env.admin.call('addAdmin', { openid: CLERK, note: '店员' })).toMatchObject({ ok: true })
  for (let i = 0; i < 21; i++) expect(await env.admin.call('addSensitiveWords', { words: [`词${i}`] }, CLERK)).toMatchObject({ ok: true })
  expect(await env.admin.call('addRole', { username: 'operator_li', role: 3 })).toMatchObject({ ok: true })
  // refused by the platform: the same role twice
  expect(await env.admin.call('addRole', { username: 'operator_li', role: 3 })).toMatchObject({ ok: false, error: { errcode: 400004 } })
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
  page = loadMerchantPage('merchant/pages/audit/index')
  await page.instance.onLoad({})
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

interface Row {
  action: string
  ok: boolean
  outcome: string
  errcodeText: string
  who: string
  at: string
}

describe('audit page', () => {
  it('shows the actions just done, newest first, with who, outcome, errcode and the time in Asia/Shanghai', async () => {
    const p = await open()
    const rows = p.data.rows as Row[]
    expect(rows).toHaveLength(20)
    expect(rows[0]).toMatchObject({ action: 'addRole', ok: false, outcome: '当前状态不允许' })
    expect(rows[0].errcodeText).toContain('400004')
    expect(rows[0].who).toContain('我')
    expect(rows[1]).toMatchObject({ action: 'addRole', ok: true, outcome: '成功', errcodeText: '' })
    expect(rows[2]).toMatchObject({ action: 'addSensitiveWords', who: CLERK })
    const stored = env.admin.audit()[0] as { at: Date }
    const shanghai = new Date(new Date(stored.at).getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
    expect(rows[0].at).toBe(shanghai)
    expect(p.querySelectorAll('.entry').length).toBe(20)
    expect(text(p)).toContain('addRole')
  })

  it('loads older entries until the first one', async () => {
    const p = await open()
    await p.instance.loadMore()
    const rows = p.data.rows as Row[]
    expect(rows.length).toBe(env.admin.audit().length)
    expect(rows.at(-1)?.action).toBe('addAdmin')
    expect(p.data.next).toBeNull()
    expect(new Set(rows.map((r) => (r as unknown as { id: string }).id)).size).toBe(rows.length)
  })

  it('filters by an action tapped and by the merchant themself', async () => {
    const p = await open()
    p.instance.onOnlyAction({ currentTarget: { dataset: { action: 'addRole' } } })
    await until(() => expect(p.data.loading).toBe(false))
    await until(() => expect((p.data.rows as Row[]).length).toBe(2))
    expect((p.data.rows as Row[]).every((r) => r.action === 'addRole')).toBe(true)
    p.instance.onClearFilter()
    await until(() => expect(p.data.rows.length).toBe(20))
    p.instance.onOnlyMine()
    await until(() => expect(p.data.loading).toBe(false))
    await until(() => expect((p.data.rows as Row[]).map((r) => r.action)).toEqual(['addRole', 'addRole', 'addAdmin']))
  })
})
