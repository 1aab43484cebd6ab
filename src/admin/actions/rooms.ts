/**
 * Room operations of the merchant back office: create, edit and delete a room, its switches, push URL and share
 * code. Every param is checked against the room rules (src/live/rules.ts) and the merchant's word list before any
 * Live call; images may be media_ids or cloud storage file IDs; once the platform accepted a change viewers see,
 * the room is written through to the cache, and `data.cache` says what the cache now holds.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/studio-api.html
 */
import { catalogue, type EndpointId } from '../../live/catalogue'
import type { LiveParams } from '../../live/client'
import { ROOM_IMAGE_RULES, checkRoomImageSize, checkSharedCodeParams, type RoomImageField } from '../../live/rules'
import { checkTexts, TEXT_CHECK_NOTE, type TextCheckReport } from '../content'
import { resolveImage } from '../media'
import { ruleFailure } from '../reply'
import { defineAction, type ActionContext, type ActionDef } from '../types'
import { refreshRoom, refreshRoomDeleted } from '../write-through'

const IMAGE_FIELDS = Object.keys(ROOM_IMAGE_RULES) as RoomImageField[]

const IMAGE_NOTE = {
  zh: '图片（coverImg、shareImg、feedsImg）可传 media_id，或 wx.cloud.uploadFile 得到的云存储文件 ID（cloud://…），由函数转为临时素材',
  en: 'images (coverImg, shareImg, feedsImg) are media_ids or the cloud storage file IDs wx.cloud.uploadFile returns (cloud://…), which the function turns into temporary media',
}

const CACHE_NOTE =
  "cache: 'written' | 'unchanged' | 'pending' (the room re-read with getLiveInfo and written to the viewers' cache; a failed re-read never fails the action: pending, the next sync run brings it)"

const nowSeconds = (ctx: ActionContext): number => Math.floor(ctx.ports.nowMs() / 1000)

/** The word list on the texts viewers read (the input rules ran with the params: src/admin/form-rules.ts). */
async function checkRoom(ctx: ActionContext, p: { name: string; anchorName: string }): Promise<TextCheckReport> {
  return checkTexts(ctx, [
    { field: 'name', text: p.name },
    { field: 'anchorName', text: p.anchorName },
  ])
}

/** The three images as media_ids, one after another so a file used twice is uploaded once. */
async function roomImages(ctx: ActionContext, p: Record<RoomImageField, string>): Promise<Record<RoomImageField, string>> {
  const out = {} as Record<RoomImageField, string>
  for (const field of IMAGE_FIELDS) {
    out[field] = (await resolveImage(ctx, field, p[field], (bytes) => checkRoomImageSize(field, bytes))).mediaId
  }
  return out
}

const createRoom = defineAction({
  name: 'createRoom',
  who: 'admin',
  mutates: true,
  summary: {
    zh: `创建直播间：先按规则检查名称宽度（汉字计 2）、开播时间窗口、微信号与敏感词，再创建；${IMAGE_NOTE.zh}`,
    en: `Create a room: name widths (one CJK character counting 2), the time window, WeChat IDs and the word list are checked first; ${IMAGE_NOTE.en}`,
  },
  params: catalogue.createRoom.request,
  reply: `{roomId: number, ${CACHE_NOTE}, ${TEXT_CHECK_NOTE}}; 300036 answers failed_precondition with error.qrcodeUrl, the real-name QR code for the anchor to scan`,
  calls: ['createRoom', 'getLiveInfo'],
  async run(ctx, p) {
    const textCheck = await checkRoom(ctx, p)
    const images = await roomImages(ctx, p)
    const created = await ctx.ports.live.createRoom({ ...p, ...images })
    return { roomId: created.roomId, cache: await refreshRoom(ctx, created.roomId), textCheck }
  },
})

const editRoom = defineAction({
  name: 'editRoom',
  who: 'admin',
  mutates: true,
  summary: {
    zh: `编辑未开播的直播间（id），字段与规则同创建；${IMAGE_NOTE.zh}`,
    en: `Edit a room that has not started (id), with createRoom's fields and rules; ${IMAGE_NOTE.en}`,
  },
  params: catalogue.editRoom.request,
  reply: `{roomId: number, ${CACHE_NOTE}, ${TEXT_CHECK_NOTE}}`,
  calls: ['editRoom', 'getLiveInfo'],
  async run(ctx, p) {
    const textCheck = await checkRoom(ctx, p)
    const images = await roomImages(ctx, p)
    await ctx.ports.live.editRoom({ ...p, ...images })
    return { roomId: p.id, cache: await refreshRoom(ctx, p.id), textCheck }
  },
})

