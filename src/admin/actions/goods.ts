/**
 * The goods warehouse: add and submit, update (only what the audit state allows, refused before the call),
 * withdraw and resubmit review, delete, list and read, and the day's review budget. Every change the platform
 * accepts is kept in the `live_goods` mirror (src/admin/goods-mirror.ts), which the sync's audit pass follows.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/commodity-api.html
 */
import { COLLECTIONS } from '../../cache/schema'
import { catalogue, GOODS_INFO_MAX_IDS, type GoodsFields } from '../../live/catalogue'
import { describeErrcode, WxApiError } from '../../live/errors'
import { checkGoodsName, checkGoodsPrice, checkGoodsUpdateFields, checkGoodsUrl, goodsUpdatableFields, type RuleProblem } from '../../live/rules'
import * as z from '../../live/zod'
import { cond } from '../../sync/driver'
import type { EndpointId } from '../../live/catalogue'
import { checkTexts, TEXT_CHECK_NOTE, type TextCheckReport } from '../content'
import { budgetExhausted, countReview, markReviewsExhausted, readReviewBudget, requireReview } from '../goods-budget'
import { listMirrored, newMirrorDoc, readMirror, putMirror, writeMirror, type GoodsMirrorDoc } from '../goods-mirror'
import { knownPages } from '../goods-pages'
import { resolveImage } from '../media'
import { AdminFailure, fail, ruleFailure } from '../reply'
import { refreshRoom, type CacheOutcome } from '../write-through'
import { defineAction, type ActionContext, type ActionDef } from '../types'

const INFO = 'goodsInfo.'

/** A goods item as getgoodswarehouse answers it. */
type WarehouseView = Awaited<ReturnType<ActionContext['ports']['live']['goodsInfo']>>['goods'][number]

/** The content check of a new goods item's name (its input rules ran with the params: src/admin/form-rules.ts). */
async function checkGoodsAdd(ctx: ActionContext, goods: GoodsFields): Promise<TextCheckReport> {
  return checkTexts(ctx, [{ field: `${INFO}name`, text: goods.name }])
}

/**
 * The cover as a media_id: given as one, or a cloud storage file ID turned into temporary media (cached per file).
 * Its only documented bound is in pixels (300×300), which the platform checks; no byte rule applies here.
 */
async function coverMediaId(ctx: ActionContext, value: string): Promise<string> {
  return (await resolveImage(ctx, `${INFO}coverImgUrl`, value, () => null)).mediaId
}

/**
 * A submission for review (goods/add, goods/audit): refused before the call when today's budget is spent;
 * counted once accepted; a 300012 from the platform is remembered for the day and answered with when it resets.
 */
async function submitForReview<T>(ctx: ActionContext, endpoint: EndpointId, submit: () => Promise<T>): Promise<{ result: T; reviewBudgetLeft: number }> {
  const budget = await requireReview(ctx)
  let result: T
  try {
    result = await submit()
  } catch (e) {
    if (e instanceof WxApiError && e.errcode === 300012) {
      await markReviewsExhausted(ctx)
      throw budgetExhausted(budget.resetsAt)
    }
    throw e
  }
  await countReview(ctx, endpoint)
  return { result, reviewBudgetLeft: Math.max(0, budget.left - 1) }
}

/** The platform's view of one warehouse goods item, or not_found naming goodsId. */
async function warehouseItem(ctx: ActionContext, goodsId: number, field: string): Promise<WarehouseView> {
  const { goods } = await ctx.ports.live.goodsInfo({ goodsIds: [goodsId] })
  const item = goods.find((g) => g.goodsId === goodsId)
  if (!item) fail('not_found', describeErrcode(1003), { field, errcode: 1003 })
  // thirdPartyTag 1 or 2 marks goods added through the API; the API may touch no other.
  if (item.thirdPartyTag !== 1 && item.thirdPartyTag !== 2) fail('failed_precondition', describeErrcode(300011), { field, errcode: 300011 })
  return item
}

