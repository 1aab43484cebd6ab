/**
 * Cache records → view models. Pure (no wx): the pages render exactly what these return, and the
 * unit tests pin them down. Record types come from the fixed cache schema (type-only import, erased at build).
 */
import type { RoomDoc, ReplayDoc, SyncStatusDoc } from '../../src/cache/schema'
import { STALE_AFTER_MS } from '../config'
import { agoText, countdownText, dateTimeWords, priceText, startWords } from '../utils/format'
import { LiveStatus, badgeOf, type BadgeTone } from '../utils/status'

/** The three lists a viewer sees on the home page, in display order. */
export const LISTED_SECTIONS = ['live', 'upcoming', 'replay'] as const
export type ListedSection = (typeof LISTED_SECTIONS)[number]

export const SECTION_TITLES: Record<ListedSection, string> = {
  live: '正在直播',
  upcoming: '即将开播',
  replay: '精彩回放',
}

/** Only the fields a card shows (the projection of every section query). */
export const CARD_FIELDS = {
  roomId: true,
  name: true,
  coverImg: true,
  anchorName: true,
  liveStatus: true,
  startTime: true,
  goods: true,
  replay: true,
  section: true,
  syncedAt: true,
} as const

export type CardRecord = Pick<RoomDoc, 'roomId' | 'name' | 'coverImg' | 'anchorName' | 'liveStatus' | 'startTime' | 'goods' | 'replay' | 'section' | 'syncedAt'>

/** How many goods a card previews. */
export const GOODS_PREVIEW = 3

export interface GoodsPreview {
  goodsId: number
  name: string
  coverImg: string
  price: string
  was: string
}

export interface RoomCard {
  roomId: number
  name: string
  anchorName: string
  coverImg: string
  section: string
  liveStatus: number
  badgeText: string
  badgeTone: BadgeTone
  startMs: number
  /** "今天 20:00 开播" for upcoming rooms, else empty. */
  startText: string
  /** Countdown for upcoming rooms, else empty; refreshed by the page's ticker. */
  countdown: string
  upcoming: boolean
  goods: GoodsPreview[]
  /** Goods beyond the preview ("+3"), 0 when none. */
  moreGoods: number
  /** "回放 … 到期" for replays, else empty. */
  replayText: string
}

/** A live status the viewer's own device saw more recently than the cache (room page polling). */
export interface StatusHint {
  liveStatus: number
  atMs: number
}

/** Dates arrive as Date from wx.cloud; tolerate numbers/strings/EJSON so a bad record degrades, not crashes. */
export function toMs(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  if (typeof value === 'string') return Date.parse(value)
  if (value && typeof value === 'object' && '$date' in value) return toMs((value as { $date: unknown }).$date)
  return NaN
}

export function toRoomCard(record: CardRecord, nowMs: number, hint?: StatusHint | null): RoomCard {
  const syncedMs = toMs(record.syncedAt)
  // A hint only wins when it is newer than the cache's own write of this room.
  const liveStatus = hint && !(hint.atMs <= syncedMs) ? hint.liveStatus : record.liveStatus
  const replayState = record.replay ? record.replay.state : 'notApplicable'
  const badge = badgeOf(liveStatus, replayState)
  const startMs = toMs(record.startTime)
  const upcoming = liveStatus === LiveStatus.upcoming
  const goods = Array.isArray(record.goods) ? record.goods : []
  const expiresMs = record.replay && record.replay.expiresAt ? toMs(record.replay.expiresAt) : NaN
  return {
    roomId: record.roomId,
    name: record.name,
    anchorName: record.anchorName,
    coverImg: record.coverImg,
    section: record.section,
    liveStatus,
    badgeText: badge.text,
    badgeTone: badge.tone,
    startMs,
    startText: upcoming && Number.isFinite(startMs) ? `${startWords(startMs, nowMs)} 开播` : '',
    countdown: upcoming && Number.isFinite(startMs) ? countdownText(startMs, nowMs) : '',
    upcoming,
    goods: goods.slice(0, GOODS_PREVIEW).map((g) => {
      const p = priceText(g.priceType, g.price, g.price2)
      return { goodsId: g.goodsId, name: g.name, coverImg: g.coverImg, price: p.now, was: p.was }
    }),
    moreGoods: Math.max(0, goods.length - GOODS_PREVIEW),
    replayText:
      record.section === 'replay' && Number.isFinite(expiresMs) ? `回放 ${dateTimeWords(expiresMs, nowMs)} 到期` : '',
  }
}

