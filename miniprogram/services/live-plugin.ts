/** live-player-plugin's client API, typed to the parts we use (https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/component-api.html). */
import { LIVE_STATUS_POLL_MS } from '../config'
import { LiveStatus, liveStatusName } from '../utils/status'
import type { ShareParams } from './attribution'

interface LivePlayerPlugin {
  getLiveStatus(options: { room_id: number }): Promise<{ liveStatus: number }>
  getShareParams(): Promise<ShareParams>
}

function plugin(): LivePlayerPlugin {
  // requirePlugin is typed as returning any-ish plugin exports; this is the SDK boundary.
  return requirePlugin('live-player-plugin') as LivePlayerPlugin
}

/** When each room's status was last asked, app-wide: reopening a room page must not ask again sooner. */
const lastAskedMs = new Map<number, number>()

/** How long to wait before asking about this room again (0 = ask now): at most once a minute per room. */
export function liveStatusWaitMs(roomId: number, nowMs: number): number {
  const last = lastAskedMs.get(roomId)
  return last === undefined ? 0 : Math.max(0, last + LIVE_STATUS_POLL_MS - nowMs)
}

export async function getLiveStatus(roomId: number): Promise<number> {
  lastAskedMs.set(roomId, Date.now())
  const res = await plugin().getLiveStatus({ room_id: roomId })
  const status = Number(res && res.liveStatus)
  if (liveStatusName(status) === undefined) {
    throw new Error(`getLiveStatus.liveStatus: expected one of ${Object.values(LiveStatus).join(', ')}, got ${String(res && res.liveStatus)}`)
  }
  return status
}

export function getShareParams(): Promise<ShareParams> {
  return plugin().getShareParams()
}
