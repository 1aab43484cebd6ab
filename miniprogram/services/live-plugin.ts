/** live-player-plugin's client API, typed to the parts we use (live-api.md §6). */
import type { ShareParams } from './attribution'

interface LivePlayerPlugin {
  getLiveStatus(options: { room_id: number }): Promise<{ liveStatus: number }>
  getShareParams(): Promise<ShareParams>
}

function plugin(): LivePlayerPlugin {
  // requirePlugin is typed as returning any-ish plugin exports; this is the SDK boundary.
  return requirePlugin('live-player-plugin') as LivePlayerPlugin
}

export async function getLiveStatus(roomId: number): Promise<number> {
  const res = await plugin().getLiveStatus({ room_id: roomId })
  const status = Number(res && res.liveStatus)
  if (!Number.isInteger(status) || status < 101 || status > 107) throw new Error(`getLiveStatus.liveStatus: expected 101–107, got ${String(res && res.liveStatus)}`)
  return status
}

export function getShareParams(): Promise<ShareParams> {
  return plugin().getShareParams()
}
