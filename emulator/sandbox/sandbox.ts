/**
 * The Live sandbox: a stateful, HTTP-free simulation of one merchant's Live account. `callApi` is the one
 * door for every catalogue endpoint (normalise keys → validate with the catalogue → daily quota → injected faults →
 * handler); tokens and temporary media live here too because the HTTPS routes need them.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Clock } from '../clock'
import { shanghaiDay } from '../../src/live/day'
import { catalogue, endpointList, isEndpointId } from '../../src/live/catalogue'
import type { EndpointDef } from '../../src/live/endpoint'
import { toCamelKeys, toSnakeKeys } from '../../src/live/case'
import { describeErrcode } from '../../src/live/errors'
import type { LiveCall, LiveReply, MediaUpload } from './types'
import { LiveState, type SandboxOptions, type ResolvedOptions, resolveOptions } from './state'
import { MEDIA_TTL_SECONDS, TOKEN_TTL_SECONDS, type LiveStatus, auditStatus, isoSeconds, roomStatus, visibleReplays, type Room } from './model'
import type { HandlerContext, Handlers } from './handlers/context'
import { roomHandlers, replayOptions } from './handlers/rooms'
import { goodsHandlers } from './handlers/goods'
import { memberHandlers } from './handlers/members'
import { LiveError, errorBody } from './wire'
import { SandboxControlError, parseInput } from './errors'
import { TEXT_CHECK_API } from '../../src/cloud/text-check'
import { textCheckAnswer, textCheckRequestProblem } from './text-check'
import { isLinkApiId, linkApiByCloud, linkApiList, linkCatalogue, PERMANENT_SHORTLINKS_MAX, type LinkApiDef, type LinkApiId } from '../../src/links/catalogue'
import { PERMANENT_SHORTLINKS_KEY, linkHandlers, qrRenderOptions, type LinkHandlerContext } from './links'
import { qrPng } from './qr-png'
import {
  SNAPSHOT_VERSION,
  type FaultSnapshot,
  type SandboxSnapshot,
  countsIn,
  countsOut,
  sandboxSnapshotSchema,
  stateFromSnapshot,
  stateToSnapshot,
} from './snapshot'

export { SANDBOX_APPID, SANDBOX_SECRET, type SandboxOptions } from './state'
export type LiveSandboxOptions = SandboxOptions
export { SNAPSHOT_VERSION, type SandboxSnapshot } from './snapshot'

/** Every endpoint of the catalogue has its handler, typed from its entry (a missing one is a type error). */
const HANDLERS: Handlers = { ...roomHandlers, ...goodsHandlers, ...memberHandlers }

export interface FaultSpec {
  /**
   * Cloud name (`liveBroadcast.getLiveInfo`), or the path for endpoints without one; the endpoint id also works.
   * `security.msgSecCheck` (the text check) takes faults too.
   */
  api: string
  /** How many of the next calls answer with the fault. */
  times: number
  errcode?: number
  httpStatus?: number
  delayMs?: number
  malformed?: boolean
}

const faultSchema = z
  .object({
    api: z.string().min(1),
    times: z.int().min(1).max(100000),
    errcode: z.int().refine((n) => n !== 0, { message: 'errcode must not be 0' }).optional(),
    httpStatus: z.int().min(100).max(599).optional(),
    delayMs: z.int().min(0).max(120000).optional(),
    malformed: z.boolean().optional(),
  })
  .refine((f) => f.errcode !== undefined || f.httpStatus !== undefined || f.delayMs !== undefined || f.malformed === true, {
    message: 'a fault needs at least one of errcode, httpStatus, delayMs, malformed',
  })

export interface TokenRequest {
  appid: string
  secret: string
  /** `/cgi-bin/stable_token` (true) or `/cgi-bin/token` (false). */
  stable?: boolean
  forceRefresh?: boolean
}

/** 0 valid, 40001 unknown (or superseded), 41001 missing, 42001 expired. */
export type TokenCheck = 0 | 40001 | 41001 | 42001

interface TokenRecord {
  expiresAt: number
  /** A plain token stays usable 5 minutes after a newer one is issued, then answers 40001. */
  supersededAt?: number
}

