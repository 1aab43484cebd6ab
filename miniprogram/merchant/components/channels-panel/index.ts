/**
 * The merchant's Channels live (视频号直播) at a glance on the back office's front page: the account the shop was
 * built with, whether viewers reach it, and each problem their phones reported with what to do. Reads liveAdmin's
 * channelsStatus once when shown; 刷新 asks again.
 */
import { channelsStatus } from '../../services/channels-status'
import { errorText } from '../../utils/errors'
import { panelView, type PanelView } from '../../utils/channels-view'

Component({
  data: {
    loading: true,
    loadError: '',
    view: null as PanelView | null,
  },
  lifetimes: {
    attached() {
      void this.load()
    },
  },
  methods: {
    async load() {
      this.setData({ loading: true, loadError: '' })
      try {
        this.setData({ view: panelView(await channelsStatus()) })
      } catch (e) {
        this.setData({ loadError: errorText(e), view: null })
      } finally {
        this.setData({ loading: false })
      }
    },
    onRefresh() {
      void this.load()
    },
  },
})