export interface Freshness {
  stale: boolean
  /** "数据更新于 5 分钟前" when stale, else empty. */
  text: string
  /** The sync's last problem in plain words, or empty. */
  problem: string
}

/**
 * Staleness banner from the public sync status document (null when it does not exist yet). While Mini Program Live
 * is off (`liveOff`; absent in documents written before the field) the sync rests by choice: nothing is stale.
 */
export function freshnessOf(doc: (Pick<SyncStatusDoc, 'lastSuccessAt' | 'lastError'> & Partial<Pick<SyncStatusDoc, 'liveOff'>>) | null, nowMs: number): Freshness {
  if (doc && doc.liveOff) return { stale: false, text: '', problem: '' }
  const problem = doc && doc.lastError ? doc.lastError.zh : ''
  const lastMs = doc && doc.lastSuccessAt ? toMs(doc.lastSuccessAt) : NaN
  if (!Number.isFinite(lastMs)) return { stale: true, text: '直播列表尚未同步', problem }
  if (nowMs - lastMs <= STALE_AFTER_MS) return { stale: false, text: '', problem: '' }
  return { stale: true, text: `数据更新于 ${agoText(lastMs, nowMs)}`, problem }
}

export interface SegmentView {
  index: number
  /** 1-based number shown to viewers. */
  number: number
  mediaUrl: string
  expired: boolean
  expiresText: string
}

export interface ReplayView {
  roomId: number
  /** available | expired | pending | none | missing (no document at all). */
  state: string
  segments: SegmentView[]
  /** Index into `segments` of the first playable segment, or -1. */
  firstPlayable: number
  /** "回放将于 3月5日 20:00 到期" from the earliest unexpired segment, or empty. */
  expiresText: string
  /** Why nothing plays, in the viewer's words, or empty. */
  message: string
}

const REPLAY_MESSAGES: Record<string, string> = {
  expired: '回放已过期',
  pending: '回放生成中，请稍后再来',
  none: '本场直播没有回放',
  missing: '暂无回放',
  unplayable: '回放片段缺失，暂时无法播放',
}

export function toReplayView(roomId: number, doc: Pick<ReplayDoc, 'segments' | 'state'> | null, nowMs: number): ReplayView {
  if (!doc) return { roomId, state: 'missing', segments: [], firstPlayable: -1, expiresText: '', message: REPLAY_MESSAGES.missing }
  // Play in the platform's order whatever order the array arrived in.
  const ordered = [...(doc.segments || [])].sort((a, b) => a.index - b.index)
  const segments = ordered.map((s) => {
    const expireMs = toMs(s.expireTime)
    const expired = !(expireMs > nowMs)
    return {
      index: s.index,
      number: s.index + 1,
      mediaUrl: s.mediaUrl,
      expired,
      expiresText: expired ? '已过期' : s.mediaUrl === '' ? '缺失' : `${dateTimeWords(expireMs, nowMs)} 到期`,
    }
  })
  const firstPlayable = segments.findIndex((s) => !s.expired && s.mediaUrl !== '')
  const live = ordered.map((s) => toMs(s.expireTime)).filter((ms) => ms > nowMs)
  const expiresText = live.length > 0 ? `回放将于 ${dateTimeWords(Math.min(...live), nowMs)} 到期` : ''
  let message = ''
  let state: string = doc.state
  if (firstPlayable < 0 && segments.length > 0) {
    // Nothing plays: every segment expired, or what has not expired lacks its media (say which).
    state = segments.every((s) => s.expired) ? 'expired' : 'missing'
    message = state === 'expired' ? REPLAY_MESSAGES.expired : REPLAY_MESSAGES.unplayable
  } else if (firstPlayable < 0) message = REPLAY_MESSAGES[doc.state] || REPLAY_MESSAGES.missing
  return { roomId, state, segments, firstPlayable, expiresText, message }
}

