/**
 * Room endpoints: create/edit/delete, the getliveinfo list and replay modes, push URL, share code,
 * assistants, sub-anchor and the room switches. Rules: https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/studio-api.html.
 */
import type * as z from '../../../src/live/zod'
import type { Catalogue } from '../../../src/live/catalogue'
import { type RoomFields, roomFields, type roomGoods, type roomInfo } from '../../../src/live/schemas'
import {
  ROOM_IMAGE_RULES,
  type RoomImageField,
  checkRoomImageSize,
  checkRoomInput,
  checkSharedCodeParams,
  checkWechatId,
} from '../../../src/live/rules'
import { CLOSED_STATUSES, LiveStatus, OPEN_STATUSES } from '../../../src/live/status'
import { type Room, isoSeconds, openidFor, roomStatus, visibleReplays } from '../model'
import type { LiveState } from '../state'
import { LiveError } from '../wire'
import { type Handler, type HandlerContext, type Handlers, enforce, fen, requireRoom, requireStatus } from './context'

/** Open rooms, and ended ones (a finished room can still be shared and have its replay switched). */
const OPEN_OR_ENDED = [...OPEN_STATUSES, LiveStatus.ended]

const PLUGIN_PAGE = 'plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin'

/** Room fields as the sandbox takes them: rooms seeded through the control API may leave feedsImg out (the cover stands in). */
export type RoomFieldsInput = Omit<RoomFields, 'feedsImg'> & { feedsImg?: string }
export type CreateRoomInput = Omit<z.output<Catalogue['createRoom']['request']>, 'feedsImg'> & { feedsImg?: string }

function checkImage(state: LiveState, field: RoomImageField, mediaId: string): void {
  const m = state.liveMedia(mediaId)
  if (!m) throw new LiveError(ROOM_IMAGE_RULES[field].errcode, `${field}: media_id ${mediaId} does not exist or has expired (3 days)`)
  enforce(checkRoomImageSize(field, m.bytes.length))
}

/**
 * The checks createRoom and editRoom share: the input rules a client can check too (src/live/rules.ts), then
 * what needs the account (images, real-name verification, customer service). `timeRule` is false for the
 * control API, which may seed rooms in the past.
 */
export function checkRoomFields(
  ctx: HandlerContext,
  p: RoomFieldsInput & { subAnchorWechat?: string | undefined; createrWechat?: string | undefined },
  mode: 'create' | 'edit',
  timeRule = true,
): void {
  const { state } = ctx
  enforce(checkRoomInput(p, mode, timeRule ? ctx.now : null))
  checkImage(state, 'coverImg', p.coverImg)
  checkImage(state, 'shareImg', p.shareImg)
  if (p.feedsImg !== undefined) checkImage(state, 'feedsImg', p.feedsImg)
  if (!state.isVerified(p.anchorWechat)) {
    if (mode === 'edit') throw new LiveError(300030, 'room wxnumber not have an anchor role')
    const qrcodeUrl = `${state.options.assetBaseUrl}/realname?wechat=${encodeURIComponent(p.anchorWechat)}`
    throw new LiveError(300036, 'anchorWechat has no realName, please open the codeUrl to verify', { qrcode_url: qrcodeUrl })
  }
  if (p.closeKf === 0 && !state.options.kfConfigured) {
    throw new LiveError(300038, 'closeKf: customer service is not configured in the MP console')
  }
}

const ROOM_FIELD_KEYS = Object.keys(roomFields.shape) as (keyof RoomFields)[]

/** Only the room fields of `p` (a request carries others), leaving out those it omits so defaults and stored values stay. */
function roomFieldsOf<T extends Partial<RoomFieldsInput>>(p: T): Pick<T, keyof RoomFields & keyof T> {
  const out: Record<string, unknown> = {}
  for (const k of ROOM_FIELD_KEYS) if (p[k] !== undefined) out[k] = p[k]
  return out as Pick<T, keyof RoomFields & keyof T>
}

/** What a new room gets for the switches createRoom may leave out: replay and customer service off, feeds public. */
const NEW_ROOM_SWITCHES = { closeReplay: 1, closeShare: 0, closeKf: 1, isFeedsPublic: 1 } as const

/** Builds and stores a room from create fields (validation already done). */
export function insertNewRoom(state: LiveState, p: CreateRoomInput, now: number): Room {
  const room: Room = {
    ...NEW_ROOM_SWITCHES,
    // The cover stands in for a feeds image a seeded room leaves out.
    feedsImg: p.coverImg,
    ...roomFieldsOf(p),
    roomId: state.nextRoomId++,
    type: p.type === 1 ? 1 : 0,
    banComment: 0,
    control: null,
    goods: [],
    assistants: [],
    replaySegments: state.options.replaySegments,
    createdAt: now,
  }
  if (p.subAnchorWechat) room.subAnchorWechat = p.subAnchorWechat
  if (p.createrWechat) room.createrWechat = p.createrWechat
  state.insertRoom(room)
  return room
}

