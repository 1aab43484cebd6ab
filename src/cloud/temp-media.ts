/**
 * Images for Live come as temporary media_ids. The admin function receives cloud storage file IDs (what
 * `wx.cloud.uploadFile` gives the mini-program), downloads them with `cloud.downloadFile` and uploads them as
 * temporary media through the cloud call `customerServiceMessage.uploadTempMedia`.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/storage/downloadFile.html
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/kf-mgnt/kf-message/uploadTempMedia.html
 */
import type { MediaPort } from '../admin/types'
import { fromCloudError } from './openapi-transport'

/** The part of wx-server-sdk's `cloud` this adapter uses. */
export interface CloudMediaLike {
  downloadFile(o: { fileID: string }): Promise<{ fileContent: Uint8Array }>
  openapi: { customerServiceMessage: { uploadTempMedia(o: { type: 'image'; media: { contentType: string; value: Uint8Array } }): Promise<{ mediaId?: string }> } }
}

const TYPES: Readonly<Record<string, string>> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp' }

export function contentTypeOf(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? ''
  return TYPES[ext] ?? 'image/jpeg'
}

export function createCloudMedia(cloud: CloudMediaLike): MediaPort {
  return {
    async download(fileId) {
      const res = await cloud.downloadFile({ fileID: fileId })
      return { bytes: res.fileContent, name: fileId.slice(fileId.lastIndexOf('/') + 1) }
    },
    async uploadTemp(bytes, name) {
      let res: { mediaId?: string }
      try {
        res = await cloud.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: contentTypeOf(name), value: bytes } })
      } catch (e) {
        throw fromCloudError({ id: 'uploadTempMedia' } as Parameters<typeof fromCloudError>[0], e)
      }
      if (typeof res.mediaId !== 'string' || res.mediaId === '') throw new Error('uploadTempMedia answered without a mediaId')
      return res.mediaId
    },
  }
}
