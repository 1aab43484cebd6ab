/**
 * One room (reached from shares, reminders and upcoming cards): the card, a countdown, the start reminder,
 * and "enter". It asks the plugin for the live status at most once a minute and keeps the card (and the
 * device's freshness hint) in step with what the plugin says.
 */
import { LIVE_STATUS_POLL_MS } from '../../config'
import { LIVE_SETUP } from '../../generated/live-setup'
import { entryChannel } from '../../services/attribution'
import { getLiveStatus, liveStatusWaitMs } from '../../services/live-plugin'
import { isOffline } from '../../services/network'
import { getRoom, type RoomDetail } from '../../services/rooms'
import { rememberStatus } from '../../services/status-hints'
import { track, trackEnter } from '../../services/track'
import { countdownText } from '../../utils/format'
import { CustomParamsTooLong, encodeCustomParams, enterRoomUrl, pathWithQuery, shareHome, shareRoom } from '../../utils/share'
import { LiveStatus, badgeOf, closedRoomText } from '../../utils/status'

const ROOM_PATH = 'pages/room/index'

interface Runtime {
  roomId: number
  query: Record<string, string>
  poll: ReturnType<typeof setTimeout> | null
  ticker: ReturnType<typeof setInterval> | null
  active: boolean
}

const runtimes = new WeakMap<object, Runtime>()

function runtimeOf(page: object): Runtime {
  let rt = runtimes.get(page)
  if (!rt) {
    rt = { roomId: 0, query: {}, poll: null, ticker: null, active: false }
    runtimes.set(page, rt)
  }
  return rt
}

function stopTimers(rt: Runtime): void {
  rt.active = false
  if (rt.poll) clearTimeout(rt.poll)
  if (rt.ticker) clearInterval(rt.ticker)
  rt.poll = null
  rt.ticker = null
}

