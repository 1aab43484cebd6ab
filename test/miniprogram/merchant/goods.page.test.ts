// @vitest-environment jsdom
/**
 * The goods warehouse and its add/edit form against the emulator: goods added through the form with the cover
 * uploaded, reviewed on the sandbox, shown by audit state with what each state allows; approved goods edited in
 * their prices only; withdraw, resubmit and delete; the day's review budget shown and, once spent, submitting
 * disabled until it resets.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { SANDBOX_SECRET } from '../../../emulator/sandbox/state'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until as untilPage, type MerchantEnv, type SimNode } from '../merchant-harness'

// A 1×1 PNG: a real image for the cover upload.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')

// Each case waits on several function runs in a row: on a loaded 2-core machine these take seconds each.
vi.setConfig({ testTimeout: 120_000 })
const until = (check: () => void, tries = 1600): Promise<void> => untilPage(check, tries)

let env: MerchantEnv
const pages: SimNode[] = []

beforeAll(async () => {
  env = await startMerchantEnv({ WX_APPSECRET: SANDBOX_SECRET })
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  for (const p of pages.splice(0)) p.detach()
})

async function open(path: string, query: Record<string, string> = {}): Promise<SimNode> {
  const p = loadMerchantPage(path)
  pages.push(p)
  await p.instance.onLoad(query)
  await until(() => expect(p.data.gate).toBe('allowed'))
  return p
}

const warehouse = async (): Promise<SimNode> => {
  installMerchantWx(env, OWNER)
  const p = await open('merchant/pages/goods/index')
  await until(() => expect(p.data.loading).toBe(false))
  return p
}

async function showTab(p: SimNode, status: number): Promise<void> {
  p.instance.onTabChange({ detail: { value: status } })
  await until(() => {
    expect(p.data.status).toBe(status)
    expect(p.data.loading).toBe(false)
  })
}

const sandboxGoods = (name: string) => env.admin.emu.control.goods().find((g) => g.name === name)

/** Adds goods through the API (for the cases about what follows). */
async function addByCall(name: string): Promise<number> {
  const cover = env.writeFile(`c-${name}.png`, PNG)
  const { fileID } = await env.cloud.uploadFile({ cloudPath: `goods/${name}.png`, filePath: cover })
  const r = await env.admin.call('goodsAdd', { goodsInfo: { coverImgUrl: fileID, name, priceType: 1, price: 19.9, url: 'pages/home/index' } })
  if (!r.ok) throw new Error(JSON.stringify(r))
  return r.data.goodsId as number
}

describe('adding goods from the phone', () => {
  it('uploads the cover with progress, submits the goods for review, and after approval the warehouse shows it approved', async () => {
    installMerchantWx(env, OWNER)
    const form = await open('merchant/pages/goods-edit/index')
    await until(() => expect(form.data.budget.known).toBe(true))
    expect(text(form)).toContain('今天还能提交审核 500 次')
    expect(form.data.canSubmit).toBe(false)

    env.picked.media = [{ tempFilePath: env.writeFile('cover.png', PNG), size: PNG.length, fileType: 'image' }]
    await form.instance.onPickCover()
    expect(form.data.form.coverImgUrl).toMatch(/^cloud:\/\//)
    expect(form.data.coverProgress).toBe(100)
    form.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '明前龙井' } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'price' } }, detail: { value: '128' } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'url' } }, detail: { value: 'pages/home/index' } })
    expect(form.data.errors).toEqual({})
    expect(form.data.canSubmit).toBe(true)

    await form.instance.onSubmit()
    expect(env.wx.navigateBack).toHaveBeenCalled()
    const added = sandboxGoods('明前龙井')
    expect(added).toMatchObject({ audit: 'underReview', price: 128, url: 'pages/home/index' })

    const p = await warehouse()
    await showTab(p, 1)
    expect(p.data.rows.map((r: { name: string }) => r.name)).toContain('明前龙井')
    expect(text(p)).toContain('撤回审核')

    env.admin.emu.control.auditGoods(added!.goodsId, 'approve')
    await p.instance.onRefreshAudit()
    expect(p.data.notice).toContain('1 个审核状态有变化')
    await showTab(p, 2)
    const row = p.data.rows.find((r: { goodsId: number }) => r.goodsId === added!.goodsId)
    expect(row).toMatchObject({ statusText: '审核通过', priceNow: '¥128.00', canEdit: true, canWithdraw: false, canDelete: true })
    expect(text(p.querySelector(`.goods-${added!.goodsId}`)!)).toContain('审核通过')
  })

  it('marks each field while typing with the rules liveAdmin applies and keeps submit disabled', async () => {
    installMerchantWx(env, OWNER)
    const form = await open('merchant/pages/goods-edit/index')
    env.picked.media = [{ tempFilePath: env.writeFile('cover-typing.png', PNG), size: PNG.length, fileType: 'image' }]
    form.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '一二三四五六七八九十一二三四五' } })
    form.instance.onPriceType({ detail: { value: 2 } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'price' } }, detail: { value: '30' } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'price2' } }, detail: { value: '20' } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'url' } }, detail: { value: 'pages/nowhere/index' } })
    expect(form.data.nameWidth).toBe(30)
    expect(Object.keys(form.data.shown)).toEqual(expect.arrayContaining(['name']))
    expect(form.data.shown.name).toContain('300002')
    expect(form.data.canSubmit).toBe(false)
    form.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '白茶饼' } })
    expect(form.data.shown.price2).toContain('300003')
    form.instance.onInput({ currentTarget: { dataset: { field: 'price2' } }, detail: { value: '45' } })
    // the page path is a rule after the schema, which still misses the cover
    expect(form.data.shown.url).toBeUndefined()
    expect(form.data.shown.coverImgUrl).toBeUndefined()
    await form.instance.onSubmit()
    expect(form.data.shown.coverImgUrl).toBeTruthy()
    await form.instance.onPickCover()
    expect(form.data.shown.coverImgUrl).toBeUndefined()
    expect(form.data.shown.url).toContain('300007')
    expect(form.data.canSubmit).toBe(false)
    expect(sandboxGoods('白茶饼')).toBeUndefined()
  })
})