/** The room as a perfect cache would hold it at this instant. */
export interface TruthRoom
  extends Pick<
    Room,
    | 'roomId'
    | 'name'
    | 'startTime'
    | 'endTime'
    | 'anchorName'
    | 'anchorWechat'
    | 'subAnchorWechat'
    | 'closeLike'
    | 'closeGoods'
    | 'closeComment'
    | 'closeReplay'
    | 'closeShare'
    | 'closeKf'
    | 'isFeedsPublic'
    | 'banComment'
  > {
  liveStatus: LiveStatus
  liveType: number
  /** Image URLs as the list serves them (the room holds media ids). */
  coverImg: string
  shareImg: string
  feedsImg: string
  /** Goods in room order; prices in yuan as in the warehouse. */
  goods: { goodsId: number; name: string; price: number; price2?: number; priceType: number; url: string; onSale: number }[]
  replays: { createTime: string; expireTime: string; mediaUrl: string }[]
}

export interface TruthGoods {
  goodsId: number
  auditId: number
  name: string
  auditStatus: number
  priceType: number
  price: number
  price2?: number
  url: string
  thirdPartyTag: number
}

export interface Truth {
  now: number
  rooms: TruthRoom[]
  goods: TruthGoods[]
}

const MEDIA_TYPES: Readonly<Record<string, number>> = {
  image: 10 * 1024 * 1024,
  voice: 2 * 1024 * 1024,
  video: 10 * 1024 * 1024,
  thumb: 64 * 1024,
}

const PLAIN_TOKEN_OVERLAP_SECONDS = 300

/** A WeChat JSON body as sent on the wire (success fields, or errcode/errmsg). */
export type WireReplyBody = Record<string, unknown>

export class LiveSandbox {
  readonly clock: Clock
  private opts: ResolvedOptions
  private live: LiveState
  private faults: (FaultSpec & { remaining: number; keys: Set<string> })[] = []
  /** day → api → calls. */
  private log = new Map<string, Map<string, number>>()
  /** day → quota bucket → calls counted against it. */
  private quotaUsed = new Map<string, Map<string, number>>()
  private tokens = new Map<string, TokenRecord>()
  private stableToken: string | null = null
  private plainTokens: string[] = []
  private readonly changeListeners = new Set<() => void>()
  /** Calls per minute-quota bucket in the current emulator minute (getUnlimitedQRCode's 5,000 a minute); not kept on disk. */
  private minuteUsed: { minute: number; used: Map<string, number> } = { minute: -1, used: new Map() }

  constructor(init: { clock: Clock; options?: SandboxOptions }) {
    this.clock = init.clock
    this.opts = resolveOptions(init.options)
    this.live = new LiveState(this.clock, this.opts)
  }

  /** The account's state (rooms, goods, members…), for the control module and tests. */
  get state(): LiveState {
    return this.live
  }

  get options(): ResolvedOptions {
    return this.opts
  }

  /**
   * Changes options in place, keeping the account: every rule reads the options when it runs, so rooms and goods
   * simply continue under the new values. Validate first (emulator/sandbox/tunables.ts); this trusts its input.
   */
  configure(options: SandboxOptions): void {
    Object.assign(this.opts, resolveOptions({ ...this.opts, ...options }))
    this.notifyChange()
  }

  /** Back to an empty account (super admin only); faults, call log, quotas and tokens are cleared too. */
  reset(options?: SandboxOptions): void {
    if (options) this.opts = resolveOptions(options)
    this.live = new LiveState(this.clock, this.opts)
    this.faults = []
    this.log.clear()
    this.quotaUsed.clear()
    this.tokens.clear()
    this.stableToken = null
    this.plainTokens = []
    this.notifyChange()
  }

  // ---------- change hook and snapshots ----------

  /**
   * Calls `listener` after anything that may have changed the state: every API call (the call log always
   * changes), uploads, token issues, faults, reset/restore and control operations. Listeners must not throw.
   * Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => {
      this.changeListeners.delete(listener)
    }
  }

  /** For code that mutates `state` directly (the control module) to tell listeners. */
  notifyChange(): void {
    for (const l of this.changeListeners) l()
  }

