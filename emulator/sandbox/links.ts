/**
 * The sandbox's answers to the link APIs of src/links/catalogue.ts (codes, URL Links, URL Schemes, short links), and
 * what WeChat hands the page when one of them is opened. Every link or code issued is kept (`LiveState.links`), so
 * `openLink` can say which page, query or scene and scene value it opens, and whether it has expired.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  DAY_S,
  LINK_EXPIRY_MAX_DAYS,
  OPEN_SCENE,
  PERMANENT_SHORTLINKS_MAX,
  QR_WIDTH,
  SHORTLINK_TEMP_DAYS,
  SHORTLINK_TITLE_SHOWN,
  type LinkApiId,
  type LinkRequest,
} from '../../src/links/catalogue'
import type { LinkKind } from '../../src/stats/docs'
import type { IssuedLink } from './model'
import type { LiveState } from './state'
import { LiveError } from './wire'

/** The name short links carry for the sandbox's mini-program (`#小程序://<name>/<title>/<ticket>`). */
export const SANDBOX_APP_NAME = '直播沙箱'
/** The `quotas` key that caps permanent short links in all (not per day). */
export const PERMANENT_SHORTLINKS_KEY = 'permanentShortLinks'
/** A link must live at least a minute ("time limit between 1min and …"). */
const MIN_LIFETIME_S = 60

export interface LinkHandlerContext {
  state: LiveState
  now: number
  /** Permanent short links the account may hold (the `permanentShortLinks` quota, else 100,000). */
  permanentCap: number
}

export type LinkAnswer = { json: Record<string, unknown> } | { image: { contentType: string; bytes: Buffer } }

function ticket(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return [...randomBytes(15)].map((b) => alphabet[b % alphabet.length]).join('')
}

