/**
 * The merchant pages' copy of the form rules: the committed bundle is what a fresh build of src/admin/phone-rules.ts
 * gives, its types declare exactly what it exports, and it answers a form exactly as liveAdmin answers the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionTable } from '../../src/admin/actions'
import { checkActionParams } from '../../src/admin/dispatch'
import { miniProgramPages, PAGES_DEFINE } from '../../tools/miniprogram-pages'
import { buildPhoneRules, loadBundle, readPhoneRules } from '../../tools/mp-rules'

const NOW = Math.floor(Date.UTC(2026, 10, 27, 4) / 1000)
const HOUR = 3600

const room = {
  name: '春季新品直播专场',
  coverImg: 'cover-media',
  startTime: NOW + 2 * HOUR,
  endTime: NOW + 4 * HOUR,
  anchorName: '店长小美',
  anchorWechat: 'shop_anchor01',
  shareImg: 'share-media',
  feedsImg: 'feeds-media',
  type: 0,
  closeLike: 0,
  closeGoods: 0,
  closeComment: 0,
}
const goodsInfo = { coverImgUrl: 'cover-media', name: '手工小饼干', priceType: 1, price: 19.9, url: 'pages/home/index' }

/** Inputs each form may send, good and bad: every case is answered alike by the phone and by the function. */
const CASES: [string, Record<string, unknown>][] = [
  ['createRoom', room],
  ['createRoom', { ...room, name: '短' }],
  ['createRoom', { ...room, anchorName: '这是一个非常非常非常非常非常长的主播昵称' }],
  ['createRoom', { ...room, startTime: NOW + 60 }],
  ['createRoom', { ...room, endTime: room.startTime + 10 * 60 }],
  ['createRoom', { ...room, anchorWechat: '1abc' }],
  ['createRoom', { ...room, unknown: 1 }],
  ['createRoom', { ...room, type: 3 }],
  ['editRoom', { ...room, id: 7, name: 'ab' }],
  ['goodsAdd', { goodsInfo }],
  ['goodsAdd', { goodsInfo: { ...goodsInfo, price: 19.999 } }],
  ['goodsAdd', { goodsInfo: { ...goodsInfo, priceType: 2, price: 30, price2: 20 } }],
  ['goodsAdd', { goodsInfo: { ...goodsInfo, url: 'pages/nowhere/index' } }],
  ['goodsAdd', { goodsInfo: { ...goodsInfo, name: '' } }],
  ['addRole', { role: 2, username: 'anchor_01' }],
  ['addRole', { role: 2, username: '中文名' }],
  ['addAssistant', { roomId: 7, users: [{ username: 'helper_01', nickname: '小助手' }, { username: '9bad', nickname: 'x' }] }],
  ['addSubAnchor', { roomId: 7, username: 'x' }],
  ['getSharedCode', { roomId: 7, params: { from: 'x'.repeat(700) } }],
]

// The built function knows app.json's pages (an esbuild define); unbuilt, src/ reads the same name from the global.
beforeAll(() => {
  ;(globalThis as Record<string, unknown>)[PAGES_DEFINE] = miniProgramPages()
})
afterAll(() => {
  delete (globalThis as Record<string, unknown>)[PAGES_DEFINE]
})

describe('the merchant pages’ form rules bundle', () => {
  it('is committed exactly as a fresh build makes it (run npm run mp:rules after changing a rule)', async () => {
    const fresh = await buildPhoneRules()
    const committed = readPhoneRules()
    expect(committed.js === fresh.js, 'miniprogram/merchant/generated/rules.js is stale: run npm run mp:rules').toBe(true)
    expect(committed.dts).toBe(fresh.dts)
  })

  it('declares in rules.d.ts every value it exports, and nothing else', () => {
    const { js, dts } = readPhoneRules()
    const exported = Object.keys(loadBundle(js)).sort()
    const declared = [...dts.matchAll(/^export declare (?:function|const) (\w+)/gm)].map((m) => m[1]).sort()
    expect(declared).toEqual(exported)
    expect(exported).toContain('checkForm')
  })

  it.each(CASES)('answers %s as liveAdmin does (case %#)', (action, params) => {
    const phone = loadBundle(readPhoneRules().js) as { checkForm(a: string, raw: unknown, now: number): { ok: boolean; problem?: unknown; data?: unknown } }
    const server = checkActionParams(actionTable[action], params, NOW)
    const local = phone.checkForm(action, params, NOW)
    expect(local.ok).toBe(server.ok)
    if (!server.ok && !local.ok) {
      const { code, ...rest } = server.error
      expect(code).toBe('invalid_argument')
      expect(local.problem).toEqual(rest)
    }
  })

  it('words the price rules in Chinese, naming price2 once', () => {
    const phone = loadBundle(readPhoneRules().js) as { checkForm(a: string, raw: unknown, now: number): { ok: boolean; problem?: { zh: string; en: string } } }
    const missing = phone.checkForm('goodsAdd', { goodsInfo: { ...goodsInfo, priceType: 2 } }, NOW)
    expect(missing.problem?.zh).toBe('goodsInfo.price2：价格类型为 2（区间价或折扣价）时必须填写')
    expect(missing.problem?.en).toBe('goodsInfo.price2: required when priceType is 2')
    const pair = phone.checkForm('goodsAdd', { goodsInfo: { ...goodsInfo, priceType: 2, price: 30, price2: 20 } }, NOW)
    expect(pair.problem?.zh).toMatch(/^goodsInfo\.price2：价格不合法（/)
    expect(pair.problem?.zh.match(/price2/g)).toHaveLength(1)
  })

  it('marks every broken field of a form at once', () => {
    const phone = loadBundle(readPhoneRules().js) as { formProblems(a: string, raw: unknown, now: number): Record<string, { zh: string }> }
    const problems = phone.formProblems('createRoom', { ...room, name: 1, anchorName: 2 }, NOW)
    expect(Object.keys(problems).sort()).toEqual(['anchorName', 'name'])
    expect(phone.formProblems('createRoom', room, NOW)).toEqual({})
  })
})
