/**
 * The day the Live APIs count quotas in: Asia/Shanghai (UTC+8, no daylight saving), so a quota resets at
 * Beijing midnight. One home for the sync's ledger and the sandbox's quotas.
 * Per-day quotas: https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.getLiveInfo.html
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000

/** `YYYY-MM-DD` of the Asia/Shanghai day holding the instant `ms` (Unix milliseconds). */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}
