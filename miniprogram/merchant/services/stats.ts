/**
 * The dashboard's reads and exports through liveAdmin (clients cannot read the statistics collections), and what a
 * merchant does with an export's link: copy it, or download the file and forward it to a chat.
 * Reference: docs/ADMIN-API.md statsRooms, statsRoom, statsExport.
 */
import { runAdmin } from './call'
import type { StatsFigures, StatsKindCount } from '../generated/rules'

export interface Range {
  from: string
  to: string
}

interface ReadBound {
  from: string
  to: string
  /** The last day the figures cover entirely; null when not even the first day could be read within the bound. */
  through: string | null
  truncated: boolean
}

export interface RoomsStats extends ReadBound {
  /** `kind` channelsLive: the merchant's Channels live (roomId 0, it has no Live room). */
  rooms: Array<StatsFigures & { roomId: number; kind: 'miniProgramLive' | 'channelsLive'; name: string | null }>
  total: StatsFigures
}

export interface RoomStats extends ReadBound {
  room: { roomId: number; kind: 'miniProgramLive' | 'channelsLive'; name: string | null }
  total: StatsFigures
  kinds: StatsKindCount[]
  days: Array<StatsFigures & { day: string }>
  channels: Array<StatsFigures & { channel: string; name: string | null; builtin: boolean; kinds: StatsKindCount[] }>
}

export interface ExportLink {
  fileId: string
  cloudPath: string
  url: string
  /** When the link stops working (the function answers a Date, which reaches the phone as an ISO string). */
  expiresAt: string
  rows: number
  bytes: number
}

export function roomsStats(range: Range): Promise<RoomsStats> {
  return runAdmin<RoomsStats>('statsRooms', { from: range.from, to: range.to })
}

export function roomStats(roomId: number, range: Range): Promise<RoomStats> {
  return runAdmin<RoomStats>('statsRoom', { roomId, from: range.from, to: range.to })
}

/** Writes the CSV of the range's rooms, or of one room when `roomId` is given; its download link. */
export function exportStats(range: Range, roomId?: number): Promise<ExportLink> {
  return runAdmin<ExportLink>('statsExport', roomId === undefined ? { from: range.from, to: range.to } : { roomId, from: range.from, to: range.to })
}

export function copyLink(url: string): Promise<unknown> {
  return wx.setClipboardData({ data: url })
}

/** Downloads the export and opens WeChat's "send to chat" with it (https://developers.weixin.qq.com/miniprogram/dev/api/share/wx.shareFileMessage.html). */
export async function forwardExport(link: ExportLink): Promise<void> {
  const file = await new Promise<string>((resolve, reject) => {
    wx.downloadFile({
      url: link.url,
      success: (r) => (r.statusCode === 200 ? resolve(r.tempFilePath) : reject(new Error(`download answered ${r.statusCode}`))),
      fail: (e) => reject(new Error(e.errMsg)),
    })
  })
  await wx.shareFileMessage({ filePath: file, fileName: link.cloudPath.slice(link.cloudPath.lastIndexOf('/') + 1) })
}
