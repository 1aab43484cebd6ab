/**
 * What a batch row of each kind is: the single action that submits it (its params schema gives the columns and
 * its checks are run on every row), the rules checked before any call, the key that makes two rows the same
 * (refused within one file), and how a row left in doubt is found on the platform afterwards.
 */
import { catalogue, type EndpointId } from '../../live/catalogue'
import type { EndpointDef } from '../../live/endpoint'
import { isEmptyRoomList } from '../../live/errors'
import type { RuleProblem } from '../../live/rules'
import * as z from '../../live/zod'
import { findWord } from '../content'
import type { ActionDef, ActionContext } from '../types'
import { columnsOf, type Column } from './columns'
import { defOf } from '../schema-def'

export const BATCH_KINDS = ['rooms', 'goods'] as const
export type BatchKind = (typeof BATCH_KINDS)[number]
export const batchKindSchema = z.enum(BATCH_KINDS)

/** What reconciling a row in doubt found: the platform has it (its id), it has not, or we could not tell yet. */
export type Found = { found: true; id: number } | { found: false } | { found: 'unknown' }

export interface RowKind {
  /** The single action each row is submitted through, and whose params each row must satisfy. */
  action: string
  /** Endpoint whose daily quota (or quota bucket) limits how many rows can go per day. */
  quotaEndpoint: EndpointId
  /** The id the platform gives a created row. */
  idField: 'roomId' | 'goodsId'
  /** The flat object schema a file row maps onto (a goods row is the action's `goodsInfo`). */
  rowSchema(def: ActionDef): z.ZodMiniType
  toParams(row: Record<string, unknown>): Record<string, unknown>
  /** The flat row inside the action's params (the inverse of toParams). */
  rowOf(params: Record<string, unknown>): Record<string, unknown>
  /** Field of a params issue path as the file's column (drops `goodsInfo.`). */
  column(field: string): string
  /** The rules the single action checks before calling (width, time window, IDs, page path), then the words. */
  check(ctx: ActionContext, row: Record<string, unknown>, words: readonly string[]): RuleProblem | null
  /** Two rows with the same key would make the same thing twice (and could not be told apart afterwards). */
  key(row: Record<string, unknown>): string
  /** Looks for the row on the platform, for ids not in `claimed` (ids other rows of the job already own). */
  find(ctx: ActionContext, row: Record<string, unknown>, claimed: ReadonlySet<number>, stopAtMs: number): Promise<Found>
}

/** Pages read at most when looking for one row on the platform; the lists are newest first. */
export const FIND_MAX_PAGES = 10
const FIND_PAGE = 100

const shapeOf = (schema: z.ZodMiniType): Record<string, z.ZodMiniType> => defOf(schema).shape ?? {}

/**
 * The merchant's word list (read once per file) on the row's texts. The platform's text check costs one call per
 * text, too many for a file in one run: it runs per row when the row is submitted, inside the single action.
 */
function wordProblem(words: readonly string[], fields: { field: string; text: unknown }[]): RuleProblem | null {
  for (const f of fields) {
    const word = typeof f.text === 'string' ? findWord(f.text, words) : null
    if (word !== null) {
      return { errcode: 0, field: f.field, zh: `${f.field}：含有敏感词“${word}”（商家敏感词表）`, en: `${f.field}: contains the sensitive word "${word}" (the merchant's word list)` }
    }
  }
  return null
}

const rooms: RowKind = {
  action: 'createRoom',
  quotaEndpoint: 'createRoom',
  idField: 'roomId',
  rowSchema: (def) => def.params,
  toParams: (row) => row,
  rowOf: (params) => params,
  column: (field) => field,
  check(ctx, p, words) {
    // the room rules ran with the params (src/admin/form-rules.ts); the word list is the merchant's own
    return wordProblem(words, [{ field: 'name', text: p.name }, { field: 'anchorName', text: p.anchorName }])
  },
  key: (p) => `${String(p.name)}\u0000${String(p.startTime)}`,
  async find(ctx, p, claimed, stopAtMs) {
    for (let page = 0; page < FIND_MAX_PAGES; page++) {
      if (ctx.ports.nowMs() > stopAtMs) return { found: 'unknown' }
      let reply
      try {
        reply = await ctx.ports.live.getLiveInfo({ start: page * FIND_PAGE, limit: FIND_PAGE })
      } catch (e) {
        if (isEmptyRoomList(e)) return { found: false }
        return { found: 'unknown' }
      }
      const hit = reply.roomInfo.find((r) => r.name === p.name && r.startTime === p.startTime && r.endTime === p.endTime && r.anchorName === p.anchorName && !claimed.has(r.roomid))
      if (hit) return { found: true, id: hit.roomid }
      // The list is by start time, latest first: past an earlier start, the room cannot come later.
      if (reply.roomInfo.length < FIND_PAGE || reply.roomInfo.some((r) => r.startTime < Number(p.startTime))) return { found: false }
    }
    return { found: 'unknown' }
  },
}

/** Audit states a just-added goods item can be in: under review, approved (fast review), withdrawn, rejected. */
const GOODS_STATES = [1, 2, 0, 3] as const

const goods: RowKind = {
  action: 'goodsAdd',
  quotaEndpoint: 'goodsAdd',
  idField: 'goodsId',
  rowSchema: (def) => shapeOf(def.params).goodsInfo ?? z.object({}),
  toParams: (row) => ({ goodsInfo: row }),
  rowOf: (params) => (params.goodsInfo ?? {}) as Record<string, unknown>,
  column: (field) => field.replace(/^goodsInfo\./, ''),
  check(_ctx, p, words) {
    return wordProblem(words, [{ field: 'name', text: p.name }])
  },
  key: (p) => String(p.name),
  async find(ctx, p, claimed, stopAtMs) {
    for (const status of GOODS_STATES) {
      for (let page = 0; page < FIND_MAX_PAGES; page++) {
        if (ctx.ports.nowMs() > stopAtMs) return { found: 'unknown' }
        let reply
        try {
          reply = await ctx.ports.live.goodsList({ offset: page * FIND_PAGE, limit: FIND_PAGE, status })
        } catch {
          return { found: 'unknown' }
        }
        const hit = reply.goods.find(
          (g) => g.name === p.name && g.url === p.url && g.priceType === p.priceType && g.price === p.price && (p.price2 === undefined || g.price2 === p.price2) && !claimed.has(g.goodsId),
        )
        if (hit) return { found: true, id: hit.goodsId }
        if (reply.goods.length < FIND_PAGE) break
      }
    }
    return { found: false }
  },
}

export const ROW_KINDS: Readonly<Record<BatchKind, RowKind>> = { rooms, goods }

/** The columns of a kind, from the params schema of its action as the table defines it. */
export function kindColumns(kind: RowKind, def: ActionDef): Column[] {
  return columnsOf(kind.rowSchema(def))
}

/** The day's quota of the endpoint's bucket, and the endpoints that share it. */
export function quotaOf(endpoint: EndpointId): { quota: number; shared: EndpointId[] } {
  const bucketOf = (id: EndpointId): string => (catalogue[id] as EndpointDef).quotaBucket ?? id
  const bucket = bucketOf(endpoint)
  const shared = (Object.keys(catalogue) as EndpointId[]).filter((id) => bucketOf(id) === bucket)
  return { quota: catalogue[endpoint].dailyQuota, shared }
}
