/**
 * The merchant's Channels live (视频号直播) as this device sees it. The client APIs reach WeChat's servers, so each
 * is asked at most once per CHANNELS_ASK_INTERVAL_MS per device; the asking time and the last answers live in wx
 * storage, so a reopened page or a restart within the interval reads the kept answer. The viewer never sees an
 * error: a failed ask keeps what was known, and the errcode goes to the merchant's statistics as `channels_error`,
 * once per (api, errCode) per interval. Guide: https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/channels-live.html
 */
import {
  CHANNELS_ASK_INTERVAL_MS,
  CHANNELS_BASE_LIBRARY,
  CHANNELS_LIVE_STATUS,
  CHANNELS_NOTICE_STATUS,
  CHANNELS_REPLAY_STATUS,
  RESERVE_OUTCOME_BY_STATE,
} from '../generated/live-setup'
import type { ReserveChannelsLiveResult, ReserveOutcome } from '../../src/channels/client-api'
import { compareVersions } from '../utils/version'
import { entryChannel } from './attribution'
import { track, visitScene } from './track'

const STORE_KEY = 'channels.kept'
/** Reservations remembered on the device; the oldest are forgotten beyond this. */
const RESERVED_KEPT_MAX = 20
/** Used when a fail callback carries no errCode, so the report still says which API failed. */
export const UNKNOWN_ERRCODE = -1

type ChannelsStatusName = keyof typeof CHANNELS_LIVE_STATUS
type ReplayStatusName = keyof typeof CHANNELS_REPLAY_STATUS
type AskedApi = 'getChannelsLiveInfo' | 'getChannelsLiveNoticeInfo'
type ChannelsApiName = AskedApi | 'reserveChannelsLive' | 'openChannelsLive'

/** wx.getChannelsLiveInfo's answer, checked. */
export interface ChannelsLive {
  feedId: string
  nonceId: string
  description: string
  status: ChannelsStatusName
  headUrl: string
  nickname: string
  /** Null below base library 2.29.0, where WeChat does not say. */
  replayStatus: ReplayStatusName | null
}

/** wx.getChannelsLiveNoticeInfo's answer, checked (startTime arrives as seconds in a string). */
export interface ChannelsNotice {
  noticeId: string
  usable: boolean
  startMs: number
  headUrl: string
  nickname: string
  reservable: boolean
}

interface Kept<T> {
  finderUserName: string
  askedAtMs: number
  answer: T | null
}

interface Store {
  live: Kept<ChannelsLive> | null
  notice: Kept<ChannelsNotice> | null
  /** `api:errCode` → when it was last reported. */
  reported: Record<string, number>
  /** noticeId → when the viewer reserved it. */
  reserved: Record<string, number>
}

export interface WxError {
  errMsg: string
  errCode: number
}

function readStore(): Store {
  let raw: unknown = ''
  try {
    raw = wx.getStorageSync(STORE_KEY)
  } catch {
    // unreadable storage: ask afresh rather than never show the Channels live
  }
  const s = raw && typeof raw === 'object' ? (raw as Partial<Store>) : {}
  const obj = (v: unknown): Record<string, number> => (v && typeof v === 'object' ? (v as Record<string, number>) : {})
  return { live: s.live ?? null, notice: s.notice ?? null, reported: obj(s.reported), reserved: obj(s.reserved) }
}

function writeStore(store: Store): void {
  try {
    wx.setStorageSync(STORE_KEY, store)
  } catch (err) {
    console.warn('[channels] could not keep the answers on the device', err)
  }
}

/** The base library this WeChat runs (getAppBaseInfo from 2.25.3, getSystemInfoSync before it). */
export function baseLibrary(): string {
  try {
    if (typeof wx.getAppBaseInfo === 'function') return String(wx.getAppBaseInfo().SDKVersion || '0.0.0')
    return String(wx.getSystemInfoSync().SDKVersion || '0.0.0')
  } catch {
    return '0.0.0'
  }
}

/** wx.canIUse first: an old base library has no such API, and calling it would fail. */
export function canUse(api: ChannelsApiName): boolean {
  try {
    return typeof wx.canIUse === 'function' && wx.canIUse(api)
  } catch {
    return false
  }
}

/** `<channel-live>` (same subject only, entered without a confirm dialog) needs its base library. */
export function canUseChannelLiveComponent(): boolean {
  return compareVersions(baseLibrary(), CHANNELS_BASE_LIBRARY.channelLiveComponent) >= 0
}

