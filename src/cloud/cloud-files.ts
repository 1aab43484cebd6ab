/**
 * Cloud storage for files the admin function writes (QR codes, CSV exports): `cloud.uploadFile` with the bytes, and
 * `cloud.getTempFileURL` for links a merchant can open or forward.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/storage/uploadFile.html
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/storage/getTempFileURL.html
 */
import type { FilePort } from '../admin/types'

/** The part of wx-server-sdk's `cloud` this adapter uses. */
export interface CloudFilesLike {
  uploadFile(o: { cloudPath: string; fileContent: Uint8Array }): Promise<{ fileID: string }>
  getTempFileURL(o: { fileList: Array<{ fileID: string; maxAge: number }> }): Promise<{ fileList: Array<{ fileID: string; tempFileURL?: string; status?: number }> }>
}

export function createCloudFiles(cloud: CloudFilesLike): FilePort {
  return {
    async upload(cloudPath, bytes) {
      const res = await cloud.uploadFile({ cloudPath, fileContent: Buffer.from(bytes) })
      if (typeof res.fileID !== 'string' || res.fileID === '') throw new Error('uploadFile answered without a fileID')
      return res.fileID
    },
    async tempUrls(fileIds, maxAgeS) {
      if (fileIds.length === 0) return []
      const res = await cloud.getTempFileURL({ fileList: fileIds.map((fileID) => ({ fileID, maxAge: maxAgeS })) })
      const byId = new Map(res.fileList.map((f) => [f.fileID, f]))
      return fileIds.map((fileId) => {
        const f = byId.get(fileId)
        return { fileId, url: f && f.status === 0 && typeof f.tempFileURL === 'string' && f.tempFileURL !== '' ? f.tempFileURL : null }
      })
    },
  }
}