/** The home page when no path is given: the first page of the online version, as WeChat opens it. */
function checkPublished(ctx: LinkHandlerContext, path: string, errcode: number, field: string): void {
  const online = ctx.state.options.onlinePages
  if (path === '' || !online) return
  if (!online.some((p) => p.replace(/^\//, '') === path)) throw new LiveError(errcode, `invalid weapp pagepath: ${field} ${path} is not a page of the online version`)
}

/** expireType 1 takes expireInterval days; 0 (or none) takes expireTime, or 30 days when it is absent. */
function expiryOf(ctx: LinkHandlerContext, p: { expireType?: 0 | 1; expireTime?: number; expireInterval?: number }): number {
  if (p.expireType === 1) {
    if (p.expireInterval === undefined) throw new LiveError(85401, 'expire_interval is required when expire_type is 1')
    return ctx.now + p.expireInterval * DAY_S
  }
  if (p.expireTime === undefined) return ctx.now + LINK_EXPIRY_MAX_DAYS * DAY_S
  if (p.expireTime < ctx.now + MIN_LIFETIME_S || p.expireTime > ctx.now + LINK_EXPIRY_MAX_DAYS * DAY_S) {
    throw new LiveError(85401, `time limit between 1min and ${LINK_EXPIRY_MAX_DAYS} days: expire_time ${p.expireTime}`)
  }
  return p.expireTime
}

function keep(ctx: LinkHandlerContext, link: IssuedLink): void {
  ctx.state.links.set(link.key, link)
}

export const linkHandlers: { [I in LinkApiId]: (ctx: LinkHandlerContext, p: LinkRequest<I>, render: (text: string, p: LinkRequest<'getUnlimitedQRCode'>) => Buffer) => LinkAnswer } = {
  getUnlimitedQRCode(ctx, p, render) {
    const page = p.page ?? ''
    if (p.checkPath !== false) checkPublished(ctx, page, 41030, 'page')
    // What the code's modules say: the page and the scene it opens, readable by any QR scanner.
    const text = `${page}?scene=${encodeURIComponent(p.scene)}`
    const bytes = render(text, p)
    const key = createHash('sha256').update(bytes).digest('hex')
    keep(ctx, { key, kind: 'qrcode', text, path: page, query: p.scene, envVersion: p.envVersion ?? 'release', createdAt: ctx.now, expiresAt: null })
    return { image: { contentType: 'image/png', bytes } }
  },
  generateUrlLink(ctx, p) {
    const path = p.path ?? ''
    checkPublished(ctx, path, 40165, 'path')
    const expiresAt = expiryOf(ctx, p)
    const t = ticket()
    const text = `https://wxaurl.cn/${t}`
    keep(ctx, { key: t, kind: 'urllink', text, path, query: p.query ?? '', envVersion: p.envVersion ?? 'release', createdAt: ctx.now, expiresAt })
    return { json: { url_link: text } }
  },
  generateScheme(ctx, p) {
    const path = p.jumpWxa.path ?? ''
    checkPublished(ctx, path, 40165, 'jump_wxa.path')
    const expiresAt = expiryOf(ctx, p)
    const t = ticket()
    const text = `weixin://dl/business/?t=${t}`
    keep(ctx, { key: t, kind: 'urlscheme', text, path, query: p.jumpWxa.query ?? '', envVersion: p.jumpWxa.envVersion ?? 'release', createdAt: ctx.now, expiresAt })
    return { json: { openlink: text } }
  },
  generateShortLink(ctx, p) {
    const at = p.pageUrl.indexOf('?')
    const path = at < 0 ? p.pageUrl : p.pageUrl.slice(0, at)
    const query = at < 0 ? '' : p.pageUrl.slice(at + 1)
    checkPublished(ctx, path, 40066, 'page_url')
    const permanent = p.isPermanent === true
    if (permanent) {
      let held = 0
      for (const l of ctx.state.links.values()) if (l.kind === 'shortlink' && l.permanent) held++
      if (held >= ctx.permanentCap) throw new LiveError(85400, `reach max long time quota limit: ${held} permanent short links`)
    }
    const raw = p.pageTitle ?? ''
    const title = raw.length > SHORTLINK_TITLE_SHOWN ? `${raw.slice(0, SHORTLINK_TITLE_SHOWN)}...` : raw
    const t = ticket()
    const text = `#小程序://${SANDBOX_APP_NAME}/${title || path}/${t}`
    keep(ctx, {
      key: t,
      kind: 'shortlink',
      text,
      path,
      query,
      envVersion: 'release',
      createdAt: ctx.now,
      expiresAt: permanent ? null : ctx.now + SHORTLINK_TEMP_DAYS * DAY_S,
      permanent,
      title,
    })
    return { json: { link: text } }
  },
}

export { PERMANENT_SHORTLINKS_MAX, QR_WIDTH }

// ---------- opening a link ----------

/** What the opened page receives, as `App.onShow` / `wx.getLaunchOptionsSync()` and the page's `onLoad` see it. */
export type OpenedLink =
  | { opens: true; kind: LinkKind; path: string; query: Record<string, string>; scene: number; envVersion: string; expiresAt: number | null }
  | { opens: false; kind: LinkKind; reason: 'expired'; expiresAt: number; zh: string; en: string }

/** The ticket a link text carries, or null when it is none of the sandbox's link forms. */
export function ticketOf(link: string): string | null {
  const forms = [
    /^https:\/\/wxaurl\.cn\/([A-Za-z0-9]+)(?:\?cq=[^#]*)?$/,
    /^weixin:\/\/dl\/business\/\?t=([A-Za-z0-9]+)$/,
    /^#小程序:\/\/[^/]+\/.*\/([A-Za-z0-9]+)$/,
  ]
  for (const re of forms) {
    const m = re.exec(link)
    if (m) return m[1]
  }
  return null
}

/** `a=1&b=2` → {a: '1', b: '2'}: values as written, as a page's options carry a link's query. */
function queryObject(query: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of query.split('&')) {
    if (part === '') continue
    const at = part.indexOf('=')
    const k = at < 0 ? part : part.slice(0, at)
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue
    out[k] = at < 0 ? '' : part.slice(at + 1)
  }
  return out
}

/** Opens an issued link or code at `now`: the page, its query (a code's scene arrives URL-encoded) and the scene value. */
export function openIssued(link: IssuedLink, now: number): OpenedLink {
  if (link.expiresAt !== null && now >= link.expiresAt) {
    return { opens: false, kind: link.kind, reason: 'expired', expiresAt: link.expiresAt, zh: '链接已过期，无法打开小程序', en: 'The link has expired and no longer opens the mini-program' }
  }
  const query = link.kind === 'qrcode' ? { scene: encodeURIComponent(link.query) } : queryObject(link.query)
  return { opens: true, kind: link.kind, path: link.path, query, scene: OPEN_SCENE[link.kind], envVersion: link.envVersion, expiresAt: link.expiresAt }
}

/** A code's key: the SHA-256 of its image bytes. */
export function imageKey(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The defaults WeChat draws a code with when the request leaves them out. */
export function qrRenderOptions(p: LinkRequest<'getUnlimitedQRCode'>): { width: number; color?: { r: number; g: number; b: number }; transparent: boolean } {
  return {
    width: p.width ?? QR_WIDTH.default,
    ...(p.lineColor && p.autoColor !== true ? { color: p.lineColor } : {}),
    transparent: p.isHyaline === true,
  }
}
