// @vitest-environment jsdom
/**
 * The batch import page against the emulator: the template shown, copied and forwarded as a file; a CSV picked
 * from a chat with a bad row, every row's check listed before anything is submitted, the good rows submitted
 * once each; a job stopped by the day's quota, left, and resumed on reopening the next day.
 */
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until as untilPage, type MerchantEnv, type SimNode } from '../merchant-harness'

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')

// Each case waits on several function runs in a row: on a loaded 2-core machine these take seconds each.
vi.setConfig({ testTimeout: 120_000 })
const until = (check: () => void, tries = 1600): Promise<void> => untilPage(check, tries)

let env: MerchantEnv
let cover = ''
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv()
  const local = env.writeFile('cover.png', PNG)
  cover = (await env.cloud.uploadFile({ cloudPath: 'goods/batch-cover.png', filePath: local })).fileID
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  leave()
})

function leave(): void {
  if (!page) return
  page.instance.onUnload()
  page.detach()
  page = null
}

async function open(): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage('merchant/pages/batch/index')
  await page.instance.onLoad({})
  await until(() => expect(page!.data.gate).toBe('allowed'))
  return page
}

const goodsNamed = (name: string) => env.admin.emu.control.goods().filter((g) => g.name === name)

function csv(rows: string[]): string {
  return ['coverImgUrl,name,priceType,price,price2,url', ...rows].join('\n')
}

async function pick(p: SimNode, name: string, content: string): Promise<void> {
  const path = env.writeFile(name, content)
  env.picked.messageFiles = [{ path, name, size: Buffer.byteLength(content), type: 'file' }]
  p.instance.onChooseFile()
  await until(() => {
    expect(p.data.uploading).toBe(false)
    expect(p.data.checking).toBe(false)
    expect(p.data.rows.length + (p.data.fileError ? 1 : 0)).toBeGreaterThan(0)
  })
}

describe('the batch template', () => {
  it('shows the CSV and JSON templates, copies them and forwards them as files', async () => {
    const p = await open()
    await until(() => expect(p.data.tplCsv).not.toBe(''))
    expect(p.data.tplCsv.split(/\r?\n/)[0]).toContain('coverImgUrl,name,priceType,price')
    const json = JSON.parse(p.data.tplJson) as Record<string, unknown>[]
    expect(json).toHaveLength(1)
    expect(typeof json[0].price).toBe('number')
    expect(json[0].priceType).toBe(1)
    expect(p.data.tplNotes.find((n: { name: string }) => n.name === 'price2').note).toContain('选填')

    p.instance.onCopyTemplate({ currentTarget: { dataset: { format: 'json' } } })
    expect(env.wx.setClipboardData).toHaveBeenCalledWith(expect.objectContaining({ data: p.data.tplJson }))
    p.instance.onShareTemplate({ currentTarget: { dataset: { format: 'csv' } } })
    expect(env.wx.shareFileMessage).toHaveBeenCalledWith(expect.objectContaining({ fileName: 'goods-template.csv' }))
    const shared = env.wx.shareFileMessage.mock.calls[0][0] as { filePath: string }
    expect(readFileSync(env.savedFile(shared.filePath), 'utf8')).toContain('coverImgUrl,name')

    p.instance.onKind({ detail: { value: 'rooms' } })
    await until(() => expect(p.data.tplCsv).toContain('anchorWechat'))
  })
})

describe('a batch import with a bad row', () => {
  it('lists every row\'s check before submitting, then submits the three good rows once each', async () => {
    const p = await open()
    await pick(p, 'goods.csv', csv([`${cover},批量白茶,1,88,,pages/home/index`, `${cover},批量红茶,2,20,40,pages/home/index`, `${cover},批量绿茶,3,50,45,pages/home/index`, `${cover},批量黑茶一二三四五六七八九十一二,1,30,,pages/home/index`]))
    expect(p.data.rows.map((r: { ok: boolean }) => r.ok)).toEqual([true, true, true, false])
    expect(p.data.rows[3]).toMatchObject({ row: 4, field: 'name' })
    expect(p.data.rows[3].text).toContain('300002')
    expect(text(p.querySelector('.row-4')!)).toContain('name')
    expect(p.data.summary).toContain('3 行可以提交，1 行不合格')
    expect(goodsNamed('批量白茶')).toHaveLength(0)

    env.modalAnswer.confirm = false
    p.instance.onSubmit()
    expect(p.data.jobId).toBe('')
    env.modalAnswer.confirm = true
    p.instance.onSubmit()
    await until(() => expect(p.data.jobState).toBe('done'))
    for (const name of ['批量白茶', '批量红茶', '批量绿茶']) expect(goodsNamed(name)).toHaveLength(1)
    expect(goodsNamed('批量黑茶一二三四五六七八九十一二')).toHaveLength(0)
    expect(p.data.outcomes.map((o: { state: string }) => o.state)).toEqual(['done', 'done', 'done', 'skipped'])
    expect(p.data.jobPercent).toBe(100)
    expect(env.storage.has('merchant.batch.job')).toBe(false)
    await until(() => expect(p.data.recent.length).toBeGreaterThan(0))
  })

  it('refuses a file that is neither CSV nor JSON before uploading it', async () => {
    const p = await open()
    await pick(p, 'goods.xlsx', 'not a csv')
    expect(p.data.fileError).toContain('CSV 或 JSON')
    expect(p.data.fileId).toBe('')
  })
})

describe('leaving a job and coming back', () => {
  it('resumes a job the day\'s quota stopped once the page is opened again the next day, and finishes it', async () => {
    const budget = await env.admin.call('reviewBudget', {})
    if (!budget.ok) throw new Error(JSON.stringify(budget))
    env.admin.emu.control.setOptions({ reviewBudget: budget.data.used + 1 })

    const p = await open()
    await pick(p, 'more.json', JSON.stringify(['续传一号', '续传二号', '续传三号'].map((name) => ({ coverImgUrl: cover, name, priceType: 1, price: 9.9, url: 'pages/home/index' }))))
    expect(p.data.invalidCount).toBe(0)
    p.instance.onSubmit()
    await until(() => expect(p.data.jobState).toBe('waiting'))
    await until(() => expect(p.data.following).toBe(false))
    const jobId = p.data.jobId
    expect(p.data.jobText).toContain('配额已用完')
    expect(goodsNamed('续传一号')).toHaveLength(1)
    expect(goodsNamed('续传二号')).toHaveLength(0)
    expect(env.storage.get('merchant.batch.job')).toEqual({ jobId, kind: 'goods' })
    leave()

    const status = await env.admin.call('batchStatus', { jobId })
    if (!status.ok) throw new Error(JSON.stringify(status))
    env.admin.emu.clock.set(Math.ceil(Date.parse(status.data.resumeAt) / 1000) + 60)
    env.admin.emu.control.setOptions({ reviewBudget: 500 })

    const again = await open()
    await until(() => expect(again.data.jobState).toBe('done'))
    expect(again.data.jobId).toBe(jobId)
    for (const name of ['续传一号', '续传二号', '续传三号']) expect(goodsNamed(name)).toHaveLength(1)
    expect(again.data.outcomes.map((o: { state: string }) => o.state)).toEqual(['done', 'done', 'done'])
    expect(env.storage.has('merchant.batch.job')).toBe(false)
  })
})
