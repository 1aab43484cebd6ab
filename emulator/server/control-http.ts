/**
 * The sandbox control API over HTTP: `/__sandbox/...`, JSON in and out, errors as `{error}` with 400 (bad input),
 * 404 (unknown route, room, goods, function) or 405 (known route, other method; `Allow` lists the methods).
 * The route table below is the one list: it routes requests and `GET /__sandbox/` serves it as the index, so the
 * two cannot drift. Each handler is a thin translation onto the TypeScript control module or the emulator.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { Emulator } from '../types'
import { HttpError, parseJsonObject, sendJson, sendMethodNotAllowed, sendRaw } from './http-util'
import { DB_ROUTES } from './control-db'
import { FUNCTION_ROUTES } from './control-functions'
import { LIVE_ROUTES } from './control-live'
import { PREVIEW_ROUTES } from './control-preview'
import { numberParam, RawReply, type Method, type RouteSpec } from './control-route'

export { RawReply }
import { parseInput } from '../sandbox/errors'
import { envVariablesSchema } from '../../tools/function-config'

const clockBody = z
  .object({
    now: z.number().int('must be whole Unix seconds').nonnegative('must be Unix seconds ≥ 0').optional(),
    advance: z.number().nonnegative('must be seconds ≥ 0').optional(),
  })
  .strict()
  .refine((b) => (b.now === undefined) !== (b.advance === undefined), 'give exactly one of now or advance')
const seedBody = z.object({ preset: z.literal('demo') }).strict()
const envBody = z.object({ envVariables: envVariablesSchema }).strict()
const invokeBody = z.object({ event: z.record(z.string(), z.unknown()).optional(), openid: z.string().min(1).optional() }).strict()

function functionListing(emu: Emulator, name: string) {
  const listing = emu.listFunctions().find((f) => f.name === name)
  if (!listing) throw new HttpError(404, `no function named ${name} (known: ${emu.functions.map((f) => f.name).join(', ') || 'none'})`)
  return listing
}

export const CONTROL_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/__sandbox/', does: 'this list of control routes', handler: () => ({ routes: routeIndex() }) },
  { method: 'GET', path: '/__sandbox/info', does: 'services, env id, appid and functions', handler: ({ emu }) => emu.info() },
  {
    method: 'POST',
    path: '/__sandbox/reset',
    does: 'sandbox state, Channels accounts, clock, quotas, the database and storage back to empty (options and recent runs stay)',
    handler: async ({ emu }) => {
      await emu.reset()
      return { ok: true }
    },
  },
  {
    method: 'POST',
    path: '/__sandbox/seed',
    body: '{"preset":"demo"}',
    does: 'replaces the sandbox with the demo merchant (rooms in every state, goods, members, followers) and the demo Channels account',
    handler: ({ emu, body }) => {
      parseInput(seedBody, body, 'seed')
      emu.channels.seedDemo()
      return emu.control.seedDemo()
    },
  },
  { method: 'GET', path: '/__sandbox/clock', does: 'the emulator clock: {now} in Unix seconds', handler: ({ emu }) => ({ now: emu.clock.nowSeconds() }) },
  {
    method: 'POST',
    path: '/__sandbox/clock',
    body: '{now} or {advance} (seconds)',
    does: 'sets or moves the emulator clock; due timers fire',
    handler: ({ emu, body }) => {
      const input = parseInput(clockBody, body, 'clock')
      if (input.now !== undefined) emu.clock.set(input.now)
      else emu.clock.advance(input.advance ?? 0)
      return { now: emu.clock.nowSeconds() }
    },
  },
  {
    method: 'GET',
    path: '/__sandbox/options',
    does: 'the sandbox options that can change at run time, with their values',
    handler: ({ emu }) => emu.control.options(),
  },
  {
    method: 'POST',
    path: '/__sandbox/options',
    body: '{listPageCap?, quotas?, autoAuditSeconds?, replayDelaySeconds?, …}',
    does: 'changes those options now, keeping the account (until the emulator stops)',
    handler: ({ emu, body }) => emu.control.setOptions(body),
  },
  { method: 'GET', path: '/__sandbox/rooms', does: 'every room, newest start first, with its status now, goods and replays', handler: ({ emu }) => emu.control.rooms() },
  {
    method: 'POST',
    path: '/__sandbox/rooms',
    body: "createRoom's fields (no time-window rule; images optional)",
    does: 'creates a room → {roomId, liveStatus}',
    handler: ({ emu, body }) => emu.control.createRoom(body),
  },
  {
    method: 'DELETE',
    path: '/__sandbox/rooms/{roomId}',
    does: 'removes a room',
    handler: ({ emu, params }) => emu.control.deleteRoom(numberParam(params.roomId, 'roomId')),
  },
  {
    method: 'POST',
    path: '/__sandbox/rooms/{roomId}/events',
    body: '{"event": start|pause|resume|abnormal|recover|end|ban}',
    does: "drives a room's life cycle; an impossible transition is a 400 naming the current status",
    handler: ({ emu, params, body }) => emu.control.roomEvent(numberParam(params.roomId, 'roomId'), body.event),
  },
  { method: 'GET', path: '/__sandbox/goods', does: 'the goods warehouse with each item\'s audit state now', handler: ({ emu }) => emu.control.goods() },
  {
    method: 'POST',
    path: '/__sandbox/goods/{goodsId}/audit',
    body: '{"result": approve|reject}',
    does: 'finishes the review of goods under review',
    handler: ({ emu, params, body }) => emu.control.auditGoods(numberParam(params.goodsId, 'goodsId'), body.result),
  },
  { method: 'GET', path: '/__sandbox/members', does: 'members of the Live account and their roles', handler: ({ emu }) => emu.control.members() },
  { method: 'GET', path: '/__sandbox/followers', does: 'long-term subscribers and the room each followed', handler: ({ emu }) => emu.control.followers() },
  {
    method: 'POST',
    path: '/__sandbox/followers',
    body: '{openid, roomId, subscribeTime?}',
    does: 'adds a long-term subscriber',
    handler: ({ emu, body }) => emu.control.addFollower(body),
  },
  {
    method: 'POST',
    path: '/__sandbox/users/{wechatId}',
    body: '{"verified": false}',
    does: 'marks a WeChat user (not) real-name verified',
    handler: ({ emu, params, body }) => emu.control.setUserVerified(params.wechatId, body.verified),
  },
  { method: 'GET', path: '/__sandbox/faults', does: 'faults still queued, in the order calls consume them', handler: ({ emu }) => emu.control.faults() },
  {
    method: 'POST',
    path: '/__sandbox/faults',
    body: '{api, times, errcode? | httpStatus? | delayMs? | malformed?: true}',
    does: 'the next `times` calls to `api` fail that way',
    handler: ({ emu, body }) => emu.control.addFault(body),
  },
  {
    method: 'GET',
    path: '/__sandbox/text-check',
    does: 'the words security.msgSecCheck refuses, each with its label and suggest',
    handler: ({ emu }) => emu.control.textCheckWords(),
  },
  {
    method: 'PUT',
    path: '/__sandbox/text-check',
    body: '{"words": [word | {word, label?, suggest?: risky|review}]}',
    does: 'replaces the words security.msgSecCheck refuses (kept with the sandbox)',
    handler: ({ emu, body }) => emu.control.setTextCheckWords(body),
  },
  {
    method: 'GET',
    path: '/__sandbox/links',
    does: 'codes and links the link APIs issued: kind, text, page, query or scene, created and expiry times',
    handler: ({ emu }) => emu.control.links(),
  },
  {
    method: 'POST',
    path: '/__sandbox/links/open',
    body: '{link} | {fileID} | {image: base64 PNG}',
    does: "opens a generated link or code now: {opens, kind, path, query, scene (the scene value), envVersion, expiresAt}, or {opens: false, reason: 'expired'}",
    handler: ({ emu, body }) => {
      if (typeof body.fileID !== 'string') return emu.control.openLink(body)
      const { fileID, ...rest } = body
      if (Object.keys(rest).length > 0) throw new HttpError(400, 'openLink: give exactly one of link, fileID or image')
      // a code stored in cloud storage is opened by its bytes, as a scan reads the printed image
      return emu.control.openLink({ image: emu.storage.read(fileID).bytes })
    },
  },
  { method: 'GET', path: '/__sandbox/calls', does: 'Live API calls per API per Asia/Shanghai day', handler: ({ emu }) => emu.control.calls() },
  { method: 'GET', path: '/__sandbox/messages', does: 'subscriber pushes sent', handler: ({ emu }) => emu.control.pushedMessages() },
  {
    method: 'GET',
    path: '/__sandbox/functions',
    does: 'cloud functions with trigger, limits, permissions and their recent runs, newest first',
    handler: ({ emu }) => emu.listFunctions(),
  },
  {
    method: 'GET',
    path: '/__sandbox/functions/{name}',
    does: 'one function and its recent runs (event, caller, outcome, duration, logs)',
    handler: ({ emu, params }) => functionListing(emu, params.name),
  },
  {
    method: 'POST',
    path: '/__sandbox/functions/{name}/invoke',
    body: '{event?, openid?}',
    does: "runs a function as that viewer (no openid: a call with no user) → the run's outcome, result and logs",
    handler: ({ emu, params, body }) => {
      const input = parseInput(invokeBody, body, 'invoke')
      return emu.invokeFunction(params.name, input.event ?? {}, { openid: input.openid })
    },
  },
  {
    method: 'GET',
    path: '/__sandbox/functions/{name}/env',
    does: "a function's environment variables for its next run, their source (cloudbaserc or control) and any problem",
    handler: ({ emu, params }) => {
      functionListing(emu, params.name)
      return emu.functionEnv(params.name)
    },
  },
  ...(['PUT', 'POST'] as const).map(
    (method): RouteSpec => ({
      method,
      path: '/__sandbox/functions/{name}/env',
      body: '{"envVariables": {NAME: "value", …}}',
      does: "replaces a function's environment variables (CloudBase's name and 4 KB rules) from its next run on",
      handler: ({ emu, params, body }) => {
        functionListing(emu, params.name)
        const input = parseInput(envBody, body, 'env')
        return emu.setFunctionEnv(params.name, input.envVariables)
      },
    }),
  ),
  {
    method: 'GET',
    path: '/__sandbox/storage',
    does: 'cloud storage: every file (fileID, size, type, owner, upload time) and the bytes in all',
    handler: ({ emu }) => ({
      bucket: emu.storage.bucket,
      totalBytes: emu.storage.totalBytes,
      files: emu.storage.list().map((f) => ({
        fileID: f.fileID,
        cloudPath: f.cloudPath,
        size: f.size,
        contentType: f.contentType,
        owner: f.owner,
        uploadedAt: new Date(f.uploadedAt).toISOString(),
      })),
    }),
  },
  {
    method: 'GET',
    path: '/__sandbox/storage/file',
    does: 'the bytes of the file ?fileID=… names, with its content type',
    handler: ({ emu, url }) => {
      const fileID = url.searchParams.get('fileID')
      if (!fileID) throw new HttpError(400, 'fileID: required, as ?fileID=cloud://…')
      const { file, bytes } = emu.storage.read(fileID)
      // the bytes are a user's upload: never sniffed or run as a page of the emulator's origin
      return new RawReply(file.contentType, bytes, { 'x-content-type-options': 'nosniff', 'content-security-policy': 'sandbox' })
    },
  },
  { method: 'GET', path: '/__sandbox/channels', does: 'Channels accounts: live, earlier lives, notice, reservations, reserve choices, faults, opens', handler: ({ emu }) => emu.channels.list() },
  {
    method: 'DELETE',
    path: '/__sandbox/channels',
    does: 'removes every Channels account',
    handler: ({ emu }) => {
      emu.channels.reset()
      return { ok: true }
    },
  },
  { method: 'GET', path: '/__sandbox/channels/{finderUserName}', does: 'one Channels account', handler: ({ emu, params }) => emu.channels.get(params.finderUserName) },
  {
    method: 'PUT',
    path: '/__sandbox/channels/{finderUserName}',
    body: '{nickname?, headUrl?}',
    does: 'creates a Channels account or changes its nickname and head image',
    handler: ({ emu, params, body }) => emu.channels.setAccount(params.finderUserName, body),
  },
  { method: 'DELETE', path: '/__sandbox/channels/{finderUserName}', does: 'removes a Channels account', handler: ({ emu, params }) => emu.channels.removeAccount(params.finderUserName) },
  {
    method: 'PUT',
    path: '/__sandbox/channels/{finderUserName}/live',
    body: '{status: never|preparing|live|ended, feedId?, nonceId?, description?, replayStatus?, startedAt?, nickname?, headUrl?}',
    does: 'sets the latest live (creating the account); a new feedId keeps the previous live as an earlier one',
    handler: ({ emu, params, body }) => emu.channels.setLive(params.finderUserName, body),
  },
  { method: 'DELETE', path: '/__sandbox/channels/{finderUserName}/live', does: 'the account never went live', handler: ({ emu, params }) => emu.channels.clearLive(params.finderUserName) },
  {
    method: 'PUT',
    path: '/__sandbox/channels/{finderUserName}/replay',
    body: '{replayStatus: notGenerated|ready|generating|expired}',
    does: "sets the replay state of the latest live (an ended one)",
    handler: ({ emu, params, body }) => emu.channels.setReplay(params.finderUserName, body),
  },
  {
    method: 'PUT',
    path: '/__sandbox/channels/{finderUserName}/notice',
    body: '{startTime, noticeId?, status?: usable|cancelled|used, reservable?, nickname?, headUrl?}',
    does: 'sets the live notice (creating the account)',
    handler: ({ emu, params, body }) => emu.channels.setNotice(params.finderUserName, body),
  },
  { method: 'DELETE', path: '/__sandbox/channels/{finderUserName}/notice', does: 'the account has no notice', handler: ({ emu, params }) => emu.channels.clearNotice(params.finderUserName) },
  {
    method: 'PUT',
    path: '/__sandbox/channels/{finderUserName}/faults',
    body: '{api, errCode (null clears), times?}',
    does: 'calls to `api` for this account fail with errCode: the next `times`, or all until cleared',
    handler: ({ emu, params, body }) => {
      const { api, errCode, times, ...rest } = body
      const extra = Object.keys(rest)[0]
      if (extra !== undefined) throw new HttpError(400, `fault: ${extra}: not a field (fields: api, errCode, times)`)
      return emu.channels.setFault(params.finderUserName, api, errCode, { times })
    },
  },
  { method: 'DELETE', path: '/__sandbox/channels/{finderUserName}/faults', does: "clears the account's injected errcodes", handler: ({ emu, params }) => emu.channels.clearFaults(params.finderUserName) },
  {
    method: 'PUT',
    path: '/__sandbox/channels/{finderUserName}/reserve-choice',
    body: '{openid (or "*": every viewer), choice: reserve|cancel|dismiss (null clears)}',
    does: 'what that viewer does in the reserve dialog (default reserve)',
    handler: ({ emu, params, body }) => {
      const { openid, choice, ...rest } = body
      const extra = Object.keys(rest)[0]
      if (extra !== undefined) throw new HttpError(400, `reserve-choice: ${extra}: not a field (fields: openid, choice)`)
      return emu.channels.setReserveChoice(params.finderUserName, openid, choice)
    },
  },
  {
    method: 'DELETE',
    path: '/__sandbox/channels/{finderUserName}/reserve-choice',
    does: 'every viewer reserves again (the default)',
    handler: ({ emu, params }) => emu.channels.clearReserveChoices(params.finderUserName),
  },
  {
    method: 'POST',
    path: '/__sandbox/timers/{name}/fire',
    does: "runs a function's timer trigger now, as the timer would",
    handler: ({ emu, params }) => emu.fireTimer(params.name),
  },
  ...DB_ROUTES,
  ...FUNCTION_ROUTES,
  ...LIVE_ROUTES,
  ...PREVIEW_ROUTES,
]

interface CompiledRoute extends RouteSpec {
  pattern: RegExp
  names: string[]
}

const compiled: CompiledRoute[] = CONTROL_ROUTES.map((r) => {
  const names: string[] = []
  const segments = r.path.split('/').map((segment) => {
    const param = /^\{(\w+)\}$/.exec(segment)
    if (!param) return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')
    names.push(param[1])
    return '([^/]+)'
  })
  return { ...r, pattern: new RegExp(`^${segments.join('/')}$`), names }
})

/** The index `GET /__sandbox/` serves: method, path, body and one line each. */
export function routeIndex(): { method: Method; path: string; body?: string; does: string }[] {
  return CONTROL_ROUTES.map(({ method, path, body, does }) => (body ? { method, path, body, does } : { method, path, does }))
}

function decodeParam(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, `${name}: ${JSON.stringify(raw)} is not valid percent-encoding`)
  }
}

export async function handleControl(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer): Promise<void> {
  try {
    // `/__sandbox` and `/__sandbox/` are both the index.
    const pathname = url.pathname === '/__sandbox' ? '/__sandbox/' : url.pathname
    const matching = compiled.filter((r) => r.pattern.test(pathname))
    if (matching.length === 0) throw new HttpError(404, `no control route ${url.pathname} (GET /__sandbox/ lists them)`)
    const route = matching.find((r) => r.method === req.method)
    if (!route) {
      const allowed = matching.map((r) => r.method)
      return sendMethodNotAllowed(res, allowed, { error: `${url.pathname} does not take ${req.method}; use ${allowed.join(' or ')}` })
    }
    const values = route.pattern.exec(pathname)!.slice(1)
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeParam(values[i], n)]))
    const body = req.method === 'GET' || req.method === 'DELETE' ? {} : parseJsonObject(raw)
    const result = await route.handler({ emu, params, body, url })
    if (result instanceof RawReply) {
      for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value)
      return sendRaw(res, 200, result.bytes, result.contentType)
    }
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
