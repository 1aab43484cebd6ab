/**
 * A QR code as a PNG file, for the sandbox's `wxacode.getUnlimited`: the modules come from qrcode-generator (MIT,
 * no dependencies), the PNG is written here (signature, IHDR, one zlib IDAT, IEND, each chunk with its CRC-32), so
 * any image reader opens it and any phone scans it. https://www.w3.org/TR/png-3/
 */
import { deflateSync } from 'node:zlib'
import qrcode from 'qrcode-generator'

export interface QrPngOptions {
  /** Side in pixels. */
  width: number
  /** Module colour (WeChat's `line_color`); black by default. */
  color?: { r: number; g: number; b: number }
  /** A transparent background (WeChat's `is_hyaline`): RGBA instead of RGB. */
  transparent?: boolean
}

/** Quiet zone around the code, in modules (the QR specification asks for 4). */
const QUIET = 4

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The QR code of `text` (UTF-8, error correction M) drawn `width` pixels square. */
export function qrPng(text: string, options: QrPngOptions): Buffer {
  const qr = qrcode(0, 'M')
  qr.addData(text, 'Byte')
  qr.make()
  const modules = qr.getModuleCount()
  const span = modules + 2 * QUIET
  const { width } = options
  const color = options.color ?? { r: 0, g: 0, b: 0 }
  const channels = options.transparent ? 4 : 3
  const row = 1 + width * channels
  const raw = Buffer.alloc(row * width)
  // Which module each pixel column and row falls in, computed once.
  const cell = Int32Array.from({ length: width }, (_, p) => Math.floor((p * span) / width) - QUIET)
  for (let y = 0; y < width; y++) {
    const base = y * row
    raw[base] = 0 // filter: none
    const my = cell[y]
    for (let x = 0; x < width; x++) {
      const mx = cell[x]
      const dark = my >= 0 && my < modules && mx >= 0 && mx < modules && qr.isDark(my, mx)
      const at = base + 1 + x * channels
      if (dark) {
        raw[at] = color.r
        raw[at + 1] = color.g
        raw[at + 2] = color.b
        if (channels === 4) raw[at + 3] = 255
      } else if (channels === 3) {
        raw[at] = raw[at + 1] = raw[at + 2] = 255
      } // transparent: all four stay 0
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(width, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = channels === 4 ? 6 : 2 // colour type: RGBA or RGB
  ihdr[10] = 0 // deflate
  ihdr[11] = 0 // adaptive filtering
  ihdr[12] = 0 // no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