/** Builds the whole mirror document from the platform when the goods is not mirrored yet; null if it cannot. */
const wholeFromPlatform = (ctx: ActionContext, goodsId: number, auditId: number | null) => async (): Promise<GoodsMirrorDoc | null> => {
  const { goods } = await ctx.ports.live.goodsInfo({ goodsIds: [goodsId] })
  const view = goods.find((g) => g.goodsId === goodsId)
  return view ? newMirrorDoc(ctx, view, view.auditStatus, auditId) : null
}

/** The refusal of an update the audit state does not allow, naming the field and what may change. */
function updateRefused(problem: RuleProblem, auditStatus: number): AdminFailure {
  return new AdminFailure({
    code: 'failed_precondition',
    field: INFO + problem.field,
    errcode: problem.errcode,
    auditStatus,
    updatableFields: [...goodsUpdatableFields(auditStatus)],
    zh: INFO + problem.zh,
    en: INFO + problem.en,
  })
}

const goodsIdParam = catalogue.goodsAudit.request.shape.goodsId

/** Rooms re-read after a deletion at most (the cache rooms showing the goods; the sync corrects any beyond). */
const ROOMS_REFRESHED_MAX = 10
/** Mirrored goods one refreshGoodsAudit call reads at most, and by default. */
const REFRESH_MAX = 200
const REFRESH_DEFAULT = 100
/** Time kept back for the reply before the run's deadline. */
const REFRESH_MARGIN_MS = 500

