/**
 * What every endpoint handler receives, and the lookups most of them share. A handler is typed from its
 * catalogue entry: it takes what the request schema produced (camelCase) and returns what the response schema
 * takes (camelCase, without errcode/errmsg); the sandbox puts the reply in the endpoint's wire casing. Or it
 * throws `LiveError`.
 */
import type { Catalogue, EndpointId } from '../../../src/live/catalogue'
import type * as z from '../../../src/live/zod'
import type { LiveState } from '../state'
import type { LiveStatus, Room, WarehouseGoods } from '../model'
import { auditStatus, roomStatus } from '../model'
import type { RuleProblem } from '../../../src/live/rules'
import { LiveError } from '../wire'

export interface HandlerContext {
  state: LiveState
  /** Unix seconds at the start of the call; one instant per call keeps a reply self-consistent. */
  now: number
  /** Asia/Shanghai day of `now`. */
  day: string
}

/** The handler of endpoint K: its request schema's output in, its response schema's input out. */
export type Handler<K extends EndpointId> = (
  ctx: HandlerContext,
  params: z.output<Catalogue[K]['request']>,
) => z.input<Catalogue[K]['response']>

/** One handler per endpoint id of K, each typed from its own entry. */
export type Handlers<K extends EndpointId = EndpointId> = { readonly [P in K]: Handler<P> }

/** Answers a broken rule as the platform would: its errcode, and the merchant's sentence naming the field. */
export function enforce(problem: RuleProblem | null): void {
  if (problem) throw new LiveError(problem.errcode, problem.en)
}

export function requireRoom(ctx: HandlerContext, roomId: number): Room {
  const room = ctx.state.rooms.get(roomId)
  if (!room) throw new LiveError(300022, `room not exist: roomId ${roomId}`)
  return room
}

export function statusOf(ctx: HandlerContext, room: Room): LiveStatus {
  return roomStatus(room, ctx.now)
}

/** 300023 unless the room's current status is one of `allowed`. */
export function requireStatus(ctx: HandlerContext, room: Room, allowed: readonly LiveStatus[], what: string): LiveStatus {
  const s = statusOf(ctx, room)
  if (!allowed.includes(s)) {
    throw new LiveError(300023, `room state ${s} forbids ${what} (allowed: ${allowed.join(', ')})`)
  }
  return s
}

export function goodsAudit(ctx: HandlerContext, g: WarehouseGoods): 0 | 1 | 2 | 3 {
  return auditStatus(g, ctx.now, ctx.state.options.autoAuditSeconds)
}

/** Yuan → fen, as getliveinfo lists room goods prices. */
export function fen(yuan: number): number {
  return Math.round(yuan * 100)
}
