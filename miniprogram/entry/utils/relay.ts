/**
 * Which room and channel a QR code or link names. The device's copy of parseQrScene and parseRelayQuery
 * (src/stats/channels.ts): the subpackage cannot import src/, so test/miniprogram/track.test.ts holds the two
 * equal over generated inputs, as the status copy is held.
 */
import { BUILTIN_CHANNELS, CHANNEL_CODE_RE } from '../../generated/stats'

export interface RelayTarget {
  roomId: number
  code: string
}

const SCENE_RE = /^([1-9][0-9]{0,15})\.([a-z0-9]{2,8})$/

function isCode(code: unknown): code is string {
  return typeof code === 'string' && CHANNEL_CODE_RE.test(code) && !BUILTIN_CHANNELS.includes(code)
}

/** `<roomId>.<code>`, as a QR code's scene holds it (already URL-decoded). */
export function parseScene(scene: string): RelayTarget | null {
  const m = SCENE_RE.exec(scene)
  if (!m) return null
  const roomId = Number(m[1])
  return Number.isSafeInteger(roomId) && isCode(m[2]) ? { roomId, code: m[2] } : null
}

/** `roomId=<id>&ch=<code>`, as URL Links, URL Schemes and short links carry it. */
export function parseQuery(query: Readonly<Record<string, unknown>>): RelayTarget | null {
  const raw = query.roomId
  const roomId = Number(raw)
  if (typeof raw !== 'string' || !/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(roomId)) return null
  return isCode(query.ch) ? { roomId, code: query.ch } : null
}

/** The relay page's options: a QR code gives `scene` (URL-encoded), a link gives the query. */
export function relayTarget(options: Readonly<Record<string, string | undefined>>): RelayTarget | null {
  if (typeof options.scene === 'string') {
    try {
      return parseScene(decodeURIComponent(options.scene))
    } catch {
      return null // a broken %-escape
    }
  }
  return parseQuery(options)
}
