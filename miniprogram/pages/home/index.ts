/**
 * Home: live, upcoming and replay sections as one feed. Each section is one indexed query paged 20 at a time;
 * the feed pages through live first, then upcoming, then replays (infinite scroll). Live and upcoming follow
 * the cache in real time, falling back to polling when the watch fails. The merchant's Channels live (when
 * live.config.json names an account) heads the section its state belongs in; with Mini Program Live off the page
 * reads no room cache at all and shows only the Channels live.
 */
import { PAGE_SIZE } from '../../config'
import { LIVE_SETUP } from '../../generated/live-setup'
import { isAdmin, whoAmI } from '../../services/admin'
import { entryChannel } from '../../services/attribution'
import { canUseChannelLiveComponent, isReserved, openLive, readChannels, reserve, trackChannelsEnter, type ChannelsState } from '../../services/channels'
import { isOffline } from '../../services/network'
import { track, trackEnter } from '../../services/track'
import { followSection, listSection, reloadSection } from '../../services/rooms'
import { readSyncStatus, type PublicSyncStatus } from '../../services/sync-status'
import type { Follower } from '../../services/keep-fresh'
import { channelsCards, freshnessOf, LISTED_SECTIONS, SECTION_TITLES, type ChannelsCard, type ListedSection, type RoomCard } from '../../services/views'
import { countdownText } from '../../utils/format'
import { CustomParamsTooLong, encodeCustomParams, enterRoomUrl, shareHome } from '../../utils/share'

interface SectionState {
  key: ListedSection
  title: string
  rooms: RoomCard[]
  exhausted: boolean
  /** The Channels live's card in this section, if its state belongs here. */
  channels: ChannelsCard | null
}

interface Runtime {
  followers: Follower[]
  ticker: ReturnType<typeof setInterval> | null
  busy: boolean
  /** Bumped by every reload so answers to an older load are dropped. */
  generation: number
  /** The last public sync status read (undefined before the first read): the ticker ages it. */
  syncStatus: PublicSyncStatus | undefined
  /** Cards already counted as seen in this visit of the page (`section:roomId`). */
  seen: Set<string>
  observer: WechatMiniprogram.IntersectionObserver | null
  /** What the device knows of the Channels live; null while it is being read or when there is no account. */
  channels: ChannelsState | null
  channelsPending: boolean
}

const HOME_PATH = 'pages/home/index'
const COUNTDOWN_TICK_MS = 30 * 1000
// Timers and followers are not view data: kept beside the instance, released in detached.
const runtimes = new WeakMap<object, Runtime>()

function runtimeOf(page: object): Runtime {
  let rt = runtimes.get(page)
  if (!rt) {
    rt = { followers: [], ticker: null, busy: false, generation: 0, syncStatus: undefined, seen: new Set(), observer: null, channels: null, channelsPending: false }
    runtimes.set(page, rt)
  }
  return rt
}

/** With Mini Program Live off every room section is empty from the start: nothing to query. */
function emptySections(): SectionState[] {
  const noRooms = !LIVE_SETUP.miniProgramLive
  return LISTED_SECTIONS.map((key) => ({ key, title: SECTION_TITLES[key], rooms: [], exhausted: noRooms, channels: null }))
}

const isListed = (section: unknown): section is ListedSection => LISTED_SECTIONS.includes(section as ListedSection)

function subscribeParams(): string {
  try {
    return encodeCustomParams({ channel: entryChannel(), path: HOME_PATH })
  } catch {
    return '' // an over-long reminder payload is dropped, never cut
  }
}