export const goodsActions: Readonly<Record<string, ActionDef>> = {
  goodsAdd: defineAction({
    name: 'goodsAdd',
    who: 'admin',
    mutates: true,
    summary: {
      zh: '添加商品到商品库并提交审核（占用当天提审次数），记入商品镜像；封面 coverImgUrl 可传 media_id 或云存储文件 ID（cloud://…）',
      en: "Add a goods item to the warehouse and submit it for review (spends one of the day's reviews), mirrored in live_goods; the cover coverImgUrl is a media_id or a cloud storage file ID (cloud://…)",
    },
    params: catalogue.goodsAdd.request,
    reply: `{goodsId, auditId, auditStatus: 1, reviewBudgetLeft, mirror: "written" | "failed", ${TEXT_CHECK_NOTE}}`,
    calls: ['goodsAdd'],
    run: async (ctx, p) => {
      const gi = p.goodsInfo
      const textCheck = await checkGoodsAdd(ctx, gi)
      const { result, reviewBudgetLeft } = await submitForReview(ctx, 'goodsAdd', async () => {
        const sent = { ...gi, coverImgUrl: await coverMediaId(ctx, gi.coverImgUrl) }
        return { sent, reply: await ctx.ports.live.goodsAdd({ goodsInfo: sent }) }
      })
      const { sent, reply } = result
      const mirror = await putMirror(ctx, newMirrorDoc(ctx, { ...sent, goodsId: reply.goodsId }, 1, reply.auditId))
      return { goodsId: reply.goodsId, auditId: reply.auditId, auditStatus: 1, reviewBudgetLeft, mirror, textCheck }
    },
  }),

  goodsUpdate: defineAction({
    name: 'goodsUpdate',
    who: 'admin',
    mutates: true,
    summary: {
      zh: '修改商品：未审核或被驳回的可改全部字段，审核通过的只能改价格类型与价格，审核中的不能改（调用前检查）；封面可传 media_id 或云存储文件 ID',
      en: 'Update a goods item: not audited or rejected goods may change every field, approved goods only the price type and prices, goods under review nothing (checked before the call); the cover is a media_id or a cloud storage file ID',
    },
    params: catalogue.goodsUpdate.request,
    reply: `{goodsId, changed: string[], mirror: "written" | "failed", ${TEXT_CHECK_NOTE} (null when the name is unchanged)}; a refused field answers failed_precondition with errcode 300010, auditStatus and updatableFields`,
    calls: ['goodsInfo', 'goodsUpdate'],
    run: async (ctx, p) => {
      const { goodsId, ...fields } = p.goodsInfo
      const changing = Object.keys(fields).filter((k) => fields[k as keyof typeof fields] !== undefined)
      if (changing.length === 0) {
        fail('invalid_argument', { zh: 'goodsInfo：除 goodsId 外至少要有一个要修改的字段', en: 'goodsInfo: needs at least one field to change besides goodsId' }, { field: 'goodsInfo' })
      }
      const view = await warehouseItem(ctx, goodsId, `${INFO}goodsId`)
      const refused = checkGoodsUpdateFields(view.auditStatus, changing)
      if (refused) throw updateRefused(refused, view.auditStatus)
      const merged = {
        priceType: fields.priceType ?? view.priceType,
        price: fields.price ?? view.price,
        price2: fields.price2 ?? view.price2,
      }
      const problem =
        (fields.name !== undefined ? checkGoodsName(fields.name) : null) ??
        (fields.priceType !== undefined || fields.price !== undefined || fields.price2 !== undefined ? checkGoodsPrice(merged) : null) ??
        (fields.url !== undefined ? checkGoodsUrl(fields.url, knownPages()) : null)
      if (problem) throw ruleFailure(problem, INFO)
      const textCheck = fields.name !== undefined ? await checkTexts(ctx, [{ field: `${INFO}name`, text: fields.name }]) : null

      const sent = fields.coverImgUrl === undefined ? p.goodsInfo : { ...p.goodsInfo, coverImgUrl: await coverMediaId(ctx, fields.coverImgUrl) }
      await ctx.ports.live.goodsUpdate({ goodsInfo: sent })
      const set: Record<string, unknown> = {}
      for (const k of changing) set[k] = sent[k as keyof typeof sent]
      // A fixed price has no second price (the platform drops it).
      if (merged.priceType === 1) set.price2 = null
      const mirror = await writeMirror(ctx, goodsId, set, async () => ({ ...newMirrorDoc(ctx, view, view.auditStatus, null), ...set }))
      return { goodsId, changed: changing, mirror, textCheck }
    },
  }),

  goodsResetAudit: defineAction({
    name: 'goodsResetAudit',
    who: 'admin',
    mutates: true,
    summary: { zh: '撤回商品审核（已用的提审次数不返还）', en: 'Withdraw a goods item from review (the review spent is not returned)' },
    params: z.object({ goodsId: goodsIdParam, auditId: z.optional(catalogue.goodsResetAudit.request.shape.auditId) }),
    reply: '{goodsId, auditStatus: 0, mirror: "written" | "none" | "failed"}; auditId defaults to the one the mirror keeps',
    calls: ['goodsResetAudit'],
    run: async (ctx, p) => {
      let auditId = p.auditId
      if (auditId === undefined) {
        const row = await readMirror(ctx, p.goodsId)
        if (!row || row.auditId === null) {
          fail('invalid_argument', {
            zh: 'auditId：该商品不在商品镜像中，须填写提审时返回的 auditId',
            en: 'auditId: this goods item is not in the mirror; give the auditId its submission returned',
          }, { field: 'auditId' })
        }
        auditId = row.auditId
      }
      await ctx.ports.live.goodsResetAudit({ goodsId: p.goodsId, auditId })
      const mirror = await writeMirror(ctx, p.goodsId, { auditStatus: 0 }, wholeFromPlatform(ctx, p.goodsId, null))
      return { goodsId: p.goodsId, auditStatus: 0, mirror }
    },
  }),

  goodsAudit: defineAction({
    name: 'goodsAudit',
    who: 'admin',
    mutates: true,
    summary: { zh: '重新提交商品审核（占用当天提审次数）', en: "Resubmit a goods item for review (spends one of the day's reviews)" },
    params: catalogue.goodsAudit.request,
    reply: `{goodsId, auditId, auditStatus: 1, reviewBudgetLeft, mirror: "written" | "failed", ${TEXT_CHECK_NOTE}}`,
    calls: ['goodsAudit', 'goodsInfo'],
    run: async (ctx, p) => {
      const { result, reviewBudgetLeft } = await submitForReview(ctx, 'goodsAudit', () => ctx.ports.live.goodsAudit({ goodsId: p.goodsId }))
      const mirror = await writeMirror(ctx, p.goodsId, { auditStatus: 1, auditId: result.auditId }, wholeFromPlatform(ctx, p.goodsId, result.auditId))
      return { goodsId: p.goodsId, auditId: result.auditId, auditStatus: 1, reviewBudgetLeft, mirror }
    },
  }),

  goodsDelete: defineAction({
    name: 'goodsDelete',
    who: 'admin',
    mutates: true,
    summary: {
      zh: '从商品库删除商品（也从所有直播间移除，不可恢复；经 HTTPS，需要 WX_APPSECRET）',
      en: 'Delete a goods item from the warehouse (also removed from every room, irreversibly; over HTTPS, needs WX_APPSECRET)',
    },
    params: catalogue.goodsDelete.request,
    reply: '{goodsId, mirror: "written" | "none" | "failed", rooms: {roomId, cache: "written" | "unchanged" | "pending"}[]} (rooms the cache showed it in, re-read)',
    calls: ['goodsDelete', 'getLiveInfo'],
    run: async (ctx, p) => {
      await ctx.ports.live.goodsDelete({ goodsId: p.goodsId })
      const now = new Date(ctx.ports.nowMs())
      const mirror = await writeMirror(ctx, p.goodsId, { deletedAt: now, missingUpstream: true }, null)
      const rooms: { roomId: number; cache: CacheOutcome }[] = []
      let shown: number[] = []
      try {
        const docs = await ctx.ports.docs.find(COLLECTIONS.rooms, { 'goods.goodsId': p.goodsId }, { limit: ROOMS_REFRESHED_MAX, fields: ['roomId'] })
        shown = docs.map((d) => d.roomId).filter((id): id is number => typeof id === 'number')
      } catch {
        // The deletion stands; the sync corrects the rooms on its next read.
      }
      for (const roomId of shown) rooms.push({ roomId, cache: await refreshRoom(ctx, roomId) })
      return { goodsId: p.goodsId, mirror, rooms }
    },
  }),

  goodsList: defineAction({
    name: 'goodsList',
    who: 'admin',
    mutates: false,
    summary: { zh: '按审核状态列出商品库（0 未审核、1 审核中、2 审核通过、3 审核驳回）', en: 'List the warehouse by audit status (0 not audited, 1 under review, 2 approved, 3 rejected)' },
    params: z.object({
      status: catalogue.goodsList.request.shape.status,
      offset: z._default(catalogue.goodsList.request.shape.offset, 0),
      limit: catalogue.goodsList.request.shape.limit,
    }),
    reply: '{goods: {goodsId, name, coverImgUrl, url, priceType, price, price2?, thirdPartyTag, thirdPartyAppid}[], total, updatableFields: string[]} (prices in yuan; updatableFields: what goodsUpdate may change in this status)',
    calls: ['goodsList'],
    run: async (ctx, p) => {
      const reply = await ctx.ports.live.goodsList(p)
      return { ...reply, updatableFields: [...goodsUpdatableFields(p.status)] }
    },
  }),

  goodsInfo: defineAction({
    name: 'goodsInfo',
    who: 'admin',
    mutates: false,
    summary: { zh: '商品的信息与审核状态（每次最多 20 个），附可修改的字段', en: 'Goods information and audit state (up to 20 a call), with the fields each may change' },
    params: catalogue.goodsInfo.request,
    reply: `{goods: {goodsId, name, coverImgUrl, url, priceType, price, price2?, auditStatus, thirdPartyTag, thirdPartyAppid, updatableFields: string[], mirrored: boolean}[], total} (at most ${GOODS_INFO_MAX_IDS} ids; unknown ids are left out)`,
    calls: ['goodsInfo'],
    run: async (ctx, p) => {
      const reply = await ctx.ports.live.goodsInfo(p)
      const ids = reply.goods.map((g) => `goods-${g.goodsId}`)
      const mirrored = new Set(
        ids.length ? (await ctx.ports.docs.find(COLLECTIONS.goods, { _id: cond.in(ids) }, { limit: ids.length, fields: ['goodsId'] })).map((d) => d.goodsId) : [],
      )
      return {
        ...reply,
        goods: reply.goods.map((g) => ({ ...g, updatableFields: [...goodsUpdatableFields(g.auditStatus)], mirrored: mirrored.has(g.goodsId) })),
      }
    },
  }),

  refreshGoodsAudit: defineAction({
    name: 'refreshGoodsAudit',
    who: 'admin',
    mutates: true,
    summary: { zh: '刷新商品镜像中商品的审核状态（向平台查询并写入镜像）', en: 'Refresh the audit state of the mirrored goods (asks the platform, writes the mirror)' },
    params: z.object({
      after: z.optional(goodsIdParam),
      limit: z._default(z.int().check(z.gte(1), z.lte(REFRESH_MAX)), REFRESH_DEFAULT),
    }),
    reply: '{checked, changed: {goodsId, from, to}[], missing: number[], next: number | null} (pass next as after to continue; missing: goods the platform no longer has)',
    calls: ['goodsInfo'],
    run: async (ctx, p) => {
      const rows = await listMirrored(ctx, p.limit, p.after)
      const changed: { goodsId: number; from: number; to: number }[] = []
      const missing: number[] = []
      let checked = 0
      let last: number | null = null
      for (let i = 0; i < rows.length; i += GOODS_INFO_MAX_IDS) {
        // Leave the rest for the next call rather than be cut off by the platform mid-batch.
        if (checked > 0 && ctx.ports.nowMs() > ctx.ports.deadlineMs - REFRESH_MARGIN_MS) break
        const batch = rows.slice(i, i + GOODS_INFO_MAX_IDS)
        const { goods } = await ctx.ports.live.goodsInfo({ goodsIds: batch.map((r) => r.goodsId) })
        const byId = new Map(goods.map((g) => [g.goodsId, g]))
        const now = new Date(ctx.ports.nowMs())
        for (const row of batch) {
          const g = byId.get(row.goodsId)
          if (!g) {
            await ctx.ports.cache.markGoodsMissing(row.goodsId, now)
            missing.push(row.goodsId)
          } else if (g.auditStatus !== row.auditStatus) {
            await ctx.ports.cache.setGoodsAudit(row.goodsId, g.auditStatus, now)
            changed.push({ goodsId: row.goodsId, from: row.auditStatus, to: g.auditStatus })
          }
        }
        checked += batch.length
        last = batch[batch.length - 1].goodsId
      }
      const more = checked < rows.length || rows.length === p.limit
      return { checked, changed, missing, next: more ? last : null }
    },
  }),

  reviewBudget: defineAction({
    name: 'reviewBudget',
    who: 'admin',
    mutates: false,
    summary: { zh: '今天还能提审几次（添加并提审与重新提审共用每天 500 次）', en: 'Reviews left today (goods add and resubmit share 500 a day)' },
    params: z.object({}),
    reply: '{day, limit, used, left, exhausted, resetsAt} (day in Asia/Shanghai; used: submissions through this function; exhausted: the platform said 300012 today)',
    calls: [],
    needsMiniProgramLive: true,
    run: (ctx) => readReviewBudget(ctx),
  }),
}
