/**
 * The room form's logic, apart from the page: the form's state, the params createRoom and editRoom take built from
 * it, each field's problem from the function's own rules, the allowed time window in Shanghai time, and what is
 * kept in wx storage so a half-filled form (uploads included) survives leaving the page.
 * https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.createRoom.html
 */
import * as rules from '../generated/rules'
import type { LiveRoomInfo } from './room-view'
import { ceilToMinute, durationText, formatShanghai, parseShanghai } from './time'

export type ImageField = 'coverImg' | 'shareImg' | 'feedsImg'
export const IMAGE_FIELDS: readonly ImageField[] = ['coverImg', 'shareImg', 'feedsImg']
export type RoomFormMode = 'create' | 'edit'

export interface ImageSlot {
  /** The cloud storage file ID liveAdmin turns into media; empty until uploaded. */
  fileId: string
  /** What the cell shows: the picked file, or the room's current image when editing. */
  preview: string
  percent: number
  uploading: boolean
}

export interface RoomForm {
  name: string
  anchorName: string
  anchorWechat: string
  subAnchorWechat: string
  /** Shanghai wall clock, `YYYY-MM-DD HH:mm`. */
  start: string
  end: string
  images: Record<ImageField, ImageSlot>
  /** 0 phone live, 1 push stream (createRoom's `type`; fixed once created). */
  type: 0 | 1
  likeOn: boolean
  goodsOn: boolean
  commentOn: boolean
  replayOn: boolean
  kfOn: boolean
  feedsPublic: boolean
}

/** Each image's name and the size the createRoom docs suggest; the byte limit comes from the rules. */
export const IMAGE_INFO: Readonly<Record<ImageField, { title: string; hint: string }>> = {
  coverImg: { title: '封面图', hint: `直播间背景，建议 1080×1920，不超过 ${sizeText(rules.ROOM_IMAGE_RULES.coverImg.maxBytes)}` },
  shareImg: { title: '分享卡片图', hint: `分享给好友时的卡片，建议 800×640，不超过 ${sizeText(rules.ROOM_IMAGE_RULES.shareImg.maxBytes)}` },
  feedsImg: { title: '购物直播频道封面', hint: `频道里的方图，建议 800×800，不超过 ${sizeText(rules.ROOM_IMAGE_RULES.feedsImg.maxBytes)}` },
}

/** Labels for the problem summary under the submit button, in the form's order. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: '直播间名称',
  anchorName: '主播昵称',
  anchorWechat: '主播微信号',
  subAnchorWechat: '主播副号',
  startTime: '开播时间',
  endTime: '结束时间',
  coverImg: IMAGE_INFO.coverImg.title,
  shareImg: IMAGE_INFO.shareImg.title,
  feedsImg: IMAGE_INFO.feedsImg.title,
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`
}

const emptySlot = (): ImageSlot => ({ fileId: '', preview: '', percent: 0, uploading: false })

/** Half-hour steps for the suggested start: a round time a merchant would pick. */
const SUGGESTED_STEP_SECONDS = 1800
/** A suggested length, within the rules' minimum and maximum. */
const SUGGESTED_LENGTH_SECONDS = 2 * 3600

/** A new form: starting at the first half hour the window allows, two hours long, switches as the platform defaults them. */
export function newRoomForm(nowSeconds: number): RoomForm {
  const start = Math.ceil((nowSeconds + rules.ROOM_MIN_LEAD_SECONDS) / SUGGESTED_STEP_SECONDS) * SUGGESTED_STEP_SECONDS
  const length = Math.min(Math.max(SUGGESTED_LENGTH_SECONDS, rules.ROOM_MIN_DURATION_SECONDS), rules.ROOM_MAX_DURATION_SECONDS)
  return {
    name: '',
    anchorName: '',
    anchorWechat: '',
    subAnchorWechat: '',
    start: formatShanghai(start),
    end: formatShanghai(start + length),
    images: { coverImg: emptySlot(), shareImg: emptySlot(), feedsImg: emptySlot() },
    type: 0,
    likeOn: true,
    goodsOn: true,
    commentOn: true,
    replayOn: false,
    kfOn: false,
    feedsPublic: true,
  }
}

