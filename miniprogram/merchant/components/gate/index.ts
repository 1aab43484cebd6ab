/**
 * Shows the page's content (its slot) only once the gate is open; otherwise checking, the refusal, Mini Program Live
 * being off (a Live page), or an error with a retry.
 */
Component({
  options: { multipleSlots: false },
  properties: {
    state: { type: String, value: 'checking' },
    text: { type: String, value: '' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry')
    },
    onHome() {
      wx.reLaunch({ url: '/pages/home/index' })
    },
    onBackOffice() {
      wx.reLaunch({ url: '/merchant/pages/index/index' })
    },
  },
})
