/**
 * The room console, used during a live: the room's goods (import, push, sale, order, removal, clip), its switches,
 * assistants and sub-anchor, the push URL and the share code; the room re-read at most once a minute.
 */
import * as goodsService from '../../services/room-goods'
import * as consoleService from '../../services/room-console'
import { AlbumError, type Assistant, type SharedCode } from '../../services/room-console'
import { errorField, errorText, showError } from '../../utils/errors'
import { GATE_CHECKING, openGate } from '../../utils/gate'
import { forgetGoods, readMemory, rememberSale, rememberSwitch } from '../../utils/console-memory'
import {
  REFRESH_EVERY_MS,
  fieldErrors,
  goodsRows,
  inOrder,
  moved,
  pickRows,
  refreshWaitMs,
  roomHead,
  roomIdFrom,
  switchDef,
  switchRows,
  waitText,
  type GoodsRow,
  type PickRow,
  type RoomHead,
  type SwitchRow,
  type WarehouseGoods,
} from '../../utils/console-view'

type LoadState = 'loading' | 'ready' | 'error'

const NO_ROOM = '没有指定直播间：请从「直播间」列表打开中控台'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** Timers and caches that are not view data. */
interface Hidden {
  timer: ReturnType<typeof setInterval> | null
  lastRefreshMs: number | null
  warehouse: WarehouseGoods[]
  /** Picked ids in the order tapped: the order they join the room in. */
  picked: number[]
}

const hidden = new WeakMap<object, Hidden>()
function own(page: object): Hidden {
  let h = hidden.get(page)
  if (!h) {
    h = { timer: null, lastRefreshMs: null, warehouse: [], picked: [] }
    hidden.set(page, h)
  }
  return h
}

