/**
 * Images as Live wants them: a temporary media_id. The merchant's mini-program may send either a media_id it
 * already has, or the cloud storage file ID `wx.cloud.uploadFile` gave it; a file ID is downloaded and uploaded as
 * temporary media once, and the media_id is kept per file in `live_media` until it nears the end of its 3 days.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/storage/downloadFile.html
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/kf-mgnt/kf-message/uploadTempMedia.html
 */
import { createHash } from 'node:crypto'
import { TEMP_MEDIA_TTL_SECONDS, type RuleProblem } from '../live/rules'
import { fail, ruleFailure } from './reply'
import { ADMIN_COLLECTIONS } from './store'
import type { ActionContext } from './types'

/** A cloud storage file ID: `cloud://<env>.<bucket>/<path>`. */
const CLOUD_FILE_ID = /^cloud:\/\/[^/\s]+\/\S+$/

/** Time kept back from the 3-day validity: an id this close to expiry is uploaded again rather than sent. */
export const MEDIA_REUSE_MARGIN_SECONDS = 6 * 3600

/** How long a cached media_id is sent again after its upload. */
export const MEDIA_REUSE_SECONDS = TEMP_MEDIA_TTL_SECONDS - MEDIA_REUSE_MARGIN_SECONDS

export function isCloudFileId(value: string): boolean {
  return value.startsWith('cloud://')
}

/** One `live_media` document: the file it came from, its media_id and when that was uploaded. */
export interface MediaCacheEntry {
  fileId: string
  mediaId: string
  uploadedAt: Date
  bytes: number
}

/** `_id` of a file's cache entry: file IDs hold `/` and may be long, a digest is neither. */
export function mediaCacheId(fileId: string): string {
  return createHash('sha256').update(fileId).digest('hex').slice(0, 40)
}

/** What a storage error says about the file: node-sdk reports a missing one as STORAGE_FILE_NONEXIST (-503003). */
function isMissingFile(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false
  const rec = e as Record<string, unknown>
  if (rec.code === 'STORAGE_FILE_NONEXIST' || rec.errCode === -503003 || rec.status === -503003) return true
  const text = [rec.errMsg, rec.message].filter((t): t is string => typeof t === 'string').join(' ')
  return /STORAGE_FILE_NONEXIST|file not exist|-503003/i.test(text)
}

async function cachedEntry(ctx: ActionContext, fileId: string): Promise<MediaCacheEntry | null> {
  const [doc] = await ctx.ports.docs.find(ADMIN_COLLECTIONS.media, { _id: mediaCacheId(fileId) }, { limit: 1 })
  if (!doc || doc.fileId !== fileId || typeof doc.mediaId !== 'string' || !(doc.uploadedAt instanceof Date)) return null
  return { fileId, mediaId: doc.mediaId, uploadedAt: doc.uploadedAt, bytes: typeof doc.bytes === 'number' ? doc.bytes : 0 }
}

/** Whether a cached entry may still be sent at `nowMs`; an upload stamped ahead of now (another instance's clock) is fresh. */
export function isReusable(entry: MediaCacheEntry, nowMs: number): boolean {
  return nowMs - entry.uploadedAt.getTime() < MEDIA_REUSE_SECONDS * 1000
}

export interface ResolvedImage {
  mediaId: string
  /** given: the input was a media_id; cached: a still-valid upload of this file; uploaded: uploaded now. */
  source: 'given' | 'cached' | 'uploaded'
}

/**
 * The media_id to send for `field`: the value itself when it is not a file ID, else the file's cached media_id
 * while reusable, else a fresh upload (recorded only once the upload succeeded). `checkBytes` is the size rule of
 * the field, checked on the downloaded bytes before any upload.
 */
export async function resolveImage(
  ctx: ActionContext,
  field: string,
  value: string,
  checkBytes: (bytes: number) => RuleProblem | null,
): Promise<ResolvedImage> {
  if (!isCloudFileId(value)) return { mediaId: value, source: 'given' }
  if (!CLOUD_FILE_ID.test(value)) {
    fail('invalid_argument', { zh: `${field}：云存储文件 ID 须为 cloud://<环境>.<存储桶>/<路径>`, en: `${field}: a cloud storage file ID is cloud://<env>.<bucket>/<path>` }, { field })
  }
  const { media, docs, nowMs } = ctx.ports
  if (!media) {
    fail('not_configured', { zh: `${field}：此函数未配置云存储图片转换，请传 media_id`, en: `${field}: this function cannot turn cloud storage files into media; send a media_id` }, { field })
  }
  const cached = await cachedEntry(ctx, value)
  if (cached && isReusable(cached, nowMs())) return { mediaId: cached.mediaId, source: 'cached' }

  let file: { bytes: Uint8Array; name: string }
  try {
    file = await media.download(value)
  } catch (e) {
    if (isMissingFile(e)) {
      fail('invalid_argument', { zh: `${field}：云存储中没有这个文件（${value}）`, en: `${field}: no such file in cloud storage (${value})` }, { field })
    }
    fail('unavailable', { zh: `${field}：暂时无法读取云存储文件，请稍后重试`, en: `${field}: cloud storage could not be read; retry later` }, { field })
  }
  const problem = checkBytes(file.bytes.length)
  if (problem) throw ruleFailure(problem)
  const mediaId = await media.uploadTemp(file.bytes, file.name)
  const entry: MediaCacheEntry = { fileId: value, mediaId, uploadedAt: new Date(nowMs()), bytes: file.bytes.length }
  try {
    await docs.set(ADMIN_COLLECTIONS.media, mediaCacheId(value), { ...entry })
  } catch {
    // The upload stands; without the entry the next use uploads the file again.
  }
  return { mediaId, source: 'uploaded' }
}