Component({
  data: {
    sections: emptySections(),
    status: 'loading' as 'loading' | 'ready' | 'empty' | 'error',
    errorText: '',
    offline: false,
    staleText: '',
    problemText: '',
    loadingMore: false,
    allLoaded: false,
    subscribeParams: '',
    merchantEntry: false,
    /** The Channels account's sph… id, for <channel-live>. */
    channelsFinder: '',
  },
  lifetimes: {
    detached() {
      const rt = runtimeOf(this)
      rt.followers.forEach((f) => f.stop())
      rt.followers = []
      if (rt.ticker) clearInterval(rt.ticker)
      rt.ticker = null
      if (rt.observer) rt.observer.disconnect()
      rt.observer = null
    },
  },
  pageLifetimes: {
    // coming back to the list is a new look at it: its cards count as reached again
    hide() {
      runtimeOf(this).seen.clear()
    },
  },
  methods: {
    async onLoad() {
      this.setData({ subscribeParams: subscribeParams(), channelsFinder: LIVE_SETUP.channels ? LIVE_SETUP.channels.finderUserName : '' })
      const rt = runtimeOf(this)
      if (LIVE_SETUP.miniProgramLive) rt.followers = (['live', 'upcoming'] as const).map((key) => followSection(key, () => void this.refreshSection(key)))
      rt.ticker = setInterval(() => this.tickCountdowns(), COUNTDOWN_TICK_MS)
      void this.showMerchantEntry()
      await this.reload()
    },

    /** The merchant entry only for admins (the server refuses anyone else anyway); a failed ask hides it. */
    async showMerchantEntry() {
      try {
        this.setData({ merchantEntry: isAdmin(await whoAmI()) })
      } catch {
        this.setData({ merchantEntry: false })
      }
    },

    onMerchant() {
      wx.navigateTo({ url: '/merchant/pages/index/index' })
    },

    async reload() {
      const rt = runtimeOf(this)
      rt.generation += 1
      rt.busy = false
      rt.channels = null
      rt.channelsPending = LIVE_SETUP.channels !== null
      this.setData({ sections: emptySections(), status: 'loading', errorText: '', offline: false, allLoaded: false })
      // the freshness banner speaks of the room sync, which does not run without Mini Program Live
      await Promise.all([this.loadMore(), this.loadChannels(), LIVE_SETUP.miniProgramLive ? this.loadFreshness() : null])
      this.settleStatus()
    },

    /** The Channels live's state (kept on the device for a minute), placed in its section. */
    async loadChannels() {
      const rt = runtimeOf(this)
      const account = LIVE_SETUP.channels
      if (account === null) return
      const generation = rt.generation
      let state: ChannelsState = { live: null, notice: null }
      try {
        state = await readChannels(account.finderUserName, Date.now())
      } catch (err) {
        console.warn('[home] Channels live not read', err) // the viewer simply sees no Channels card
      }
      if (generation !== rt.generation) return
      rt.channels = state
      rt.channelsPending = false
      this.showChannels()
    },

    showChannels() {
      const state = runtimeOf(this).channels
      if (state === null) return
      const cards = channelsCards(
        { ...state, reserved: state.notice !== null && isReserved(state.notice.noticeId), useComponent: canUseChannelLiveComponent() },
        Date.now(),
      )
      const update: Record<string, ChannelsCard | null> = {}
      this.data.sections.forEach((s, i) => {
        update[`sections[${i}].channels`] = cards[s.key]
      })
      this.setData(update)
      this.settleStatus()
    },

    /** Next 20 rooms of the feed: the first section that still has more, spilling into the next ones. */
    async loadMore() {
      const rt = runtimeOf(this)
      if (rt.busy || this.data.allLoaded) return
      rt.busy = true
      const generation = rt.generation
      this.setData({ loadingMore: true })
      try {
        let added = 0
        for (let i = 0; i < this.data.sections.length && added < PAGE_SIZE; i++) {
          const section = this.data.sections[i]
          if (section.exhausted) continue
          const page = await listSection(section.key, section.rooms.length)
          if (generation !== rt.generation) return
          added += page.length
          this.setData({
            [`sections[${i}].rooms`]: section.rooms.concat(page),
            [`sections[${i}].exhausted`]: page.length < PAGE_SIZE,
          })
          if (page.length === PAGE_SIZE) break // more in this section: the next scroll continues it
        }
        this.settleStatus()
        this.observeCards()
      } catch (err) {
        if (generation !== rt.generation) return
        await this.showLoadError(err)
      } finally {
        if (generation === rt.generation) {
          rt.busy = false
          this.setData({ loadingMore: false })
        }
      }
    },

    /** Loading until something shows or everything answered; empty only when neither rooms nor Channels have anything. */
    settleStatus() {
      if (this.data.status === 'error') return
      const sections = this.data.sections
      const allLoaded = sections.every((s) => s.exhausted)
      const shown = sections.reduce((n, s) => n + s.rooms.length + (s.channels && (s.rooms.length > 0 || s.exhausted) ? 1 : 0), 0)
      const settled = allLoaded && !runtimeOf(this).channelsPending
      this.setData({ allLoaded, status: shown > 0 ? 'ready' : settled ? 'empty' : 'loading' })
    },

    async showLoadError(err: unknown) {
      const offline = await isOffline()
      const hasRooms = this.data.sections.some((s) => s.rooms.length > 0 || s.channels !== null)
      const text = offline ? '网络不可用，请检查网络后重试' : '加载失败，请稍后重试'
      if (hasRooms) {
        wx.showToast({ title: text, icon: 'none' })
        this.setData({ offline })
      } else {
        this.setData({ status: 'error', errorText: text, offline })
      }
      console.warn('[home] load failed', err)
    },

    async loadFreshness() {
      try {
        runtimeOf(this).syncStatus = await readSyncStatus()
        this.showFreshness()
      } catch {
        // Freshness is a hint; the list itself reports real failures.
      }
    },

    /** Banner from the last status read, aged to now: a page left open turns stale without a new read. */
    showFreshness() {
      const status = runtimeOf(this).syncStatus
      if (status === undefined) return
      const f = freshnessOf(status, Date.now())
      const staleText = f.stale ? f.text : ''
      const problemText = f.stale ? f.problem : ''
      if (staleText !== this.data.staleText || problemText !== this.data.problemText) this.setData({ staleText, problemText })
    },

    /** A watched section changed: re-read what is on screen of it (and at least one page). */
    async refreshSection(key: ListedSection) {
      const i = this.data.sections.findIndex((s) => s.key === key)
      const section = this.data.sections[i]
      const started = section.rooms.length > 0 || section.exhausted
      if (!started) return // not reached by the feed yet; it will load when scrolled to
      const generation = runtimeOf(this).generation
      try {
        const fresh = await reloadSection(key, section.rooms.length)
        if (generation !== runtimeOf(this).generation) return
        this.setData({ [`sections[${i}].rooms`]: fresh.rooms, [`sections[${i}].exhausted`]: fresh.exhausted })
        this.settleStatus()
        this.observeCards()
        void this.loadFreshness()
      } catch (err) {
        console.warn('[home] refresh failed', key, err)
      }
    },

    /** Watches every card on screen (again after each page of cards), counting each once a visit as it appears. */
    observeCards() {
      const rt = runtimeOf(this)
      if (rt.observer) rt.observer.disconnect()
      rt.observer = wx.createIntersectionObserver(this, { observeAll: true })
      rt.observer.relativeToViewport().observe('.room', (res) => {
        if (res.intersectionRatio > 0) this.onCardSeen(Number(res.dataset.roomId), res.dataset.section)
      })
    },

    onCardSeen(roomId: number, section: unknown) {
      const seen = runtimeOf(this).seen
      if (!isListed(section) || seen.has(`${section}:${roomId}`)) return
      seen.add(`${section}:${roomId}`)
      track({ kind: 'impression', roomId, channel: entryChannel(), section })
    },

    onSubscribed(e: WechatMiniprogram.CustomEvent<{ roomId: number }>) {
      track({ kind: 'subscribe', roomId: e.detail.roomId, channel: entryChannel() })
    },

    tickCountdowns() {
      this.showFreshness()
      const i = this.data.sections.findIndex((s) => s.key === 'upcoming')
      const now = Date.now()
      const rooms = this.data.sections[i].rooms.map((r) => ({ ...r, countdown: r.upcoming ? countdownText(r.startMs, now) : '' }))
      if (rooms.length > 0) this.setData({ [`sections[${i}].rooms`]: rooms })
      const notice = this.data.sections[i].channels
      if (notice && notice.kind === 'notice') this.setData({ [`sections[${i}].channels.countdown`]: countdownText(notice.startMs, now) })
    },

    /** A tap on the Channels card: opens the live or its replay (WeChat asks the viewer to confirm). */
    async onChannelsOpen(e: WechatMiniprogram.TouchEvent<Record<string, never>, Record<string, never>, { section: string }>) {
      const account = LIVE_SETUP.channels
      const state = runtimeOf(this).channels
      const live = state && state.live
      const card = this.data.sections.find((s) => s.key === e.currentTarget.dataset.section)
      if (!account || !live || !card || !card.channels || !card.channels.opens) return
      if ((await openLive(account.finderUserName, live, Date.now())) === 'failed') wx.showToast({ title: '暂时无法打开视频号直播，请稍后再试', icon: 'none' })
    },

    /** A tap on <channel-live>: WeChat enters the live itself, without a dialog; we only count the entry. */
    onChannelLiveTap() {
      const state = runtimeOf(this).channels
      const live = state && state.live
      if (live) trackChannelsEnter('component', live.status, live.feedId)
    },

    async onChannelsReserve() {
      const state = runtimeOf(this).channels
      const notice = state && state.notice
      if (!notice) return
      const outcome = await reserve(notice.noticeId, Date.now())
      if (outcome === 'reserved') wx.showToast({ title: '预约成功，开播时会提醒你', icon: 'none' })
      else if (outcome === null) wx.showToast({ title: '暂时无法预约，请稍后再试', icon: 'none' })
      this.showChannels()
    },

    onRetry() {
      void this.reload()
    },

    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },

    onReachBottom() {
      void this.loadMore()
    },

    onEnter(e: WechatMiniprogram.CustomEvent<{ roomId: number; section: string }>) {
      const { roomId, section } = e.detail
      if (isListed(section)) track({ kind: 'tap', roomId, channel: entryChannel(), section })
      if (section === 'replay') {
        wx.navigateTo({ url: `/pages/replay/index?roomId=${roomId}` })
        return
      }
      if (section === 'upcoming') {
        wx.navigateTo({ url: `/pages/room/index?roomId=${roomId}` })
        return
      }
      try {
        wx.navigateTo({ url: enterRoomUrl(roomId, { channel: entryChannel(), path: HOME_PATH }) })
        trackEnter(roomId, entryChannel())
      } catch (err) {
        const title = err instanceof CustomParamsTooLong ? '入口参数过长，无法进入直播间' : '无法进入直播间'
        wx.showToast({ title, icon: 'none' })
      }
    },

    onShareAppMessage() {
      return shareHome()
    },
  },
})