const deleteRoom = defineAction({
  name: 'deleteRoom',
  who: 'admin',
  mutates: true,
  summary: { zh: '删除直播间（id）；直播中的房间须先结束', en: 'Delete a room (id); a room on air must end first' },
  params: catalogue.deleteRoom.request,
  reply: `{roomId: number, ${CACHE_NOTE}}; the cached room is hidden from viewers, kept for the record`,
  calls: ['deleteRoom'],
  async run(ctx, p) {
    await ctx.ports.live.deleteRoom(p)
    return { roomId: p.id, cache: await refreshRoomDeleted(ctx, p.id) }
  },
})

type SwitchId = Extract<EndpointId, 'updateFeedPublic' | 'updateReplay' | 'updateKF' | 'updateComment'>

/** A room switch: the bare call, then the room written through. */
function switchAction(id: SwitchId, summary: { zh: string; en: string }, roomOf: (p: LiveParams<SwitchId> & Record<string, unknown>) => number): ActionDef {
  return defineAction({
    name: id,
    who: 'admin',
    mutates: true,
    summary,
    params: catalogue[id].request,
    reply: `{roomId: number, ${CACHE_NOTE}}`,
    calls: [id, 'getLiveInfo'],
    async run(ctx, p) {
      const params = p as LiveParams<SwitchId> & Record<string, unknown>
      await ctx.ports.live.call(id, params)
      const roomId = roomOf(params)
      return { roomId, cache: await refreshRoom(ctx, roomId) }
    },
  })
}

const byRoomId = (p: { roomId?: number }): number => p.roomId as number

const getPushUrl = defineAction({
  name: 'getPushUrl',
  who: 'admin',
  mutates: false,
  summary: { zh: '推流地址：推流类型（type 1）且未结束的直播间', en: 'Push URL of a push-type room (type 1) that has not ended' },
  params: catalogue.getPushUrl.request,
  reply: '{roomId: number, pushAddr: string} (an RTMP URL with its secret: show it to the anchor only)',
  calls: ['getPushUrl'],
  async run(ctx, p) {
    const { pushAddr } = await ctx.ports.live.getPushUrl(p)
    return { roomId: p.roomId, pushAddr }
  },
})

const getSharedCode = defineAction({
  name: 'getSharedCode',
  who: 'admin',
  mutates: false,
  summary: {
    zh: '分享码：页面路径、小程序码图片与海报；params 为自定义参数对象（或 encodeURIComponent(JSON.stringify(对象))），编码后不超过 600 个字符，超过即拒绝、不截断',
    en: 'Share code: page path, QR code image and poster; params is a custom object (or encodeURIComponent(JSON.stringify(object))), at most 600 characters once encoded, refused beyond, never cut',
  },
  params: catalogue.getSharedCode.request,
  reply: '{roomId: number, pagePath: string, cdnUrl: string (the QR code image), posterUrl: string, customParams: object | null}',
  calls: ['getSharedCode'],
  async run(ctx, p) {
    let encoded: string | undefined
    if (p.params !== undefined && p.params !== '') {
      const checked = checkSharedCodeParams(p.params)
      if ('errcode' in checked) throw ruleFailure(checked)
      encoded = checked.encoded
    }
    const code = await ctx.ports.live.getSharedCode(encoded === undefined ? { roomId: p.roomId } : { roomId: p.roomId, params: encoded })
    return {
      roomId: p.roomId,
      pagePath: code.pagePath,
      cdnUrl: code.cdnUrl,
      posterUrl: code.posterUrl,
      customParams: encoded === undefined ? null : (JSON.parse(decodeURIComponent(encoded)) as Record<string, unknown>),
    }
  },
})

export const roomActions: Readonly<Record<string, ActionDef>> = {
  createRoom,
  editRoom,
  deleteRoom,
  updateFeedPublic: switchAction(
    'updateFeedPublic',
    { zh: '官方收录开关（isFeedsPublic：1 开启，0 关闭）', en: 'Official feeds inclusion (isFeedsPublic: 1 on, 0 off)' },
    byRoomId,
  ),
  updateReplay: switchAction(
    'updateReplay',
    { zh: '回放开关（closeReplay：0 开启回放，1 关闭）', en: 'Replay switch (closeReplay: 0 replay on, 1 off)' },
    byRoomId,
  ),
  updateKF: switchAction(
    'updateKF',
    { zh: '客服开关（closeKf：0 开启，1 关闭；须先在公众平台配置客服）', en: 'Customer service switch (closeKf: 0 on, 1 off; customer service must be set up in the MP console)' },
    byRoomId,
  ),
  updateComment: switchAction(
    'updateComment',
    { zh: '评论开关（banComment：1 禁言，0 允许；房间可用 roomId 或 id）', en: 'Comment switch (banComment: 1 banned, 0 allowed; the room as roomId or id)' },
    (p) => (p.roomId ?? p.id) as number,
  ),
  getPushUrl,
  getSharedCode,
}
