/** The room form's key-value store on the phone: wx storage, where a full or unavailable storage never breaks the form. */
import type { KeyValueStore } from './room-form'

export const wxStore: KeyValueStore = {
  get(key) {
    try {
      return wx.getStorageSync(key)
    } catch {
      return null
    }
  },
  set(key, value) {
    try {
      wx.setStorageSync(key, value)
    } catch {
      // Storage full or unavailable: the form still works, it just will not be resumed.
    }
  },
  remove(key) {
    try {
      wx.removeStorageSync(key)
    } catch {
      // Nothing to do: a draft that cannot be removed is overwritten by the next one.
    }
  },
}
