/**
 * One room's statistics over a date range: the funnel (reached → entered → goods clicks → orders) drawn by the chart
 * component with subscriptions and shares beside it, both per-thousand readings, replay watch time, the channel
 * table with how each channel's entries came, the daily trend as a chart and a table, and the room's CSV export.
 * Opened from the stats page with `?roomId=&from=&to=` (roomId 0: the Channels live, which liveAdmin names).
 */
import * as rules from '../../generated/rules'
import { GATE_CHECKING, openGate } from '../../utils/gate'
import { errorText } from '../../utils/errors'
import { exportPageMethods } from '../../utils/stats-export'
import {
  RANGE_KEY,
  coverNote,
  funnelChart,
  funnelFigures,
  perThousandFigures,
  pickRange,
  rangeOr,
  replayFigures,
  roomTableView,
  shanghaiToday,
  trendChart,
  type Figure,
  type FunnelChart,
  type LineChart,
  type Range,
  type TableRow,
} from '../../utils/stats-view'
import { roomStats, type ExportLink } from '../../services/stats'

const EMPTY_FUNNEL: FunnelChart = { series: [] }
const EMPTY_TREND: LineChart = { categories: [], series: [] }

/** The query's room: a Live room id, or 0 for the Channels live row (liveAdmin checks which it takes); null if none. */
function statsRoomIdFrom(query: Record<string, string | undefined> | undefined): number | null {
  const raw = query?.roomId ?? ''
  return /^(0|[1-9]\d{0,9})$/.test(raw) ? Number(raw) : null
}

Component({
  data: {
    ...GATE_CHECKING,
    roomId: null as number | null,
    roomName: '',
    /** The Channels live (no room number to show). */
    channelsLive: false,
    range: { from: '', to: '' } as Range,
    rangeErrors: { from: '', to: '' },
    today: '',
    loading: false,
    loadError: '',
    note: '',
    channelHeader: [] as string[],
    dayHeader: [] as string[],
    channels: [] as TableRow[],
    days: [] as TableRow[],
    total: [] as TableRow[],
    kindsText: '',
    funnel: EMPTY_FUNNEL,
    trend: EMPTY_TREND,
    funnelFigures: [] as Figure[],
    perThousand: [] as Figure[],
    replay: [] as Figure[],
    // uCharts' options: the funnel's labels on the right, the trend's points without labels (https://www.ucharts.cn/v2/#/document/index)
    funnelOpts: { padding: [15, 15, 0, 15], legend: { show: false }, extra: { funnel: { activeOpacity: 0.3, border: true, labelAlign: 'right' } } },
    trendOpts: { padding: [15, 10, 0, 15], dataLabel: false, legend: { show: true }, xAxis: { disableGrid: true }, extra: { line: { type: 'curve' } } },
    exporting: false,
    exportError: '',
    link: null as ExportLink | null,
    linkExpiry: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      const nowMs = Date.now()
      const fromQuery = query?.from !== undefined ? { from: query.from, to: query.to } : null
      this.setData({ roomId: statsRoomIdFrom(query), range: rangeOr(fromQuery ?? wx.getStorageSync(RANGE_KEY), nowMs), today: shanghaiToday(nowMs) })
      await this.open(false)
    },
    onRetry() {
      return this.open(true)
    },
    async onPullDownRefresh() {
      await this.reload()
      wx.stopPullDownRefresh()
    },
    async open(fresh: boolean) {
      const me = await openGate(this, 'admin', fresh)
      if (!me) return
      if (this.data.roomId === null) {
        this.setData({ loadError: '没有指定直播间：请从「数据统计」页点按一个直播间打开。' })
        return
      }
      await this.reload()
    },

    async reload() {
      const { roomId, range } = this.data
      if (roomId === null || rules.checkStatsRange(range.from, range.to) !== null) return
      this.setData({ loading: true, loadError: '' })
      try {
        const data = await roomStats(roomId, range)
        const view = roomTableView(rules.roomTable(data))
        wx.setNavigationBarTitle({ title: data.room.name ?? `直播间 ${roomId}` })
        this.setData({
          roomName: data.room.name ?? '',
          channelsLive: data.room.kind === 'channelsLive',
          note: coverNote(data),
          ...view,
          kindsText: rules.kindsText(data.kinds),
          funnel: funnelChart(data.total),
          trend: trendChart(data.days),
          funnelFigures: funnelFigures(data.total),
          perThousand: perThousandFigures(data.total),
          replay: replayFigures(data.total),
        })
      } catch (e) {
        this.setData({ loadError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },

    async onPick(e: WechatMiniprogram.PickerChange) {
      const field = e.currentTarget.dataset.field === 'to' ? 'to' : 'from'
      const { range, errors } = pickRange(this.data.range, field, String(e.detail.value))
      this.setData({ range, rangeErrors: errors, link: null, linkExpiry: '', exportError: '' })
      if (!errors.from && !errors.to) await this.reload()
    },

    ...exportPageMethods(true),
  },
})
