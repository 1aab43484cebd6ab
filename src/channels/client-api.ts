/**
 * Channels live (视频号直播) as a mini-program reaches it: the client APIs' codes, the base library each needs,
 * how often we may ask, and the errcodes with what they mean for the merchant. One home for these facts: the
 * viewer pages (through miniprogram/generated/live-setup.ts, written by npm run configure), the emulator's wx shim
 * and the merchant's reports all read them from here.
 * Guide: https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/channels-live.html
 */

/** `status` of wx.getChannelsLiveInfo: https://developers.weixin.qq.com/miniprogram/dev/api/open-api/channels/wx.getChannelsLiveInfo.html */
export const CHANNELS_LIVE_STATUS = { never: 1, live: 2, ended: 3, preparing: 4 } as const
export type ChannelsLiveStatusName = keyof typeof CHANNELS_LIVE_STATUS

/** `replayStatus` of wx.getChannelsLiveInfo (base library 2.29.0). */
export const CHANNELS_REPLAY_STATUS = { notGenerated: 0, ready: 1, generating: 3, expired: 6 } as const
export type ChannelsReplayStatusName = keyof typeof CHANNELS_REPLAY_STATUS

/** `status` of wx.getChannelsLiveNoticeInfo: https://developers.weixin.qq.com/miniprogram/dev/api/open-api/channels/wx.getChannelsLiveNoticeInfo.html */
export const CHANNELS_NOTICE_STATUS = { usable: 0, cancelled: 1, used: 2 } as const
export type ChannelsNoticeStatusName = keyof typeof CHANNELS_NOTICE_STATUS

/**
 * What the viewer did in wx.reserveChannelsLive's dialog: its success result's `state`, which the official typings
 * leave out (they give GeneralCallbackResult). https://developers.weixin.qq.com/miniprogram/dev/api/open-api/channels/wx.reserveChannelsLive.html
 */
export const RESERVE_STATES = {
  1: { outcome: 'liveDeclined', zh: '正在直播，观众未前往' },
  2: { outcome: 'liveEntered', zh: '正在直播，观众前往直播' },
  3: { outcome: 'noticeCancelled', zh: '预告已取消' },
  4: { outcome: 'liveEnded', zh: '直播已结束' },
  5: { outcome: 'dismissed', zh: '观众未预约，关闭了弹窗' },
  6: { outcome: 'reserved', zh: '观众预约成功' },
  7: { outcome: 'unreserved', zh: '观众取消了预约' },
  8: { outcome: 'alreadyReserved', zh: '观众此前已预约，关闭了弹窗' },
  9: { outcome: 'dismissed', zh: '弹窗打开前观众取消' },
  10: { outcome: 'noticeExpired', zh: '预告已过期' },
} as const
export type ReserveState = keyof typeof RESERVE_STATES
export type ReserveOutcome = (typeof RESERVE_STATES)[ReserveState]['outcome']
export const RESERVE_OUTCOMES = [...new Set(Object.values(RESERVE_STATES).map((s) => s.outcome))] as ReserveOutcome[]

/** The success result of wx.reserveChannelsLive as WeChat sends it (typed here, since the typings omit `state`). */
export interface ReserveChannelsLiveResult {
  errMsg: string
  state: ReserveState
}

/** The base library each API or component needs; below it the page degrades (wx.canIUse first where it can). */
export const CHANNELS_BASE_LIBRARY = {
  getChannelsLiveInfo: '2.15.0',
  openChannelsLive: '2.15.0',
  /** openChannelsLive without feedId and nonceId. */
  openWithoutFeed: '2.19.2',
  getChannelsLiveNoticeInfo: '2.19.0',
  reserveChannelsLive: '2.19.0',
  /** getChannelsLiveInfo's replayStatus, otherInfos and time range. */
  replayStatus: '2.29.0',
  /** The <channel-live> component (same subject only; a tap enters without a confirm dialog). */
  channelLiveComponent: '2.29.0',
} as const

/** The client APIs that reach WeChat's servers: asked at most this often per device, the answer kept on the device. */
export const CHANNELS_ASK_INTERVAL_MS = 60_000

/** The Channels client APIs by name (the device reports their errors under these names). */
export const CHANNELS_APIS = ['getChannelsLiveInfo', 'getChannelsLiveNoticeInfo', 'reserveChannelsLive', 'openChannelsLive'] as const
export type ChannelsApi = (typeof CHANNELS_APIS)[number]

/**
 * Errcodes the Channels client APIs answer, with what the merchant should do; shown on the merchant pages, never
 * to a viewer. 100008 also comes when the Channels account is not verified or not of the mini-program's subject.
 */
export const CHANNELS_ERRCODES: Record<number, { zh: string; en: string }> = {
  100008: {
    zh: '视频号未认证，或与小程序主体不一致且不是关联主体：请在视频号助手完成认证，或换用同主体（关联主体）的视频号',
    en: 'the Channels account is not verified, or is not of the mini-program’s subject nor a linked one',
  },
  40097: { zh: '参数错误：请检查 live.config.json 中的视频号 id', en: 'invalid parameters: check the Channels id in live.config.json' },
  1416100: { zh: '视频号 id 无效：请在视频号助手复制以 sph 开头的 id', en: 'invalid Channels id: copy the sph… id from 视频号助手' },
  1416104: { zh: '视频号暂无直播或预告数据', en: 'the Channels account has no live or notice data' },
}

/** The merchant's sentence for an errcode the table does not know. */
export function channelsErrorText(errCode: number): { zh: string; en: string } {
  return CHANNELS_ERRCODES[errCode] ?? { zh: `视频号接口返回错误码 ${errCode}`, en: `the Channels API answered errcode ${errCode}` }
}
