/**
 * Entry channels, custom_params and share payloads. Pure: unit-tested in Node.
 * custom_params travels through the plugin and comes back in App.onShow; WeChat cuts it at 600 characters,
 * so we refuse to build a longer one rather than let attribution arrive truncated.
 */
import { LIVE_PLUGIN_APPID } from '../config'
import { CHANNEL_TOKEN_RE } from '../generated/stats'

export const CUSTOM_PARAMS_MAX = 600

export const CHANNELS = {
  home: 'home',
  shareHome: 'share_home',
  shareRoom: 'share_room',
  shareReplay: 'share_replay',
  direct: 'direct',
} as const

export function isChannel(value: unknown): value is string {
  return typeof value === 'string' && CHANNEL_TOKEN_RE.test(value)
}

export class CustomParamsTooLong extends Error {
  constructor(readonly length: number) {
    super(`custom_params: encoded length ${length} exceeds the plugin limit of ${CUSTOM_PARAMS_MAX} characters`)
    this.name = 'CustomParamsTooLong'
  }
}

export interface EntryParams {
  /** How the viewer reached the mini-program (attribution). */
  channel: string
  /** The page the viewer entered the room from, with its query. */
  path: string
}

/** encodeURIComponent(JSON.stringify(params)), or CustomParamsTooLong: never silently cut. */
export function encodeCustomParams(params: EntryParams): string {
  if (!isChannel(params.channel)) throw new Error(`custom_params.channel: must match ${CHANNEL_TOKEN_RE}, got ${JSON.stringify(params.channel)}`)
  const encoded = encodeURIComponent(JSON.stringify({ channel: params.channel, path: params.path }))
  if (encoded.length > CUSTOM_PARAMS_MAX) throw new CustomParamsTooLong(encoded.length)
  return encoded
}

/** Reads custom_params back (string encoded once or twice, or an object), keeping only a valid channel/path. */
export function decodeCustomParams(raw: unknown): Partial<EntryParams> {
  let value: unknown = raw
  for (let i = 0; i < 3 && typeof value === 'string'; i++) {
    const text: string = value
    try {
      value = JSON.parse(text)
    } catch {
      let decoded: string
      try {
        decoded = decodeURIComponent(text)
      } catch {
        return {}
      }
      if (decoded === text) return {}
      value = decoded
    }
  }
  if (typeof value !== 'object' || value === null) return {}
  const record = value as Record<string, unknown>
  const out: Partial<EntryParams> = {}
  if (isChannel(record.channel)) out.channel = record.channel
  if (typeof record.path === 'string' && record.path.length <= CUSTOM_PARAMS_MAX) out.path = record.path
  return out
}

/** The plugin's room page, the only plugin page open for navigation. */
export function enterRoomUrl(roomId: number, params: EntryParams): string {
  if (!Number.isInteger(roomId) || roomId <= 0) throw new Error(`room_id: must be a positive integer, got ${roomId}`)
  return `plugin-private://${LIVE_PLUGIN_APPID}/pages/live-player-plugin?room_id=${roomId}&custom_params=${encodeCustomParams(params)}`
}

/** A page path plus its query, the way custom_params and share paths carry it. */
export function pathWithQuery(route: string, query: Record<string, string | number | undefined>): string {
  const parts = Object.keys(query)
    .filter((k) => query[k] !== undefined && query[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(query[k]))}`)
  return parts.length > 0 ? `${route}?${parts.join('&')}` : route
}

export interface SharePayload {
  title: string
  path: string
  imageUrl?: string
}

export function shareHome(): SharePayload {
  return { title: '正在直播 · 好物不停', path: pathWithQuery('/pages/home/index', { channel: CHANNELS.shareHome }) }
}

export function shareRoom(room: { roomId: number; name: string; coverImg: string }): SharePayload {
  return {
    title: room.name,
    path: pathWithQuery('/pages/room/index', { roomId: room.roomId, channel: CHANNELS.shareRoom }),
    imageUrl: room.coverImg || undefined,
  }
}

export function shareReplay(room: { roomId: number; name: string; coverImg: string }): SharePayload {
  return {
    title: `回放 · ${room.name}`,
    path: pathWithQuery('/pages/replay/index', { roomId: room.roomId, channel: CHANNELS.shareReplay }),
    imageUrl: room.coverImg || undefined,
  }
}