/**
 * A form filled from the room as getLiveInfo lists it. The platform does not list the anchor's WeChat ID and
 * editRoom needs the images as media again, so those come from what this phone remembered, or are asked anew.
 */
export function formFromRoom(room: LiveRoomInfo, remembered: RememberedRoom | null): RoomForm {
  const img = (field: ImageField, current: string | undefined): ImageSlot => {
    const kept = remembered?.images[field]
    return kept ? { fileId: kept, preview: current ?? '', percent: 100, uploading: false } : { ...emptySlot(), preview: current ?? '' }
  }
  return {
    name: room.name,
    anchorName: room.anchorName,
    anchorWechat: remembered?.anchorWechat ?? '',
    subAnchorWechat: '',
    start: formatShanghai(room.startTime),
    end: formatShanghai(room.endTime),
    images: { coverImg: img('coverImg', room.coverImg), shareImg: img('shareImg', room.shareImg), feedsImg: img('feedsImg', room.feedsImg) },
    type: room.liveType === 1 ? 1 : 0,
    likeOn: room.closeLike !== 1,
    goodsOn: room.closeGoods !== 1,
    commentOn: room.closeComment !== 1,
    replayOn: room.closeReplay === 0,
    kfOn: room.closeKf === 0,
    feedsPublic: room.isFeedsPublic !== 0,
  }
}

const flag = (closed: boolean): 0 | 1 => (closed ? 1 : 0)

/**
 * The params the action takes, and no others (editRoom takes no `type` or sub-anchor). Times that do not parse
 * and images not uploaded yet are left out; `imageStandIn` fills them to learn what else the rules say.
 */
export function roomParams(form: RoomForm, mode: RoomFormMode, id: number, imageStandIn = ''): Record<string, unknown> {
  const p: Record<string, unknown> = {
    name: form.name.trim(),
    anchorName: form.anchorName.trim(),
    anchorWechat: form.anchorWechat.trim(),
    isFeedsPublic: form.feedsPublic ? 1 : 0,
    closeLike: flag(!form.likeOn),
    closeGoods: flag(!form.goodsOn),
    closeComment: flag(!form.commentOn),
    closeReplay: flag(!form.replayOn),
    closeKf: flag(!form.kfOn),
  }
  const start = parseShanghai(form.start)
  const end = parseShanghai(form.end)
  if (start !== null) p.startTime = start
  if (end !== null) p.endTime = end
  for (const f of IMAGE_FIELDS) {
    const value = form.images[f].fileId || imageStandIn
    if (value) p[f] = value
  }
  if (mode === 'edit') p.id = id
  else {
    p.type = form.type
    const sub = form.subAnchorWechat.trim()
    if (sub) p.subAnchorWechat = sub
  }
  return p
}

/** Stands in for images not uploaded yet so the schema holds and the rules speak about the other fields. */
const IMAGE_STAND_IN = 'pending-upload'

/**
 * Every field's problem in the merchant's words: the per-field rules (name and nickname widths, the time window)
 * and the action's full check (WeChat IDs and the rest), with images and times not chosen yet named as such.
 */
export function roomFormProblems(form: RoomForm, mode: RoomFormMode, id: number, nowSeconds: number): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of IMAGE_FIELDS) {
    const slot = form.images[f]
    if (!slot.fileId) out[f] = slot.uploading ? '正在上传…' : `请选择${IMAGE_INFO[f].title}`
  }
  const start = parseShanghai(form.start)
  const end = parseShanghai(form.end)
  if (start === null) out.startTime = '请选择开播时间'
  if (end === null) out.endTime = '请选择结束时间'
  const single = [
    rules.checkRoomName(form.name.trim()),
    rules.checkAnchorName(form.anchorName.trim()),
    start !== null && end !== null ? rules.checkRoomTimes(start, end, nowSeconds) : null,
  ]
  for (const problem of single) if (problem) out[problem.field] ??= problem.zh
  const whole = rules.formProblems(mode === 'create' ? 'createRoom' : 'editRoom', roomParams(form, mode, id, IMAGE_STAND_IN), nowSeconds)
  for (const [field, problem] of Object.entries(whole)) out[field] ??= problem.zh
  return out
}