  /** Everything the sandbox holds, as a JSON-safe plain object (options are not included: they come from config). */
  snapshot(): SandboxSnapshot {
    const tokens = [...this.tokens].map(([token, rec]) =>
      rec.supersededAt === undefined ? { token, expiresAt: rec.expiresAt } : { token, expiresAt: rec.expiresAt, supersededAt: rec.supersededAt },
    )
    const faults = this.pendingFaults()
    return {
      version: SNAPSHOT_VERSION,
      ...stateToSnapshot(this.live),
      tokens: { issued: tokens, stable: this.stableToken, plain: [...this.plainTokens] },
      calls: countsOut(this.log),
      quotaUsed: countsOut(this.quotaUsed),
      faults,
    }
  }

  /**
   * Replaces the whole state with a snapshot's (the options stay). Validates first, so a bad snapshot leaves
   * the sandbox untouched; throws SandboxControlError (400) naming the field path, e.g. `restore: rooms.0.type: …`.
   */
  restore(snapshot: unknown): void {
    const s = parseInput(sandboxSnapshotSchema, snapshot, 'restore')
    const faults = s.faults.map((f, i) => {
      const keys = faultKeys(f.api)
      if (!keys) throw new SandboxControlError(400, `restore: faults.${i}.api: ${f.api} is not an API of the catalogue`, `faults.${i}.api`)
      return { ...f, keys }
    })
    const live = stateFromSnapshot(s, this.clock, this.opts)
    this.live = live
    this.faults = faults
    this.log = countsIn(s.calls)
    this.quotaUsed = countsIn(s.quotaUsed)
    this.tokens = new Map(
      s.tokens.issued.map((t) => [t.token, t.supersededAt === undefined ? { expiresAt: t.expiresAt } : { expiresAt: t.expiresAt, supersededAt: t.supersededAt }]),
    )
    this.stableToken = s.tokens.stable
    this.plainTokens = [...s.tokens.plain]
    this.notifyChange()
  }

  // ---------- the API door ----------

  async callApi(call: LiveCall): Promise<LiveReply> {
    try {
      return await this.dispatch(call)
    } finally {
      this.notifyChange()
    }
  }

  private async dispatch(call: LiveCall): Promise<LiveReply> {
    if (!isEndpointId(call.endpointId)) {
      return reply(errorBody(-1, `unknown endpoint: ${call.endpointId}`))
    }
    const endpoint: EndpointDef = catalogue[call.endpointId]
    const api = apiKey(endpoint)
    const now = this.clock.nowSeconds()
    const day = shanghaiDay(now * 1000)
    this.count(this.log, day, api)

    const parsed = endpoint.request.safeParse(this.normalise(endpoint, call.params))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const field = issue.path.length ? issue.path.join('.') : '(params)'
      // A rules.ts rule inside the schema carries the errcode the platform answers; anything else is a parameter error.
      const ruleErrcode = issue.code === 'custom' ? (issue.params as { errcode?: unknown } | undefined)?.errcode : undefined
      const errcode = typeof ruleErrcode === 'number' ? ruleErrcode : 200002
      return reply(errorBody(errcode, `invalid args: ${field}: ${issue.message}`))
    }

    const bucket = endpoint.quotaBucket ?? endpoint.id
    const limit = this.endpointLimit(endpoint)
    const used = this.quotaUsed.get(day)?.get(bucket) ?? 0
    if (used >= limit) return reply(errorBody(45009, 'reach max api daily quota limit'))
    this.count(this.quotaUsed, day, bucket)

    const faulty = await this.faultReply(this.takeFault(api, endpoint.id))
    if (faulty) return faulty