Component({
  data: {
    ...GATE_CHECKING,
    roomId: 0,
    roomState: 'loading' as LoadState,
    roomError: '',
    head: null as RoomHead | null,
    refreshedAt: '',
    refreshNote: '',
    refreshing: false,
    goods: [] as GoodsRow[],
    sorting: false,
    pickerOpen: false,
    pickerState: 'loading' as LoadState,
    pickerError: '',
    pickRows: [] as PickRow[],
    pickedCount: 0,
    importing: false,
    switches: [] as SwitchRow[],
    assistantState: 'loading' as LoadState,
    assistantError: '',
    assistants: [] as Assistant[],
    assistantCount: 0,
    assistantMax: 0,
    aMode: 'add' as 'add' | 'modify',
    aUsername: '',
    aNickname: '',
    aErrors: {} as Record<string, string>,
    aInvalid: true,
    aBusy: false,
    aRemoving: '',
    subState: 'loading' as LoadState,
    subError: '',
    subAnchor: '',
    subInput: '',
    subInputError: '',
    subBusy: '',
    pushUrl: '',
    pushBusy: false,
    pushError: '',
    share: null as SharedCode | null,
    shareBusy: false,
    shareError: '',
    saving: '',
    saveError: '',
  },
  lifetimes: {
    detached() {
      this.stopTimer()
    },
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      this.setData({ roomId: roomIdFrom(query) ?? 0 })
      await this.open(false)
    },
    async open(fresh: boolean) {
      const me = await openGate(this, 'live', fresh)
      if (!me) return
      if (!this.data.roomId) {
        this.setData({ roomState: 'error', roomError: NO_ROOM })
        return
      }
      await Promise.all([this.loadRoom(), this.loadAssistants(), this.loadSubAnchor()])
      this.startTimer()
    },
    onRetry() {
      void this.open(true)
    },
    onShow() {
      if (this.data.gate === 'allowed' && this.data.roomId) this.startTimer()
    },
    onHide() {
      this.stopTimer()
    },
    onUnload() {
      this.stopTimer()
    },
    startTimer() {
      const h = own(this)
      if (h.timer !== null) return
      h.timer = setInterval(() => void this.refresh('timer'), REFRESH_EVERY_MS)
    },
    stopTimer() {
      const h = own(this)
      if (h.timer !== null) clearInterval(h.timer)
      h.timer = null
    },

    // ---------- the room ----------

    async loadRoom() {
      const { roomId } = this.data
      if (!roomId) return
      own(this).lastRefreshMs = Date.now()
      this.setData({ refreshing: true })
      try {
        const room = await goodsService.loadRoom(roomId)
        const memory = readMemory(roomId)
        // a re-read keeps what only this page knows: a call still running on a row, a clip already fetched
        const keep = new Map(this.data.goods.map((g) => [g.goodsId, { busy: g.busy, videoUrl: g.videoUrl }]))
        this.setData({
          roomState: 'ready',
          roomError: '',
          head: roomHead(room),
          goods: goodsRows(room, memory).map((g) => ({ ...g, ...keep.get(g.goodsId) })),
          switches: this.data.switches.some((s) => s.busy) ? this.data.switches : switchRows(room, memory),
          refreshedAt: new Date().toTimeString().slice(0, 8),
        })
      } catch (e) {
        // a failed re-read keeps what was shown; only a first load shows the error state
        this.setData(this.data.head ? { refreshNote: `刷新失败：${errorText(e)}` } : { roomState: 'error', roomError: errorText(e) })
      } finally {
        this.setData({ refreshing: false })
      }
    },
    /** Re-reads the room when a minute has passed since the last read; says how long to wait otherwise. */
    async refresh(source: 'timer' | 'button' | 'pull') {
      const wait = refreshWaitMs(own(this).lastRefreshMs, Date.now())
      if (wait > 0 || this.data.refreshing) {
        if (source !== 'timer') this.setData({ refreshNote: waitText(wait) })
        return
      }
      this.setData({ refreshNote: '' })
      await this.loadRoom()
    },
    onRefresh() {
      void this.refresh('button')
    },
    async onPullDownRefresh() {
      await this.refresh('pull')
      wx.stopPullDownRefresh()
    },

    // ---------- goods in the room ----------

    rowIndex(e: WechatMiniprogram.BaseEvent): number {
      const id = Number(e.currentTarget.dataset.id)
      return this.data.goods.findIndex((g) => g.goodsId === id)
    },
    setRow(index: number, patch: Partial<GoodsRow>) {
      // the row may have left the list while its call ran (a refresh, a removal)
      if (index < 0 || index >= this.data.goods.length) return
      const data: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(patch)) data[`goods[${index}].${k}`] = v
      this.setData(data)
    },
    async onPush(e: WechatMiniprogram.BaseEvent) {
      const i = this.rowIndex(e)
      const row = this.data.goods[i]
      if (!row || row.busy || !this.data.head?.isLive) return
      this.setRow(i, { busy: 'push' })
      try {
        await goodsService.pushGoods(this.data.roomId, row.goodsId)
        wx.showToast({ title: '已推送给观众', icon: 'success' })
      } catch (e2) {
        showError(e2, '没有推送')
      } finally {
        this.setRow(this.rowIndex(e), { busy: '' })
      }
    },
    async onSale(e: WechatMiniprogram.BaseEvent) {
      const i = this.rowIndex(e)
      const row = this.data.goods[i]
      if (!row || row.busy) return
      const next = row.onSale === 1 ? 0 : 1
      this.setRow(i, { busy: 'sale' })
      try {
        await goodsService.setSale(this.data.roomId, row.goodsId, next)
        rememberSale(this.data.roomId, row.goodsId, next)
        this.setRow(this.rowIndex(e), { onSale: next, busy: '' })
      } catch (e2) {
        this.setRow(this.rowIndex(e), { busy: '' })
        showError(e2, next === 1 ? '没有上架' : '没有下架')
      }
    },
    async onMove(e: WechatMiniprogram.BaseEvent) {
      if (this.data.sorting) return
      const delta = Number(e.currentTarget.dataset.delta) === -1 ? -1 : 1
      const before = this.data.goods
      const order = moved(before.map((g) => g.goodsId), this.rowIndex(e), delta)
      if (!order) return
      // shown at once, put back if the platform refuses
      this.setData({ sorting: true, goods: inOrder(before, order) })
      try {
        const confirmed = await goodsService.sortGoods(this.data.roomId, order)
        this.setData({ goods: inOrder(this.data.goods, confirmed) })
      } catch (e2) {
        this.setData({ goods: before })
        showError(e2, '没有调整顺序')
      } finally {
        this.setData({ sorting: false })
      }
    },
    async onRemove(e: WechatMiniprogram.BaseEvent) {
      const row = this.data.goods[this.rowIndex(e)]
      if (!row || row.busy) return
      const answer = await wx.showModal({ title: '从直播间移除', content: `把「${row.name}」移出这个直播间？商品库里的商品保留。`, confirmText: '移除' })
      if (!answer.confirm) return
      this.setRow(this.rowIndex(e), { busy: 'delete' })
      try {
        await goodsService.removeGoods(this.data.roomId, row.goodsId)
        forgetGoods(this.data.roomId, row.goodsId)
        this.setData({ goods: this.data.goods.filter((g) => g.goodsId !== row.goodsId) })
      } catch (e2) {
        this.setRow(this.rowIndex(e), { busy: '' })
        showError(e2, '没有移除')
      }
    },
    async onVideo(e: WechatMiniprogram.BaseEvent) {
      const row = this.data.goods[this.rowIndex(e)]
      if (!row || row.busy) return
      this.setRow(this.rowIndex(e), { busy: 'video' })
      try {
        const url = await goodsService.goodsVideo(this.data.roomId, row.goodsId)
        this.setRow(this.rowIndex(e), { videoUrl: url, busy: '' })
      } catch (e2) {
        this.setRow(this.rowIndex(e), { busy: '' })
        showError(e2, '暂时没有讲解视频')
      }
    },
    onCopyVideo(e: WechatMiniprogram.BaseEvent) {
      const row = this.data.goods[this.rowIndex(e)]
      if (row?.videoUrl) wx.setClipboardData({ data: row.videoUrl })
    },

    // ---------- import from the warehouse ----------

    async onOpenPicker() {
      this.setData({ pickerOpen: true, pickerState: 'loading', pickerError: '', pickRows: [], pickedCount: 0 })
      try {
        own(this).warehouse = await goodsService.loadWarehouse()
        this.showPickRows([])
        this.setData({ pickerState: 'ready' })
      } catch (e) {
        this.setData({ pickerState: 'error', pickerError: errorText(e) })
      }
    },
    onClosePicker() {
      this.setData({ pickerOpen: false })
    },
    showPickRows(picked: number[]) {
      const rows = pickRows(own(this).warehouse, this.data.goods.map((g) => g.goodsId), picked)
      const selectable = new Set(rows.filter((r) => r.picked).map((r) => r.goodsId))
      own(this).picked = picked.filter((id) => selectable.has(id))
      this.setData({ pickRows: rows, pickedCount: own(this).picked.length })
    },
    onPick(e: WechatMiniprogram.BaseEvent) {
      const id = Number(e.currentTarget.dataset.id)
      const row = this.data.pickRows.find((r) => r.goodsId === id)
      if (!row || !row.selectable || this.data.importing) return
      const picked = own(this).picked
      this.showPickRows(row.picked ? picked.filter((x) => x !== id) : [...picked, id])
    },
    async onImport() {
      const ids = [...own(this).picked]
      if (ids.length === 0 || this.data.importing) return
      this.setData({ importing: true })
      try {
        await goodsService.importGoods(this.data.roomId, ids)
        // the platform's names and prices for the new rows; not a status poll, so the minute limit does not apply
        await this.loadRoom()
        this.setData({ pickerOpen: false })
        wx.showToast({ title: `已导入 ${ids.length} 件`, icon: 'success' })
      } catch (e) {
        this.setData({ pickerError: errorText(e) })
      } finally {
        this.setData({ importing: false })
      }
    },

    // ---------- switches ----------

    async onSwitch(e: WechatMiniprogram.CustomEvent<{ value: boolean }>) {
      const key = String(e.currentTarget.dataset.key)
      const def = switchDef(key)
      const index = this.data.switches.findIndex((s) => s.key === key)
      const row = this.data.switches[index]
      if (!def || !row || row.busy) return
      const on = Boolean(e.detail.value)
      const was = row.on
      this.setData({ [`switches[${index}]`]: { ...row, on, busy: true, error: '' } })
      try {
        await consoleService.setSwitch(this.data.roomId, def, on)
        rememberSwitch(this.data.roomId, def.key, on)
        this.setData({ [`switches[${index}].busy`]: false })
      } catch (e2) {
        this.setData({ [`switches[${index}]`]: { ...row, on: was, busy: false, error: errorText(e2) } })
      }
    },

    // ---------- assistants ----------

    async loadAssistants() {
      this.setData({ assistantState: 'loading', assistantError: '' })
      try {
        const a = await consoleService.listAssistants(this.data.roomId)
        this.setData({ assistantState: 'ready', assistants: a.list, assistantCount: a.count, assistantMax: a.maxCount })
      } catch (e) {
        this.setData({ assistantState: 'error', assistantError: errorText(e) })
      }
    },
    checkAssistant(username: string, nickname: string, mode: 'add' | 'modify') {
      const problems = consoleService.assistantProblems(mode, this.data.roomId, username, nickname, nowSeconds())
      this.setData({ aUsername: username, aNickname: nickname, aMode: mode, aErrors: fieldErrors(problems), aInvalid: Object.keys(problems).length > 0 })
    },
    onAssistantInput(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const field = String(e.currentTarget.dataset.field)
      const value = String(e.detail.value ?? '')
      this.checkAssistant(field === 'username' ? value : this.data.aUsername, field === 'nickname' ? value : this.data.aNickname, this.data.aMode)
    },
    onEditAssistant(e: WechatMiniprogram.BaseEvent) {
      const a = this.data.assistants.find((x) => x.alias === e.currentTarget.dataset.alias)
      if (a) this.checkAssistant(a.alias, a.nickname, 'modify')
    },
    onCancelAssistant() {
      this.setData({ aMode: 'add', aUsername: '', aNickname: '', aErrors: {}, aInvalid: true })
    },
    async onSubmitAssistant() {
      const { aMode, aUsername, aNickname, roomId } = this.data
      this.checkAssistant(aUsername.trim(), aNickname.trim(), aMode)
      if (this.data.aInvalid || this.data.aBusy) return
      this.setData({ aBusy: true })
      try {
        if (aMode === 'add') await consoleService.addAssistant(roomId, this.data.aUsername, this.data.aNickname)
        else await consoleService.modifyAssistant(roomId, this.data.aUsername, this.data.aNickname)
        this.onCancelAssistant()
        await this.loadAssistants()
      } catch (e) {
        const field = errorField(e)?.split('.').pop() ?? 'username'
        this.setData({ aErrors: { ...this.data.aErrors, [field === 'nickname' ? 'nickname' : 'username']: errorText(e) } })
      } finally {
        this.setData({ aBusy: false })
      }
    },
    async onRemoveAssistant(e: WechatMiniprogram.BaseEvent) {
      const alias = String(e.currentTarget.dataset.alias ?? '')
      if (!alias || this.data.aRemoving) return
      const answer = await wx.showModal({ title: '移除小助手', content: `移除小助手 ${alias}？`, confirmText: '移除' })
      if (!answer.confirm) return
      this.setData({ aRemoving: alias })
      try {
        await consoleService.removeAssistant(this.data.roomId, alias)
        await this.loadAssistants()
      } catch (e2) {
        showError(e2, '没有移除')
      } finally {
        this.setData({ aRemoving: '' })
      }
    },

    // ---------- sub-anchor ----------

    async loadSubAnchor() {
      this.setData({ subState: 'loading', subError: '' })
      try {
        const username = await consoleService.getSubAnchor(this.data.roomId)
        this.setData({ subState: 'ready', subAnchor: username ?? '', subInput: '', subInputError: '' })
      } catch (e) {
        this.setData({ subState: 'error', subError: errorText(e) })
      }
    },
    onSubInput(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const value = String(e.detail.value ?? '')
      const problems = consoleService.subAnchorProblems(this.data.roomId, value.trim(), this.data.subAnchor !== '', nowSeconds())
      this.setData({ subInput: value, subInputError: fieldErrors(problems).username ?? '' })
    },
    async onSubmitSub() {
      const username = this.data.subInput.trim()
      const hasOne = this.data.subAnchor !== ''
      const problems = fieldErrors(consoleService.subAnchorProblems(this.data.roomId, username, hasOne, nowSeconds()))
      if (problems.username) {
        this.setData({ subInputError: problems.username })
        return
      }
      if (this.data.subBusy) return
      this.setData({ subBusy: 'save' })
      try {
        await consoleService.setSubAnchor(this.data.roomId, username, hasOne)
        await this.loadSubAnchor()
      } catch (e) {
        this.setData({ subInputError: errorText(e) })
      } finally {
        this.setData({ subBusy: '' })
      }
    },
    async onDeleteSub() {
      if (!this.data.subAnchor || this.data.subBusy) return
      const answer = await wx.showModal({ title: '删除主播副号', content: `删除主播副号 ${this.data.subAnchor}？`, confirmText: '删除' })
      if (!answer.confirm) return
      this.setData({ subBusy: 'delete' })
      try {
        await consoleService.deleteSubAnchor(this.data.roomId)
        await this.loadSubAnchor()
      } catch (e) {
        showError(e, '没有删除')
      } finally {
        this.setData({ subBusy: '' })
      }
    },

    // ---------- push URL and share code ----------

    async onPushUrl() {
      if (this.data.pushBusy) return
      this.setData({ pushBusy: true, pushError: '' })
      try {
        this.setData({ pushUrl: await consoleService.getPushUrl(this.data.roomId) })
      } catch (e) {
        this.setData({ pushError: errorText(e) })
      } finally {
        this.setData({ pushBusy: false })
      }
    },
    onCopyPushUrl() {
      if (this.data.pushUrl) wx.setClipboardData({ data: this.data.pushUrl })
    },
    async onShareCode() {
      if (this.data.shareBusy) return
      this.setData({ shareBusy: true, shareError: '' })
      try {
        this.setData({ share: await consoleService.getSharedCode(this.data.roomId) })
      } catch (e) {
        this.setData({ shareError: errorText(e) })
      } finally {
        this.setData({ shareBusy: false })
      }
    },
    async onSaveImage(e: WechatMiniprogram.BaseEvent) {
      const which = e.currentTarget.dataset.which === 'poster' ? 'poster' : 'code'
      const url = which === 'poster' ? this.data.share?.posterUrl : this.data.share?.cdnUrl
      if (!url || this.data.saving) return
      this.setData({ saving: which, saveError: '' })
      try {
        await consoleService.saveImageToAlbum(url)
        wx.showToast({ title: '已保存到相册', icon: 'success' })
      } catch (e2) {
        const message = e2 instanceof AlbumError ? e2.message : errorText(e2)
        this.setData({ saveError: message })
        if (e2 instanceof AlbumError && e2.denied) {
          const answer = await wx.showModal({ title: '需要相册权限', content: message, confirmText: '去设置', cancelText: '暂不' })
          if (answer.confirm) wx.openSetting({})
        }
      } finally {
        this.setData({ saving: '' })
      }
    },
  },
})
