/**
 * Replay: plays the segments in order with <video>, says when the replay expires, explains what cannot play, and
 * reports each play with the seconds actually watched (playback time advanced, seeks and pauses left out).
 */
import { LIVE_SETUP } from '../../generated/live-setup'
import { REPLAY_SECONDS_MAX } from '../../generated/stats'
import { entryChannel } from '../../services/attribution'
import { isOffline } from '../../services/network'
import { getReplay } from '../../services/replays'
import { getRoom } from '../../services/rooms'
import { nextPlayable, type ReplayView } from '../../services/views'
import { track } from '../../services/track'
import { shareHome, shareReplay } from '../../utils/share'

/** A timeupdate step longer than this is a seek, not watching. */
const WATCH_STEP_MAX_S = 2

interface Runtime {
  roomId: number
  name: string
  coverImg: string
  /** The play under way: from the video's play until it ends, another segment starts or the page goes away. */
  playing: boolean
  watchedS: number
  /** The position last reported while playing; null after a pause so the gap is not counted. */
  lastPositionS: number | null
}
const runtimes = new WeakMap<object, Runtime>()

function runtimeOf(page: object): Runtime {
  let rt = runtimes.get(page)
  if (!rt) {
    rt = { roomId: 0, name: '', coverImg: '', playing: false, watchedS: 0, lastPositionS: null }
    runtimes.set(page, rt)
  }
  return rt
}

function endPlay(rt: Runtime): void {
  if (!rt.playing) return
  rt.playing = false
  const seconds = Math.round(Math.min(rt.watchedS, REPLAY_SECONDS_MAX) * 10) / 10
  track({ kind: 'replay', roomId: rt.roomId, channel: entryChannel(), seconds })
}

Component({
  properties: {
    roomId: { type: String, value: '' },
  },
  data: {
    status: 'loading' as 'loading' | 'ready' | 'invalid' | 'error' | 'offline',
    errorText: '',
    title: '',
    replay: null as ReplayView | null,
    /** Position in replay.segments of what plays now, -1 for nothing. */
    current: -1,
    currentUrl: '',
    /** A per-segment problem ("第 2 段已过期"), or the end of the replay. */
    segmentMessage: '',
    hasNext: false,
  },
  lifetimes: {
    detached() {
      endPlay(runtimeOf(this))
    },
  },
  pageLifetimes: {
    hide() {
      endPlay(runtimeOf(this))
    },
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      // Mini Program Live is off (an old shared link): its replays are not ours to read any more.
      if (!LIVE_SETUP.miniProgramLive) {
        this.setData({ status: 'offline' })
        return
      }
      const roomId = Number(query && query.roomId)
      if (!Number.isInteger(roomId) || roomId <= 0) {
        this.setData({ status: 'invalid', errorText: `房间号无效：${(query && query.roomId) ?? '（缺少 roomId）'}` })
        return
      }
      runtimeOf(this).roomId = roomId
      await this.load()
    },

    async load() {
      const rt = runtimeOf(this)
      try {
        const [replay, room] = await Promise.all([getReplay(rt.roomId), getRoom(rt.roomId)])
        rt.name = room ? room.name : ''
        rt.coverImg = room ? room.coverImg : ''
        this.setData({ status: 'ready', replay, title: rt.name, errorText: '' })
        this.play(replay.firstPlayable)
      } catch (err) {
        const offline = await isOffline()
        this.setData({ status: 'error', errorText: offline ? '网络不可用，请检查网络后重试' : '加载失败，请稍后重试' })
        console.warn('[replay] load failed', err)
      }
    },

    play(position: number) {
      const replay = this.data.replay
      if (!replay || position < 0 || position >= replay.segments.length) {
        this.setData({ current: -1, currentUrl: '', hasNext: false })
        return
      }
      const segment = replay.segments[position]
      if (position !== this.data.current) endPlay(runtimeOf(this))
      if (segment.expired || segment.mediaUrl === '') {
        const next = nextPlayable(replay.segments, position)
        const why = segment.expired ? '已过期' : '缺失，暂时无法播放'
        this.setData({ segmentMessage: `第 ${segment.number} 段回放${why}`, hasNext: next >= 0 })
        return
      }
      this.setData({
        current: position,
        currentUrl: segment.mediaUrl,
        segmentMessage: '',
        hasNext: nextPlayable(replay.segments, position) >= 0,
      })
    },

    onSegmentTap(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { position: number }>) {
      this.play(Number(e.currentTarget.dataset.position))
    },

    onPlay() {
      const rt = runtimeOf(this)
      if (!rt.playing) {
        rt.playing = true
        rt.watchedS = 0
      }
      rt.lastPositionS = null
    },

    onPause() {
      runtimeOf(this).lastPositionS = null
    },

    onTimeUpdate(e: WechatMiniprogram.CustomEvent<{ currentTime: number }>) {
      const rt = runtimeOf(this)
      const at = Number(e.detail.currentTime)
      if (!rt.playing || !Number.isFinite(at)) return
      const step = rt.lastPositionS === null ? 0 : at - rt.lastPositionS
      if (step > 0 && step <= WATCH_STEP_MAX_S) rt.watchedS += step
      rt.lastPositionS = at
    },

    onEnded() {
      endPlay(runtimeOf(this))
      const replay = this.data.replay
      if (!replay) return
      const next = nextPlayable(replay.segments, this.data.current)
      if (next < 0) {
        this.setData({ segmentMessage: '回放已播放完毕', hasNext: false })
        return
      }
      this.play(next)
    },

    onVideoError() {
      endPlay(runtimeOf(this))
      const replay = this.data.replay
      if (!replay || this.data.current < 0) return
      const segment = replay.segments[this.data.current]
      const next = nextPlayable(replay.segments, this.data.current)
      this.setData({
        currentUrl: '',
        segmentMessage: `第 ${segment.number} 段暂时无法播放（可能已过期或已删除）`,
        hasNext: next >= 0,
      })
    },

    onNext() {
      const replay = this.data.replay
      if (!replay) return
      const from = this.data.current >= 0 ? this.data.current : replay.firstPlayable - 1
      this.play(nextPlayable(replay.segments, from))
    },

    onRetry() {
      this.setData({ status: 'loading' })
      void this.load()
    },

    onHome() {
      wx.reLaunch({ url: '/pages/home/index' })
    },

    onShareAppMessage() {
      if (this.data.status === 'offline') return shareHome()
      const rt = runtimeOf(this)
      if (rt.roomId > 0) track({ kind: 'share', roomId: rt.roomId, channel: entryChannel() })
      return shareReplay({ roomId: rt.roomId, name: rt.name || '直播回放', coverImg: rt.coverImg })
    },
  },
})
