/**
 * Channels: what brought a viewer in. One home for the channel token rule every event carries, the merchant's own
 * channel codes and names (created per room, printed into QR codes and links), the channels the mini-program sets
 * itself, and which kind of entry each WeChat scene value is.
 * Scene values: https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html
 */
import * as z from '../live/zod'
import { textWidth } from '../live/rules'

/** Any channel token an event may carry: short, URL-safe, never free text (the viewer's copy checks the same shape). */
export const CHANNEL_TOKEN_RE = /^[A-Za-z0-9_.-]{1,40}$/

/** Channels the mini-program sets itself (miniprogram/utils/share.ts CHANNELS), with the names merchants read. */
export const BUILTIN_CHANNELS = {
  home: { zh: '首页列表', en: 'home list' },
  share_home: { zh: '分享的首页', en: 'shared home page' },
  share_room: { zh: '分享的直播间', en: 'shared room card' },
  share_replay: { zh: '分享的回放', en: 'shared replay' },
  direct: { zh: '直接进入', en: 'direct' },
} as const
export type BuiltinChannel = keyof typeof BUILTIN_CHANNELS

/**
 * A merchant's channel code: lower-case letters and digits, 2–8 of them. Short because a QR code's `scene` holds at
 * most 32 characters and must carry the room id too (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html).
 */
export const CHANNEL_CODE_RE = /^[a-z0-9]{2,8}$/
/** A channel's name as the merchant types it ("海报A", "会员群"): counted in display width, CJK as 2. */
export const CHANNEL_NAME_MAX_WIDTH = 20
/** Channels one room may have: each costs a QR code and links to keep, and a row in every table. */
export const CHANNELS_PER_ROOM_MAX = 50
/** The `scene` of a QR code: `<roomId>.<code>`, at most 32 visible ASCII characters. */
export const QR_SCENE_MAX = 32

export interface ChannelProblem {
  field: string
  zh: string
  en: string
}

export function checkChannelCode(code: unknown, field = 'code'): ChannelProblem | null {
  if (typeof code !== 'string' || !CHANNEL_CODE_RE.test(code)) {
    return { field, zh: `${field}：渠道代码须为 2–8 位小写字母或数字`, en: `${field}: a channel code is 2–8 lower-case letters or digits` }
  }
  if (Object.hasOwn(BUILTIN_CHANNELS, code)) {
    return { field, zh: `${field}：“${code}”是系统保留的渠道代码`, en: `${field}: "${code}" is reserved for the mini-program's own channels` }
  }
  return null
}

export function checkChannelName(name: unknown, field = 'name'): ChannelProblem | null {
  if (typeof name !== 'string' || name.trim() === '') return { field, zh: `${field}：请填写渠道名称`, en: `${field}: a channel name is required` }
  if (name !== name.trim() || /[\u0000-\u001f\u007f]/.test(name)) {
    return { field, zh: `${field}：渠道名称不能以空格开头或结尾，也不能含控制字符`, en: `${field}: no leading or trailing spaces, no control characters` }
  }
  if (textWidth(name) > CHANNEL_NAME_MAX_WIDTH) {
    return {
      field,
      zh: `${field}：渠道名称最长 ${CHANNEL_NAME_MAX_WIDTH / 2} 个汉字或 ${CHANNEL_NAME_MAX_WIDTH} 个字母`,
      en: `${field}: at most ${CHANNEL_NAME_MAX_WIDTH} display columns (a CJK character counts 2)`,
    }
  }
  return null
}

/** A QR code's scene for a room's channel, or null when it would not fit. */
export function qrScene(roomId: number, code: string): string | null {
  const scene = `${roomId}.${code}`
  return scene.length <= QR_SCENE_MAX ? scene : null
}

/** Reads `<roomId>.<code>` back (the relay page gets it URL-encoded in `options.scene`). */
export function parseQrScene(scene: string): { roomId: number; code: string } | null {
  const m = /^([1-9][0-9]{0,15})\.([a-z0-9]{2,8})$/.exec(scene)
  if (!m) return null
  const roomId = Number(m[1])
  return Number.isSafeInteger(roomId) && checkChannelCode(m[2]) === null ? { roomId, code: m[2] } : null
}

