/** A room's goods from the viewer-readable cache, for the goods landing page (one indexed read by roomId). */
import type { RoomGoods } from '../../../src/cache/schema'
import { database } from '../../services/cloud'
import { ROOMS } from '../../services/collections'

export interface RoomGoodsList {
  roomName: string
  goods: RoomGoods[]
}

export async function roomGoods(roomId: number): Promise<RoomGoodsList | null> {
  const res = await database().collection(ROOMS).where({ roomId }).field({ name: true, goods: true }).limit(1).get()
  const doc = res.data[0]
  if (!doc) return null
  return { roomName: typeof doc.name === 'string' ? doc.name : '', goods: Array.isArray(doc.goods) ? (doc.goods as RoomGoods[]) : [] }
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * The goods this page was opened for: by `goodsId` in the query when the goods' url carries it, else every goods
 * whose url (this page plus its own query, URL-encoded as goods/add asks) the page's query matches.
 */
export function goodsOfPage(goods: readonly RoomGoods[], page: string, query: Readonly<Record<string, string | undefined>>): RoomGoods[] {
  const goodsId = Number(query.goodsId)
  if (Number.isSafeInteger(goodsId) && goodsId > 0) return goods.filter((g) => g.goodsId === goodsId)
  return goods.filter((g) => {
    const [path, search = ''] = g.url.replace(/^\//, '').split('?')
    if (path !== page) return false
    return search
      .split('&')
      .filter((pair) => pair !== '')
      .every((pair) => {
        const [key, value = ''] = pair.split('=')
        const mine = query[decoded(key)]
        return mine !== undefined && decoded(mine) === decoded(value)
      })
  })
}
