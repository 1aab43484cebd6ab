/**
 * What the console set on a room that the platform never reports back (getLiveInfo lists neither the goods'
 * sale flags nor the comment ban), kept in wx storage so the console shows it again when reopened.
 */
import { EMPTY_MEMORY, type RoomMemory, type SaleState, type SwitchKey } from './console-view'

const key = (roomId: number): string => `merchant.console.${roomId}`

/** The room's memory; an absent or damaged entry reads as empty. */
export function readMemory(roomId: number): RoomMemory {
  let raw: unknown
  try {
    raw = wx.getStorageSync(key(roomId))
  } catch {
    return { sale: {}, switches: {} }
  }
  const m = raw as Partial<RoomMemory> | null
  if (!m || typeof m !== 'object') return { sale: {}, switches: {} }
  const sale: Record<string, SaleState> = {}
  for (const [id, v] of Object.entries(m.sale ?? {})) if (v === 0 || v === 1) sale[id] = v
  const switches: RoomMemory['switches'] = {}
  for (const [k, v] of Object.entries(m.switches ?? {})) if (typeof v === 'boolean') switches[k as SwitchKey] = v
  return { ...EMPTY_MEMORY, sale, switches }
}

function write(roomId: number, m: RoomMemory): void {
  try {
    wx.setStorageSync(key(roomId), m)
  } catch {
    // storage full or unavailable: the console still works, it only forgets on reopening
  }
}

export function rememberSale(roomId: number, goodsId: number, onSale: SaleState): void {
  const m = readMemory(roomId)
  write(roomId, { ...m, sale: { ...m.sale, [String(goodsId)]: onSale } })
}

export function forgetGoods(roomId: number, goodsId: number): void {
  const m = readMemory(roomId)
  const sale = { ...m.sale }
  delete sale[String(goodsId)]
  write(roomId, { ...m, sale })
}

export function rememberSwitch(roomId: number, key: SwitchKey, on: boolean): void {
  const m = readMemory(roomId)
  write(roomId, { ...m, switches: { ...m.switches, [key]: on } })
}
