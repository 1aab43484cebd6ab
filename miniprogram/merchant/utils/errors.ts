/** How a merchant page tells what went wrong: the function's own sentence (Chinese), errcode kept for support. */
import { AdminError } from '../services/call'

export function errorText(e: unknown): string {
  if (e instanceof AdminError) return e.text
  const msg = (e as { errMsg?: string; message?: string } | null)?.errMsg ?? (e as Error | null)?.message
  return msg ? `操作没有完成：${msg}` : '操作没有完成，请重试'
}

/** A modal with the error (long sentences stay readable, unlike a toast). */
export function showError(e: unknown, title = '没有成功'): void {
  wx.showModal({ title, content: errorText(e), showCancel: false, confirmText: '知道了' })
}

/** The field a refusal names (`goodsInfo.price2`), for the form to mark; undefined when it names none. */
export function errorField(e: unknown): string | undefined {
  return e instanceof AdminError ? e.field : undefined
}
