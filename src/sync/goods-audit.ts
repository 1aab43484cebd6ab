/**
 * Step 4b of a run: every `goodsAuditEveryMs`, asks the warehouse for the audit state of the goods still under
 * review (`live_goods` items with auditStatus 0 or 1) and records each verdict.
 */
import { GOODS_INFO_MAX_IDS } from '../live/catalogue'
import type { GatedApi } from './gate'
import type { Run } from './run'

/** Goods read from the cache per pass; a longer backlog is finished by the following passes. */
const GOODS_PER_PASS = 1000

export async function auditGoods(run: Run): Promise<void> {
  const { store, gate, cp, cfg, nowMs, now, out } = run
  const resuming = cp.goodsCursor !== null && cp.goodsCursor !== undefined
  if (!resuming && cp.lastGoodsAuditAt !== null && nowMs - cp.lastGoodsAuditAt < cfg.goodsAuditEveryMs) return
  // A pass cut short (budget, quota share) continues after the last goods checked, so the goods at the
  // front of the list cannot starve the rest.
  const pending = await store.goodsPendingAudit(GOODS_PER_PASS, resuming ? (cp.goodsCursor ?? undefined) : undefined)
  for (let i = 0; i < pending.length; i += GOODS_INFO_MAX_IDS) {
    const batch = pending.slice(i, i + GOODS_INFO_MAX_IDS)
    const res = await gate.call('goodsInfo' satisfies GatedApi, { goodsIds: batch.map((g) => g.goodsId) })
    const byId = new Map(res.goods.map((g) => [g.goodsId, g]))
    for (const row of batch) {
      const g = byId.get(row.goodsId)
      if (!g) {
        await store.markGoodsMissing(row.goodsId, now)
        continue
      }
      if (g.auditStatus !== row.auditStatus) {
        await store.setGoodsAudit(row.goodsId, g.auditStatus, now)
        out.goodsUpdated++
      }
    }
    cp.goodsCursor = batch[batch.length - 1].goodsId
  }
  if (pending.length < GOODS_PER_PASS) {
    cp.goodsCursor = null
    cp.lastGoodsAuditAt = nowMs
  }
}
