// @vitest-environment jsdom
/** The sensitive-word page: words added several at once, removed, a text checked; the function then refuses a room named with one. */
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
  page = loadMerchantPage('merchant/pages/words/index')
  await page.instance.onLoad({})
  await until(() => expect(page!.data.loading).toBe(false))
  return page
}

async function storedWords(): Promise<string[]> {
  const r = await env.admin.call('getSensitiveWords')
  return r.ok ? (r.data.words as string[]) : []
}

describe('sensitive words page', () => {
  it('starts empty, stating the limits the function gave', async () => {
    const p = await open()
    expect(p.data.list.words).toEqual([])
    expect(p.querySelectorAll('.empty').length).toBe(1)
    expect(text(p)).toContain(`最多 ${p.data.list.maxWords} 个词`)
    expect(p.data.list.maxWords).toBeGreaterThan(0)
  })

  it('adds several words typed at once', async () => {
    const p = await open()
    p.instance.onInput({ detail: { value: '最低价\n假货，秒杀 最低价' } })
    expect(p.data.canAdd).toBe(true)
    await p.instance.onAdd()
    expect(await storedWords()).toEqual(['最低价', '假货', '秒杀'])
    expect(p.data.list.words).toEqual(['最低价', '假货', '秒杀'])
    expect(p.querySelectorAll('.word').length).toBe(3)
  })

  it('marks the word longer than the function allows, by name, and keeps add off', async () => {
    const p = await open()
    const long = `好${'长'.repeat(p.data.list.maxWordLength)}`
    p.instance.onInput({ detail: { value: `短词 ${long}` } })
    expect(p.data.inputError).toContain(`「${long}」`)
    expect(p.data.inputError).toContain(String(p.data.list.maxWordLength))
    expect(p.data.inputError).not.toContain('短词')
    expect(p.data.canAdd).toBe(false)
  })

  it('checks a text and shows the word that would be refused', async () => {
    const p = await open()
    p.instance.onProbe({ detail: { value: '全网最低价春茶' } })
    await p.instance.onCheck()
    expect(p.data.verdictPass).toBe(false)
    expect(p.data.hits.map((h: { text: string }) => h.text).join()).toContain('最低价')
    expect(text(p)).toContain('会被拒绝')
    p.instance.onProbe({ detail: { value: '春茶上新' } })
    await p.instance.onCheck()
    expect(p.data.verdictPass).toBe(true)
  })

  it('has the function refuse a room named with a listed word at submit, naming the field', async () => {
    const now = env.admin.emu.clock.nowSeconds()
    const reply = await env.admin.call('createRoom', {
      name: '全网最低价春茶直播',
      coverImg: 'media-cover',
      shareImg: 'media-share',
      feedsImg: 'media-feeds',
      startTime: now + 3600,
      endTime: now + 7200,
      anchorName: '小美老师',
      anchorWechat: 'anchor_xiaomei',
      type: 0,
      screenType: 0,
      closeLike: 0,
      closeGoods: 0,
      closeComment: 0,
    })
    expect(reply).toMatchObject({ ok: false, error: { field: 'name' } })
    expect(!reply.ok && reply.error.zh).toContain('最低价')
    expect(env.admin.emu.control.rooms().some((r) => r.name === '全网最低价春茶直播')).toBe(false)
  })

  it('removes a word after confirming', async () => {
    const p = await open()
    env.modalAnswer.confirm = false
    await p.instance.onRemove({ currentTarget: { dataset: { word: '假货' } } })
    expect(await storedWords()).toContain('假货')
    env.modalAnswer.confirm = true
    await p.instance.onRemove({ currentTarget: { dataset: { word: '假货' } } })
    expect(await storedWords()).toEqual(['最低价', '秒杀'])
    expect(p.data.list.words).toEqual(['最低价', '秒杀'])
  })
})