const createRoom: Handler<'createRoom'> = (ctx, p) => {
  checkRoomFields(ctx, p, 'create')
  if (p.subAnchorWechat !== undefined && !ctx.state.isVerified(p.subAnchorWechat)) {
    throw new LiveError(300039, `subAnchorWechat: ${p.subAnchorWechat} is not real-name verified`)
  }
  const room = insertNewRoom(ctx.state, p, ctx.now)
  return { roomId: room.roomId }
}

/** One room as getliveinfo lists it (goods prices in fen). */
export function roomRow(state: LiveState, room: Room, now: number): z.input<typeof roomInfo> {
  const goods: z.input<typeof roomGoods>[] = []
  for (const rg of room.goods) {
    const g = state.goods.get(rg.goodsId)
    if (!g) continue
    goods.push({
      coverImg: state.mediaUrl(g.coverImgUrl),
      url: g.url,
      name: g.name,
      price: fen(g.price),
      priceType: g.priceType,
      goodsId: g.goodsId,
      thirdPartyAppid: g.thirdPartyAppid,
      ...(g.price2 !== undefined ? { price2: fen(g.price2) } : {}),
    })
  }
  return {
    name: room.name,
    roomid: room.roomId,
    coverImg: state.mediaUrl(room.coverImg),
    shareImg: state.mediaUrl(room.shareImg),
    feedsImg: state.mediaUrl(room.feedsImg),
    liveStatus: roomStatus(room, now),
    startTime: room.startTime,
    endTime: room.endTime,
    anchorName: room.anchorName,
    liveType: room.type,
    closeLike: room.closeLike,
    closeGoods: room.closeGoods,
    closeComment: room.closeComment,
    closeKf: room.closeKf,
    closeReplay: room.closeReplay,
    isFeedsPublic: room.isFeedsPublic,
    createrOpenid: room.createrWechat ? openidFor(room.createrWechat) : '',
    goods,
  }
}

export function replayOptions(state: LiveState) {
  return {
    delaySeconds: state.options.replayDelaySeconds,
    ttlSeconds: state.options.replayTtlSeconds,
    segmentGapSeconds: 60,
    baseUrl: state.options.assetBaseUrl,
  }
}

const getLiveInfo: Handler<'getLiveInfo'> = (ctx, p) => {
  const { state } = ctx
  const limit = Math.max(0, Math.min(p.limit, state.options.listPageCap))
  if (p.action === 'get_replay') {
    if (p.roomId === undefined) throw new LiveError(200002, 'room_id: required when action is get_replay')
    const room = state.rooms.get(p.roomId)
    const all = room ? visibleReplays(room, ctx.now, replayOptions(state)) : []
    const page = all.slice(p.start, p.start + limit).map((r) => ({
      createTime: isoSeconds(r.createTime),
      expireTime: isoSeconds(r.expireTime),
      mediaUrl: r.mediaUrl,
    }))
    return { liveReplay: page, roomInfo: [], total: all.length }
  }
  if (state.roomCount === 0) throw new LiveError(9410000, 'empty room list', { room_info: [], live_replay: [], total: 0 })
  const rows = state.listPage(p.start, limit).map((r) => roomRow(state, r, ctx.now))
  return { roomInfo: rows, total: state.roomCount }
}

const deleteRoom: Handler<'deleteRoom'> = (ctx, p) => {
  const room = requireRoom(ctx, p.id)
  // A room on air (live, paused, abnormal) cannot be deleted; end it first.
  requireStatus(ctx, room, [LiveStatus.upcoming, ...CLOSED_STATUSES], 'deleting the room')
  ctx.state.removeRoom(room.roomId)
  return {}
}

const editRoom: Handler<'editRoom'> = (ctx, p) => {
  const room = requireRoom(ctx, p.id)
  requireStatus(ctx, room, [LiveStatus.upcoming], 'editing (only rooms that have not started can be edited)')
  checkRoomFields(ctx, p, 'edit')
  ctx.state.updateRoom(room, (r) => Object.assign(r, roomFieldsOf(p)))
  return {}
}

const getPushUrl: Handler<'getPushUrl'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  if (room.type !== 1) throw new LiveError(300023, `room ${room.roomId} is a phone live room (type 0); push URLs are for type 1`)
  requireStatus(ctx, room, OPEN_STATUSES, 'getting a push URL')
  const secret = openidFor(`push-${room.roomId}-${room.createdAt}`).slice(1, 17)
  return { pushAddr: `rtmp://live-push.live-sandbox.invalid/live/room${room.roomId}?txSecret=${secret}` }
}

const getSharedCode: Handler<'getSharedCode'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_OR_ENDED, 'sharing')
  let pagePath = `${PLUGIN_PAGE}?room_id=${room.roomId}`
  if (p.params !== undefined && p.params !== '') {
    const checked = checkSharedCodeParams(p.params)
    if ('errcode' in checked) enforce(checked)
    else pagePath += `&custom_params=${checked.encoded}`
  }
  const base = ctx.state.options.assetBaseUrl
  return {
    cdnUrl: `${base}/qrcode/room${room.roomId}.png`,
    pagePath,
    posterUrl: `${base}/poster/room${room.roomId}.png`,
  }
}

