import { describe, expect, it } from 'vitest'
import { checkChannelCode, checkChannelName, entryKindOf, parseQrScene, qrScene, scenesOf, QR_SCENE_MAX } from '../src/stats/channels'
import { checkEvent, BATCH_EVENTS_MAX, batchSchema, orderSchema } from '../src/stats/events'
import { countsOfEvent, derive, zeroCounts, addCounts } from '../src/stats/metrics'
import { dailyDocId, seqKeyOf, viewerBatchDocId, viewerKey } from '../src/stats/docs'

const NOW = Date.UTC(2026, 10, 28, 4, 0, 0)

describe('channel codes, names and QR scenes', () => {
  it('accepts 2–8 lower-case letters or digits and refuses reserved, upper-case, long or short codes', () => {
    expect(checkChannelCode('poster1')).toBeNull()
    for (const bad of ['a', 'Poster', 'abcdefghi', 'home', 'direct', 'a-b', '', 3]) expect(checkChannelCode(bad), String(bad)).not.toBeNull()
  })

  it('counts a channel name in display columns, CJK as two', () => {
    expect(checkChannelName('会员群海报')).toBeNull()
    expect(checkChannelName('一二三四五六七八九十')).toBeNull()
    expect(checkChannelName('一二三四五六七八九十一')?.field).toBe('name')
    expect(checkChannelName(' 海报')?.zh).toContain('空格')
    expect(checkChannelName('')).not.toBeNull()
  })

  it('round-trips a QR scene within 32 characters and refuses what does not parse', () => {
    const scene = qrScene(1234567, 'poster1')!
    expect(scene.length).toBeLessThanOrEqual(QR_SCENE_MAX)
    expect(parseQrScene(scene)).toEqual({ roomId: 1234567, code: 'poster1' })
    expect(parseQrScene('0.ab')).toBeNull()
    expect(parseQrScene('12.home')).toBeNull()
    expect(parseQrScene('12.ab&x=1')).toBeNull()
  })

  it('tells entry kinds from scene values, unknown scenes being other', () => {
    expect(entryKindOf(1047)).toBe('qrcode')
    expect(entryKindOf(1194)).toBe('urllink')
    expect(entryKindOf(1065)).toBe('urlscheme')
    expect(entryKindOf(1179)).toBe('shortlink')
    expect(entryKindOf(1007)).toBe('share')
    expect(entryKindOf(1001)).toBe('other')
    expect(scenesOf('urlscheme').sort()).toEqual([1065, 1286])
  })
})

describe('viewer events, one by one', () => {
  it('accepts each kind with its own fields', () => {
    const r = checkEvent({ kind: 'enter', atMs: NOW - 1000, roomId: 7, channel: 'poster1', scene: 1047 }, 0, NOW)
    expect(r.ok).toBe(true)
  })

  it('names the field and the rule of a refused event, in Chinese and English', () => {
    const r = checkEvent({ kind: 'replay', atMs: NOW, roomId: 7, channel: 'home', seconds: -3 }, 4, NOW)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.problem.field).toBe('events.4.seconds')
      expect(r.problem.en).toMatch(/events\.4\.seconds/)
      expect(r.problem.zh).toMatch(/events\.4\.seconds/)
    }
    const unknown = checkEvent({ kind: 'hack', atMs: NOW }, 1, NOW)
    expect(!unknown.ok && unknown.problem.field).toBe('events.1.kind')
    const extra = checkEvent({ kind: 'share', atMs: NOW, roomId: 7, channel: 'home', openid: 'x' }, 2, NOW)
    expect(!extra.ok && extra.problem.field).toBe('events.2.openid')
    const old = checkEvent({ kind: 'share', atMs: NOW - 49 * 3600_000, roomId: 7, channel: 'home' }, 3, NOW)
    expect(!old.ok && old.problem.field).toBe('events.3.atMs')
  })

  it('bounds a batch to its id rule and event count', () => {
    expect(batchSchema.safeParse({ batchId: 'abcdefgh', events: [{}] }).success).toBe(true)
    expect(batchSchema.safeParse({ batchId: 'short', events: [{}] }).success).toBe(false)
    expect(batchSchema.safeParse({ batchId: 'abcdefgh', events: Array(BATCH_EVENTS_MAX + 1).fill({}) }).success).toBe(false)
  })

  it('takes an order with amount in fen, its goods, room and channel', () => {
    const order = { orderId: 'o-1', roomId: 7, channel: 'poster1', amountFen: 1990, goods: [{ goodsId: 3, quantity: 1 }], paidAtMs: NOW }
    expect(orderSchema.safeParse(order).success).toBe(true)
    expect(orderSchema.safeParse({ ...order, amountFen: 19.9 }).success).toBe(false)
  })
})

describe('counters and derived figures', () => {
  it('derives entry rate and per-thousand figures from counts, null without a denominator', () => {
    const c = addCounts(zeroCounts(), { reached: 200, entered: 50, orders: 2, gmvFen: 10_000, replayPlays: 4, replaySeconds: 600 })
    const d = derive(c)
    expect(d.entryRate).toBe(0.25)
    expect(d.ordersPerK).toBe(40)
    expect(d.gmvPerKFen).toBe(200_000)
    expect(d.avgReplaySeconds).toBe(150)
    expect(derive(zeroCounts()).entryRate).toBeNull()
    expect(countsOfEvent({ kind: 'enter', atMs: NOW, roomId: 1, channel: 'home', scene: 1007, shared: true })).toEqual({ entered: 1, sharedEntries: 1 })
  })

  it('keeps openids out of ids: batch ids, viewer keys and aggregate ids are hashes or public fields', () => {
    const openid = 'oViewerOpenid123'
    for (const id of [viewerBatchDocId(openid, 'batch0001'), viewerKey(openid), dailyDocId('2026-11-28', 7, 'home')]) expect(id).not.toContain(openid)
    expect(viewerBatchDocId(openid, 'batch0001')).toBe(viewerBatchDocId(openid, 'batch0001'))
    expect(viewerBatchDocId(openid, 'batch0001')).not.toBe(viewerBatchDocId('other', 'batch0001'))
    expect(seqKeyOf(5, 'b-x') < seqKeyOf(40, 'b-a')).toBe(true)
  })
})

describe('relay query', () => {
  it('reads back the room and code a link carries, refusing anything else', async () => {
    const { relayQuery, parseRelayQuery } = await import('../src/stats/channels')
    const q = Object.fromEntries(new URLSearchParams(relayQuery(42, 'sms1')))
    expect(parseRelayQuery(q)).toEqual({ roomId: 42, code: 'sms1' })
    expect(parseRelayQuery({ roomId: '42', ch: 'home' })).toBeNull()
    expect(parseRelayQuery({ roomId: '4.2', ch: 'sms1' })).toBeNull()
    expect(parseRelayQuery({ roomId: '42' })).toBeNull()
  })
})
