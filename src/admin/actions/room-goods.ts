/**
 * Goods inside a room: import from the warehouse, on/off sale, push a card during a live, reorder, remove, and
 * the explanation clip. Params are checked before any Live call; after the platform accepts a change the room
 * is re-read and written through to the cache (`cache` in the reply says how that went), so viewers see the
 * room's goods at once and the next sync run finds nothing to change.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/studio-api.html
 */
import { catalogue } from '../../live/catalogue'
import { LIVE_STATUS_TEXT, LiveStatus, liveStatusName } from '../../live/status'
import { writeThroughRoom } from '../../sync/write-through'
import { fail } from '../reply'
import { defineAction, type ActionContext, type ActionDef } from '../types'
import { findPlatformRoom, refreshRoom } from '../write-through'

/** The room's status now: the cache when it says live, else the platform (written through), else the cache. */
export async function roomStatusNow(ctx: ActionContext, roomId: number): Promise<number | null> {
  const cached = (await ctx.ports.cache.getRooms([roomId])).get(roomId)
  if (cached?.liveStatus === LiveStatus.live) return LiveStatus.live
  // A room that started after the last sync run is cached as upcoming: ask the platform before refusing.
  const room = await findPlatformRoom(ctx, roomId)
  if (room) {
    try {
      await writeThroughRoom(ctx.ports.cache, room, new Date(ctx.ports.nowMs()))
    } catch {
      // the status is known either way; the next sync run writes the room
    }
    return room.liveStatus
  }
  return cached?.liveStatus ?? null
}

/** The status by name in both languages, for a refusal that names it. */
export function statusWords(code: number): { zh: string; en: string } {
  const name = liveStatusName(code)
  return name ? { zh: `${LIVE_STATUS_TEXT[name].zh}（${code}）`, en: `${LIVE_STATUS_TEXT[name].en} (${code})` } : { zh: `未知状态 ${code}`, en: `unknown status ${code}` }
}

/**
 * Refuses before the call unless the room is live now, with `errcode` (what the platform would answer); a room
 * the platform does not list goes on to the call, which answers 300022.
 */
export async function requireLive(ctx: ActionContext, roomId: number, what: { zh: string; en: string }, errcode = 300023): Promise<void> {
  const status = await roomStatusNow(ctx, roomId)
  if (status === null || status === LiveStatus.live) return
  const words = statusWords(status)
  fail('failed_precondition', {
    zh: `roomId：直播间 ${roomId} 当前为“${words.zh}”，只有直播中才能${what.zh}`,
    en: `roomId: room ${roomId} is ${words.en}; ${what.en} only while it is live`,
  }, { field: 'roomId', errcode, liveStatus: status, status: liveStatusName(status) ?? null })
}

/** The first repeated goods id in a list, with its position, or null. */
function firstRepeat(ids: readonly number[]): { index: number; id: number } | null {
  const seen = new Set<number>()
  for (const [index, id] of ids.entries()) {
    if (seen.has(id)) return { index, id }
    seen.add(id)
  }
  return null
}

const CACHE_REPLY = 'cache: "written" | "unchanged" | "pending" (pending: the next liveSync run updates the room)'

