/**
 * Signatures for the URLs the storage hands out (temporary download URLs, upload URLs): an HMAC-SHA256 over what the
 * URL grants and until when, keyed by a secret only the emulator knows, so a URL cannot be guessed or altered. With
 * a data directory the key is kept there (`storage/signing.key`), so URLs given out before a restart still work.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LoadProblem, moveAside, writeFileAtomicSync } from '../durable'

const KEY_HEX = /^[0-9a-f]{64}$/

export class UrlSigner {
  private constructor(private readonly key: Buffer) {}

  /** A fresh key in memory, or the one kept in `dir` (created when missing, replaced when unreadable). */
  static open(dir: string | null, onLoadProblem?: (p: LoadProblem) => void): UrlSigner {
    if (!dir) return new UrlSigner(randomBytes(32))
    const file = join(dir, 'signing.key')
    let text: string | null = null
    try {
      text = readFileSync(file, 'utf8').trim()
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    if (text !== null && KEY_HEX.test(text)) return new UrlSigner(Buffer.from(text, 'hex'))
    if (text !== null) {
      onLoadProblem?.({
        file,
        problem: 'not a 64-hex-digit key',
        keptAt: moveAside(file),
        recovery: 'A new key was made: storage URLs handed out before this start no longer work; ask for new ones.',
      })
    }
    const key = randomBytes(32)
    writeFileAtomicSync(file, key.toString('hex'))
    return new UrlSigner(key)
  }

  /** base64url HMAC of the parts (as a JSON array, so no two lists of parts sign the same text). */
  sign(parts: readonly string[]): string {
    return createHmac('sha256', this.key).update(JSON.stringify(parts)).digest('base64url')
  }

  verify(parts: readonly string[], signature: string): boolean {
    const expected = Buffer.from(this.sign(parts))
    const given = Buffer.from(signature)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
}
