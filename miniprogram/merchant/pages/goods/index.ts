/** The goods warehouse: goods by audit state, each with what its state allows, and the day's review budget. */
import { GATE_CHECKING, openGate } from '../../utils/gate'
import { errorText, showError } from '../../utils/errors'
import { AdminError } from '../../services/call'
import * as goods from '../../services/goods'
import {
  AUDIT_TABS,
  BUDGET_UNKNOWN,
  budgetFromError,
  budgetView,
  goodsRow,
  isAuditStatus,
  type AuditStatusCode,
  type GoodsRow,
} from '../../utils/goods-view'

const PAGE_SIZE = 20

Component({
  data: {
    ...GATE_CHECKING,
    opened: false,
    tabs: AUDIT_TABS.slice(),
    status: AUDIT_TABS[0].value as AuditStatusCode,
    rows: [] as GoodsRow[],
    total: 0,
    loading: false,
    loadError: '',
    busy: false,
    budget: BUDGET_UNKNOWN,
    notice: '',
  },
  methods: {
    async onLoad() {
      await this.start(false)
    },
    async start(fresh: boolean) {
      const me = await openGate(this, 'live', fresh)
      if (!me) return
      this.setData({ opened: true })
      await Promise.all([this.loadBudget(), this.reload()])
    },
    onRetry() {
      void this.start(true)
    },
    /** Back from the add/edit page: the list and the budget may have changed. */
    onShow() {
      if (this.data.opened) void Promise.all([this.loadBudget(), this.reload()])
    },
    async onPullDownRefresh() {
      await Promise.all([this.loadBudget(), this.reload()])
      wx.stopPullDownRefresh()
    },
    onReachBottom() {
      if (!this.data.loading && this.data.rows.length < this.data.total) void this.loadMore()
    },
    async loadBudget() {
      try {
        this.setData({ budget: budgetView(await goods.reviewBudget(), Date.now()) })
      } catch (e) {
        this.setData({ budget: { ...BUDGET_UNKNOWN, text: `提审次数暂时查不到：${errorText(e)}` } })
      }
    },
    /** A refusal that says the day's reviews are spent updates the budget shown. */
    noteBudget(e: unknown) {
      const b = e instanceof AdminError ? budgetFromError(e.body) : null
      if (b) this.setData({ budget: budgetView(b, Date.now()) })
    },
    async reload() {
      this.setData({ rows: [], total: 0 })
      await this.loadMore()
    },
    async loadMore() {
      const status = this.data.status
      this.setData({ loading: true, loadError: '' })
      try {
        const page = await goods.listGoods(status, this.data.rows.length, PAGE_SIZE)
        // A tab switched while this page was on its way: its rows belong to another list.
        if (status !== this.data.status) return
        const rows = this.data.rows.concat(page.goods.map((g) => goodsRow(g, status)))
        this.setData({ rows, total: page.total, loading: false })
      } catch (e) {
        if (status === this.data.status) this.setData({ loading: false, loadError: errorText(e) })
      }
    },
    onTabChange(e: WechatMiniprogram.CustomEvent<{ value: unknown }>) {
      const value = Number(e.detail.value)
      if (!isAuditStatus(value) || value === this.data.status) return
      this.setData({ status: value })
      void this.reload()
    },
    onAdd() {
      if (!this.data.budget.canSubmit) return
      wx.navigateTo({ url: '/merchant/pages/goods-edit/index' })
    },
    onEdit(e: WechatMiniprogram.BaseEvent) {
      wx.navigateTo({ url: `/merchant/pages/goods-edit/index?goodsId=${Number(e.currentTarget.dataset.id)}` })
    },
    async act(name: string, run: () => Promise<unknown>, done: string) {
      if (this.data.busy) return
      this.setData({ busy: true, notice: '' })
      try {
        await run()
        wx.showToast({ title: done, icon: 'success' })
        this.setData({ notice: done })
        await Promise.all([this.loadBudget(), this.reload()])
      } catch (e) {
        this.noteBudget(e)
        showError(e, `${name}没有成功`)
      } finally {
        this.setData({ busy: false })
      }
    },
    onWithdraw(e: WechatMiniprogram.BaseEvent) {
      const id = Number(e.currentTarget.dataset.id)
      void this.act('撤回审核', () => goods.withdrawGoods(id), '已撤回审核')
    },
    onResubmit(e: WechatMiniprogram.BaseEvent) {
      const id = Number(e.currentTarget.dataset.id)
      if (!this.data.budget.canSubmit) return
      void this.act('提交审核', () => goods.resubmitGoods(id), '已提交审核')
    },
    onDelete(e: WechatMiniprogram.BaseEvent) {
      const id = Number(e.currentTarget.dataset.id)
      const row = this.data.rows.find((r) => r.goodsId === id)
      wx.showModal({
        title: '删除商品',
        content: `“${row?.name ?? id}”将从商品库和所有直播间删除，不能恢复。`,
        confirmText: '删除',
        confirmColor: '#d54941',
        success: (res) => {
          if (res.confirm) void this.act('删除', () => goods.deleteGoods(id), '已删除')
        },
      })
    },
    async onRefreshAudit() {
      if (this.data.busy) return
      this.setData({ busy: true, notice: '' })
      try {
        const r = await goods.refreshAuditStates()
        this.setData({ notice: r.changed > 0 ? `已向平台查询 ${r.checked} 个商品，${r.changed} 个审核状态有变化` : `已向平台查询 ${r.checked} 个商品，审核状态没有变化` })
        await this.reload()
      } catch (e) {
        showError(e, '刷新审核状态没有成功')
      } finally {
        this.setData({ busy: false })
      }
    },
  },
})
