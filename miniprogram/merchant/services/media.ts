/**
 * Images a merchant picks (album or camera) go to cloud storage with their upload progress shown; the form then
 * sends the file ID and liveAdmin turns it into the platform's temporary media. One place for picking and uploading.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloud/reference-sdk-api/storage/uploadFile/client.uploadFile.html
 */

export interface PickedImage {
  path: string
  size: number
}

/** One image from the album or the camera; null when the merchant cancels. */
export function pickImage(): Promise<PickedImage | null> {
  return new Promise((resolve, reject) => {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      sizeType: ['compressed'],
      success: (res) => {
        const f = res.tempFiles[0]
        resolve(f ? { path: f.tempFilePath, size: f.size } : null)
      },
      fail: (err) => (/cancel/.test(err.errMsg) ? resolve(null) : reject(err)),
    })
  })
}

/** Where an upload goes: one folder per use, a name no other upload takes. */
export function cloudPathFor(folder: string, localPath: string, nowMs = Date.now()): string {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(localPath)?.[1]?.toLowerCase() ?? 'jpg'
  return `live-media/${folder}/${nowMs}-${Math.random().toString(36).slice(2, 10)}.${ext}`
}

/** Uploads a local file to `cloudPath`, telling `onProgress` the percentage sent; resolves the file ID. */
export function uploadToCloud(cloudPath: string, localPath: string, onProgress: (percent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const task = wx.cloud.uploadFile({
      cloudPath,
      filePath: localPath,
      success: (res) => {
        onProgress(100)
        resolve(res.fileID)
      },
      fail: reject,
    }) as unknown as WechatMiniprogram.UploadTask | undefined
    task?.onProgressUpdate((p) => onProgress(p.progress))
  })
}

/** Uploads an image the merchant picked into `folder`; resolves the file ID. */
export function uploadImage(localPath: string, folder: string, onProgress: (percent: number) => void): Promise<string> {
  return uploadToCloud(cloudPathFor(folder, localPath), localPath, onProgress)
}
