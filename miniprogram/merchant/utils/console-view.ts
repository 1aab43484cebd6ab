/**
 * The room console's view logic, kept out of the page: a getLiveInfo room as rows, the four room switches and
 * the action each one calls, the warehouse picker's rows, moving a goods item up or down, and the once-a-minute
 * limit on re-reading the room.
 */
import * as rules from '../generated/rules'

/** getLiveInfo's goods item as liveAdmin passes it on (camelCase; prices in fen). */
export interface LiveInfoGoods {
  goodsId: number
  name: string
  coverImg: string
  url: string
  price: number
  price2?: number
  priceType: number
}

/** getLiveInfo's room as liveAdmin passes it on (camelCase; `roomid` is the platform's spelling). */
export interface LiveInfoRoom {
  roomid: number
  name: string
  liveStatus: number
  startTime: number
  endTime: number
  anchorName: string
  liveType?: number
  closeComment?: number
  closeKf?: number
  closeReplay?: number
  isFeedsPublic?: number
  goods?: LiveInfoGoods[]
}

export type SaleState = 0 | 1

export interface GoodsRow {
  goodsId: number
  name: string
  coverImg: string
  priceText: string
  onSale: SaleState
  /** The action running on this row ('push', 'sale', 'delete', 'video'), '' when none. */
  busy: string
  videoUrl: string
}

export type SwitchKey = 'banComment' | 'feedsPublic' | 'replay' | 'kf'

export interface SwitchDef {
  key: SwitchKey
  title: string
  note: string
  action: 'updateComment' | 'updateFeedPublic' | 'updateReplay' | 'updateKF'
  /** The action's parameter and its value for the switch turned on or off. */
  param: 'banComment' | 'isFeedsPublic' | 'closeReplay' | 'closeKf'
  valueFor(on: boolean): 0 | 1
  /** Whether the switch is on as getLiveInfo tells it; null when getLiveInfo does not tell it. */
  readFrom(room: LiveInfoRoom): boolean | null
}

const flag = (v: number | undefined, onWhen: 0 | 1): boolean | null => (v === 0 || v === 1 ? v === onWhen : null)

/** The room's switches, each with the action that sets it (https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/livebroadcast/liveBroadcast.updateComment.html and its siblings). */
export const SWITCHES: readonly SwitchDef[] = [
  // getLiveInfo lists closeComment (comments closed at creation), not the live ban, so the ban is not readable
  { key: 'banComment', title: '全员禁言', note: '开启后观众不能发评论', action: 'updateComment', param: 'banComment', valueFor: (on) => (on ? 1 : 0), readFrom: () => null },
  { key: 'feedsPublic', title: '官方收录', note: '允许直播间出现在微信的直播推荐中', action: 'updateFeedPublic', param: 'isFeedsPublic', valueFor: (on) => (on ? 1 : 0), readFrom: (r) => flag(r.isFeedsPublic, 1) },
  { key: 'replay', title: '回放', note: '直播结束后观众可以看回放', action: 'updateReplay', param: 'closeReplay', valueFor: (on) => (on ? 0 : 1), readFrom: (r) => flag(r.closeReplay, 0) },
  { key: 'kf', title: '客服', note: '直播间显示客服入口（须先在公众平台配置客服）', action: 'updateKF', param: 'closeKf', valueFor: (on) => (on ? 0 : 1), readFrom: (r) => flag(r.closeKf, 0) },
]

export function switchDef(key: string): SwitchDef | undefined {
  return SWITCHES.find((s) => s.key === key)
}

export interface SwitchRow {
  key: SwitchKey
  title: string
  note: string
  on: boolean
  busy: boolean
  error: string
}

/** What this phone last set and the platform does not report back (sale flags, the comment ban). */
export interface RoomMemory {
  sale: Record<string, SaleState>
  switches: Partial<Record<SwitchKey, boolean>>
}

export const EMPTY_MEMORY: RoomMemory = { sale: {}, switches: {} }

