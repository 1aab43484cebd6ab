/**
 * The room's own settings from the console: its switches, assistants, sub-anchor, push URL and share code,
 * and saving an image of it (the share code, the poster) to the phone's album.
 */
import * as rules from '../generated/rules'
import type { SwitchDef } from '../utils/console-view'
import { runAdmin } from './call'

/** Turns a room switch on or off through the action that owns it. */
export function setSwitch(roomId: number, def: SwitchDef, on: boolean): Promise<unknown> {
  return runAdmin(def.action, { roomId, [def.param]: def.valueFor(on) })
}

export interface Assistant {
  alias: string
  nickname: string
  headimg: string
}

export interface Assistants {
  list: Assistant[]
  count: number
  maxCount: number
}

export async function listAssistants(roomId: number): Promise<Assistants> {
  const data = await runAdmin<{ list: Assistant[]; count: number; maxCount: number }>('getAssistantList', { roomId })
  return { list: (data.list ?? []).map((a) => ({ alias: a.alias, nickname: a.nickname, headimg: a.headimg })), count: data.count, maxCount: data.maxCount }
}

export function addAssistant(roomId: number, username: string, nickname: string): Promise<unknown> {
  return runAdmin('addAssistant', { roomId, users: [{ username, nickname }] })
}

export function modifyAssistant(roomId: number, username: string, nickname: string): Promise<unknown> {
  return runAdmin('modifyAssistant', { roomId, username, nickname })
}

export function removeAssistant(roomId: number, username: string): Promise<unknown> {
  return runAdmin('removeAssistant', { roomId, username })
}

/** The form's problems per field before an assistant is added or renamed (the rules liveAdmin applies). */
export function assistantProblems(mode: 'add' | 'modify', roomId: number, username: string, nickname: string, nowSeconds: number) {
  return mode === 'add'
    ? rules.formProblems('addAssistant', { roomId, users: [{ username, nickname }] }, nowSeconds)
    : rules.formProblems('modifyAssistant', { roomId, username, nickname }, nowSeconds)
}

/** The sub-anchor's WeChat ID, null when the room has none. */
export async function getSubAnchor(roomId: number): Promise<string | null> {
  const data = await runAdmin<{ username: string | null }>('getSubAnchor', { roomId })
  return data.username ?? null
}

/** Sets the sub-anchor: added when the room has none, changed otherwise. */
export function setSubAnchor(roomId: number, username: string, hasOne: boolean): Promise<unknown> {
  return runAdmin(hasOne ? 'modifySubAnchor' : 'addSubAnchor', { roomId, username })
}

export function subAnchorProblems(roomId: number, username: string, hasOne: boolean, nowSeconds: number) {
  return rules.formProblems(hasOne ? 'modifySubAnchor' : 'addSubAnchor', { roomId, username }, nowSeconds)
}

export function deleteSubAnchor(roomId: number): Promise<unknown> {
  return runAdmin('deleteSubAnchor', { roomId })
}

/** The RTMP push URL with its secret (push-type rooms only). */
export async function getPushUrl(roomId: number): Promise<string> {
  const data = await runAdmin<{ pushAddr: string }>('getPushUrl', { roomId })
  return data.pushAddr
}

export interface SharedCode {
  pagePath: string
  /** The mini-program code image. */
  cdnUrl: string
  /** The poster image; '' when the reply has none. */
  posterUrl: string
}

export async function getSharedCode(roomId: number): Promise<SharedCode> {
  const data = await runAdmin<{ pagePath: string; cdnUrl: string; posterUrl?: string }>('getSharedCode', { roomId })
  return { pagePath: data.pagePath, cdnUrl: data.cdnUrl, posterUrl: data.posterUrl ?? '' }
}

/** Why saving to the album did not happen, in the merchant's words. */
export class AlbumError extends Error {
  /** True when the user refused the album permission (the page then offers the settings). */
  readonly denied: boolean
  constructor(message: string, denied: boolean) {
    super(message)
    this.name = 'AlbumError'
    this.denied = denied
  }
}

// saveImageToPhotosAlbum fails with "auth deny"/"auth denied" when the album scope is refused
// (https://developers.weixin.qq.com/miniprogram/dev/api/media/image/wx.saveImageToPhotosAlbum.html)
const DENIED = /auth (deny|denied)|authorize|permission/i

/** Downloads an image and saves it to the album; rejects with an AlbumError saying what to do. */
export function saveImageToAlbum(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url,
      success: (res) => {
        if (res.statusCode !== 200 || !res.tempFilePath) {
          reject(new AlbumError(`图片没有下载成功（HTTP ${res.statusCode}），请稍后重试`, false))
          return
        }
        wx.saveImageToPhotosAlbum({
          filePath: res.tempFilePath,
          success: () => resolve(),
          fail: (err) => {
            if (/cancel/i.test(err.errMsg)) reject(new AlbumError('已取消保存', false))
            else if (DENIED.test(err.errMsg)) reject(new AlbumError('没有保存到相册的权限：请在设置里允许「添加到相册」后再保存', true))
            else reject(new AlbumError(`没有保存到相册（${err.errMsg}）`, false))
          },
        })
      },
      fail: (err) => reject(new AlbumError(`图片没有下载成功（${err.errMsg}），请检查网络后重试`, false)),
    })
  })
}
