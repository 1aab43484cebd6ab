/**
 * The sandbox control API over HTTP: `/__sandbox/...`, JSON in and out, errors as `{error}` with 400 (bad input)
 * or 404 (unknown room, goods, function). Each route is a thin translation onto the TypeScript control module
 * and the emulator's own services; docs/EMULATOR.md lists them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { Emulator } from '../emulator'
import { HttpError, parseJsonObject, sendJson } from './http-util'
import { parseInput } from '../sandbox/errors'

type Handler = (ctx: { emu: Emulator; params: string[]; body: Record<string, unknown>; url: URL }) => Promise<unknown> | unknown

interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  pattern: RegExp
  handler: Handler
}

const clockBody = z
  .object({
    now: z.number().int('must be whole Unix seconds').nonnegative('must be Unix seconds ≥ 0').optional(),
    advance: z.number().nonnegative('must be seconds ≥ 0').optional(),
  })
  .strict()
  .refine((b) => (b.now === undefined) !== (b.advance === undefined), 'give exactly one of now or advance')
const seedBody = z.object({ preset: z.literal('demo') }).strict()
const invokeBody = z.object({ event: z.record(z.string(), z.unknown()).optional(), openid: z.string().min(1).optional() }).strict()

function numberParam(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new HttpError(400, `${name}: must be a positive integer`)
  return Number(value)
}

const routes: Route[] = [
  { method: 'GET', pattern: /^\/__sandbox\/info$/, handler: ({ emu }) => emu.info() },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/reset$/,
    handler: async ({ emu }) => {
      await emu.reset()
      return { ok: true }
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/seed$/,
    handler: ({ emu, body }) => {
      parseInput(seedBody, body, 'seed')
      return emu.control.seedDemo()
    },
  },
  { method: 'GET', pattern: /^\/__sandbox\/clock$/, handler: ({ emu }) => ({ now: emu.clock.nowSeconds() }) },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/clock$/,
    handler: ({ emu, body }) => {
      const input = parseInput(clockBody, body, 'clock')
      if (input.now !== undefined) emu.clock.set(input.now)
      else emu.clock.advance(input.advance ?? 0)
      return { now: emu.clock.nowSeconds() }
    },
  },
  { method: 'POST', pattern: /^\/__sandbox\/rooms$/, handler: ({ emu, body }) => emu.control.createRoom(body) },
  {
    method: 'DELETE',
    pattern: /^\/__sandbox\/rooms\/([^/]+)$/,
    handler: ({ emu, params }) => emu.control.deleteRoom(numberParam(params[0], 'roomId')),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/rooms\/([^/]+)\/events$/,
    handler: ({ emu, params, body }) => emu.control.roomEvent(numberParam(params[0], 'roomId'), body.event),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/goods\/([^/]+)\/audit$/,
    handler: ({ emu, params, body }) => emu.control.auditGoods(numberParam(params[0], 'goodsId'), body.result),
  },
  { method: 'POST', pattern: /^\/__sandbox\/followers$/, handler: ({ emu, body }) => emu.control.addFollower(body) },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/users\/([^/]+)$/,
    handler: ({ emu, params, body }) => emu.control.setUserVerified(decodeURIComponent(params[0]), body.verified),
  },
  { method: 'POST', pattern: /^\/__sandbox\/faults$/, handler: ({ emu, body }) => emu.control.addFault(body) },
  { method: 'GET', pattern: /^\/__sandbox\/calls$/, handler: ({ emu }) => emu.control.calls() },
  { method: 'GET', pattern: /^\/__sandbox\/messages$/, handler: ({ emu }) => emu.control.pushedMessages() },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/functions\/([^/]+)\/invoke$/,
    handler: ({ emu, params, body }) => {
      const input = parseInput(invokeBody, body, 'invoke')
      return emu.invokeFunction(decodeURIComponent(params[0]), input.event ?? {}, { openid: input.openid })
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/timers\/([^/]+)\/fire$/,
    handler: ({ emu, params }) => emu.fireTimer(decodeURIComponent(params[0])),
  },
]

export async function handleControl(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<void> {
  try {
    const matching = routes.filter((r) => r.pattern.test(url.pathname))
    if (matching.length === 0) throw new HttpError(404, `no control route ${url.pathname}`)
    const route = matching.find((r) => r.method === req.method)
    if (!route) throw new HttpError(400, `${url.pathname} does not take ${req.method}; use ${matching.map((r) => r.method).join(' or ')}`)
    const params = route.pattern.exec(url.pathname)!.slice(1)
    const body = req.method === 'GET' || req.method === 'DELETE' ? {} : parseJsonObject(raw)
    const result = await route.handler({ emu, params, body, url })
    sendJson(res, 200, result ?? { ok: true })
  } catch (e) {
    const status = statusOf(e)
    sendJson(res, status, { error: e instanceof Error ? e.message : String(e) })
  }
}

/** Control-module errors carry `status` (400 bad input, 404 unknown thing); anything else is a 500. */
function statusOf(e: unknown): number {
  if (e instanceof HttpError) return e.status
  const status = (e as { status?: unknown } | null)?.status
  if (status === 400 || status === 404) return status
  if (e instanceof z.ZodError) return 400
  return 500
}
