/**
 * A room's channels and the codes and links that carry them. A channel is a short code the merchant names ("海报A");
 * every code or link of it opens the relay page (RELAY_PAGE) with the room and the code, so the entry is counted
 * under that channel: a QR code with `scene` = `qrScene(roomId, code)`, the links with `relayQuery(roomId, code)`.
 * URL Links and URL Schemes are made for the longest interval WeChat allows (30 days) and their expiry is kept;
 * generating a kind again replaces it (the one-tap renewal). Code images go to cloud storage under live/channels/.
 */
import { randomBytes } from 'node:crypto'
import * as z from '../../live/zod'
import { roomId } from '../../live/schemas'
import {
  CHANNELS_PER_ROOM_MAX,
  RELAY_PAGE,
  channelCode,
  channelName,
  checkChannelCode,
  qrScene,
  relayQuery,
} from '../../stats/channels'
import { STATS_COLLECTIONS, channelDocId, type ChannelDoc, type ChannelLink, type LinkKind } from '../../stats/docs'
import { DAY_S, LINK_EXPIRY_MAX_DAYS, LINK_KIND_API, SHORTLINK_TEMP_DAYS } from '../../links/catalogue'
import type { LinkApi } from '../../links/client'
import type { DocDriver } from '../../sync/driver'
import { fail } from '../reply'
import { defineAction, type ActionContext, type ActionDef, type FilePort } from '../types'

export const LINK_KINDS = ['qrcode', 'urllink', 'urlscheme', 'shortlink'] as const satisfies readonly LinkKind[]
/** Where code images are kept in cloud storage: one file per room and channel, replaced on renewal. */
export const CHANNEL_FILES_DIR = 'live/channels'
/** How long a listed code image's download URL works (the merchant previews or saves it right away). */
export const CHANNEL_IMAGE_URL_SECONDS = 2 * 3600
/** Tries at a free generated code before giving up (36^4 codes a room makes a clash rare). */
const GENERATED_CODE_TRIES = 8
const GENERATED_CODE_LENGTH = 4

const C = STATS_COLLECTIONS.channels
const CODE_USED = (code: string) => ({ zh: `code：渠道代码“${code}”在此直播间已用过`, en: `code: "${code}" is already used in this room` })
const NO_FIT = { zh: '直播间号与渠道代码放不进小程序码', en: 'The room id and code do not fit in a code scene' }

const roomParams = z.object({ roomId })
const channelParams = z.object({ roomId, code: channelCode })

export type LinkState = 'none' | 'active' | 'expired'

export interface ListedLink {
  kind: LinkKind
  state: LinkState
  /** The link text (URL Link, URL Scheme, short link). */
  url?: string
  /** The code image in cloud storage, and a download URL for it. */
  fileId?: string
  imageUrl?: string | null
  /** The page and query (or scene) it opens. */
  target?: string
  generatedAt?: number
  /** Unix ms; absent for what does not expire (codes, permanent short links). */
  expiresAt?: number
}

const LISTED_REPLY = '{roomId, code, name, createdAt, links: {kind, state: none|active|expired, url?, fileId?, imageUrl?, target?, generatedAt?, expiresAt?}[]}'

function linksPort(ctx: ActionContext): LinkApi {
  if (!ctx.ports.links) fail('not_configured', { zh: '此环境没有链接接口', en: 'The link APIs are not available in this environment' })
  return ctx.ports.links
}

function filesPort(ctx: ActionContext): FilePort {
  if (!ctx.ports.files) fail('not_configured', { zh: '此环境没有云存储', en: 'Cloud storage is not available in this environment' })
  return ctx.ports.files
}

async function roomChannels(docs: DocDriver, room: number): Promise<ChannelDoc[]> {
  // A room holds at most CHANNELS_PER_ROOM_MAX live channels; removed ones stay, so read a generous page.
  const found = (await docs.find(C, { roomId: room }, { limit: 1000, orderBy: { field: 'createdAt', dir: 'asc' } })) as unknown as ChannelDoc[]
  return found
}

async function activeChannel(docs: DocDriver, room: number, code: string): Promise<ChannelDoc> {
  const found = (await docs.find(C, { _id: channelDocId(room, code) }, { limit: 1 })) as unknown as ChannelDoc[]
  const doc = found[0]
  if (!doc || doc.removedAt !== undefined) {
    fail('not_found', { zh: `直播间 ${room} 没有渠道“${code}”`, en: `Room ${room} has no channel "${code}"` }, { field: 'code' })
  }
  return doc
}

function linkView(kind: LinkKind, link: ChannelLink | undefined, nowMs: number, imageUrl?: string | null): ListedLink {
  if (!link) return { kind, state: 'none' }
  const expired = link.expiresAt !== undefined && link.expiresAt <= nowMs
  return {
    kind,
    state: expired ? 'expired' : 'active',
    ...(link.url !== undefined ? { url: link.url } : {}),
    ...(link.fileId !== undefined ? { fileId: link.fileId, imageUrl: imageUrl ?? null } : {}),
    target: link.target,
    generatedAt: link.generatedAt,
    ...(link.expiresAt !== undefined ? { expiresAt: link.expiresAt } : {}),
  }
}