    // The params came from this endpoint's own request schema, which is what its handler is typed to take.
    const handle = HANDLERS[call.endpointId] as (ctx: HandlerContext, params: unknown) => Record<string, unknown>
    // Re-read the clock: a delay fault may have let time pass.
    const at = this.clock.nowSeconds()
    const ctx: HandlerContext = { state: this.live, now: at, day: shanghaiDay(at * 1000) }
    try {
      const body = handle(ctx, parsed.data)
      const wire = endpoint.wireCase === 'snake' ? toSnakeKeys(body, new Set(endpoint.camelOnWire)) : body
      return reply({ errcode: 0, errmsg: 'ok', ...(wire as Record<string, unknown>) })
    } catch (e) {
      if (e instanceof LiveError) return reply(errorBody(e.errcode, e.message, e.extra))
      return reply(errorBody(-1, `sandbox internal error in ${endpoint.id}: ${(e as Error).message}`))
    }
  }

  /** What a taken fault answers (after its delay), or undefined when the call goes on (no fault, or a delay only). */
  private async faultReply(fault: FaultSpec | undefined): Promise<LiveReply | undefined> {
    if (!fault) return undefined
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs))
    if (fault.malformed) return { httpStatus: 200, body: {}, rawBody: '{"errcode":0,"errmsg":"ok","room_info":[{"name":' }
    if (fault.httpStatus !== undefined) return { httpStatus: fault.httpStatus, body: {}, rawBody: `sandbox fault: HTTP ${fault.httpStatus}` }
    if (fault.errcode !== undefined) return reply(errorBody(fault.errcode, `sandbox fault: ${describeErrcode(fault.errcode).en}`))
    return undefined
  }

  // ---------- the link APIs (src/links/catalogue.ts) ----------

  /**
   * A link API by cloud call, in the order a Live call goes: counted in the call log (by cloud name), the request
   * checked (a field rule answers its own errcode, a wrong type the API's `badParamErrcode`), the quota of its
   * window (an Asia/Shanghai day, or the emulator minute), then a queued fault, then the answer.
   */
  async callLinkApi(id: LinkApiId, params: Record<string, unknown>): Promise<LiveReply> {
    try {
      return await this.dispatchLink(linkCatalogue[id], params)
    } finally {
      this.notifyChange()
    }
  }

  private async dispatchLink(api: LinkApiDef, params: Record<string, unknown>): Promise<LiveReply> {
    const now = this.clock.nowSeconds()
    const day = shanghaiDay(now * 1000)
    this.count(this.log, day, api.cloud)
    const camel = toCamelKeys(params ?? {}) as Record<string, unknown>
    delete camel.accessToken
    const parsed = api.request.safeParse(camel)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const field = issue.path.length ? issue.path.join('.') : '(params)'
      const ruleErrcode = issue.code === 'custom' ? (issue.params as { errcode?: unknown } | undefined)?.errcode : undefined
      return reply(errorBody(typeof ruleErrcode === 'number' ? ruleErrcode : api.badParamErrcode, `invalid args: ${field}: ${issue.message}`))
    }
    const limit = this.linkLimit(api)
    if (api.quota.per === 'minute') {
      const minute = Math.floor(now / 60)
      if (this.minuteUsed.minute !== minute) this.minuteUsed = { minute, used: new Map() }
      const used = this.minuteUsed.used.get(api.quota.bucket) ?? 0
      if (used >= limit) return reply(errorBody(45009, `reach max api minute quota limit: ${limit} a minute`))
      this.minuteUsed.used.set(api.quota.bucket, used + 1)
    } else {
      const used = this.quotaUsed.get(day)?.get(api.quota.bucket) ?? 0
      if (used >= limit) return reply(errorBody(45009, 'reach max api daily quota limit'))
      this.count(this.quotaUsed, day, api.quota.bucket)
    }
    const faulty = await this.faultReply(this.takeFault(api.cloud, api.id))
    if (faulty) return faulty
    const at = this.clock.nowSeconds()
    const ctx: LinkHandlerContext = { state: this.live, now: at, permanentCap: this.opts.quotas[PERMANENT_SHORTLINKS_KEY] ?? PERMANENT_SHORTLINKS_MAX }
    const handle = linkHandlers[api.id as LinkApiId] as (c: LinkHandlerContext, p: unknown, render: typeof renderCode) => ReturnType<(typeof linkHandlers)['generateUrlLink']>
    try {
      const answer = handle(ctx, parsed.data, renderCode)
      if ('image' in answer) return { httpStatus: 200, body: {}, image: answer.image }
      return reply({ errcode: 0, errmsg: 'ok', ...answer.json })
    } catch (e) {
      if (e instanceof LiveError) return reply(errorBody(e.errcode, e.message, e.extra))
      return reply(errorBody(-1, `sandbox internal error in ${api.id}: ${(e as Error).message}`))
    }
  }

  // ---------- the text check ----------

  /**
   * `security.msgSecCheck`, in the order a Live call goes: counted in the call log, the request checked, then a
   * queued fault for it, then the answer from the word list (`state.textCheckWords`). It has no daily quota here.
   */
  async checkText(params: Record<string, unknown>): Promise<LiveReply> {
    try {
      this.count(this.log, shanghaiDay(this.clock.nowSeconds() * 1000), TEXT_CHECK_API)
      const problem = textCheckRequestProblem(params)
      if (problem) return reply(problem)
      const faulty = await this.faultReply(this.takeFault(TEXT_CHECK_API, TEXT_CHECK_API))
      if (faulty) return faulty
      return reply(textCheckAnswer(params.content as string, this.live.textCheckWords))
    } finally {
      this.notifyChange()
    }
  }

  /** Either casing in, camelCase out; GET query strings carry numbers as text. */
  private normalise(endpoint: EndpointDef, params: Record<string, unknown>): unknown {
    const camel = toCamelKeys(params ?? {}) as Record<string, unknown>
    delete camel.accessToken
    if (endpoint.method === 'GET') {
      for (const [k, v] of Object.entries(camel)) {
        if (typeof v === 'string' && k !== 'keyword' && k !== 'params' && k !== 'username' && /^-?\d+$/.test(v)) {
          camel[k] = Number(v)
        }
      }
    }
    return camel
  }

  private count(table: Map<string, Map<string, number>>, day: string, key: string): void {
    let m = table.get(day)
    if (!m) table.set(day, (m = new Map()))
    m.set(key, (m.get(key) ?? 0) + 1)
  }

  // ---------- faults and call log ----------

  /** Queues a fault for the next `times` calls to `api`. Throws SandboxControlError (400) on bad input. */
  addFault(spec: FaultSpec): void {
    const f = parseInput(faultSchema, spec, 'addFault')
    const keys = faultKeys(f.api)
    if (!keys) throw new SandboxControlError(400, `addFault: api: ${f.api} is not a cloud name, path or endpoint id of the catalogues, nor ${TEXT_CHECK_API}`, 'api')
    this.faults.push({ ...f, remaining: f.times, keys })
    this.notifyChange()
  }

  /** Faults not yet used up, in the order they were queued (the order calls consume them). */
  /** An endpoint's calls a day: the option set for its bucket or id, else the catalogue's quota. */
  private endpointLimit(endpoint: EndpointDef): number {
    return this.opts.quotas[endpoint.quotaBucket ?? endpoint.id] ?? this.opts.quotas[endpoint.id] ?? endpoint.dailyQuota
  }

  /** A link API's calls per window: the option set for its bucket or id, else the catalogue's quota. */
  private linkLimit(api: LinkApiDef): number {
    return this.opts.quotas[api.quota.bucket] ?? this.opts.quotas[api.id] ?? api.quota.calls
  }

  /**
   * Every API of the catalogues with its calls this Asia/Shanghai day and its quota: `used` counts the calls its
   * bucket let through (the bucket may be shared), `calls` every call to this API, refused ones included.
   */
  quotaUsage(): QuotaUsage[] {
    const now = this.clock.nowSeconds()
    const day = shanghaiDay(now * 1000)
    const calls = this.log.get(day)
    const used = this.quotaUsed.get(day)
    const endpoints = endpointList.map((e): QuotaUsage => {
      const bucket = e.quotaBucket ?? e.id
      return { api: apiKey(e), id: e.id, bucket, per: 'day', limit: this.endpointLimit(e), used: used?.get(bucket) ?? 0, calls: calls?.get(apiKey(e)) ?? 0 }
    })
    const minute = Math.floor(now / 60)
    const links = linkApiList.map((a): QuotaUsage => {
      const bucketUse = a.quota.per === 'minute' ? (this.minuteUsed.minute === minute ? this.minuteUsed.used.get(a.quota.bucket) : 0) : used?.get(a.quota.bucket)
      return { api: a.cloud, id: a.id, bucket: a.quota.bucket, per: a.quota.per, limit: this.linkLimit(a), used: bucketUse ?? 0, calls: calls?.get(a.cloud) ?? 0 }
    })
    return [...endpoints, ...links]
  }

  pendingFaults(): FaultSnapshot[] {
    return this.faults.map((f): FaultSnapshot => {
      const out: FaultSnapshot = { api: f.api, times: f.times, remaining: f.remaining }
      if (f.errcode !== undefined) out.errcode = f.errcode
      if (f.httpStatus !== undefined) out.httpStatus = f.httpStatus
      if (f.delayMs !== undefined) out.delayMs = f.delayMs
      if (f.malformed !== undefined) out.malformed = f.malformed
      return out
    })
  }

  clearFaults(): void {
    this.faults = []
    this.notifyChange()
  }

  private takeFault(api: string, id: string): FaultSpec | undefined {
    const i = this.faults.findIndex((f) => f.keys.has(api) || f.keys.has(id))
    if (i < 0) return undefined
    const f = this.faults[i]
    if (--f.remaining <= 0) this.faults.splice(i, 1)
    return f
  }

  /** Calls per API (cloud name, or path when there is none) per Asia/Shanghai day. */
  calls(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const [day, m] of this.log) out[day] = Object.fromEntries(m)
    return out
  }

  // ---------- access tokens ----------

  /** `/cgi-bin/token` and `/cgi-bin/stable_token`: the JSON body, `{access_token, expires_in}` or `{errcode, errmsg}`. */
  issueAccessToken(req: TokenRequest): WireReplyBody {
    try {
      return this.issueToken(req)
    } finally {
      this.notifyChange()
    }
  }

  private issueToken(req: TokenRequest): WireReplyBody {
    if (req.appid !== this.opts.appid) return errorBody(40013, 'invalid appid')
    if (req.secret !== this.opts.secret) return errorBody(40125, 'invalid appsecret')
    const now = this.clock.nowSeconds()
    if (req.stable) {
      const current = this.stableToken ? this.tokens.get(this.stableToken) : undefined
      if (this.stableToken && current && now < current.expiresAt && !req.forceRefresh) {
        return { access_token: this.stableToken, expires_in: current.expiresAt - now }
      }
      if (this.stableToken && current) current.supersededAt = Math.min(current.expiresAt, now + PLAIN_TOKEN_OVERLAP_SECONDS)
      this.stableToken = this.newToken(now)
      return { access_token: this.stableToken, expires_in: TOKEN_TTL_SECONDS }
    }
    for (const t of this.plainTokens) {
      const rec = this.tokens.get(t)
      if (rec && rec.supersededAt === undefined) rec.supersededAt = Math.min(rec.expiresAt, now + PLAIN_TOKEN_OVERLAP_SECONDS)
    }
    const token = this.newToken(now)
    this.plainTokens.push(token)
    return { access_token: token, expires_in: TOKEN_TTL_SECONDS }
  }

  private newToken(now: number): string {
    const token = 'SANDBOX_' + randomBytes(24).toString('base64url')
    this.tokens.set(token, { expiresAt: now + TOKEN_TTL_SECONDS })
    return token
  }

  checkAccessToken(token: string | null | undefined): TokenCheck {
    if (!token) return 41001
    const rec = this.tokens.get(token)
    if (!rec) return 40001
    const now = this.clock.nowSeconds()
    if (rec.supersededAt !== undefined && now >= rec.supersededAt && rec.supersededAt < rec.expiresAt) return 40001
    if (now >= rec.expiresAt) return 42001
    return 0
  }

  // ---------- temporary media ----------

  /** `/cgi-bin/media/upload`: the JSON body `{type, media_id, created_at}` or `{errcode, errmsg}`; ids stay valid 3 days on the sandbox clock. */
  uploadMedia(upload: MediaUpload): WireReplyBody {
    try {
      return this.storeMedia(upload)
    } finally {
      this.notifyChange()
    }
  }

  private storeMedia(upload: MediaUpload): WireReplyBody {
    const max = MEDIA_TYPES[upload.type]
    if (max === undefined) return errorBody(40004, `invalid media type: ${upload.type} (image, voice, video, thumb)`)
    if (upload.bytes.length === 0) return errorBody(41005, 'media data missing')
    if (upload.bytes.length > max) return errorBody(40009, `invalid media size: ${upload.type} is at most ${max} bytes`)
    const now = this.clock.nowSeconds()
    const mediaId = `sbx_${this.live.nextMediaSeq++}_${randomBytes(9).toString('base64url')}`
    this.live.media.set(mediaId, {
      mediaId,
      type: upload.type,
      bytes: upload.bytes,
      ...(upload.filename !== undefined ? { filename: upload.filename } : {}),
      createdAt: now,
      ...(upload.contentType !== undefined ? { contentType: upload.contentType } : {}),
    })
    return { type: upload.type, media_id: mediaId, created_at: now }
  }

  /** Bytes of an uploaded media id while it is valid; no route serves them, tests read them to check an upload. */
  media(mediaId: string): { bytes: Buffer; contentType?: string; expiresAt: number } | undefined {
    const m = this.live.liveMedia(mediaId)
    if (!m) return undefined
    return { bytes: m.bytes, expiresAt: m.createdAt + MEDIA_TTL_SECONDS, ...(m.contentType ? { contentType: m.contentType } : {}) }
  }

  // ---------- truth ----------

  /** What a perfect cache would hold right now: rooms in list order with status, goods and replays; the warehouse. */
  truth(): Truth {
    const now = this.clock.nowSeconds()
    const st = this.live
    const rOpts = replayOptions(st)
    const rooms: TruthRoom[] = st.roomsInListOrder().map((r) => {
      const goods: TruthRoom['goods'] = []
      for (const rg of r.goods) {
        const g = st.goods.get(rg.goodsId)
        if (!g) continue
        goods.push({
          goodsId: g.goodsId,
          name: g.name,
          price: g.price,
          ...(g.price2 !== undefined ? { price2: g.price2 } : {}),
          priceType: g.priceType,
          url: g.url,
          onSale: rg.onSale,
        })
      }
      return {
        roomId: r.roomId,
        name: r.name,
        liveStatus: roomStatus(r, now),
        startTime: r.startTime,
        endTime: r.endTime,
        anchorName: r.anchorName,
        anchorWechat: r.anchorWechat,
        ...(r.subAnchorWechat !== undefined ? { subAnchorWechat: r.subAnchorWechat } : {}),
        liveType: r.type,
        coverImg: st.mediaUrl(r.coverImg),
        shareImg: st.mediaUrl(r.shareImg),
        feedsImg: st.mediaUrl(r.feedsImg),
        closeLike: r.closeLike,
        closeGoods: r.closeGoods,
        closeComment: r.closeComment,
        closeReplay: r.closeReplay,
        closeShare: r.closeShare,
        closeKf: r.closeKf,
        isFeedsPublic: r.isFeedsPublic,
        banComment: r.banComment,
        goods,
        replays: visibleReplays(r, now, rOpts).map((x) => ({
          createTime: isoSeconds(x.createTime),
          expireTime: isoSeconds(x.expireTime),
          mediaUrl: x.mediaUrl,
        })),
      }
    })
    const goods: TruthGoods[] = [...st.goods.values()].map((g) => ({
      goodsId: g.goodsId,
      auditId: g.auditId,
      name: g.name,
      auditStatus: auditStatus(g, now, this.opts.autoAuditSeconds),
      priceType: g.priceType,
      price: g.price,
      ...(g.price2 !== undefined ? { price2: g.price2 } : {}),
      url: g.url,
      thirdPartyTag: g.thirdPartyTag,
    }))
    return { now, rooms, goods }
  }
}