function toWxError(api: ChannelsApiName, err: unknown): WxError {
  const e = (err && typeof err === 'object' ? err : {}) as { errMsg?: unknown; errCode?: unknown }
  const errCode = typeof e.errCode === 'number' && Number.isInteger(e.errCode) ? e.errCode : UNKNOWN_ERRCODE
  return { errMsg: typeof e.errMsg === 'string' ? e.errMsg : `${api}:fail`, errCode }
}

/** Tells the merchant (never the viewer) that an API failed; the same (api, errCode) once per interval per device. */
export function reportError(api: ChannelsApiName, error: WxError, nowMs: number): void {
  const store = readStore()
  const key = `${api}:${error.errCode}`
  const last = store.reported[key]
  if (typeof last === 'number' && nowMs - last < CHANNELS_ASK_INTERVAL_MS) return
  for (const k of Object.keys(store.reported)) if (nowMs - store.reported[k] >= CHANNELS_ASK_INTERVAL_MS) delete store.reported[k]
  store.reported[key] = nowMs
  writeStore(store)
  track({ kind: 'channels_error', channel: entryChannel(), api, errCode: error.errCode })
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

function nameOf<T extends Record<string, number>>(table: T, code: unknown): keyof T | null {
  const hit = Object.keys(table).find((k) => table[k] === code)
  return hit === undefined ? null : (hit as keyof T)
}

/** Checks WeChat's answer field by field; null (with the reason logged) when it is not one we can show. */
export function checkLiveAnswer(res: unknown): ChannelsLive | null {
  const r = (res && typeof res === 'object' ? res : {}) as Record<string, unknown>
  const status = nameOf(CHANNELS_LIVE_STATUS, r.status)
  if (status === null) {
    console.warn(`[channels] getChannelsLiveInfo.status: expected one of ${Object.values(CHANNELS_LIVE_STATUS).join(', ')}, got ${String(r.status)}`)
    return null
  }
  const replayStatus = r.replayStatus === undefined ? null : nameOf(CHANNELS_REPLAY_STATUS, r.replayStatus)
  return { feedId: str(r.feedId), nonceId: str(r.nonceId), description: str(r.description), status, headUrl: str(r.headUrl), nickname: str(r.nickname), replayStatus }
}

export function checkNoticeAnswer(res: unknown): ChannelsNotice | null {
  const r = (res && typeof res === 'object' ? res : {}) as Record<string, unknown>
  const startS = Number(r.startTime)
  if (str(r.noticeId) === '' || !Number.isFinite(startS) || startS <= 0) {
    console.warn('[channels] getChannelsLiveNoticeInfo: noticeId must be text and startTime seconds as a string', r.noticeId, r.startTime)
    return null
  }
  return {
    noticeId: str(r.noticeId),
    usable: r.status === CHANNELS_NOTICE_STATUS.usable,
    startMs: startS * 1000,
    headUrl: str(r.headUrl),
    nickname: str(r.nickname),
    reservable: r.reservable === true,
  }
}

/** A wx callback API as a Promise (these have no Promise style). */
function call<R>(api: ChannelsApiName, options: Record<string, unknown>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const fn = (wx as unknown as Record<string, (o: Record<string, unknown>) => void>)[api]
    fn({ ...options, success: (res: R) => resolve(res), fail: (err: unknown) => reject(toWxError(api, err)) })
  })
}

const asking = new Map<AskedApi, Promise<unknown>>()

/**
 * One API's answer for this Channels account: the kept one while it is younger than the interval, else a new ask.
 * A failed getChannelsLiveInfo keeps the last answer; a failed notice ask means there is no notice to reserve
 * (WeChat fails it when there is none), so the kept notice goes.
 */
async function ask<T>(api: AskedApi, field: 'live' | 'notice', finderUserName: string, check: (res: unknown) => T | null, nowMs: number): Promise<T | null> {
  const kept = readStore()[field] as Kept<T> | null
  const sameAccount = kept !== null && kept.finderUserName === finderUserName
  if (sameAccount && nowMs - kept.askedAtMs < CHANNELS_ASK_INTERVAL_MS && nowMs >= kept.askedAtMs) return kept.answer
  const pending = asking.get(api)
  if (pending) return (await pending) as T | null
  const run = (async (): Promise<T | null> => {
    let answer: T | null
    try {
      answer = check(await call<unknown>(api, { finderUserName }))
    } catch (err) {
      const error = toWxError(api, err)
      reportError(api, error, nowMs)
      answer = field === 'live' && sameAccount ? kept.answer : null
    }
    const store = readStore()
    store[field] = { finderUserName, askedAtMs: nowMs, answer } as Kept<ChannelsLive> & Kept<ChannelsNotice>
    writeStore(store)
    return answer
  })()
  asking.set(api, run)
  try {
    return await run
  } finally {
    asking.delete(api)
  }
}

