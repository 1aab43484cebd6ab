/** The merchant's rooms through liveAdmin: the whole list (getLiveInfo, page by page), create, edit, delete. */
import * as rules from '../generated/rules'
import type { LiveRoomInfo } from '../utils/room-view'
import { runAdmin } from './call'

/** getLiveInfo's largest page (its `limit` is at most 100). */
export const ROOM_PAGE = 100

/** Where listing stops even if `total` keeps growing: a merchant's rooms fit many times over. */
const MAX_PAGES = 50

interface LiveInfoReply {
  roomInfo?: LiveRoomInfo[]
  total?: number
}

export interface RoomWriteReply {
  roomId: number
  cache: 'written' | 'unchanged' | 'pending'
  textCheck?: { platform: string; zh: string; en: string; errcode?: number }
}

/**
 * Every room, read page by page until `total` is reached (the platform may answer fewer than `limit` a page);
 * 9410000 is how the platform says there are none.
 */
export async function listRooms(): Promise<LiveRoomInfo[]> {
  const rooms: LiveRoomInfo[] = []
  for (let page = 0; page < MAX_PAGES; page++) {
    let reply: LiveInfoReply
    try {
      reply = await runAdmin<LiveInfoReply>('getLiveInfo', { start: rooms.length, limit: ROOM_PAGE })
    } catch (e) {
      if (rules.isEmptyRoomList(e)) return rooms
      throw e
    }
    const got = reply.roomInfo ?? []
    rooms.push(...got)
    const total = typeof reply.total === 'number' ? reply.total : rooms.length
    if (got.length === 0 || rooms.length >= total) break
  }
  return rooms
}

/** One room as getLiveInfo lists it; null when the platform no longer lists it. */
export async function getRoom(roomId: number): Promise<LiveRoomInfo | null> {
  return (await listRooms()).find((r) => r.roomid === roomId) ?? null
}

export function createRoom(params: Record<string, unknown>): Promise<RoomWriteReply> {
  return runAdmin<RoomWriteReply>('createRoom', params)
}

export function editRoom(params: Record<string, unknown>): Promise<RoomWriteReply> {
  return runAdmin<RoomWriteReply>('editRoom', params)
}

export function deleteRoom(roomId: number): Promise<RoomWriteReply> {
  return runAdmin<RoomWriteReply>('deleteRoom', { id: roomId })
}
