/**
 * The test-side `wx` Channels live APIs for page tests: wx.getChannelsLiveInfo, getChannelsLiveNoticeInfo,
 * reserveChannelsLive and openChannelsLive answered by the emulator (`POST /__client/channels/{api}`) as one
 * viewer, callback style only (none of them has a Promise style), plus the base library they run on: `canIUse`,
 * `getAppBaseInfo().SDKVersion`, and what each base library leaves out of an answer.
 * APIs: https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/channels-live.html
 */
import { CHANNELS_BASE_LIBRARY, type ChannelsApi } from '../../src/channels/client-api'
import { CHANNELS_API_FIELDS } from '../channels/state'
// The device's own version order: the shim stands in for WeChat under the device code and must agree with it.
import { compareVersions } from '../../miniprogram/utils/version'

/** WeChat's failure shape: `errMsg` is `<api>:fail …`. */
export interface WxChannelsError {
  errMsg: string
  errCode: number
}
type Result = Record<string, unknown> & { errMsg: string }
/** Method style, so callers may type `res` as the API's own success result. */
interface Callbacks {
  success?(res: Result): void
  fail?(err: WxChannelsError): void
  complete?(res: Result | WxChannelsError): void
}

export interface WxChannelsCall {
  api: string
  /** The options as given, callbacks left out. */
  options: Record<string, unknown>
  result?: Record<string, unknown>
  error?: WxChannelsError
}

export interface WxChannelsShim {
  getChannelsLiveInfo(o: { finderUserName: string; startTime?: number; endTime?: number } & Callbacks): void
  getChannelsLiveNoticeInfo(o: { finderUserName: string } & Callbacks): void
  reserveChannelsLive(o: { noticeId: string } & Callbacks): void
  openChannelsLive(o: { finderUserName: string; feedId?: string; nonceId?: string } & Callbacks): void
  /** API names and the `channel-live` component (with its attributes), per the base library. */
  canIUse(schema: string): boolean
  getAppBaseInfo(): { SDKVersion: string }
  getSystemInfoSync(): { SDKVersion: string }
  /** Settable: '3.0.0' by default; below '2.15.0' no Channels API exists. */
  baseLibrary: string
  /** Calls each API received (name, options without callbacks, the answer or error), newest last. */
  calls: WxChannelsCall[]
  /** Resolves once every call made so far has had its callbacks run. */
  settled(): Promise<void>
}

export const DEFAULT_BASE_LIBRARY = '3.0.0'
/** errCode of a call the base library cannot make (WeChat itself has no such API there, hence no platform code). */
export const NOT_SUPPORTED_ERRCODE = -1
/** errCode of a call the emulator refused as malformed (a shim bug, not a platform answer). */
export const EMULATOR_REFUSED_ERRCODE = -2

const VERSION_RE = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/

/** Every `canIUse` schema the shim knows, with the base library it needs. */
export const CHANNELS_SCHEMAS: Readonly<Record<string, string>> = {
  getChannelsLiveInfo: CHANNELS_BASE_LIBRARY.getChannelsLiveInfo,
  'getChannelsLiveInfo.object.startTime': CHANNELS_BASE_LIBRARY.replayStatus,
  'getChannelsLiveInfo.object.endTime': CHANNELS_BASE_LIBRARY.replayStatus,
  'getChannelsLiveInfo.success.replayStatus': CHANNELS_BASE_LIBRARY.replayStatus,
  'getChannelsLiveInfo.success.otherInfos': CHANNELS_BASE_LIBRARY.replayStatus,
  openChannelsLive: CHANNELS_BASE_LIBRARY.openChannelsLive,
  getChannelsLiveNoticeInfo: CHANNELS_BASE_LIBRARY.getChannelsLiveNoticeInfo,
  reserveChannelsLive: CHANNELS_BASE_LIBRARY.reserveChannelsLive,
  'channel-live': CHANNELS_BASE_LIBRARY.channelLiveComponent,
  'channel-live.feed-id': CHANNELS_BASE_LIBRARY.channelLiveComponent,
  'channel-live.finder-user-name': CHANNELS_BASE_LIBRARY.channelLiveComponent,
}

/** Fields of getChannelsLiveInfo that arrived with base library 2.29.0 (a time range in, replay and others out). */
const RANGE_OPTIONS = ['startTime', 'endTime']
const RANGE_RESULTS = ['replayStatus', 'otherInfos']