Component({
  properties: {
    roomId: { type: String, value: '' },
  },
  data: {
    status: 'loading' as 'loading' | 'ready' | 'missing' | 'invalid' | 'error' | 'offline',
    errorText: '',
    room: null as RoomDetail | null,
    subscribeParams: '',
    enterError: '',
    checkedText: '',
  },
  lifetimes: {
    detached() {
      stopTimers(runtimeOf(this))
    },
  },
  pageLifetimes: {
    show() {
      const rt = runtimeOf(this)
      if (rt.roomId > 0 && !rt.active) this.startTimers()
    },
    hide() {
      stopTimers(runtimeOf(this))
    },
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      const rt = runtimeOf(this)
      // Mini Program Live is off (an old shared link): no cache read, no plugin, just the way home.
      if (!LIVE_SETUP.miniProgramLive) {
        this.setData({ status: 'offline' })
        return
      }
      const clean: Record<string, string> = {}
      for (const key of Object.keys(query || {})) {
        const value = query[key]
        if (typeof value === 'string') clean[key] = value
      }
      rt.query = clean
      const roomId = Number(clean.roomId)
      if (!Number.isInteger(roomId) || roomId <= 0) {
        this.setData({ status: 'invalid', errorText: `房间号无效：${clean.roomId ?? '（缺少 roomId）'}` })
        return
      }
      rt.roomId = roomId
      await this.load()
      this.startTimers()
    },

    pagePath(): string {
      return pathWithQuery(ROOM_PATH, runtimeOf(this).query)
    },

    async load() {
      const rt = runtimeOf(this)
      try {
        const room = await getRoom(rt.roomId)
        if (!room) {
          this.setData({ status: 'missing', room: null })
          return
        }
        let subscribeParams = ''
        try {
          subscribeParams = encodeCustomParams({ channel: entryChannel(), path: this.pagePath() })
        } catch {
          subscribeParams = '' // too long for the plugin: the reminder goes without attribution
        }
        this.setData({ status: 'ready', room, subscribeParams, errorText: '' })
      } catch (err) {
        const offline = await isOffline()
        this.setData({ status: 'error', errorText: offline ? '网络不可用，请检查网络后重试' : '加载失败，请稍后重试' })
        console.warn('[room] load failed', err)
      }
    },

    startTimers() {
      const rt = runtimeOf(this)
      stopTimers(rt)
      rt.active = true
      rt.ticker = setInterval(() => this.tickCountdown(), 1000)
      // The wait is kept per room app-wide, so hide/show or reopening the page cannot ask sooner.
      rt.poll = setTimeout(() => void this.pollStatus(), liveStatusWaitMs(rt.roomId, Date.now()))
    },

    /** Ask the plugin, then schedule the next ask a minute later (never sooner). */
    async pollStatus() {
      const rt = runtimeOf(this)
      if (!rt.active) return
      const wait = liveStatusWaitMs(rt.roomId, Date.now())
      if (wait > 0) {
        rt.poll = setTimeout(() => void this.pollStatus(), wait)
        return
      }
      try {
        const liveStatus = await getLiveStatus(rt.roomId)
        this.applyStatus(liveStatus, Date.now())
      } catch (err) {
        console.warn('[room] getLiveStatus failed', err)
      }
      if (rt.active) rt.poll = setTimeout(() => void this.pollStatus(), LIVE_STATUS_POLL_MS)
    },

    applyStatus(liveStatus: number, atMs: number) {
      const rt = runtimeOf(this)
      rememberStatus(rt.roomId, liveStatus, atMs)
      const room = this.data.room
      this.setData({ checkedText: '状态已实时确认' })
      if (!room || room.liveStatus === liveStatus) return
      const badge = badgeOf(liveStatus, liveStatus === LiveStatus.ended ? 'pending' : undefined)
      const upcoming = liveStatus === LiveStatus.upcoming
      this.setData({
        room: {
          ...room,
          liveStatus,
          badgeText: badge.text,
          badgeTone: badge.tone,
          upcoming,
          startText: upcoming ? room.startText : '',
          countdown: upcoming ? countdownText(room.startMs, atMs) : '',
        },
      })
    },

    tickCountdown() {
      const room = this.data.room
      if (room && room.upcoming) this.setData({ 'room.countdown': countdownText(room.startMs, Date.now()) })
    },

    onEnter() {
      const rt = runtimeOf(this)
      const room = this.data.room
      // A shared link can outlive the room: send ended rooms to their replay, and say why others cannot open.
      if (room && room.section === 'replay') {
        wx.navigateTo({ url: `/pages/replay/index?roomId=${rt.roomId}` })
        return
      }
      const refusal = room ? closedRoomText(room.liveStatus) : ''
      if (refusal) {
        this.setData({ enterError: refusal })
        wx.showToast({ title: refusal, icon: 'none' })
        return
      }
      try {
        const url = enterRoomUrl(rt.roomId, { channel: entryChannel(), path: this.pagePath() })
        this.setData({ enterError: '' })
        wx.navigateTo({ url })
        trackEnter(rt.roomId, entryChannel())
      } catch (err) {
        const text = err instanceof CustomParamsTooLong ? '入口参数过长，无法进入直播间' : '无法进入直播间'
        this.setData({ enterError: text })
        wx.showToast({ title: text, icon: 'none' })
      }
    },

    onRetry() {
      this.setData({ status: 'loading' })
      void this.load()
    },

    async onPullDownRefresh() {
      await this.load()
      wx.stopPullDownRefresh()
    },

    onSubscribed() {
      track({ kind: 'subscribe', roomId: runtimeOf(this).roomId, channel: entryChannel() })
    },

    onHome() {
      wx.reLaunch({ url: '/pages/home/index' })
    },

    onShareAppMessage() {
      if (this.data.status === 'offline') return shareHome()
      const room = this.data.room
      const rt = runtimeOf(this)
      if (rt.roomId > 0) track({ kind: 'share', roomId: rt.roomId, channel: entryChannel() })
      return shareRoom(room ? room : { roomId: rt.roomId, name: '直播间', coverImg: '' })
    },
  },
})