/** Next playable segment after position `from` in `segments`, or -1 when the replay is over. */
export function nextPlayable(segments: SegmentView[], from: number): number {
  for (let i = from + 1; i < segments.length; i++) if (!segments[i].expired && segments[i].mediaUrl !== '') return i
  return -1
}

/** The Channels live (视频号直播) as one card in a home section; at most one per section. */
export interface ChannelsCard {
  /** live: on air; preparing: about to start, no notice; notice: a usable notice; replay / replayPending: the last live ended. */
  kind: 'live' | 'preparing' | 'notice' | 'replay' | 'replayPending'
  section: ListedSection
  title: string
  nickname: string
  headUrl: string
  badgeText: string
  /** The <channel-live> component shows it (base library 2.29.0); otherwise a card whose tap opens it. */
  useComponent: boolean
  feedId: string
  /** A tap opens the Channels live through wx.openChannelsLive. */
  opens: boolean
  noticeId: string
  startMs: number
  startText: string
  countdown: string
  /** A reserve button: a usable, reservable notice the viewer has not reserved on this device. */
  canReserve: boolean
  reserved: boolean
  /** One line under the title ("回放生成中，稍后再来"), or empty. */
  note: string
}

export interface ChannelsCardsInput {
  live: { feedId: string; description: string; status: string; headUrl: string; nickname: string; replayStatus: string | null } | null
  notice: { noticeId: string; usable: boolean; startMs: number; headUrl: string; nickname: string; reservable: boolean } | null
  reserved: boolean
  useComponent: boolean
}

/**
 * Where the Channels live shows on the home page: on air in 正在直播; a usable notice (else "preparing") in 即将开播;
 * the last live's replay in 精彩回放 when it is ready or being generated. A never-live account, an expired or
 * never-generated replay, and a replay state the base library does not report show nothing.
 */
export function channelsCards(input: ChannelsCardsInput, nowMs: number): Record<ListedSection, ChannelsCard | null> {
  const { live, notice } = input
  const base = (kind: ChannelsCard['kind'], section: ListedSection, badgeText: string, from: { headUrl: string; nickname: string }): ChannelsCard => ({
    kind,
    section,
    title: live && live.description ? live.description : `${from.nickname || '视频号'}的直播`,
    nickname: from.nickname,
    headUrl: from.headUrl,
    badgeText,
    useComponent: false,
    feedId: live ? live.feedId : '',
    opens: false,
    noticeId: '',
    startMs: NaN,
    startText: '',
    countdown: '',
    canReserve: false,
    reserved: false,
    note: '',
  })
  const out: Record<ListedSection, ChannelsCard | null> = { live: null, upcoming: null, replay: null }
  if (live && live.status === 'live') {
    out.live = { ...base('live', 'live', '视频号直播中', live), useComponent: input.useComponent && live.feedId !== '', opens: true }
  }
  if (notice && notice.usable) {
    const card = base('notice', 'upcoming', '视频号预告', notice)
    card.title = `${notice.nickname || '视频号'}的直播预告`
    card.noticeId = notice.noticeId
    card.startMs = notice.startMs
    card.startText = `${startWords(notice.startMs, nowMs)} 开播`
    card.countdown = countdownText(notice.startMs, nowMs)
    card.reserved = input.reserved
    card.canReserve = notice.reservable && !input.reserved
    card.note = input.reserved ? '已预约，开播时微信会提醒你' : ''
    out.upcoming = card
  } else if (live && live.status === 'preparing') {
    out.upcoming = { ...base('preparing', 'upcoming', '即将开播', live), note: '主播正在准备，马上开播' }
  }
  if (live && live.status === 'ended' && live.replayStatus === 'ready') {
    out.replay = { ...base('replay', 'replay', '视频号回放', live), opens: true, note: '点击观看回放' }
  } else if (live && live.status === 'ended' && live.replayStatus === 'generating') {
    out.replay = { ...base('replayPending', 'replay', '视频号回放', live), note: '回放生成中，稍后再来' }
  }
  return out
}
