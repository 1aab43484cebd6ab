/**
 * Room status (`live_status`): the platform's codes under the names the merchant and the cache use. The only
 * place the codes are written; everything else says `LiveStatus.upcoming`, never the number.
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.getLiveInfo.html
 */

export const LiveStatus = {
  live: 101,
  upcoming: 102,
  ended: 103,
  banned: 104,
  paused: 105,
  abnormal: 106,
  expired: 107,
} as const
export type LiveStatusName = keyof typeof LiveStatus
export type LiveStatus = (typeof LiveStatus)[LiveStatusName]

/** Every name, in code order. */
export const LIVE_STATUS_NAMES = Object.keys(LiveStatus) as [LiveStatusName, ...LiveStatusName[]]
/** Every code, in code order. */
export const LIVE_STATUS_CODES = Object.values(LiveStatus) as [LiveStatus, ...LiveStatus[]]

/** How the WeChat MP console words each status (zh) and its English equivalent. */
export const LIVE_STATUS_TEXT: Readonly<Record<LiveStatusName, { zh: string; en: string }>> = {
  live: { zh: '直播中', en: 'live' },
  upcoming: { zh: '未开始', en: 'not started' },
  ended: { zh: '已结束', en: 'ended' },
  banned: { zh: '禁播', en: 'banned' },
  paused: { zh: '暂停', en: 'paused' },
  abnormal: { zh: '异常', en: 'abnormal' },
  expired: { zh: '已过期', en: 'expired' },
}

const NAME_OF_CODE: ReadonlyMap<number, LiveStatusName> = new Map(LIVE_STATUS_NAMES.map((n) => [LiveStatus[n], n]))

export function isLiveStatus(code: unknown): code is LiveStatus {
  return typeof code === 'number' && NAME_OF_CODE.has(code)
}

/** The name of a code, or undefined for a code the platform may add later. */
export function liveStatusName(code: number): LiveStatusName | undefined {
  return NAME_OF_CODE.get(code)
}

/** On air: viewers find these rooms in the live list (a paused or abnormal room may resume). */
export const ON_AIR_STATUSES: readonly LiveStatus[] = [LiveStatus.live, LiveStatus.paused, LiveStatus.abnormal]

/** Not over: the status can still change without the merchant (upcoming, or on air). */
export const OPEN_STATUSES: readonly LiveStatus[] = [LiveStatus.upcoming, ...ON_AIR_STATUSES]

/** Over for good: nothing more will happen on air. */
export const CLOSED_STATUSES: readonly LiveStatus[] = LIVE_STATUS_CODES.filter((c) => !OPEN_STATUSES.includes(c))

/** "101–107", for messages about the known range. */
export const LIVE_STATUS_RANGE = `${LIVE_STATUS_CODES[0]}–${LIVE_STATUS_CODES[LIVE_STATUS_CODES.length - 1]}`
