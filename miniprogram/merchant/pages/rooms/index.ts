/** The merchant's rooms by state (upcoming, on air, over), each with what its state allows; new rooms from here. */
import { shareRoom } from '../../../utils/share'
import { deleteRoom, listRooms } from '../../services/rooms'
import { errorText, showError } from '../../utils/errors'
import { GATE_CHECKING, openGate } from '../../utils/gate'
import { ROOM_TABS, groupRooms, type RoomRow, type RoomTab } from '../../utils/room-view'

type LoadState = 'loading' | 'ready' | 'error'

const EMPTY_GROUPS: Record<RoomTab, RoomRow[]> = { upcoming: [], live: [], ended: [] }

Component({
  data: {
    ...GATE_CHECKING,
    tabs: ROOM_TABS.map((t) => ({ ...t })),
    tab: 'upcoming' as RoomTab,
    groups: EMPTY_GROUPS,
    rows: [] as RoomRow[],
    loadState: 'loading' as LoadState,
    errorText: '',
    busyRoomId: 0,
  },
  methods: {
    async onLoad() {
      await this.open(false)
    },
    /** Back from the form (or the console): the list may have changed. */
    onShow() {
      if (this.data.gate === 'allowed' && this.data.loadState !== 'loading') void this.load()
    },
    async onPullDownRefresh() {
      if (this.data.gate === 'allowed') await this.load()
      wx.stopPullDownRefresh()
    },
    onRetry() {
      void this.open(true)
    },
    async open(fresh: boolean) {
      const me = await openGate(this, 'live', fresh)
      if (me) await this.load()
    },
    async load() {
      this.setData({ loadState: 'loading', errorText: '' })
      try {
        const groups = groupRooms(await listRooms())
        const tabs = ROOM_TABS.map((t) => ({ ...t, label: `${t.label} ${groups[t.key].length}` }))
        this.setData({ groups, tabs, rows: groups[this.data.tab], loadState: 'ready' })
      } catch (e) {
        this.setData({ loadState: 'error', errorText: errorText(e) })
      }
    },
    onTabChange(e: WechatMiniprogram.CustomEvent<{ value: RoomTab }>) {
      const tab = e.detail.value
      if (tab in this.data.groups) this.setData({ tab, rows: this.data.groups[tab] })
    },
    onNew() {
      wx.navigateTo({ url: '/merchant/pages/room-edit/index' })
    },
    onEdit(e: WechatMiniprogram.BaseEvent) {
      wx.navigateTo({ url: `/merchant/pages/room-edit/index?id=${Number(e.currentTarget.dataset.id)}` })
    },
    onConsole(e: WechatMiniprogram.BaseEvent) {
      wx.navigateTo({ url: `/merchant/pages/console/index?roomId=${Number(e.currentTarget.dataset.id)}` })
    },
    async onDelete(e: WechatMiniprogram.BaseEvent) {
      const roomId = Number(e.currentTarget.dataset.id)
      const row = this.data.rows.find((r) => r.roomId === roomId)
      if (!row || this.data.busyRoomId) return
      const answer = await wx.showModal({
        title: '删除直播间',
        content: `删除「${row.name}」后观众将看不到它，且无法恢复。确定删除吗？`,
        confirmText: '删除',
        confirmColor: '#d54941',
      })
      if (!answer.confirm) return
      this.setData({ busyRoomId: roomId })
      try {
        await deleteRoom(roomId)
        wx.showToast({ title: '已删除', icon: 'success' })
        await this.load()
      } catch (err) {
        showError(err, '没有删除')
      } finally {
        this.setData({ busyRoomId: 0 })
      }
    },
    /** The share button on a row shares that room's viewer page; elsewhere nothing is shared. */
    onShareAppMessage(res: WechatMiniprogram.Page.IShareAppMessageOption) {
      const target = res.target as { dataset?: { id?: unknown } } | undefined
      const roomId = Number(target?.dataset?.id)
      const row = this.data.rows.find((r) => r.roomId === roomId)
      return row ? shareRoom(row) : { title: '直播间', path: '/pages/home/index' }
    },
  },
})
