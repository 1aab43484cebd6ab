/** Room and goods input rules: what the platform would refuse, and the sentence that tells a merchant what to fix. */
import { describe, expect, it } from 'vitest'
import { describeErrcode } from '../src/live/errors'
import {
  checkAnchorName,
  checkGoodsName,
  checkGoodsPrice,
  checkGoodsUrl,
  checkRoomName,
  checkRoomOrder,
  checkRoomTimes,
  checkWechatId,
  ROOM_TIME_ERRCODE,
  textWidth,
} from '../src/live/rules'

describe('widths', () => {
  it('counts CJK as 2', () => {
    expect(textWidth('直播abc')).toBe(7)
    expect(textWidth('ＡＢ')).toBe(4)
    expect(textWidth('')).toBe(0)
  })

  it('checks name widths with the documented errcodes, naming the field', () => {
    expect(checkRoomName('直播间')).toBeNull()
    expect(checkRoomName('直播')).toMatchObject({ errcode: 300002, field: 'name' })
    expect(checkRoomName('一二三四五六七八九十一二三四五六七')).toBeNull()
    expect(checkRoomName('一二三四五六七八九十一二三四五六七八')).toMatchObject({ errcode: 300002, field: 'name' })
    expect(checkAnchorName('主播')).toBeNull()
    expect(checkAnchorName('李')).toMatchObject({ errcode: 300034, field: 'anchorName' })
    expect(checkGoodsName('一二三四五六七八九十一二三四')).toBeNull()
    expect(checkGoodsName('一二三四五六七八九十一二三四五')).toMatchObject({ errcode: 300002, field: 'name' })
    expect(checkGoodsName('', 'goodsInfo.name')).toMatchObject({ errcode: 300002, field: 'goodsInfo.name' })
  })
})

describe('room time window', () => {
  const now = 1_700_000_000

  it('takes a start 10 minutes to 6 months ahead and a length of 30 minutes to 24 hours', () => {
    expect(checkRoomTimes(now + 600, now + 600 + 1800, now)).toBeNull()
    expect(checkRoomTimes(now + 3600, now + 3600 + 86400, now)).toBeNull()
    expect(checkRoomTimes(now + 170 * 86400, now + 170 * 86400 + 3600, now)).toBeNull()
  })

  it('names the field each broken bound is about', () => {
    const at = (start: number, end: number) => checkRoomTimes(start, end, now)
    expect(at(now + 599, now + 599 + 1800)).toMatchObject({ errcode: ROOM_TIME_ERRCODE, field: 'startTime' })
    expect(at(now + 190 * 86400, now + 190 * 86400 + 3600)).toMatchObject({ errcode: ROOM_TIME_ERRCODE, field: 'startTime' })
    expect(at(now + 3600, now + 3600 + 1799)).toMatchObject({ errcode: ROOM_TIME_ERRCODE, field: 'endTime' })
    expect(at(now + 3600, now + 3600 + 86401)).toMatchObject({ errcode: ROOM_TIME_ERRCODE, field: 'endTime' })
  })

  it('without a clock asks only that the end comes after the start', () => {
    expect(checkRoomOrder(100, 101)).toBeNull()
    expect(checkRoomOrder(100, 100)).toMatchObject({ errcode: ROOM_TIME_ERRCODE, field: 'endTime' })
  })
})

describe('goods', () => {
  it('checks prices by type: fixed, range (lower < upper), discount (current < original)', () => {
    expect(checkGoodsPrice({ priceType: 1, price: 9.9 })).toBeNull()
    expect(checkGoodsPrice({ priceType: 1, price: 9.999 })).toMatchObject({ errcode: 300003, field: 'price' })
    expect(checkGoodsPrice({ priceType: 2, price: 10 })).toMatchObject({ errcode: 300003, field: 'price2' })
    expect(checkGoodsPrice({ priceType: 2, price: 10, price2: 20 })).toBeNull()
    expect(checkGoodsPrice({ priceType: 2, price: 10, price2: 10 })).toMatchObject({ field: 'price2' })
    expect(checkGoodsPrice({ priceType: 3, price: 10, price2: 8 })).toBeNull()
    expect(checkGoodsPrice({ priceType: 3, price: 10, price2: 12 })).toMatchObject({ field: 'price2' })
  })

  it('wants a mini program page path, in the online version when that is known', () => {
    expect(checkGoodsUrl('pages/goods/detail?id=1')).toBeNull()
    expect(checkGoodsUrl('/pages/goods/detail')).toBeNull()
    expect(checkGoodsUrl('https://shop.example/goods/1')).toMatchObject({ errcode: 300007, field: 'url' })
    expect(checkGoodsUrl('pages/goods/detail', ['pages/index/index'])).toMatchObject({ errcode: 300007, field: 'url' })
    expect(checkGoodsUrl('pages/goods/detail', ['/pages/goods/detail'])).toBeNull()
  })

  it('checks WeChat IDs with the errcode of the role the ID plays', () => {
    expect(checkWechatId('anchorWechat', 'anchor_01', 300035)).toBeNull()
    expect(checkWechatId('anchorWechat', '1abc', 300035)).toMatchObject({ errcode: 300035, field: 'anchorWechat' })
  })
})

describe('what a merchant reads', () => {
  it('words a problem in Chinese and English from the errcode table, the field and the rule', () => {
    const p = checkRoomName('直播')!
    expect(p.zh).toBe(`name：${describeErrcode(300002).zh}（3–17 个汉字，宽度 6–34，一个汉字计 2）`)
    expect(p.en).toBe(`name: ${describeErrcode(300002).en} (3–17 Chinese characters, width 6–34, one CJK character counting 2)`)
  })

  it('gives every rule both sentences, each starting with the field', () => {
    const now = 1_700_000_000
    const problems = [
      checkRoomName('x'),
      checkAnchorName('x'),
      checkGoodsName(''),
      checkRoomTimes(now, now + 60, now),
      checkRoomTimes(now + 3600, now + 3600 + 60, now),
      checkRoomOrder(2, 1),
      checkGoodsPrice({ priceType: 3, price: 1, price2: 2 }),
      checkGoodsUrl('http://x'),
      checkWechatId('username', '!', 400001),
    ]
    for (const p of problems) {
      expect(p).not.toBeNull()
      const text = describeErrcode(p!.errcode)
      expect(p!.zh.startsWith(`${p!.field}：${text.zh}（`)).toBe(true)
      expect(p!.en.startsWith(`${p!.field}: ${text.en} (`)).toBe(true)
    }
  })
})
