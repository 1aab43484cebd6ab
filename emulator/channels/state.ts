/**
 * The emulator's Channels live (视频号直播): per Channels account, its latest live and earlier ones, its notice,
 * each viewer's reservations and reserve-dialog choice, injected errcodes, and what viewers opened. It answers the
 * four client APIs as WeChat documents them (fields, status codes, errcodes) and offers the control operations
 * `emu.channels.*` and `/__sandbox/channels/...` map onto. Kept in memory: a restart starts with no accounts (the
 * CLI seeds the demo account again).
 * Guide: https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/channels-live.html
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Clock } from '../clock'
import { SandboxControlError, parseInput } from '../sandbox/errors'
import { OPENID_RULE } from '../server/client-http'
import { DEMO_FINDER_USER_NAME, FINDER_USER_NAME_RE } from '../../src/setup/live-setup'
import {
  CHANNELS_APIS,
  CHANNELS_LIVE_STATUS,
  CHANNELS_NOTICE_STATUS,
  CHANNELS_REPLAY_STATUS,
  type ChannelsApi,
  type ChannelsLiveStatusName,
  type ChannelsNoticeStatusName,
  type ChannelsReplayStatusName,
  type ReserveState,
} from '../../src/channels/client-api'

/** What the viewer does in wx.reserveChannelsLive's dialog: confirm, close it, or leave before it opens. */
export const RESERVE_CHOICES = ['reserve', 'cancel', 'dismiss'] as const
export type ReserveChoice = (typeof RESERVE_CHOICES)[number]
/** A reserve-dialog choice for every viewer without their own. */
export const EVERY_VIEWER = '*'

/** getChannelsLiveInfo answers the latest live and at most this many in all (the rest in otherInfos). */
export const CHANNELS_LIVES_PER_ANSWER = 15
/** Opens and reserve-dialog outcomes kept per account, newest last (older ones are dropped). */
export const CHANNELS_LOG_MAX = 200

/** The errcodes the emulator answers on its own (the documented list; injected faults may use any). */
export const CHANNELS_ERR = { badParams: 40097, invalidFinder: 1416100, noData: 1416104 } as const

const LIVE_STATUS_NAMES = Object.keys(CHANNELS_LIVE_STATUS) as [ChannelsLiveStatusName, ...ChannelsLiveStatusName[]]
const REPLAY_STATUS_NAMES = Object.keys(CHANNELS_REPLAY_STATUS) as [ChannelsReplayStatusName, ...ChannelsReplayStatusName[]]
const NOTICE_STATUS_NAMES = Object.keys(CHANNELS_NOTICE_STATUS) as [ChannelsNoticeStatusName, ...ChannelsNoticeStatusName[]]

/** A live of the account as the emulator holds it (status and replay by name; the answer gives their codes). */
export interface ChannelsLive {
  feedId: string
  nonceId: string
  description: string
  status: Exclude<ChannelsLiveStatusName, 'never'>
  replayStatus: ChannelsReplayStatusName
  /** When it started (Unix seconds): what getChannelsLiveInfo's startTime/endTime filter on. */
  startedAt: number
}

export interface ChannelsNotice {
  noticeId: string
  status: ChannelsNoticeStatusName
  /** Unix seconds (the API answers it as a string). */
  startTime: number
  /** As set: WeChat keeps answering true after a viewer reserved, so the device must remember reservations. */
  reservable: boolean
}

export interface ChannelsFault {
  errCode: number
  /** Calls left to fail; null: until cleared. */
  remaining: number | null
}

export interface ChannelsOpen {
  atMs: number
  openid: string
  feedId: string
  /** The live's status when opened. */
  status: Exclude<ChannelsLiveStatusName, 'never'>
  /** Where WeChat takes the viewer: the live room, or the live's end page when it is not live. */
  lands: 'live' | 'endPage'
  via: 'openChannelsLive' | 'reserveChannelsLive'
}

export interface ChannelsReserve {
  atMs: number
  openid: string
  noticeId: string
  choice: ReserveChoice
  state: ReserveState
}

interface Account {
  finderUserName: string
  nickname: string
  headUrl: string
  /** Oldest first; the last is the latest live. Empty: never went live. */
  lives: ChannelsLive[]
  notice: ChannelsNotice | null
  /** openid → noticeIds reserved. */
  reservations: Map<string, Set<string>>
  /** openid or EVERY_VIEWER → the dialog choice. */
  choices: Map<string, ReserveChoice>
  faults: Map<ChannelsApi, ChannelsFault>
  opens: ChannelsOpen[]
  reserves: ChannelsReserve[]
}

