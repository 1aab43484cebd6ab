/**
 * Every bound and rule of the emulator's cloud storage, in one place: the engine, the `/admin` storage actions, the
 * client channel, the upload and download routes and docs/EMULATOR.md all read them from here.
 */

/** Largest file one upload may carry: the emulator's own bound, ample for room and goods images and import files. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024
/** All files together: keeps a runaway test from filling the disk (or, in memory, the heap). */
export const MAX_TOTAL_BYTES = 1024 * 1024 * 1024
/** Files kept at once, so zero-byte uploads cannot grow the index without bound either. */
export const MAX_FILES = 100_000
/** fileIDs one getTempFileURL or deleteFile call may name: https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/storage/Cloud.deleteFile.md */
export const MAX_FILES_PER_CALL = 50
/** A temporary URL lasts one day unless asked shorter, and never longer: https://developers.weixin.qq.com/minigame/en/dev/wxcloud/reference-client-api/storage/getTempFileURL.html */
export const TEMP_URL_MAX_AGE_SECONDS = 86_400
/** How long the upload URL that `storage.getUploadMetadata` hands out may be used. */
export const UPLOAD_URL_MAX_AGE_SECONDS = 600
/** The cloudPath bound: https://developers.weixin.qq.com/minigame/en/dev/wxcloud/guide/storage/naming.html (850 bytes encoded). */
export const CLOUD_PATH_MAX_BYTES = 850

/**
 * Characters the naming rules say not to use (`` ` ^ " \ { } [ ] ~ % # > < ``), plus `?`, which would end the path
 * of every URL the file is served at; refused, so a path that would misbehave on CloudBase fails here first.
 */
const FORBIDDEN_CHARACTERS = new Set('`^"\\{}[]~%#<>?')

/** Why a cloudPath breaks the naming rules (a sentence starting with the field), or null when it keeps them. */
export function cloudPathProblem(cloudPath: unknown, field = 'cloudPath'): string | null {
  if (typeof cloudPath !== 'string') return `${field}: must be a string such as "goods/cover.png"`
  if (cloudPath === '') return `${field}: must not be empty`
  if (cloudPath.startsWith('/')) return `${field}: must not start with "/" (it is relative to the storage root)`
  if (cloudPath.includes('//')) return `${field}: must not contain "//"`
  if (cloudPath.endsWith('/')) return `${field}: must name a file, not end with "/"`
  if (/[\uD800-\uDFFF]/u.test(cloudPath)) return `${field}: contains a lone UTF-16 surrogate, which has no UTF-8 encoding`
  const bytes = Buffer.byteLength(cloudPath, 'utf8')
  if (bytes > CLOUD_PATH_MAX_BYTES) return `${field}: is ${bytes} bytes of UTF-8; at most ${CLOUD_PATH_MAX_BYTES}`
  for (const segment of cloudPath.split('/')) {
    if (segment === '.' || segment === '..') return `${field}: must not contain a "${segment}" segment (no path traversal)`
  }
  for (const ch of cloudPath) {
    const code = ch.codePointAt(0)!
    // C0 controls (NUL, CAN, EM, SUB, ESC among them), DEL and the C1 controls
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `${field}: contains control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
    if (FORBIDDEN_CHARACTERS.has(ch)) return `${field}: must not contain ${JSON.stringify(ch)} (not allowed in cloud storage names)`
  }
  return null
}
