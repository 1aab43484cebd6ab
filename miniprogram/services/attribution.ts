/**
 * Where the viewer came from. App.onShow records the entry; pages read the channel for custom_params.
 * Analytics that stores entries subscribes with onEntry(), so adding it changes nothing here.
 */
import { CHANNELS, decodeCustomParams, isChannel } from '../utils/share'

/** What the plugin's getShareParams() resolves (https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/component-api.html). */
export interface ShareParams {
  room_id?: number
  openid?: string
  share_openid?: string
  custom_params?: unknown
}

/** Scenes where the plugin documents getShareParams: share cards, QR codes, subscription messages (component-api.html). */
export const SHARE_SCENES: readonly number[] = [1007, 1008, 1044, 1154, 1155]

export interface Entry {
  channel: string
  scene: number
  roomId: number | null
  /** Present only when the viewer came from someone's share card. */
  sharerOpenid: string | null
  atMs: number
}

export interface AppShowOptions {
  scene?: number
  query?: Record<string, string | undefined>
}

type Listener = (entry: Entry) => void

let current: Entry | null = null
const listeners: Listener[] = []

/** Subscribe to entries (the analytics hook). Returns an unsubscribe function. */
export function onEntry(listener: Listener): () => void {
  listeners.push(listener)
  return () => {
    const i = listeners.indexOf(listener)
    if (i >= 0) listeners.splice(i, 1)
  }
}

/** The channel of the current visit, 'direct' when nothing said otherwise. */
export function entryChannel(): string {
  return current ? current.channel : CHANNELS.direct
}

export function lastEntry(): Entry | null {
  return current
}

/** A QR code or link named its channel in a query App.onShow does not read (the relay page's): the visit keeps it. */
export function adoptChannel(channel: string): void {
  if (current && isChannel(channel)) current = { ...current, channel }
}

/**
 * Works out the entry from App.onShow's options and, for share/QR/subscription scenes, the plugin's
 * getShareParams. A plugin failure never blocks the app: the query channel (or 'direct') is kept.
 */
export async function recordAppShow(
  options: AppShowOptions,
  getShareParams: () => Promise<ShareParams>,
  nowMs: number,
): Promise<Entry> {
  const scene = typeof options.scene === 'number' ? options.scene : 0
  const query = options.query || {}
  let channel = isChannel(query.channel) ? query.channel : CHANNELS.direct
  const queryRoom = Number(query.roomId)
  let roomId = Number.isInteger(queryRoom) && queryRoom > 0 ? queryRoom : null
  let sharerOpenid: string | null = null
  // Known at once, before the plugin answers: the first page's onLoad runs while getShareParams is pending.
  current = { channel, scene, roomId, sharerOpenid, atMs: nowMs }
  if (SHARE_SCENES.includes(scene)) {
    try {
      const params = await getShareParams()
      const custom = decodeCustomParams(params.custom_params)
      if (custom.channel) channel = custom.channel
      if (typeof params.room_id === 'number' && params.room_id > 0) roomId = params.room_id
      if (typeof params.share_openid === 'string' && params.share_openid !== '') sharerOpenid = params.share_openid
    } catch {
      // The plugin refuses some QR-code cold starts, so keep what the query said; reported at
      // https://developers.weixin.qq.com/community/develop/doc/000c4e1ae002b0ce1b3cca05b5f400
    }
  }
  const entry: Entry = { channel, scene, roomId, sharerOpenid, atMs: nowMs }
  current = entry
  for (const listener of [...listeners]) {
    try {
      listener(entry)
    } catch {
      // A broken listener must not break the app's start.
    }
  }
  return entry
}