/** A code's image: the QR code of its text, drawn as the request asks. */
function renderCode(text: string, p: Parameters<typeof qrRenderOptions>[0]): Buffer {
  return qrPng(text, qrRenderOptions(p))
}

/** One API's use of its quota now (`GET /__sandbox/quotas`). */
export interface QuotaUsage {
  /** The name calls and faults use: the cloud name, or the path for endpoints without one. */
  api: string
  id: string
  /** The quota it counts against (shared by several APIs for some). */
  bucket: string
  per: 'day' | 'minute'
  limit: number
  used: number
  calls: number
}

function reply(body: Record<string, unknown>): LiveReply {
  return { httpStatus: 200, body }
}

/** How the call log and faults name an API: its cloud name, or its path when it has none. */
export function apiKey(e: EndpointDef): string {
  return e.cloud ?? e.path
}

/** The catalogue endpoint a fault names: cloud name, path or endpoint id. */
function findEndpoint(api: string): EndpointDef | undefined {
  return endpointList.find((e) => e.cloud === api || e.path === api || e.id === api)
}

/** The names a fault for `api` matches: the endpoint's cloud name (or path) and id, a link API's, or the text check's name. */
function faultKeys(api: string): Set<string> | undefined {
  const endpoint = findEndpoint(api)
  if (endpoint) return new Set([apiKey(endpoint), endpoint.id])
  const link = linkApiByCloud(api) ?? (isLinkApiId(api) ? linkCatalogue[api] : undefined)
  if (link) return new Set([link.cloud, link.id])
  return api === TEXT_CHECK_API ? new Set([api]) : undefined
}