/** One account as the control listing shows it. */
export interface ChannelsAccountView {
  finderUserName: string
  nickname: string
  headUrl: string
  /** The latest live, null when the account never went live. */
  live: ChannelsLive | null
  earlierLives: ChannelsLive[]
  notice: ChannelsNotice | null
  reservations: Record<string, string[]>
  reserveChoices: Record<string, ReserveChoice>
  faults: Partial<Record<ChannelsApi, ChannelsFault>>
  opens: ChannelsOpen[]
  reserves: ChannelsReserve[]
}

/** A client API's answer: the documented success fields, or WeChat's failure. */
export type ChannelsAnswer = { ok: true; result: Record<string, unknown> } | { ok: false; errCode: number; errMsg: string }

/** The fields each client API takes (besides callbacks); the client route refuses others. */
export const CHANNELS_API_FIELDS: Record<ChannelsApi, readonly string[]> = {
  getChannelsLiveInfo: ['finderUserName', 'startTime', 'endTime'],
  getChannelsLiveNoticeInfo: ['finderUserName'],
  reserveChannelsLive: ['noticeId'],
  openChannelsLive: ['finderUserName', 'feedId', 'nonceId'],
}

const finderSchema = z.string().regex(FINDER_USER_NAME_RE, 'must be a Channels id: "sph" then 1–61 of A–Z a–z 0–9 _ -')
const idSchema = z.string().regex(/^[A-Za-z0-9_=/+.-]{1,128}$/, 'must be 1–128 of A–Z a–z 0–9 _ = / + . -')
const seconds = z.int('must be whole Unix seconds').nonnegative('must be Unix seconds ≥ 0')
const httpsUrl = z.string().max(1024, 'must be at most 1024 characters').regex(/^(https?:\/\/\S+)?$/, 'must be an http(s) URL or empty')

const accountSchema = z.strictObject({ nickname: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(), headUrl: httpsUrl.optional() })
const liveSchema = z.strictObject({
  status: z.enum(LIVE_STATUS_NAMES),
  feedId: idSchema.optional(),
  nonceId: idSchema.optional(),
  description: z.string().max(200, 'must be at most 200 characters').optional(),
  replayStatus: z.enum(REPLAY_STATUS_NAMES).optional(),
  startedAt: seconds.optional(),
  nickname: accountSchema.shape.nickname,
  headUrl: accountSchema.shape.headUrl,
})
export type ChannelsLiveInput = z.input<typeof liveSchema>
const replaySchema = z.strictObject({ replayStatus: z.enum(REPLAY_STATUS_NAMES) })
const noticeSchema = z.strictObject({
  noticeId: idSchema.optional(),
  status: z.enum(NOTICE_STATUS_NAMES).optional(),
  startTime: seconds,
  reservable: z.boolean().optional(),
  nickname: accountSchema.shape.nickname,
  headUrl: accountSchema.shape.headUrl,
})
export type ChannelsNoticeInput = z.input<typeof noticeSchema>
const faultSchema = z.strictObject({
  api: z.enum(CHANNELS_APIS),
  errCode: z.int('must be an integer errcode').refine((n) => n !== 0, 'must not be 0 (0 is success)').nullable(),
  times: z.int('must be a whole number of calls').min(1, 'must be ≥ 1').max(1000, 'must be ≤ 1000').optional(),
})
const choiceSchema = z.strictObject({
  openid: z.union([z.literal(EVERY_VIEWER), z.string().regex(OPENID_RULE, `must be "${EVERY_VIEWER}" or an openid: 1 to 128 of [A-Za-z0-9_-]`)]),
  choice: z.enum(RESERVE_CHOICES).nullable(),
})

function notFound(finderUserName: string): SandboxControlError {
  return new SandboxControlError(404, `finderUserName: no Channels account ${finderUserName} (PUT /__sandbox/channels/${finderUserName}/live creates one)`, 'finderUserName')
}