export interface ChannelsState {
  live: ChannelsLive | null
  notice: ChannelsNotice | null
}

/** What the device knows of the account's live and notice, asking WeChat only when the interval allows. */
export async function readChannels(finderUserName: string, nowMs: number): Promise<ChannelsState> {
  const [live, notice] = await Promise.all([
    canUse('getChannelsLiveInfo') ? ask('getChannelsLiveInfo', 'live', finderUserName, checkLiveAnswer, nowMs) : null,
    canUse('getChannelsLiveNoticeInfo') ? ask('getChannelsLiveNoticeInfo', 'notice', finderUserName, checkNoticeAnswer, nowMs) : null,
  ])
  return { live, notice }
}

export function isReserved(noticeId: string): boolean {
  return typeof readStore().reserved[noticeId] === 'number'
}

function rememberReservation(noticeId: string, reserved: boolean, nowMs: number): void {
  const store = readStore()
  if (reserved) store.reserved[noticeId] = nowMs
  else delete store.reserved[noticeId]
  const ids = Object.keys(store.reserved).sort((a, b) => store.reserved[a] - store.reserved[b])
  for (const id of ids.slice(0, Math.max(0, ids.length - RESERVED_KEPT_MAX))) delete store.reserved[id]
  writeStore(store)
}

/**
 * Opens the reserve dialog and records what the viewer did. WeChat keeps saying `reservable` after a reservation,
 * so the device remembers it per noticeId. Null when the dialog did not open (the failure is reported).
 */
export async function reserve(noticeId: string, nowMs: number): Promise<ReserveOutcome | null> {
  if (!canUse('reserveChannelsLive')) return null
  let res: ReserveChannelsLiveResult
  try {
    res = await call<ReserveChannelsLiveResult>('reserveChannelsLive', { noticeId })
  } catch (err) {
    reportError('reserveChannelsLive', toWxError('reserveChannelsLive', err), nowMs)
    return null
  }
  const outcome = RESERVE_OUTCOME_BY_STATE[Number(res && res.state)] as ReserveOutcome | undefined
  if (outcome === undefined) {
    console.warn(`[channels] reserveChannelsLive.state: expected 1 to 10, got ${String(res && res.state)}`)
    return null
  }
  if (outcome === 'reserved' || outcome === 'alreadyReserved') rememberReservation(noticeId, true, nowMs)
  if (outcome === 'unreserved') rememberReservation(noticeId, false, nowMs)
  track({ kind: 'channels_reserve', channel: entryChannel(), noticeId, outcome })
  return outcome
}

/** An entry into the Channels live, counted as `entered` under the Channels account. */
export function trackChannelsEnter(via: 'component' | 'api', status: ChannelsStatusName, feedId: string): void {
  const scene = visitScene()
  if (scene === null) return console.warn('[channels] no entry scene, enter not recorded')
  track(feedId ? { kind: 'channels_enter', channel: entryChannel(), scene, via, status, feedId } : { kind: 'channels_enter', channel: entryChannel(), scene, via, status })
}

/**
 * wx.openChannelsLive after the viewer's tap (WeChat asks them to confirm). Below base library 2.19.2 it needs the
 * live's feedId and nonceId. 'opened', 'declined' (the viewer said no in WeChat's dialog) or 'failed' (reported).
 */
export async function openLive(finderUserName: string, live: ChannelsLive, nowMs: number): Promise<'opened' | 'declined' | 'failed'> {
  if (!canUse('openChannelsLive')) return 'failed'
  const needsFeed = compareVersions(baseLibrary(), CHANNELS_BASE_LIBRARY.openWithoutFeed) < 0
  const options: Record<string, unknown> = needsFeed ? { finderUserName, feedId: live.feedId, nonceId: live.nonceId } : { finderUserName }
  try {
    await call('openChannelsLive', options)
  } catch (err) {
    const error = toWxError('openChannelsLive', err)
    if (/cancel/i.test(error.errMsg)) return 'declined'
    reportError('openChannelsLive', error, nowMs)
    return 'failed'
  }
  trackChannelsEnter('api', live.status, live.feedId)
  return 'opened'
}