async function channelViews(ctx: ActionContext, docs: ChannelDoc[]) {
  const fileIds = docs.flatMap((d) => (d.links.qrcode?.fileId ? [d.links.qrcode.fileId] : []))
  const urls = new Map<string, string | null>()
  if (fileIds.length > 0 && ctx.ports.files) {
    for (const u of await ctx.ports.files.tempUrls(fileIds, CHANNEL_IMAGE_URL_SECONDS)) urls.set(u.fileId, u.url)
  }
  const now = ctx.ports.nowMs()
  return docs.map((d) => ({
    roomId: d.roomId,
    code: d.code,
    name: d.name,
    createdAt: d.createdAt,
    links: LINK_KINDS.map((k) => linkView(k, d.links[k], now, d.links[k]?.fileId ? urls.get(d.links[k]!.fileId!) : undefined)),
  }))
}

function generatedCode(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  return [...randomBytes(GENERATED_CODE_LENGTH)].map((b) => alphabet[b % alphabet.length]).join('')
}

/** The extension a code image is stored under, from the type WeChat answered with. */
function imageExtension(contentType: string): string {
  if (/png/i.test(contentType)) return 'png'
  if (/jpe?g/i.test(contentType)) return 'jpg'
  fail('upstream', { zh: `微信返回了无法识别的图片类型 ${contentType}`, en: `WeChat answered an image of an unknown type ${contentType}` })
}

async function makeLink(ctx: ActionContext, doc: ChannelDoc, kind: LinkKind, permanent: boolean): Promise<ChannelLink> {
  const api = linksPort(ctx)
  const now = ctx.ports.nowMs()
  const query = relayQuery(doc.roomId, doc.code)
  const intervalDays = LINK_EXPIRY_MAX_DAYS
  if (kind === 'qrcode') {
    const files = filesPort(ctx)
    const scene = qrScene(doc.roomId, doc.code)
    if (scene === null) fail('invalid_argument', NO_FIT, { field: 'code' })
    const image = await api.getUnlimitedQRCode({ scene, page: RELAY_PAGE })
    const fileId = await files.upload(`${CHANNEL_FILES_DIR}/${doc.roomId}/${doc.code}.${imageExtension(image.contentType)}`, image.buffer)
    return { fileId, target: `${RELAY_PAGE}?scene=${scene}`, generatedAt: now }
  }
  if (kind === 'urllink') {
    const r = await api.generateUrlLink({ path: RELAY_PAGE, query, expireType: 1, expireInterval: intervalDays })
    return { url: r.urlLink, target: `${RELAY_PAGE}?${query}`, generatedAt: now, expiresAt: now + intervalDays * DAY_S * 1000 }
  }
  if (kind === 'urlscheme') {
    const r = await api.generateScheme({ jumpWxa: { path: RELAY_PAGE, query }, expireType: 1, expireInterval: intervalDays })
    return { url: r.openlink, target: `${RELAY_PAGE}?${query}`, generatedAt: now, expiresAt: now + intervalDays * DAY_S * 1000 }
  }
  const r = await api.generateShortLink({ pageUrl: `${RELAY_PAGE}?${query}`, pageTitle: doc.name, isPermanent: permanent })
  return {
    url: r.link,
    target: `${RELAY_PAGE}?${query}`,
    generatedAt: now,
    ...(permanent ? {} : { expiresAt: now + SHORTLINK_TEMP_DAYS * DAY_S * 1000 }),
  }
}