// ---------- assistants ----------

const addAssistant: Handler<'addAssistant'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'adding assistants')
  for (const [i, u] of p.users.entries()) {
    enforce(checkWechatId(`users.${i}.username`, u.username, 200002))
  }
  const added = p.users.filter((u) => !room.assistants.some((a) => a.username === u.username))
  const cap = ctx.state.options.assistantCap
  if (room.assistants.length + added.length > cap) {
    throw new LiveError(200002, `users: a room has at most ${cap} assistants (has ${room.assistants.length})`)
  }
  for (const u of p.users) {
    const existing = room.assistants.find((a) => a.username === u.username)
    if (existing) existing.nickname = u.nickname
    else room.assistants.push({ username: u.username, nickname: u.nickname, addedAt: ctx.now })
  }
  return {}
}

function requireAssistant(room: Room, username: string) {
  const a = room.assistants.find((x) => x.username === username)
  if (!a) throw new LiveError(200002, `username: ${username} is not an assistant of room ${room.roomId}`)
  return a
}

const modifyAssistant: Handler<'modifyAssistant'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireAssistant(room, p.username).nickname = p.nickname
  return {}
}

const removeAssistant: Handler<'removeAssistant'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireAssistant(room, p.username)
  room.assistants = room.assistants.filter((a) => a.username !== p.username)
  return {}
}

const getAssistantList: Handler<'getAssistantList'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  const base = ctx.state.options.assetBaseUrl
  return {
    list: room.assistants.map((a) => ({
      timestamp: a.addedAt,
      headimg: `${base}/avatar/${a.username}.png`,
      nickname: a.nickname,
      alias: a.username,
      openid: openidFor(a.username),
    })),
    count: room.assistants.length,
    maxCount: ctx.state.options.assistantCap,
  }
}

// ---------- sub-anchor ----------

function checkSubAnchor(ctx: HandlerContext, room: Room, username: string): void {
  if (username === room.anchorWechat) throw new LiveError(500005, 'username: the sub-anchor is the same as the main anchor')
  if (username === room.subAnchorWechat) throw new LiveError(500004, `username: ${username} is already the sub-anchor`)
  if (!ctx.state.isVerified(username)) throw new LiveError(500002, `username: ${username} is not real-name verified`)
}

const addSubAnchor: Handler<'addSubAnchor'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'setting a sub-anchor')
  checkSubAnchor(ctx, room, p.username)
  if (room.subAnchorWechat !== undefined) {
    throw new LiveError(500004, `room ${room.roomId} already has a sub-anchor; use modifySubAnchor`)
  }
  room.subAnchorWechat = p.username
  return {}
}

const modifySubAnchor: Handler<'modifySubAnchor'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'changing the sub-anchor')
  checkSubAnchor(ctx, room, p.username)
  room.subAnchorWechat = p.username
  return {}
}

const deleteSubAnchor: Handler<'deleteSubAnchor'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  if (room.subAnchorWechat === undefined) throw new LiveError(200002, `roomId: room ${room.roomId} has no sub-anchor`)
  delete room.subAnchorWechat
  return {}
}

const getSubAnchor: Handler<'getSubAnchor'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  return { username: room.subAnchorWechat ?? '' }
}

// ---------- switches ----------

const updateFeedPublic: Handler<'updateFeedPublic'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_OR_ENDED, 'changing feed inclusion')
  room.isFeedsPublic = p.isFeedsPublic
  return {}
}

const updateReplay: Handler<'updateReplay'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  // Replay may be switched after the start and after the end (it controls whether the replay shows).
  requireStatus(ctx, room, OPEN_OR_ENDED, 'changing the replay switch')
  room.closeReplay = p.closeReplay
  return {}
}

const updateKF: Handler<'updateKF'> = (ctx, p) => {
  const room = requireRoom(ctx, p.roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'changing customer service')
  if (p.closeKf === 0 && !ctx.state.options.kfConfigured) {
    throw new LiveError(300038, 'closeKf: customer service is not configured in the MP console')
  }
  room.closeKf = p.closeKf
  return {}
}

const updateComment: Handler<'updateComment'> = (ctx, p) => {
  const roomId = p.roomId ?? p.id
  if (roomId === undefined) throw new LiveError(200002, 'roomId: required (or id)')
  const room = requireRoom(ctx, roomId)
  requireStatus(ctx, room, OPEN_STATUSES, 'banning comments')
  room.banComment = p.banComment
  return {}
}

export const roomHandlers = {
  createRoom,
  getLiveInfo,
  deleteRoom,
  editRoom,
  getPushUrl,
  getSharedCode,
  addAssistant,
  modifyAssistant,
  removeAssistant,
  getAssistantList,
  addSubAnchor,
  modifySubAnchor,
  deleteSubAnchor,
  getSubAnchor,
  updateFeedPublic,
  updateReplay,
  updateKF,
  updateComment,
} satisfies Partial<Handlers>