const randomId = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('hex')}`

/** Thrown inside an API answer: becomes `{errCode, errMsg: '<api>:fail <message>'}`. */
class ApiFailure extends Error {
  constructor(
    readonly errCode: number,
    message: string,
  ) {
    super(message)
  }
}

export class ChannelsState {
  private readonly accounts = new Map<string, Account>()
  private readonly clock: Pick<Clock, 'nowMs' | 'nowSeconds'>

  constructor(options: { clock: Pick<Clock, 'nowMs' | 'nowSeconds'> }) {
    this.clock = options.clock
  }

  // ---- control ----

  /** Every account, in the order they were made. */
  list(): { accounts: ChannelsAccountView[] } {
    return { accounts: [...this.accounts.values()].map(view) }
  }

  get(finderUserName: unknown): ChannelsAccountView {
    return view(this.existing(finderUserName))
  }

  /** Creates the account or changes its nickname and head image. */
  setAccount(finderUserName: unknown, input: unknown = {}): ChannelsAccountView {
    const fields = parseInput(accountSchema, input, 'account')
    const account = this.ensure(finderUserName)
    applyProfile(account, fields)
    return view(account)
  }

  removeAccount(finderUserName: unknown): { removed: string } {
    const account = this.existing(finderUserName)
    this.accounts.delete(account.finderUserName)
    return { removed: account.finderUserName }
  }

  /**
   * Sets the latest live (creating the account). Status `never` forgets every live. A new feedId (or none given
   * while the latest has ended) starts a new live and keeps the previous one among the earlier lives.
   */
  setLive(finderUserName: unknown, input: unknown): ChannelsAccountView {
    const fields = parseInput(liveSchema, input, 'live')
    const name = parseInput(finderSchema, finderUserName, 'live', 'finderUserName')
    if (fields.status === 'never') {
      const extra = (['feedId', 'nonceId', 'description', 'replayStatus', 'startedAt'] as const).find((k) => fields[k] !== undefined)
      if (extra) throw new SandboxControlError(400, `live: ${extra}: an account that never went live has no ${extra}`, extra)
    }
    checkReplay(fields.status, fields.replayStatus)
    const account = this.ensure(name)
    applyProfile(account, fields)
    if (fields.status === 'never') {
      account.lives = []
      return view(account)
    }
    const latest = account.lives.at(-1)
    const sameLive = latest !== undefined && (fields.feedId === undefined ? latest.status !== 'ended' || fields.status === 'ended' : fields.feedId === latest.feedId)
    const feedId = fields.feedId ?? (sameLive ? latest.feedId : randomId('export/emu', 12))
    const other = account.lives.find((l) => l.feedId === feedId && l !== latest)
    if (other) throw new SandboxControlError(400, `live: feedId: ${feedId} is an earlier live of ${name}; a live's feedId is unique`, 'feedId')
    const live: ChannelsLive = {
      feedId,
      nonceId: fields.nonceId ?? (sameLive ? latest.nonceId : randomId('', 8)),
      description: fields.description ?? (sameLive ? latest.description : ''),
      status: fields.status,
      replayStatus: fields.replayStatus ?? (sameLive && fields.status === 'ended' ? latest.replayStatus : 'notGenerated'),
      startedAt: fields.startedAt ?? (sameLive ? latest.startedAt : this.clock.nowSeconds()),
    }
    if (sameLive) account.lives[account.lives.length - 1] = live
    else account.lives = [...account.lives, live].slice(-CHANNELS_LIVES_PER_ANSWER)
    return view(account)
  }

  /** The latest live goes back to "never went live" (earlier lives too). */
  clearLive(finderUserName: unknown): ChannelsAccountView {
    const account = this.existing(finderUserName)
    account.lives = []
    return view(account)
  }

  /** The replay state of the latest live, which must have ended. */
  setReplay(finderUserName: unknown, input: unknown): ChannelsAccountView {
    const { replayStatus } = parseInput(replaySchema, input, 'replay')
    const account = this.existing(finderUserName)
    const latest = account.lives.at(-1)
    if (!latest) throw new SandboxControlError(400, `replay: ${account.finderUserName} never went live, so it has no replay`, 'replayStatus')
    checkReplay(latest.status, replayStatus)
    latest.replayStatus = replayStatus
    return view(account)
  }

  /** Sets the account's notice (creating the account); a noticeId is unique across accounts. */
  setNotice(finderUserName: unknown, input: unknown): ChannelsAccountView {
    const fields = parseInput(noticeSchema, input, 'notice')
    const name = parseInput(finderSchema, finderUserName, 'notice', 'finderUserName')
    const noticeId = fields.noticeId ?? this.accounts.get(name)?.notice?.noticeId ?? randomId('notice', 10)
    const owner = this.noticeOwner(noticeId)
    if (owner && owner.finderUserName !== name) {
      throw new SandboxControlError(400, `notice: noticeId: ${noticeId} is already the notice of ${owner.finderUserName}`, 'noticeId')
    }
    const account = this.ensure(name)
    applyProfile(account, fields)
    account.notice = { noticeId, status: fields.status ?? 'usable', startTime: fields.startTime, reservable: fields.reservable ?? true }
    return view(account)
  }

  clearNotice(finderUserName: unknown): ChannelsAccountView {
    const account = this.existing(finderUserName)
    account.notice = null
    return view(account)
  }

  /** The next `times` calls (default: every call until cleared) to `api` for this account fail with `errCode`; null clears. */
  setFault(finderUserName: unknown, api: unknown, errCode: unknown, options: { times?: unknown } = {}): ChannelsAccountView {
    const input = parseInput(faultSchema, { api, errCode, ...(options.times === undefined ? {} : { times: options.times }) }, 'fault')
    const account = this.existing(finderUserName)
    if (input.errCode === null) account.faults.delete(input.api)
    else account.faults.set(input.api, { errCode: input.errCode, remaining: input.times ?? null })
    return view(account)
  }

  clearFaults(finderUserName: unknown): ChannelsAccountView {
    const account = this.existing(finderUserName)
    account.faults.clear()
    return view(account)
  }

  /** What `openid` (or every viewer without a choice of their own, `*`) does in the reserve dialog; null: back to reserve. */
  setReserveChoice(finderUserName: unknown, openid: unknown, choice: unknown): ChannelsAccountView {
    const input = parseInput(choiceSchema, { openid, choice }, 'reserve-choice')
    const account = this.existing(finderUserName)
    if (input.choice === null) account.choices.delete(input.openid)
    else account.choices.set(input.openid, input.choice)
    return view(account)
  }

  clearReserveChoices(finderUserName: unknown): ChannelsAccountView {
    const account = this.existing(finderUserName)
    account.choices.clear()
    return view(account)
  }

  /** No accounts at all. */
  reset(): void {
    this.accounts.clear()
  }

  /**
   * The demo account DEMO_FINDER_USER_NAME: live now, an earlier live with its replay ready, and a notice for
   * tomorrow that viewers may reserve. Replaces that account, leaves others.
   */
  seedDemo(): ChannelsAccountView {
    this.accounts.delete(DEMO_FINDER_USER_NAME)
    const now = this.clock.nowSeconds()
    this.setAccount(DEMO_FINDER_USER_NAME, { nickname: '演示小店视频号' })
    this.setLive(DEMO_FINDER_USER_NAME, { status: 'ended', feedId: 'export/emuDemoEarlierLive0001', nonceId: '1000000000000001', description: '上周新品试穿', replayStatus: 'ready', startedAt: now - 7 * 86_400 })
    this.setLive(DEMO_FINDER_USER_NAME, { status: 'live', feedId: 'export/emuDemoLiveNow0001', nonceId: '1000000000000002', description: '今晚直播：秋冬上新', startedAt: now - 1800 })
    return this.setNotice(DEMO_FINDER_USER_NAME, { noticeId: 'emuDemoNotice0001', startTime: now + 86_400 })
  }

  // ---- the client APIs ----

  /** Answers one client API call of viewer `openid` with `options` (callbacks already left out). */
  answer(api: ChannelsApi, openid: string, options: Record<string, unknown>): ChannelsAnswer {
    try {
      const result = this.run(api, openid, options)
      return { ok: true, result: { ...result, errMsg: `${api}:ok` } }
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e
      return { ok: false, errCode: e.errCode, errMsg: `${api}:fail ${e.message}` }
    }
  }

  private run(api: ChannelsApi, openid: string, options: Record<string, unknown>): Record<string, unknown> {
    switch (api) {
      case 'getChannelsLiveInfo':
        return this.liveInfo(options)
      case 'getChannelsLiveNoticeInfo':
        return this.noticeInfo(options)
      case 'reserveChannelsLive':
        return this.reserve(openid, options)
      case 'openChannelsLive':
        return this.open(openid, options)
    }
  }

  private liveInfo(options: Record<string, unknown>): Record<string, unknown> {
    const account = this.calledAccount('getChannelsLiveInfo', options.finderUserName)
    const startTime = optionalSeconds(options.startTime, 'startTime')
    const endTime = optionalSeconds(options.endTime, 'endTime')
    const ranged = startTime !== undefined || endTime !== undefined
    const from = startTime ?? 0
    const to = endTime ?? this.clock.nowSeconds()
    if (ranged && from > to) throw new ApiFailure(CHANNELS_ERR.badParams, `startTime: ${from} is after endTime ${to}`)
    const lives = ranged ? account.lives.filter((l) => l.startedAt >= from && l.startedAt <= to) : account.lives
    const latest = lives.at(-1)
    if (!latest) {
      if (ranged) throw new ApiFailure(CHANNELS_ERR.noData, `no live of ${account.finderUserName} between ${from} and ${to}`)
      // status 1: "直播状态不存在（针对未开过直播的主播）": an answer, not an error
      return { feedId: '', nonceId: '', description: '', status: CHANNELS_LIVE_STATUS.never, headUrl: account.headUrl, nickname: account.nickname, replayStatus: CHANNELS_REPLAY_STATUS.notGenerated, otherInfos: [] }
    }
    const others = lives.slice(0, -1).slice(-(CHANNELS_LIVES_PER_ANSWER - 1))
    return { ...liveFields(account, latest), otherInfos: others.map((l) => liveFields(account, l)) }
  }

  private noticeInfo(options: Record<string, unknown>): Record<string, unknown> {
    const account = this.calledAccount('getChannelsLiveNoticeInfo', options.finderUserName)
    const notice = account.notice
    if (!notice) throw new ApiFailure(CHANNELS_ERR.noData, `${account.finderUserName} has no live notice`)
    return {
      noticeId: notice.noticeId,
      status: CHANNELS_NOTICE_STATUS[notice.status],
      startTime: String(notice.startTime),
      headUrl: account.headUrl,
      nickname: account.nickname,
      reservable: notice.reservable,
      // one notice per account in the emulator, so no other notices to list
      otherInfos: [],
    }
  }

  private reserve(openid: string, options: Record<string, unknown>): Record<string, unknown> {
    const noticeId = requiredString(options.noticeId, 'noticeId')
    const account = this.noticeOwner(noticeId)
    if (!account || !account.notice) throw new ApiFailure(CHANNELS_ERR.badParams, `noticeId: no live notice has the id ${noticeId}`)
    this.consumeFault(account, 'reserveChannelsLive')
    const notice = account.notice
    const choice = account.choices.get(openid) ?? account.choices.get(EVERY_VIEWER) ?? 'reserve'
    const reserved = account.reservations.get(openid) ?? new Set<string>()
    const latest = account.lives.at(-1)
    let state: ReserveState
    if (notice.status === 'cancelled') state = 3
    else if (notice.status === 'used') state = 4
    else if (latest?.status === 'live') {
      // the dialog offers the live instead: going there opens it
      state = choice === 'reserve' ? 2 : choice === 'cancel' ? 1 : 9
      if (state === 2) this.recordOpen(account, openid, latest, 'reserveChannelsLive')
    } else if (notice.startTime < this.clock.nowSeconds()) state = 10
    else if (choice === 'dismiss') state = 9
    else if (reserved.has(noticeId)) {
      state = choice === 'cancel' ? 7 : 8
      if (state === 7) reserved.delete(noticeId)
    } else {
      state = choice === 'reserve' ? 6 : 5
      if (state === 6) reserved.add(noticeId)
    }
    if (reserved.size > 0) account.reservations.set(openid, reserved)
    else account.reservations.delete(openid)
    pushBounded(account.reserves, { atMs: this.clock.nowMs(), openid, noticeId, choice, state })
    return { state }
  }

  private open(openid: string, options: Record<string, unknown>): Record<string, unknown> {
    const account = this.calledAccount('openChannelsLive', options.finderUserName)
    const feedId = options.feedId === undefined ? undefined : requiredString(options.feedId, 'feedId')
    const nonceId = options.nonceId === undefined ? undefined : requiredString(options.nonceId, 'nonceId')
    const live = feedId === undefined ? account.lives.at(-1) : account.lives.find((l) => l.feedId === feedId)
    if (feedId !== undefined && !live) throw new ApiFailure(CHANNELS_ERR.badParams, `feedId: ${feedId} is not a live of ${account.finderUserName}`)
    if (!live) throw new ApiFailure(CHANNELS_ERR.noData, `${account.finderUserName} never went live: there is no live to open`)
    if (nonceId !== undefined && nonceId !== live.nonceId) throw new ApiFailure(CHANNELS_ERR.badParams, `nonceId: ${nonceId} is not the nonceId of live ${live.feedId}`)
    this.recordOpen(account, openid, live, 'openChannelsLive')
    return {}
  }

  private recordOpen(account: Account, openid: string, live: ChannelsLive, via: ChannelsOpen['via']): void {
    pushBounded(account.opens, { atMs: this.clock.nowMs(), openid, feedId: live.feedId, status: live.status, lands: live.status === 'live' ? 'live' : 'endPage', via })
  }

  /** The account a finderUserName option names, after its injected fault for `api`. */
  private calledAccount(api: ChannelsApi, finderUserName: unknown): Account {
    const name = requiredString(finderUserName, 'finderUserName')
    const account = this.accounts.get(name)
    // an id WeChat does not know: "1416100 非法的视频号id"
    if (!account) throw new ApiFailure(CHANNELS_ERR.invalidFinder, `finderUserName: ${name} is not a known Channels id`)
    this.consumeFault(account, api)
    return account
  }

  private consumeFault(account: Account, api: ChannelsApi): void {
    const fault = account.faults.get(api)
    if (!fault) return
    if (fault.remaining !== null && --fault.remaining <= 0) account.faults.delete(api)
    throw new ApiFailure(fault.errCode, `injected errcode ${fault.errCode}`)
  }

  private noticeOwner(noticeId: string): Account | undefined {
    for (const account of this.accounts.values()) if (account.notice?.noticeId === noticeId) return account
    return undefined
  }

  private existing(finderUserName: unknown): Account {
    const name = parseInput(finderSchema, finderUserName, 'channels', 'finderUserName')
    const account = this.accounts.get(name)
    if (!account) throw notFound(name)
    return account
  }

  private ensure(finderUserName: unknown): Account {
    const name = parseInput(finderSchema, finderUserName, 'channels', 'finderUserName')
    let account = this.accounts.get(name)
    if (!account) {
      account = { finderUserName: name, nickname: name, headUrl: '', lives: [], notice: null, reservations: new Map(), choices: new Map(), faults: new Map(), opens: [], reserves: [] }
      this.accounts.set(name, account)
    }
    return account
  }
}

