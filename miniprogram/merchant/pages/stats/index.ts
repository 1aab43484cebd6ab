/**
 * Statistics over a date range: every room's funnel figures in one table (the same cells the CSV export writes), a
 * tap opens the room's own page, and the export writes the table to cloud storage with a link to copy or forward.
 * The range is kept in wx storage, so the merchant comes back to what they last looked at.
 */
import * as rules from '../../generated/rules'
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorText } from '../../utils/errors'
import { exportPageMethods } from '../../utils/stats-export'
import { RANGE_KEY, coverNote, pickRange, rangeOr, rowsOf, shanghaiToday, type Range, type TableRow } from '../../utils/stats-view'
import { roomsStats, type ExportLink } from '../../services/stats'

Component({
  data: {
    ...GATE_CHECKING,
    range: { from: '', to: '' } as Range,
    rangeErrors: { from: '', to: '' },
    today: '',
    maxDays: rules.STATS_RANGE_DAYS_MAX,
    loading: false,
    loadError: '',
    note: '',
    header: [] as string[],
    rows: [] as TableRow[],
    total: [] as TableRow[],
    exporting: false,
    exportError: '',
    link: null as ExportLink | null,
    linkExpiry: '',
  },
  methods: {
    ...gatedPageMethods('admin', (page) => {
      const nowMs = Date.now()
      page.setData({ range: rangeOr(wx.getStorageSync(RANGE_KEY), nowMs), today: shanghaiToday(nowMs) })
    }),

    async reload() {
      const range = this.data.range
      if (rules.checkStatsRange(range.from, range.to) !== null) return
      this.setData({ loading: true, loadError: '' })
      try {
        const data = await roomsStats(range)
        const table = rules.roomsTable(data)
        this.setData({ header: table.header, rows: rowsOf(table, 'room'), total: rowsOf(table, 'total'), note: coverNote(data) })
      } catch (e) {
        this.setData({ loadError: errorText(e), rows: [], total: [] })
      } finally {
        this.setData({ loading: false })
      }
    },

    async onPick(e: WechatMiniprogram.PickerChange) {
      const field = e.currentTarget.dataset.field === 'to' ? 'to' : 'from'
      const { range, errors } = pickRange(this.data.range, field, String(e.detail.value))
      this.setData({ range, rangeErrors: errors, link: null, linkExpiry: '', exportError: '' })
      if (errors.from || errors.to) return
      try {
        wx.setStorageSync(RANGE_KEY, range)
      } catch {
        // storage unavailable: the range is only not remembered
      }
      await this.reload()
    },

    onOpenRoom(e: WechatMiniprogram.BaseEvent) {
      // a row's key is its room id as liveAdmin answered it: 0 is the Channels live row, which opens like a room
      const roomId = String(e.currentTarget.dataset.room ?? '')
      if (!/^(0|[1-9]\d*)$/.test(roomId)) return
      const { from, to } = this.data.range
      wx.navigateTo({ url: `/merchant/pages/stats-room/index?roomId=${roomId}&from=${from}&to=${to}` })
    },

    ...exportPageMethods(false),
  },
})