/** The switch rows: what getLiveInfo says, else what this phone last set, else off. */
export function switchRows(room: LiveInfoRoom, memory: RoomMemory): SwitchRow[] {
  return SWITCHES.map((s) => ({ key: s.key, title: s.title, note: s.note, on: s.readFrom(room) ?? memory.switches[s.key] ?? false, busy: false, error: '' }))
}

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`

/** A price as a viewer sees it; `unit` says whether the source gives fen (getLiveInfo) or yuan (goodsList). */
export function priceText(g: { priceType: number; price: number; price2?: number }, unit: 'fen' | 'yuan'): string {
  const fen = (v: number) => (unit === 'fen' ? v : Math.round(v * 100))
  if (g.priceType === rules.PriceType.Range && g.price2 !== undefined) return `${yuan(fen(g.price))}–${yuan(fen(g.price2))}`
  if (g.priceType === rules.PriceType.Discount && g.price2 !== undefined) return `${yuan(fen(g.price2))}（原价 ${yuan(fen(g.price))}）`
  return yuan(fen(g.price))
}

/** The room's goods as rows; goods are on sale once imported, so a flag this phone never set reads as on sale. */
export function goodsRows(room: LiveInfoRoom, memory: RoomMemory): GoodsRow[] {
  return (room.goods ?? []).map((g) => ({
    goodsId: g.goodsId,
    name: g.name,
    coverImg: g.coverImg,
    priceText: priceText(g, 'fen'),
    onSale: memory.sale[String(g.goodsId)] ?? 1,
    busy: '',
    videoUrl: '',
  }))
}

const STATUS_NAMES = Object.keys(rules.LiveStatus) as (keyof typeof rules.LiveStatus)[]

export interface RoomHead {
  roomId: number
  name: string
  anchorName: string
  liveStatus: number
  statusText: string
  isLive: boolean
  /** 1 pushed from a streaming tool (has a push URL), 0 from the phone. */
  liveType: number
}

export function roomHead(room: LiveInfoRoom): RoomHead {
  const name = STATUS_NAMES.find((n) => rules.LiveStatus[n] === room.liveStatus)
  return {
    roomId: room.roomid,
    name: room.name,
    anchorName: room.anchorName,
    liveStatus: room.liveStatus,
    statusText: name ? rules.LIVE_STATUS_TEXT[name].zh : `状态 ${room.liveStatus}`,
    isLive: room.liveStatus === rules.LiveStatus.live,
    liveType: room.liveType ?? 0,
  }
}

/** A warehouse item as goodsList answers it, with the audit state of the list it came from. */
export interface WarehouseGoods {
  goodsId: number
  name: string
  coverImgUrl: string
  priceType: number
  price: number
  price2?: number
  auditStatus: number
}

export interface PickRow {
  goodsId: number
  name: string
  coverImgUrl: string
  priceText: string
  auditText: string
  selectable: boolean
  /** Why it cannot be picked; '' when it can. */
  reason: string
  picked: boolean
}

const AUDIT_TEXT: Record<number, { text: string; reason: string }> = {
  [rules.AuditStatus.NotAudited]: { text: '未提审', reason: '还没提交审核，请先在商品库提交审核' },
  [rules.AuditStatus.UnderReview]: { text: '审核中', reason: '审核中，审核通过后才能导入' },
  [rules.AuditStatus.Approved]: { text: '已通过', reason: '' },
  [rules.AuditStatus.Rejected]: { text: '已驳回', reason: '审核被驳回，请在商品库修改后重新提审' },
}

/** The picker's rows: approved goods not yet in the room are selectable first; the rest greyed with the reason. */
export function pickRows(warehouse: readonly WarehouseGoods[], inRoom: readonly number[], picked: readonly number[] = []): PickRow[] {
  const here = new Set(inRoom)
  const chosen = new Set(picked)
  const rows = warehouse.map((g) => {
    const audit = AUDIT_TEXT[g.auditStatus] ?? { text: `审核状态 ${g.auditStatus}`, reason: '审核状态未知，请在商品库刷新' }
    const reason = here.has(g.goodsId) ? '已在直播间' : audit.reason
    return {
      goodsId: g.goodsId,
      name: g.name,
      coverImgUrl: g.coverImgUrl,
      priceText: priceText(g, 'yuan'),
      auditText: audit.text,
      selectable: reason === '',
      reason,
      picked: reason === '' && chosen.has(g.goodsId),
    }
  })
  return [...rows.filter((r) => r.selectable), ...rows.filter((r) => !r.selectable)]
}

/** The ids after moving the one at `index` by `delta` places; null when it would leave the list. */
export function moved(ids: readonly number[], index: number, delta: -1 | 1): number[] | null {
  const to = index + delta
  if (index < 0 || index >= ids.length || to < 0 || to >= ids.length) return null
  const out = [...ids]
  const [id] = out.splice(index, 1)
  out.splice(to, 0, id as number)
  return out
}

/** The rows in the order of `ids` (the order goodsSort answered). */
export function inOrder<T extends { goodsId: number }>(rows: readonly T[], ids: readonly number[]): T[] {
  const byId = new Map(rows.map((r) => [r.goodsId, r]))
  return ids.map((id) => byId.get(id)).filter((r): r is T => r !== undefined)
}

/** How often the open console re-reads the room: a minute-old status is fresh enough, and getLiveInfo's daily quota is shared with the viewers' sync. */
export const REFRESH_EVERY_MS = 60_000

/** Milliseconds before the room may be re-read again; 0 when it may now. */
export function refreshWaitMs(lastMs: number | null, nowMs: number, everyMs = REFRESH_EVERY_MS): number {
  if (lastMs === null) return 0
  const elapsed = nowMs - lastMs
  // a clock moved backwards (the phone's time changed) counts as just refreshed rather than never
  if (elapsed < 0) return everyMs
  return Math.max(0, everyMs - elapsed)
}

export function waitText(ms: number): string {
  return `刚刚刷新过，请 ${Math.ceil(ms / 1000)} 秒后再刷新`
}

/** A room id from the page's query: a positive integer, else null. */
export function roomIdFrom(query: Record<string, string | undefined> | undefined): number | null {
  const raw = query?.roomId ?? ''
  if (!/^[1-9]\d{0,9}$/.test(raw)) return null
  return Number(raw)
}

/** The first problem per form field, keyed by the form's own field name (`users.0.username` → `username`). */
export function fieldErrors(problems: Record<string, { zh: string }>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [path, p] of Object.entries(problems)) {
    const field = path.split('.').pop() ?? path
    if (!(field in out)) out[field] = p.zh
  }
  return out
}
