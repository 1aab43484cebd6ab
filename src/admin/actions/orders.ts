/**
 * Orders reported from the back office: an admin records an order the merchant's order flow could not report
 * itself (an order taken by phone, a backfill after an outage). The same use case as the `track` function's
 * `reportOrder` (src/stats/track.ts `storeOrder`), so an order id reported both ways is still one order.
 */
import { EVENT_PAST_MAX_MS, orderSchema } from '../../stats/events'
import { storeOrder } from '../../stats/track'
import { defineAction, type ActionDef } from '../types'

const PAID_WITHIN_HOURS = EVENT_PAST_MAX_MS / 3_600_000

export const orderActions: Readonly<Record<string, ActionDef>> = {
  statsReportOrder: defineAction({
    name: 'statsReportOrder',
    who: 'admin',
    mutates: true,
    summary: {
      zh: `上报一笔订单（金额、商品、直播间与渠道），计入支付当天该直播间的订单数与成交额；支付时间须在最近 ${PAID_WITHIN_HOURS} 小时内；同一订单号重复上报只计一次`,
      en: `Report one order (amount, goods, room and channel), counted in the room's orders and GMV for the day it was paid; paidAtMs within the last ${PAID_WITHIN_HOURS} hours; an order id reported again counts once`,
    },
    params: orderSchema,
    reply: '{orderId, duplicate: boolean (true: this order id was reported before, the first report stands)}',
    calls: [],
    run: (ctx, order) => storeOrder({ docs: ctx.ports.docs, nowMs: ctx.ports.nowMs }, order),
    auditDetail: (data) => ({ duplicate: (data as { duplicate: boolean }).duplicate }),
  }),
}