/** Zod pieces for the schemas that carry channels (events, admin actions). */
export const channelToken = z.string().check(z.regex(CHANNEL_TOKEN_RE, { message: 'channel: 1–40 of A–Z a–z 0–9 _ . -' }))
export const channelCode = z.string().check(
  z.refine((v) => checkChannelCode(v) === null, { message: 'a channel code is 2–8 lower-case letters or digits, not a reserved name', params: { zh: '渠道代码须为 2–8 位小写字母或数字，且不是保留名称' } }),
)
export const channelName = z.string().check(
  z.refine((v) => checkChannelName(v) === null, { message: `a channel name: 1–${CHANNEL_NAME_MAX_WIDTH} display columns, no edge spaces`, params: { zh: `渠道名称：最长 ${CHANNEL_NAME_MAX_WIDTH / 2} 个汉字，首尾无空格` } }),
)

// ---------- entry kinds, from the scene value WeChat gives App.onShow / onLoad ----------

export const ENTRY_KINDS = {
  share: { zh: '分享卡片', en: 'share card' },
  qrcode: { zh: '扫码', en: 'QR / mini-program code' },
  urllink: { zh: 'URL Link', en: 'URL Link' },
  urlscheme: { zh: 'URL Scheme', en: 'URL Scheme' },
  shortlink: { zh: '短链', en: 'short link' },
  official: { zh: '公众号', en: 'official account' },
  message: { zh: '订阅消息', en: 'subscription message' },
  search: { zh: '搜索', en: 'search' },
  other: { zh: '其他', en: 'other' },
} as const
export type EntryKind = keyof typeof ENTRY_KINDS

const SCENE_KIND: Readonly<Record<number, EntryKind>> = {
  // chat cards (single, group, with shareTicket), cards shared from an app, chat history; the Live plugin's share scenes
  1007: 'share', 1008: 'share', 1044: 'share', 1036: 'share', 1096: 'share', 1154: 'share', 1155: 'share',
  // QR codes and mini-program codes: scanned, long-pressed, picked from the album
  1011: 'qrcode', 1012: 'qrcode', 1013: 'qrcode', 1047: 'qrcode', 1048: 'qrcode', 1049: 'qrcode',
  // URL Link, and the same link opened through the open tag inside WeChat
  1194: 'urllink', 1167: 'urllink',
  // encrypted and plain-text URL Scheme
  1065: 'urlscheme', 1286: 'urlscheme',
  1179: 'shortlink',
  // official account: profile, menu, template message, article, card and text link in its chat, goods card
  1020: 'official', 1035: 'official', 1043: 'official', 1058: 'official', 1074: 'official', 1082: 'official', 1091: 'official',
  1014: 'message', 1107: 'message',
  1005: 'search', 1006: 'search', 1027: 'search', 1053: 'search',
}

export function entryKindOf(scene: number): EntryKind {
  return SCENE_KIND[scene] ?? 'other'
}

/** The scenes of each kind (the emulator's links open with these, the relay page's tests use them). */
export function scenesOf(kind: EntryKind): number[] {
  return Object.entries(SCENE_KIND)
    .filter(([, k]) => k === kind)
    .map(([s]) => Number(s))
}

// ---------- the relay page every code and link opens ----------

/**
 * Our own page that codes and links open: it records the landing with its channel, then enters the room through the
 * plugin (a plugin page cannot be the target of a code or link). In the viewer subpackage `entry`, so the main
 * package does not grow. Codes give it `scene` (`qrScene`); links give it this query.
 */
export const RELAY_PAGE = 'entry/pages/relay/index'

export function relayQuery(roomId: number, code: string): string {
  return `roomId=${roomId}&ch=${code}`
}

/** The room and channel a link's query names, or null; only codes that could have been issued pass. */
export function parseRelayQuery(query: Readonly<Record<string, unknown>>): { roomId: number; code: string } | null {
  const roomId = Number(query.roomId)
  const code = query.ch
  if (!Number.isSafeInteger(roomId) || roomId <= 0 || typeof query.roomId !== 'string' || !/^[1-9][0-9]*$/.test(query.roomId)) return null
  return checkChannelCode(code) === null ? { roomId, code: code as string } : null
}