describe('editing goods', () => {
  it('lets approved goods change only their prices, the other fields greyed with the reason', async () => {
    const goodsId = await addByCall('正山小种')
    env.admin.emu.control.auditGoods(goodsId, 'approve')
    installMerchantWx(env, OWNER)
    const form = await open('merchant/pages/goods-edit/index', { goodsId: String(goodsId) })
    await until(() => expect(form.data.loading).toBe(false))
    expect(form.data.statusText).toBe('审核通过')
    expect(form.data.editable.sort()).toEqual(['price', 'price2', 'priceType'])
    expect(form.data.locked.name).toContain('只能修改')
    expect(form.data.locked.price).toBeUndefined()
    expect(form.querySelector('.lock-coverImgUrl')).toBeTruthy()

    form.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '改不了的名字' } })
    expect(form.data.form.name).toBe('正山小种')
    form.instance.onPriceType({ detail: { value: 3 } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'price2' } }, detail: { value: '15.5' } })
    expect(form.data.canSubmit).toBe(true)
    await form.instance.onSubmit()
    expect(env.wx.navigateBack).toHaveBeenCalled()
    expect(sandboxGoods('正山小种')).toMatchObject({ priceType: 3, price: 19.9, price2: 15.5, audit: 'approved' })
  })

  it('locks every field of goods under review, saying to withdraw first', async () => {
    const goodsId = await addByCall('碧螺春')
    installMerchantWx(env, OWNER)
    const form = await open('merchant/pages/goods-edit/index', { goodsId: String(goodsId) })
    await until(() => expect(form.data.loading).toBe(false))
    expect(form.data.editable).toEqual([])
    expect(form.data.locked.price).toContain('请先撤回审核')
    expect(form.data.canSubmit).toBe(false)
  })
})

describe('the warehouse actions', () => {
  it('withdraws a review, resubmits it, and deletes goods after confirming', async () => {
    const goodsId = await addByCall('铁观音')
    const p = await warehouse()
    await showTab(p, 1)
    p.instance.onWithdraw({ currentTarget: { dataset: { id: goodsId } } })
    await until(() => expect(sandboxGoods('铁观音')).toMatchObject({ audit: 'notAudited' }))
    await until(() => expect(p.data.busy).toBe(false))
    await showTab(p, 0)
    expect(p.data.rows.find((r: { goodsId: number }) => r.goodsId === goodsId)).toMatchObject({ canResubmit: true, canWithdraw: false })

    const before = p.data.budget.left
    p.instance.onResubmit({ currentTarget: { dataset: { id: goodsId } } })
    await until(() => expect(sandboxGoods('铁观音')).toMatchObject({ audit: 'underReview' }))
    await until(() => expect(p.data.budget.left).toBe(before - 1))
    await until(() => expect(p.data.busy).toBe(false))

    env.admin.emu.control.auditGoods(goodsId, 'reject')
    env.modalAnswer.confirm = false
    p.instance.onDelete({ currentTarget: { dataset: { id: goodsId } } })
    expect(sandboxGoods('铁观音')).toBeDefined()
    env.modalAnswer.confirm = true
    p.instance.onDelete({ currentTarget: { dataset: { id: goodsId } } })
    await until(() => expect(sandboxGoods('铁观音')).toBeUndefined())
    expect(env.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('不能恢复') }))
  })

  it('shows an empty state for a status without goods', async () => {
    const p = await warehouse()
    await showTab(p, 3)
    expect(p.data.rows).toEqual([])
    expect(p.querySelector('.empty')).toBeTruthy()
  })

  // Last: it spends the day's reviews.
  it('disables submitting once the day\'s reviews are spent, saying when they reset', async () => {
    env.admin.emu.control.setOptions({ reviewBudget: 0 })
    installMerchantWx(env, OWNER)
    const form = await open('merchant/pages/goods-edit/index')
    env.picked.media = [{ tempFilePath: env.writeFile('cover2.png', PNG), size: PNG.length, fileType: 'image' }]
    await form.instance.onPickCover()
    form.instance.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '大红袍' } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'price' } }, detail: { value: '66' } })
    form.instance.onInput({ currentTarget: { dataset: { field: 'url' } }, detail: { value: 'pages/home/index' } })
    await until(() => expect(form.data.canSubmit).toBe(true))
    await form.instance.onSubmit()
    expect(env.wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: expect.stringContaining('300012') }))
    expect(form.data.budget).toMatchObject({ left: 0, canSubmit: false })
    expect(form.data.canSubmit).toBe(false)

    const p = await warehouse()
    await until(() => expect(p.data.budget.known).toBe(true))
    expect(p.data.budget.canSubmit).toBe(false)
    expect(text(p)).toContain('今天的提审次数已用完')
  })
})
