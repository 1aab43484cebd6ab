/** The warehouse's rows and budget, and the goods form's params, problems, locks and changes, without a page. */
import { describe, expect, it } from 'vitest'
import { AUDIT_TABS, budgetFromError, budgetView, goodsRow } from '../../../miniprogram/merchant/utils/goods-view'
import { EMPTY_FORM, changesOf, formErrors, goodsInfoOf, lockedFields, problemText } from '../../../miniprogram/merchant/utils/goods-form'

const item = { goodsId: 7, name: '龙井', coverImgUrl: 'https://x/c.png', url: 'pages/home/index', priceType: 1, price: 19.9 }

describe('warehouse rows', () => {
  it('has one tab per audit state in the platform order', () => {
    expect(AUDIT_TABS.map((t) => [t.value, t.label])).toEqual([[0, '未审核'], [1, '审核中'], [2, '审核通过'], [3, '审核驳回']])
  })

  it('offers each state only the actions the platform allows', () => {
    expect(goodsRow(item, 1)).toMatchObject({ canEdit: false, canWithdraw: true, canResubmit: false, canDelete: false })
    expect(goodsRow(item, 2)).toMatchObject({ canEdit: true, canWithdraw: false, canResubmit: false, canDelete: true })
    expect(goodsRow(item, 3)).toMatchObject({ canEdit: true, canWithdraw: false, canResubmit: true, canDelete: true })
    expect(goodsRow(item, 0)).toMatchObject({ canResubmit: true, statusText: '未审核' })
  })

  it('words prices by type', () => {
    expect(goodsRow({ ...item, priceType: 2, price: 10, price2: 20.5 }, 2)).toMatchObject({ priceNow: '¥10.00–20.50', priceWas: '' })
    expect(goodsRow({ ...item, priceType: 3, price: 30, price2: 19.99 }, 2)).toMatchObject({ priceNow: '¥19.99', priceWas: '¥30.00' })
  })

  it('closes submitting when no review is left and says when it reopens', () => {
    const now = Date.parse('2026-11-27T10:00:00Z')
    expect(budgetView({ left: 3, limit: 500, resetsAt: '2026-11-27T16:00:00Z' }, now)).toMatchObject({ canSubmit: true, left: 3, text: '今天还能提交审核 3 次（每天 500 次）' })
    const out = budgetView({ left: 0, resetsAt: '2026-11-27T16:00:00Z' }, now)
    expect(out.canSubmit).toBe(false)
    // 16:00 UTC is midnight in Beijing, whatever zone the phone is in
    expect(out.text).toBe('今天的提审次数已用完，北京时间 2026-11-28 00:00 起可再提交审核')
    expect(budgetFromError({ reviewBudgetLeft: 0, resetsAt: '2026-11-27T16:00:00Z' })).toEqual({ left: 0, resetsAt: '2026-11-27T16:00:00Z' })
    expect(budgetFromError({ code: 'upstream' })).toBeNull()
  })
})

describe('the goods form', () => {
  const form = { ...EMPTY_FORM, coverImgUrl: 'cloud://env.bucket/c.png', name: '龙井', price: '19.9', url: 'pages/home/index' }

  it('turns the text into goodsInfo: numbers typed, price2 only where the type takes it', () => {
    expect(goodsInfoOf({ ...form, price2: '30' })).toEqual({ coverImgUrl: form.coverImgUrl, name: '龙井', priceType: 1, price: 19.9, url: 'pages/home/index' })
    expect(goodsInfoOf({ ...form, priceType: 2, price2: '30', thirdPartyAppid: ' wx123 ' })).toMatchObject({ price2: 30, thirdPartyAppid: 'wx123' })
    expect(goodsInfoOf({ ...form, price: '1.2.3' }).price).toBe('1.2.3')
  })

  it('names each broken field with the rule, and only the editable ones when editing', () => {
    expect(formErrors(form, 0)).toEqual({})
    const errors = formErrors({ ...form, name: '一二三四五六七八九十一二三四五', priceType: 3, price: '10', price2: '12' }, 0)
    expect(errors.name).toContain('300002')
    expect(errors.price2).toContain('300003')
    expect(Object.keys(formErrors({ ...form, name: '一二三四五六七八九十一二三四五', price: '' }, 0, ['price']))).toEqual(['price'])
  })

  it('drops the field name from a sentence shown beside that field and keeps the errcode', () => {
    expect(problemText({ field: 'goodsInfo.url', zh: 'goodsInfo.url：页面不在线上版本中', errcode: 300007 })).toBe('页面不在线上版本中（错误码 300007）')
  })

  it('locks what an audit state forbids, with the reason', () => {
    expect(Object.keys(lockedFields(2)).sort()).toEqual(['coverImgUrl', 'name', 'thirdPartyAppid', 'url'])
    expect(lockedFields(1).price).toContain('撤回')
    expect(lockedFields(0)).toEqual({})
  })

  it('sends only what changed, a price with its type and both amounts', () => {
    expect(changesOf(form, { ...form, name: '新名' }, ['name', 'price'])).toEqual({ name: '新名' })
    expect(changesOf(form, { ...form, priceType: 2, price2: '40' }, ['priceType', 'price', 'price2'])).toEqual({ priceType: 2, price: 19.9, price2: 40 })
    expect(changesOf(form, { ...form, name: '新名' }, ['price'])).toEqual({})
  })
})
