/** The people pages' dialogs as promises (wx.showModal's callbacks, so every base library answers the same way). */

export interface Answer {
  confirm: boolean
  /** What was typed, for an editable dialog. */
  content: string
}

export function ask(o: { title: string; content?: string; editable?: boolean; placeholderText?: string; confirmText?: string }): Promise<Answer> {
  return new Promise((resolve) => {
    wx.showModal({
      ...o,
      success: (r) => resolve({ confirm: r.confirm === true, content: typeof r.content === 'string' ? r.content : '' }),
      fail: () => resolve({ confirm: false, content: '' }),
    })
  })
}
