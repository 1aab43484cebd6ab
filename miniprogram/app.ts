/** App entry: cloud init (env id in config.ts), entry attribution, statistics flushed when hidden. Thin: the logic is in services/. */
import { LIVE_SETUP } from './generated/live-setup'
import { initCloud } from './services/cloud'
import { recordAppShow, type AppShowOptions, type ShareParams } from './services/attribution'
import { getShareParams } from './services/live-plugin'
import { flushTracking, resumeTracking } from './services/track'

/** Without Mini Program Live the plugin is not declared, so there is nothing to ask: the query's channel stands. */
const noShareParams = (): Promise<ShareParams> => Promise.resolve({})

App({
  onLaunch() {
    initCloud()
    resumeTracking()
  },
  onShow(options: AppShowOptions) {
    void recordAppShow(options, LIVE_SETUP.miniProgramLive ? getShareParams : noShareParams, Date.now())
  },
  onHide() {
    void flushTracking()
  },
})
