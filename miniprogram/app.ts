/** App entry: cloud init (env id in config.ts), entry attribution, statistics flushed when hidden. Thin: the logic is in services/. */
import { initCloud } from './services/cloud'
import { recordAppShow, type AppShowOptions } from './services/attribution'
import { getShareParams } from './services/live-plugin'
import { flushTracking, resumeTracking } from './services/track'

App({
  onLaunch() {
    initCloud()
    resumeTracking()
  },
  onShow(options: AppShowOptions) {
    void recordAppShow(options, getShareParams, Date.now())
  },
  onHide() {
    void flushTracking()
  },
})
