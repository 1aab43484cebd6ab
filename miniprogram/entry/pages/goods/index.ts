/**
 * The goods landing page for merchants without their own: a goods' `url` may name it (with `?goodsId=` or any
 * query of the merchant's), the Live plugin opens it from the room's shelf, and it shows the goods from the cache
 * and counts the visit under the room's channel. A back button returns to the room, as the plugin docs advise:
 * https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/industry/liveplayer/other-abilities
 */
import { trackGoodsVisit } from '../../../services/track'
import { priceText } from '../../../utils/format'
import { goodsOfPage, roomGoods } from '../../services/goods'

const GOODS_PAGE = 'entry/pages/goods/index'

Component({
  data: {
    status: 'loading' as 'loading' | 'ready' | 'missing',
    title: '',
    message: '',
    roomName: '',
    items: [] as { goodsId: number; name: string; coverImg: string; price: string; was: string }[],
  },
  methods: {
    async onLoad(options: Record<string, string | undefined>) {
      const query = options || {}
      const goodsId = Number(query.goodsId)
      trackGoodsVisit(query, Number.isSafeInteger(goodsId) && goodsId > 0 ? goodsId : undefined)
      const roomId = Number(query.room_id)
      if (!/^[1-9][0-9]*$/.test(String(query.room_id)) || !Number.isSafeInteger(roomId)) {
        this.setData({ status: 'missing', title: '请从直播间打开商品', message: '这个页面展示直播间货架上的商品' })
        return
      }
      try {
        const room = await roomGoods(roomId)
        const found = room ? goodsOfPage(room.goods, GOODS_PAGE, query) : []
        if (!room || found.length === 0) {
          this.setData({ status: 'missing', title: '没有找到这件商品', message: '它可能已从直播间下架' })
          return
        }
        const items = found.map((g) => {
          const p = priceText(g.priceType, g.price, g.price2)
          return { goodsId: g.goodsId, name: g.name, coverImg: g.coverImg, price: p.now, was: p.was }
        })
        this.setData({ status: 'ready', roomName: room.roomName, items })
      } catch (err) {
        console.warn('[goods] load failed', err)
        this.setData({ status: 'missing', title: '加载失败', message: '请检查网络后返回直播间重试' })
      }
    },

    onBack() {
      wx.navigateBack({ delta: 1 })
    },

    onHome() {
      wx.reLaunch({ url: '/pages/home/index' })
    },
  },
})
