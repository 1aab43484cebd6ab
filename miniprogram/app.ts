/** App entry: cloud init (env id in config.ts) and entry attribution. Thin: the logic is in services/. */
import { initCloud } from './services/cloud'
import { recordAppShow, type AppShowOptions } from './services/attribution'
import { getShareParams } from './services/live-plugin'

App({
  onLaunch() {
    initCloud()
  },
  onShow(options: AppShowOptions) {
    void recordAppShow(options, getShareParams, Date.now())
  },
})
