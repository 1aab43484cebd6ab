/** The shop's owners and admins, for owners only: add one by openid with a note, remove one. */
import * as rules from '../../generated/rules'
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorField, errorText } from '../../utils/errors'
import { ask } from '../../utils/people-modal'
import type { AdminRow } from '../../utils/people-admins'
import { addAdmin, listAdmins, removeAdmin, type AdminRole } from '../../services/admins'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

Component({
  data: {
    ...GATE_CHECKING,
    myOpenid: '',
    rows: [] as AdminRow[],
    loading: false,
    listError: '',
    roleOptions: [
      { value: 'admin', label: '管理员' },
      { value: 'owner', label: '店主（也能管理管理员）' },
    ],
    openid: '',
    note: '',
    role: 'admin' as AdminRole,
    openidError: '',
    noteError: '',
    formError: '',
    canSubmit: false,
    busy: false,
    done: '',
  },
  methods: {
    ...gatedPageMethods('owner', (page, me) => page.setData({ myOpenid: me.openid ?? '' })),
    async reload() {
      this.setData({ loading: true, listError: '' })
      try {
        this.setData({ rows: await listAdmins(this.data.myOpenid || null) })
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },

    /** The same schema addAdmin applies, field by field. */
    check() {
      const problems = rules.formProblems('addAdmin', { openid: this.data.openid.trim(), note: this.data.note, role: this.data.role }, nowSeconds())
      const shown = (field: string, value: string) => (value === '' ? '' : (problems[field]?.zh ?? ''))
      const other = Object.values(problems).find((p) => p.field !== 'openid' && p.field !== 'note')
      this.setData({
        openidError: shown('openid', this.data.openid),
        noteError: problems.note?.zh ?? '',
        formError: other?.zh ?? '',
        canSubmit: Object.keys(problems).length === 0,
      })
    },
    onOpenid(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ openid: String(e.detail.value ?? ''), done: '' })
      this.check()
    },
    onNote(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ note: String(e.detail.value ?? '') })
      this.check()
    },
    onRole(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ role: e.detail.value === 'owner' ? 'owner' : 'admin' })
      this.check()
    },
    async onAdd() {
      this.check()
      if (!this.data.canSubmit || this.data.busy) return
      const openid = this.data.openid.trim()
      const roleText = this.data.role === 'owner' ? '店主' : '管理员'
      this.setData({ busy: true, formError: '', done: '' })
      try {
        const added = await addAdmin(openid, this.data.note, this.data.role)
        this.setData({ openid: '', note: '', canSubmit: false, done: added ? `已添加${roleText} ${openid}` : `${openid} 已经是${roleText}` })
        await this.reload()
      } catch (e) {
        const field = errorField(e)
        this.setData({
          openidError: field === 'openid' ? errorText(e) : '',
          noteError: field === 'note' ? errorText(e) : '',
          formError: field === 'openid' || field === 'note' ? '' : errorText(e),
        })
      } finally {
        this.setData({ busy: false })
      }
    },
    async onRemove(e: WechatMiniprogram.BaseEvent) {
      const openid = String(e.currentTarget.dataset.openid ?? '')
      const row = this.data.rows.find((r) => r.openid === openid)
      if (!row || row.fixedReason) return
      const sure = await ask({ title: `移除${row.roleText}`, content: `移除后 ${openid}${row.note ? `（${row.note}）` : ''} 将不能再打开商家后台。`, confirmText: '移除' })
      if (!sure.confirm) return
      try {
        await removeAdmin(openid)
        wx.showToast({ title: '已移除', icon: 'success' })
        await this.reload()
      } catch (err) {
        await ask({ title: '没有移除', content: errorText(err) })
      }
    },
  },
})
