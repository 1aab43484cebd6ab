/**
 * A room's channels and their codes and links, through liveAdmin. Reference: docs/ADMIN-API.md createChannel,
 * listChannels, renameChannel, removeChannel, generateChannelLink. Times are shown in Asia/Shanghai whatever the
 * phone's zone.
 */
import { runAdmin } from './call'
import { shanghaiTime } from '../utils/people-format'

export type LinkKind = 'qrcode' | 'urllink' | 'urlscheme' | 'shortlink'

/** What each kind is called on the page, in the order the function lists them. */
export const KIND_TEXT: Readonly<Record<LinkKind, string>> = {
  qrcode: '小程序码',
  urllink: 'URL Link',
  urlscheme: 'URL Scheme',
  shortlink: '短链',
}

export interface LinkRow {
  key: string
  kind: LinkKind
  label: string
  state: 'none' | 'active' | 'expired'
  /** "未生成", "有效至 2026-12-28 09:00:00", "已于 … 过期", "长期有效". */
  stateText: string
  url: string
  imageUrl: string
  /** "生成" before the first one, "续期" or "重新生成" after. */
  actionText: string
}

export interface ChannelRow {
  key: string
  roomId: number
  code: string
  name: string
  links: LinkRow[]
}

export interface RoomOption {
  roomId: number
  label: string
}

const KINDS = Object.keys(KIND_TEXT) as LinkKind[]

function linkRow(code: string, raw: unknown): LinkRow | null {
  const l = raw as { kind?: unknown; state?: unknown; url?: unknown; imageUrl?: unknown; expiresAt?: unknown } | null
  if (!l || !KINDS.includes(l.kind as LinkKind)) return null
  const kind = l.kind as LinkKind
  const state = l.state === 'active' || l.state === 'expired' ? l.state : 'none'
  const expires = typeof l.expiresAt === 'number' ? shanghaiTime(l.expiresAt) : null
  const stateText = state === 'none' ? '未生成' : state === 'expired' ? `已于 ${expires} 过期` : expires ? `有效至 ${expires}` : '长期有效'
  const actionText = state === 'none' ? '生成' : expires ? '续期' : '重新生成'
  return {
    key: `${code}-${kind}`,
    kind,
    label: KIND_TEXT[kind],
    state,
    stateText,
    url: typeof l.url === 'string' ? l.url : '',
    imageUrl: typeof l.imageUrl === 'string' ? l.imageUrl : '',
    actionText,
  }
}

export function channelRow(raw: unknown): ChannelRow | null {
  const c = raw as { roomId?: unknown; code?: unknown; name?: unknown; links?: unknown } | null
  if (!c || typeof c.code !== 'string' || typeof c.name !== 'string' || typeof c.roomId !== 'number') return null
  const links = Array.isArray(c.links) ? c.links.map((l) => linkRow(c.code as string, l)).filter((l): l is LinkRow => l !== null) : []
  return { key: `${c.roomId}-${c.code}`, roomId: c.roomId, code: c.code, name: c.name, links }
}

export async function listChannels(roomId: number): Promise<{ channels: ChannelRow[]; max: number }> {
  const data = await runAdmin<{ channels?: unknown; max?: unknown }>('listChannels', { roomId })
  const channels = Array.isArray(data.channels) ? data.channels.map(channelRow).filter((c): c is ChannelRow => c !== null) : []
  return { channels, max: typeof data.max === 'number' ? data.max : 0 }
}

export async function createChannel(roomId: number, name: string, code: string): Promise<ChannelRow | null> {
  return channelRow(await runAdmin('createChannel', { roomId, name, ...(code === '' ? {} : { code }) }))
}

export async function renameChannel(roomId: number, code: string, name: string): Promise<void> {
  await runAdmin('renameChannel', { roomId, code, name })
}

export async function removeChannel(roomId: number, code: string): Promise<void> {
  await runAdmin('removeChannel', { roomId, code })
}

export async function generateLink(roomId: number, code: string, kind: LinkKind): Promise<void> {
  await runAdmin('generateChannelLink', { roomId, code, kind })
}

/** Rooms to pick from: the newest page of the account's rooms (getLiveInfo's largest page). */
export async function roomOptions(): Promise<RoomOption[]> {
  const data = await runAdmin<{ roomInfo?: unknown }>('getLiveInfo', { start: 0, limit: 100 })
  const rooms = Array.isArray(data.roomInfo) ? data.roomInfo : []
  const out: RoomOption[] = []
  for (const r of rooms as { roomid?: unknown; name?: unknown }[]) {
    if (typeof r.roomid === 'number' && typeof r.name === 'string') out.push({ roomId: r.roomid, label: `${r.name}（${r.roomid}）` })
  }
  return out
}