export const roomGoodsActions: Readonly<Record<string, ActionDef>> = {
  importGoods: defineAction({
    name: 'importGoods',
    who: 'admin',
    mutates: true,
    summary: { zh: '从商品库导入已审核通过的商品到直播间（追加在末尾）', en: 'Import approved warehouse goods into a room (appended at the end)' },
    params: catalogue.importGoods.request,
    reply: `{roomId, ids: number[], ${CACHE_REPLY}}`,
    calls: ['importGoods', 'getLiveInfo'],
    run: async (ctx, p) => {
      const repeat = firstRepeat(p.ids)
      if (repeat) {
        fail('invalid_argument', { zh: `ids.${repeat.index}：商品 ${repeat.id} 重复`, en: `ids.${repeat.index}: goods ${repeat.id} is listed twice` }, { field: `ids.${repeat.index}` })
      }
      await ctx.ports.live.importGoods({ roomId: p.roomId, ids: p.ids })
      return { roomId: p.roomId, ids: p.ids, cache: await refreshRoom(ctx, p.roomId) }
    },
  }),

  goodsSale: defineAction({
    name: 'goodsSale',
    who: 'admin',
    mutates: true,
    summary: { zh: '直播间商品上架（onSale 1）或下架（onSale 0）', en: 'Put a room goods item on sale (onSale 1) or off sale (onSale 0)' },
    params: catalogue.goodsSale.request,
    reply: `{roomId, goodsId, onSale, ${CACHE_REPLY}}`,
    calls: ['goodsSale', 'getLiveInfo'],
    run: async (ctx, p) => {
      await ctx.ports.live.goodsSale(p)
      return { roomId: p.roomId, goodsId: p.goodsId, onSale: p.onSale, cache: await refreshRoom(ctx, p.roomId) }
    },
  }),

  goodsPush: defineAction({
    name: 'goodsPush',
    who: 'admin',
    mutates: true,
    summary: { zh: '直播中推送商品卡片（直播间须在直播中；一次一个）', en: 'Push a goods card during a live (the room must be live; one at a time)' },
    params: catalogue.goodsPush.request,
    reply: '{roomId, goodsId, pushed: true}',
    calls: ['goodsPush', 'getLiveInfo'],
    run: async (ctx, p) => {
      await requireLive(ctx, p.roomId, { zh: '推送商品', en: 'goods can be pushed' })
      await ctx.ports.live.goodsPush(p)
      return { roomId: p.roomId, goodsId: p.goodsId, pushed: true }
    },
  }),

  goodsSort: defineAction({
    name: 'goodsSort',
    who: 'admin',
    mutates: true,
    summary: { zh: '直播间商品排序：按给出的顺序排列（给出直播间的全部商品，每个一次）', en: "Reorder a room's goods: give the room's goods in the order wanted, each once" },
    params: catalogue.goodsSort.request,
    reply: `{roomId, order: number[], ${CACHE_REPLY}}`,
    calls: ['goodsSort', 'getLiveInfo'],
    run: async (ctx, p) => {
      const order = p.goods.map((g) => Number(g.goodsId))
      for (const [i, id] of order.entries()) {
        if (!Number.isSafeInteger(id) || id <= 0) {
          fail('invalid_argument', { zh: `goods.${i}.goodsId：须为正整数`, en: `goods.${i}.goodsId: must be a positive integer` }, { field: `goods.${i}.goodsId` })
        }
      }
      const repeat = firstRepeat(order)
      if (repeat) {
        fail('invalid_argument', { zh: `goods.${repeat.index}.goodsId：商品 ${repeat.id} 重复`, en: `goods.${repeat.index}.goodsId: goods ${repeat.id} is listed twice` }, { field: `goods.${repeat.index}.goodsId` })
      }
      await ctx.ports.live.goodsSort({ roomId: p.roomId, goods: order.map((goodsId) => ({ goodsId })) })
      return { roomId: p.roomId, order, cache: await refreshRoom(ctx, p.roomId) }
    },
  }),

  goodsDeleteInRoom: defineAction({
    name: 'goodsDeleteInRoom',
    who: 'admin',
    mutates: true,
    summary: { zh: '从直播间移除商品（商品库中的商品保留）', en: 'Remove a goods item from a room (it stays in the warehouse)' },
    params: catalogue.goodsDeleteInRoom.request,
    reply: `{roomId, goodsId, ${CACHE_REPLY}}`,
    calls: ['goodsDeleteInRoom', 'getLiveInfo'],
    run: async (ctx, p) => {
      await ctx.ports.live.goodsDeleteInRoom(p)
      return { roomId: p.roomId, goodsId: p.goodsId, cache: await refreshRoom(ctx, p.roomId) }
    },
  }),

  goodsVideo: defineAction({
    name: 'goodsVideo',
    who: 'admin',
    mutates: false,
    summary: { zh: '商品讲解视频的下载地址（推送讲解后生成）', en: "The download URL of a goods item's explanation clip (made after it was pushed and explained)" },
    params: catalogue.goodsVideo.request,
    reply: '{roomId, goodsId, url}',
    calls: ['goodsVideo'],
    run: async (ctx, p) => {
      const { url } = await ctx.ports.live.goodsVideo(p)
      return { roomId: p.roomId, goodsId: p.goodsId, url }
    },
  }),
}
