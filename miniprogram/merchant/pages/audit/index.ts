/**
 * The audit log, newest first: who did what, how it ended, WeChat's errcode, when (Asia/Shanghai). listAudit
 * filters by action and by person (not by outcome), so those are the filters offered.
 */
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorText } from '../../utils/errors'
import type { AuditRow } from '../../utils/people-audit'
import { listAudit, type AuditFilter } from '../../services/audit'

Component({
  data: {
    ...GATE_CHECKING,
    myOpenid: '',
    rows: [] as AuditRow[],
    next: null as string | null,
    loading: false,
    listError: '',
    filter: {} as AuditFilter,
    filterText: '',
  },
  methods: {
    ...gatedPageMethods('admin', (page, me) => page.setData({ myOpenid: me.openid ?? '' })),
    async onReachBottom() {
      await this.loadMore()
    },
    async reload() {
      this.setData({ loading: true, listError: '' })
      try {
        const page = await listAudit(this.data.filter, null, this.data.myOpenid || null)
        this.setData({ rows: page.rows, next: page.next })
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },
    async loadMore() {
      if (this.data.loading || this.data.next === null) return
      this.setData({ loading: true, listError: '' })
      try {
        const page = await listAudit(this.data.filter, this.data.next, this.data.myOpenid || null)
        this.setData({ rows: [...this.data.rows, ...page.rows], next: page.next })
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },
    setFilter(filter: AuditFilter) {
      const parts = [filter.action ? `操作 ${filter.action}` : '', filter.openid ? (filter.openid === this.data.myOpenid ? '只看我' : `只看 ${filter.openid}`) : '']
      this.setData({ filter, filterText: parts.filter(Boolean).join('，'), rows: [], next: null })
      void this.reload()
    },
    /** Tapping a row's action shows only that action. */
    onOnlyAction(e: WechatMiniprogram.BaseEvent) {
      const action = String(e.currentTarget.dataset.action ?? '')
      if (action) this.setFilter({ ...this.data.filter, action })
    },
    onOnlyMine() {
      if (this.data.myOpenid) this.setFilter({ ...this.data.filter, openid: this.data.myOpenid })
    },
    onClearFilter() {
      this.setFilter({})
    },
  },
})