/** `名称、封面图`: what still needs work, in the form's order. */
export function problemSummary(problems: Record<string, string>): string {
  const known = Object.keys(FIELD_LABELS).filter((f) => f in problems).map((f) => FIELD_LABELS[f])
  const other = Object.keys(problems).filter((f) => !(f in FIELD_LABELS))
  return [...known, ...other].join('、')
}

export interface TimeWindow {
  /** Picker bounds, Shanghai wall clock. */
  startMin: string
  startMax: string
  endMin: string
  endMax: string
  /** The rule in words, for the note under the pickers. */
  text: string
}

/** What the pickers may offer now: the start's window from the rules, and the end's given the chosen start. */
export function timeWindow(form: RoomForm, nowSeconds: number): TimeWindow {
  const earliest = ceilToMinute(nowSeconds + rules.ROOM_MIN_LEAD_SECONDS)
  const latest = rules.latestRoomStart(nowSeconds)
  const start = parseShanghai(form.start) ?? earliest
  return {
    startMin: formatShanghai(earliest),
    startMax: formatShanghai(latest),
    endMin: formatShanghai(start + rules.ROOM_MIN_DURATION_SECONDS),
    endMax: formatShanghai(start + rules.ROOM_MAX_DURATION_SECONDS),
    text:
      `北京时间。开播时间可选 ${formatShanghai(earliest)} 至 ${formatShanghai(latest)}；` +
      `直播时长 ${durationText(rules.ROOM_MIN_DURATION_SECONDS)} 至 ${durationText(rules.ROOM_MAX_DURATION_SECONDS)}。`,
  }
}

// ---------- kept on the phone ----------

/** The create form in progress; uploaded file IDs included, so leaving the page loses nothing. */
export const DRAFT_KEY = 'merchant.roomDraft'
const ROOM_KEY_PREFIX = 'merchant.room.'

/** What the phone keeps of a room it created or edited: what getLiveInfo does not give back. */
export interface RememberedRoom {
  anchorWechat: string
  images: Partial<Record<ImageField, string>>
}

/** Synchronous key-value storage: wx storage on the phone (room-storage.ts), a map in tests. */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  remove(key: string): void
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** The saved draft over a new form, field by field (a draft from an older version keeps what still fits). */
export function loadDraft(store: KeyValueStore, nowSeconds: number): RoomForm | null {
  const saved = store.get(DRAFT_KEY)
  if (!isObject(saved)) return null
  const form = newRoomForm(nowSeconds)
  for (const key of ['name', 'anchorName', 'anchorWechat', 'subAnchorWechat', 'start', 'end'] as const) {
    if (typeof saved[key] === 'string') form[key] = saved[key]
  }
  for (const key of ['likeOn', 'goodsOn', 'commentOn', 'replayOn', 'kfOn', 'feedsPublic'] as const) {
    if (typeof saved[key] === 'boolean') form[key] = saved[key]
  }
  if (saved.type === 0 || saved.type === 1) form.type = saved.type
  const images = isObject(saved.images) ? saved.images : {}
  for (const f of IMAGE_FIELDS) {
    const slot = images[f]
    if (isObject(slot) && str(slot.fileId)) form.images[f] = { fileId: str(slot.fileId), preview: str(slot.preview), percent: 100, uploading: false }
  }
  return form
}

export function saveDraft(store: KeyValueStore, form: RoomForm): void {
  store.set(DRAFT_KEY, form)
}

export function clearDraft(store: KeyValueStore): void {
  store.remove(DRAFT_KEY)
}

export function rememberRoom(store: KeyValueStore, roomId: number, form: RoomForm): void {
  const images: Partial<Record<ImageField, string>> = {}
  for (const f of IMAGE_FIELDS) if (form.images[f].fileId) images[f] = form.images[f].fileId
  store.set(ROOM_KEY_PREFIX + roomId, { anchorWechat: form.anchorWechat.trim(), images })
}

export function recallRoom(store: KeyValueStore, roomId: number): RememberedRoom | null {
  const saved = store.get(ROOM_KEY_PREFIX + roomId)
  if (!isObject(saved)) return null
  const images: Partial<Record<ImageField, string>> = {}
  const savedImages = isObject(saved.images) ? saved.images : {}
  for (const f of IMAGE_FIELDS) if (str(savedImages[f]).startsWith('cloud://')) images[f] = str(savedImages[f])
  return { anchorWechat: str(saved.anchorWechat), images }
}