export function createWxChannels(o: { url: string; openid: string; baseLibrary?: string }): WxChannelsShim {
  const url = o.url.replace(/\/+$/, '')
  let baseLibrary = checkVersion(o.baseLibrary ?? DEFAULT_BASE_LIBRARY)
  const calls: WxChannelsCall[] = []
  const inFlight = new Set<Promise<void>>()
  const atLeast = (version: string) => compareVersions(baseLibrary, version) >= 0

  function call(api: ChannelsApi, given: object | undefined): void {
    const { success, fail, complete, ...options } = (given ?? {}) as Record<string, unknown> & Callbacks
    const record: WxChannelsCall = { api, options: { ...options } }
    const finish = (outcome: { result: Result } | { error: WxChannelsError }) => {
      if ('result' in outcome) record.result = outcome.result
      else record.error = outcome.error
      calls.push(record)
      if ('result' in outcome) success?.(outcome.result)
      else fail?.(outcome.error)
      complete?.('result' in outcome ? outcome.result : outcome.error)
    }
    const run = async (): Promise<void> => {
      // like WeChat, callbacks never run before the caller's own code has gone on
      await Promise.resolve()
      if (!atLeast(CHANNELS_BASE_LIBRARY[api])) {
        return finish({ error: { errMsg: `${api}:fail not supported`, errCode: NOT_SUPPORTED_ERRCODE } })
      }
      const rangeOk = atLeast(CHANNELS_BASE_LIBRARY.replayStatus)
      // below 2.19.2 the live must be named: "feedId/nonceId 2.19.2 以下必填"
      if (api === 'openChannelsLive' && !atLeast(CHANNELS_BASE_LIBRARY.openWithoutFeed)) {
        const missing = ['feedId', 'nonceId'].find((k) => typeof options[k] !== 'string' || options[k] === '')
        if (missing) return finish({ error: { errMsg: `${api}:fail ${missing}: required below base library ${CHANNELS_BASE_LIBRARY.openWithoutFeed}`, errCode: 40097 } })
      }
      // the base library sends only the options it knows
      const sent: Record<string, unknown> = { openid: o.openid }
      for (const field of CHANNELS_API_FIELDS[api]) {
        if (options[field] === undefined) continue
        if (api === 'getChannelsLiveInfo' && RANGE_OPTIONS.includes(field) && !rangeOk) continue
        sent[field] = options[field]
      }
      let reply: { result?: Result; errCode?: number; errMsg?: string; error?: string }
      try {
        const res = await fetch(`${url}/__client/channels/${api}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sent) })
        reply = (await res.json()) as typeof reply
      } catch (e) {
        return finish({ error: { errMsg: `${api}:fail emulator unreachable: ${e instanceof Error ? e.message : String(e)}`, errCode: EMULATOR_REFUSED_ERRCODE } })
      }
      if (reply.result) {
        const result = { ...reply.result }
        if (api === 'getChannelsLiveInfo' && !rangeOk) for (const field of RANGE_RESULTS) delete result[field]
        return finish({ result })
      }
      if (typeof reply.errCode === 'number') return finish({ error: { errMsg: reply.errMsg ?? `${api}:fail`, errCode: reply.errCode } })
      finish({ error: { errMsg: `${api}:fail emulator refused the call: ${reply.error ?? 'no answer'}`, errCode: EMULATOR_REFUSED_ERRCODE } })
    }
    const p = run().finally(() => inFlight.delete(p))
    inFlight.add(p)
  }

  const shim: WxChannelsShim = {
    getChannelsLiveInfo: (opts) => call('getChannelsLiveInfo', opts),
    getChannelsLiveNoticeInfo: (opts) => call('getChannelsLiveNoticeInfo', opts),
    reserveChannelsLive: (opts) => call('reserveChannelsLive', opts),
    openChannelsLive: (opts) => call('openChannelsLive', opts),
    canIUse(schema) {
      const needs = CHANNELS_SCHEMAS[schema]
      return needs !== undefined && atLeast(needs)
    },
    getAppBaseInfo: () => ({ SDKVersion: baseLibrary }),
    getSystemInfoSync: () => ({ SDKVersion: baseLibrary }),
    get baseLibrary() {
      return baseLibrary
    },
    set baseLibrary(version: string) {
      baseLibrary = checkVersion(version)
    },
    calls,
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
  return shim
}

function checkVersion(version: unknown): string {
  if (typeof version !== 'string' || !VERSION_RE.test(version)) throw new Error(`baseLibrary: ${JSON.stringify(version)} is not a base library version such as "2.29.0"`)
  return version
}
