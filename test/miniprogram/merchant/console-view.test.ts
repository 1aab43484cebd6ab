/** The room console's view logic: rows from getLiveInfo, switch states, the picker's greyed rows, moves and the refresh limit. */
import { describe, expect, it } from 'vitest'
import {
  EMPTY_MEMORY,
  REFRESH_EVERY_MS,
  SWITCHES,
  fieldErrors,
  goodsRows,
  inOrder,
  moved,
  pickRows,
  priceText,
  refreshWaitMs,
  roomHead,
  roomIdFrom,
  switchRows,
  waitText,
  type LiveInfoRoom,
  type WarehouseGoods,
} from '../../../miniprogram/merchant/utils/console-view'

const room = (over: Partial<LiveInfoRoom> = {}): LiveInfoRoom => ({
  roomid: 7,
  name: '春茶上新直播间',
  liveStatus: 101,
  startTime: 1,
  endTime: 2,
  anchorName: '小美老师',
  liveType: 1,
  closeKf: 1,
  closeReplay: 0,
  isFeedsPublic: 0,
  goods: [
    { goodsId: 3, name: '龙井', coverImg: 'c', url: 'u', price: 8800, priceType: 1 },
    { goodsId: 4, name: '碧螺春', coverImg: 'c', url: 'u', price: 1000, price2: 2000, priceType: 2 },
  ],
  ...over,
})

const ware = (goodsId: number, auditStatus: number): WarehouseGoods => ({ goodsId, name: `g${goodsId}`, coverImgUrl: '', priceType: 3, price: 100, price2: 79.9, auditStatus })

describe('room console view', () => {
  it('reads prices in fen from getLiveInfo and in yuan from the warehouse, by price type', () => {
    expect(priceText({ priceType: 1, price: 8800 }, 'fen')).toBe('¥88.00')
    expect(priceText({ priceType: 2, price: 1000, price2: 2000 }, 'fen')).toBe('¥10.00–¥20.00')
    expect(priceText({ priceType: 3, price: 100, price2: 79.9 }, 'yuan')).toBe('¥79.90（原价 ¥100.00）')
  })

  it('shows goods on sale unless this phone took them off sale', () => {
    const rows = goodsRows(room(), { sale: { '4': 0 }, switches: {} })
    expect(rows.map((r) => [r.goodsId, r.onSale, r.priceText])).toEqual([
      [3, 1, '¥88.00'],
      [4, 0, '¥10.00–¥20.00'],
    ])
  })

  it('takes each switch from getLiveInfo, and the comment ban, which it does not list, from memory', () => {
    const rows = switchRows(room(), { sale: {}, switches: { banComment: true, kf: true } })
    expect(Object.fromEntries(rows.map((r) => [r.key, r.on]))).toEqual({ banComment: true, feedsPublic: false, replay: true, kf: false })
    expect(switchRows(room({ closeReplay: undefined }), EMPTY_MEMORY).find((r) => r.key === 'replay')?.on).toBe(false)
  })

  it('sends each switch with the value its action expects (close flags inverted)', () => {
    const params = Object.fromEntries(SWITCHES.map((s) => [s.param, [s.valueFor(true), s.valueFor(false)]]))
    expect(params).toEqual({ banComment: [1, 0], isFeedsPublic: [1, 0], closeReplay: [0, 1], closeKf: [0, 1] })
  })

  it('names the status from the shared status table', () => {
    expect(roomHead(room()).statusText).toBe('直播中')
    expect(roomHead(room()).isLive).toBe(true)
    expect(roomHead(room({ liveStatus: 102 })).statusText).toBe('未开始')
    expect(roomHead(room({ liveStatus: 999 })).statusText).toBe('状态 999')
  })

  it('lets only approved goods not yet in the room be picked, the rest greyed with the reason', () => {
    const rows = pickRows([ware(1, 1), ware(2, 2), ware(3, 2), ware(5, 0), ware(6, 3)], [3], [2, 1])
    expect(rows.map((r) => [r.goodsId, r.selectable, r.picked])).toEqual([
      [2, true, true],
      [1, false, false],
      [3, false, false],
      [5, false, false],
      [6, false, false],
    ])
    expect(rows.find((r) => r.goodsId === 1)?.reason).toContain('审核中')
    expect(rows.find((r) => r.goodsId === 3)?.reason).toBe('已在直播间')
    expect(rows.find((r) => r.goodsId === 6)?.reason).toContain('驳回')
  })

  it('moves a goods item one place and refuses to move it off either end', () => {
    expect(moved([1, 2, 3], 2, -1)).toEqual([1, 3, 2])
    expect(moved([1, 2, 3], 0, 1)).toEqual([2, 1, 3])
    expect(moved([1, 2, 3], 0, -1)).toBeNull()
    expect(moved([1, 2, 3], 2, 1)).toBeNull()
    expect(moved([1, 2, 3], -1, 1)).toBeNull()
    expect(inOrder([{ goodsId: 1 }, { goodsId: 2 }], [2, 1, 9])).toEqual([{ goodsId: 2 }, { goodsId: 1 }])
  })

  it('allows a re-read once a minute and says how long to wait before', () => {
    expect(refreshWaitMs(null, 5)).toBe(0)
    expect(refreshWaitMs(1_000, 1_000 + REFRESH_EVERY_MS)).toBe(0)
    expect(refreshWaitMs(1_000, 21_000)).toBe(REFRESH_EVERY_MS - 20_000)
    expect(refreshWaitMs(50_000, 10_000)).toBe(REFRESH_EVERY_MS)
    expect(waitText(39_001)).toContain('40 秒')
  })

  it('takes a room id only as a positive integer', () => {
    expect(roomIdFrom({ roomId: '12' })).toBe(12)
    for (const bad of ['0', '-1', '1.5', 'abc', '', '012']) expect(roomIdFrom({ roomId: bad })).toBeNull()
    expect(roomIdFrom(undefined)).toBeNull()
  })

  it('keys form problems by the form field, first problem kept', () => {
    expect(fieldErrors({ 'users.0.username': { zh: 'a' }, username: { zh: 'b' }, nickname: { zh: 'c' } })).toEqual({ username: 'a', nickname: 'c' })
  })
})