function applyProfile(account: Account, fields: { nickname?: string; headUrl?: string }): void {
  if (fields.nickname !== undefined) account.nickname = fields.nickname
  if (fields.headUrl !== undefined) account.headUrl = fields.headUrl
}

/** Only an ended live has a replay to speak of. */
function checkReplay(status: ChannelsLiveStatusName, replayStatus: ChannelsReplayStatusName | undefined): void {
  if (replayStatus !== undefined && replayStatus !== 'notGenerated' && status !== 'ended') {
    throw new SandboxControlError(400, `replayStatus: ${replayStatus} needs an ended live (this live is ${status})`, 'replayStatus')
  }
}

function liveFields(account: Account, live: ChannelsLive): Record<string, unknown> {
  return {
    feedId: live.feedId,
    nonceId: live.nonceId,
    description: live.description,
    status: CHANNELS_LIVE_STATUS[live.status],
    headUrl: account.headUrl,
    nickname: account.nickname,
    replayStatus: CHANNELS_REPLAY_STATUS[live.replayStatus],
  }
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ApiFailure(CHANNELS_ERR.badParams, `${field}: required, a non-empty string`)
  if (value.length > 128) throw new ApiFailure(CHANNELS_ERR.badParams, `${field}: must be at most 128 characters`)
  return value
}

function optionalSeconds(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ApiFailure(CHANNELS_ERR.badParams, `${field}: must be whole Unix seconds ≥ 0`)
  return value
}

function pushBounded<T>(list: T[], item: T): void {
  list.push(item)
  if (list.length > CHANNELS_LOG_MAX) list.splice(0, list.length - CHANNELS_LOG_MAX)
}

function view(account: Account): ChannelsAccountView {
  return {
    finderUserName: account.finderUserName,
    nickname: account.nickname,
    headUrl: account.headUrl,
    live: account.lives.at(-1) ? { ...account.lives.at(-1)! } : null,
    earlierLives: account.lives.slice(0, -1).map((l) => ({ ...l })),
    notice: account.notice ? { ...account.notice } : null,
    reservations: Object.fromEntries([...account.reservations].map(([openid, ids]) => [openid, [...ids]])),
    reserveChoices: Object.fromEntries(account.choices),
    faults: Object.fromEntries([...account.faults].map(([api, f]) => [api, { ...f }])),
    opens: account.opens.map((o) => ({ ...o })),
    reserves: account.reserves.map((r) => ({ ...r })),
  }
}