export const linkActions: Readonly<Record<string, ActionDef>> = {
  createChannel: defineAction({
    name: 'createChannel',
    who: 'admin',
    mutates: true,
    summary: { zh: `新建渠道（不填代码则自动生成；每个直播间最多 ${CHANNELS_PER_ROOM_MAX} 个；用过的代码不再使用）`, en: `Create a channel (code generated when omitted; ${CHANNELS_PER_ROOM_MAX} a room at most; a used code is never reused)` },
    params: z.object({ roomId, name: channelName, code: z.optional(channelCode) }),
    reply: LISTED_REPLY,
    calls: [],
    needsMiniProgramLive: true,
    run: async (ctx, p) => {
      const docs = ctx.ports.docs
      const existing = await roomChannels(docs, p.roomId)
      if (existing.filter((d) => d.removedAt === undefined).length >= CHANNELS_PER_ROOM_MAX) {
        fail('resource_exhausted', { zh: `每个直播间最多 ${CHANNELS_PER_ROOM_MAX} 个渠道`, en: `A room has at most ${CHANNELS_PER_ROOM_MAX} channels` })
      }
      const taken = new Set(existing.map((d) => d.code))
      let code = p.code
      if (code !== undefined && taken.has(code)) {
        fail('invalid_argument', CODE_USED(code), { field: 'code' })
      }
      for (let i = 0; code === undefined && i < GENERATED_CODE_TRIES; i++) {
        const c = generatedCode()
        if (!taken.has(c) && checkChannelCode(c) === null) code = c
      }
      if (code === undefined) fail('unavailable', { zh: '未能生成空闲的渠道代码，请重试或自己填写', en: 'No free channel code was found; retry or give one' })
      if (qrScene(p.roomId, code) === null) fail('invalid_argument', NO_FIT, { field: 'code' })
      const doc: ChannelDoc = { _id: channelDocId(p.roomId, code), roomId: p.roomId, code, name: p.name, createdAt: ctx.ports.nowMs(), links: {} }
      if ((await docs.insert(C, doc as unknown as ChannelDoc & Record<string, unknown>)) === 'duplicate') {
        fail('invalid_argument', CODE_USED(code), { field: 'code' })
      }
      return (await channelViews(ctx, [doc]))[0]
    },
    auditDetail: (data) => ({ code: (data as { code: string }).code }),
  }),

  listChannels: defineAction({
    name: 'listChannels',
    who: 'admin',
    mutates: false,
    summary: { zh: '直播间的渠道及各码与链接的状态、到期时间、小程序码下载地址', en: "A room's channels: each link's state and expiry, the code image's download URL" },
    params: roomParams,
    reply: `{channels: ${LISTED_REPLY}[], max: ${CHANNELS_PER_ROOM_MAX}}`,
    calls: [],
    needsMiniProgramLive: true,
    run: async (ctx, p) => {
      const live = (await roomChannels(ctx.ports.docs, p.roomId)).filter((d) => d.removedAt === undefined)
      return { channels: await channelViews(ctx, live), max: CHANNELS_PER_ROOM_MAX }
    },
  }),

  renameChannel: defineAction({
    name: 'renameChannel',
    who: 'admin',
    mutates: true,
    summary: { zh: '修改渠道名称', en: 'Rename a channel' },
    params: z.object({ roomId, code: channelCode, name: channelName }),
    reply: LISTED_REPLY,
    calls: [],
    needsMiniProgramLive: true,
    run: async (ctx, p) => {
      const doc = await activeChannel(ctx.ports.docs, p.roomId, p.code)
      await ctx.ports.docs.update(C, { _id: doc._id }, { set: { name: p.name } })
      return (await channelViews(ctx, [{ ...doc, name: p.name }]))[0]
    },
  }),

  removeChannel: defineAction({
    name: 'removeChannel',
    who: 'admin',
    mutates: true,
    summary: { zh: '删除渠道（代码不再使用，已发出的码与链接仍计入此渠道）', en: 'Remove a channel (its code is never reused; links already out still count under it)' },
    params: channelParams,
    reply: '{roomId, code, removedAt}',
    calls: [],
    needsMiniProgramLive: true,
    run: async (ctx, p) => {
      const doc = await activeChannel(ctx.ports.docs, p.roomId, p.code)
      const removedAt = ctx.ports.nowMs()
      await ctx.ports.docs.update(C, { _id: doc._id }, { set: { removedAt } })
      return { roomId: p.roomId, code: p.code, removedAt }
    },
  }),

  generateChannelLink: defineAction({
    name: 'generateChannelLink',
    who: 'admin',
    mutates: true,
    summary: { zh: `生成或续期一种码或链接（链接有效 ${LINK_EXPIRY_MAX_DAYS} 天，短链可永久）`, en: `Generate or renew one kind of code or link (links last ${LINK_EXPIRY_MAX_DAYS} days; a short link may be permanent)` },
    params: z
      .object({ roomId, code: channelCode, kind: z.enum(LINK_KINDS), permanent: z.optional(z.boolean()) })
      .check(
        z.refine((p) => p.permanent === undefined || p.kind === 'shortlink', {
          path: ['permanent'],
          message: 'only a shortlink can be permanent',
          params: { zh: '只有短链可以设为永久' },
        }),
      ),
    reply: '{roomId, code, link: {kind, state, url?, fileId?, imageUrl?, target, generatedAt, expiresAt?}}',
    calls: LINK_KINDS.map((k) => LINK_KIND_API[k]),
    needsMiniProgramLive: true,
    run: async (ctx, p) => {
      const doc = await activeChannel(ctx.ports.docs, p.roomId, p.code)
      const link = await makeLink(ctx, doc, p.kind, p.permanent === true)
      await ctx.ports.docs.update(C, { _id: doc._id }, { set: { [`links.${p.kind}`]: link } })
      const imageUrl = link.fileId ? ((await filesPort(ctx).tempUrls([link.fileId], CHANNEL_IMAGE_URL_SECONDS))[0]?.url ?? null) : undefined
      return { roomId: p.roomId, code: p.code, link: linkView(p.kind, link, ctx.ports.nowMs(), imageUrl) }
    },
    auditDetail: (data) => {
      const d = data as { code: string; link: ListedLink }
      return { code: d.code, kind: d.link.kind, ...(d.link.expiresAt !== undefined ? { expiresAt: d.link.expiresAt } : {}) }
    },
  }),
}
