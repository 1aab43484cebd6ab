/**
 * What every endpoint handler receives, and the lookups most of them share. A handler takes validated,
 * camelCase params and returns the success body in the HTTPS wire casing (without errcode/errmsg), or
 * throws `LiveError`.
 */
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

export type WireBody = Record<string, unknown>
export type Handler = (ctx: HandlerContext, params: Record<string, unknown>) => WireBody

/**
 * Types a handler by its params. The catalogue's zod schema has already validated the params when the
 * handler runs, so the cast at this one boundary is safe; each handler states only the fields it reads.
 */
export function handler<P>(fn: (ctx: HandlerContext, params: P) => WireBody): Handler {
  return (ctx, params) => fn(ctx, params as P)
}

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
