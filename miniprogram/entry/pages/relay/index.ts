/**
 * The relay page every QR code and link opens (a plugin page cannot be their target): it records the landing
 * under the link's channel code, then sends the viewer into the plugin's room with that code in custom_params, or
 * to our own room page when the room is not on air (the plugin shows only started rooms) or the mini-program no longer
 * has Mini Program Live.
 */
import { adoptChannel } from '../../../services/attribution'
import { getRoom } from '../../../services/rooms'
import { trackEnter, trackLand } from '../../../services/track'
import { enterRoomUrl, pathWithQuery } from '../../../utils/share'
import { LiveStatus } from '../../../utils/status'
import { RELAY_PAGE } from '../../../generated/stats'
import { LIVE_SETUP } from '../../../generated/live-setup'
import { relayTarget, type RelayTarget } from '../../utils/relay'

/** Statuses the plugin's room shows; anything else is our room page's to explain (countdown, replay, closed). */
const ON_AIR: readonly number[] = [LiveStatus.live, LiveStatus.paused, LiveStatus.abnormal]

const targets = new WeakMap<object, RelayTarget>()

Component({
  data: {
    status: 'loading' as 'loading' | 'invalid' | 'entered',
    message: '',
  },
  methods: {
    async onLoad(options: Record<string, string | undefined>) {
      const target = relayTarget(options || {})
      if (!target) {
        const shown = options && (options.scene !== undefined ? `scene=${options.scene}` : `roomId=${options.roomId ?? ''}&ch=${options.ch ?? ''}`)
        this.setData({ status: 'invalid', message: `链接参数不正确（${shown}），请向商家索取新的二维码或链接` })
        return
      }
      targets.set(this, target)
      adoptChannel(target.code)
      trackLand(target.roomId, target.code)
      // Without Mini Program Live the plugin is not declared: the room page explains the room is gone, reading nothing.
      if (!LIVE_SETUP.miniProgramLive) {
        wx.redirectTo({ url: `/pages/room/index?roomId=${target.roomId}` })
        return
      }
      let liveStatus: number | null = null
      try {
        const room = await getRoom(target.roomId)
        liveStatus = room ? room.liveStatus : null
      } catch (err) {
        console.warn('[relay] room read failed; the room page will retry', err)
      }
      if (liveStatus !== null && ON_AIR.includes(liveStatus)) this.enter()
      else wx.redirectTo({ url: `/pages/room/index?roomId=${target.roomId}` })
    },

    enter() {
      const target = targets.get(this)
      if (!target) return
      const path = pathWithQuery(RELAY_PAGE, { roomId: target.roomId, ch: target.code })
      wx.navigateTo({ url: enterRoomUrl(target.roomId, { channel: target.code, path }) })
      trackEnter(target.roomId, target.code)
      this.setData({ status: 'entered', message: '已为你打开直播间' })
    },

    onAgain() {
      this.enter()
    },

    onHome() {
      wx.reLaunch({ url: '/pages/home/index' })
    },
  },
})
