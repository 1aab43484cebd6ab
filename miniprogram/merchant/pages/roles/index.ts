/** Live roles: members by role, give a role by WeChat ID, take one away (typing the whole ID the list masks). */
import * as rules from '../../generated/rules'
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorField, errorText } from '../../utils/errors'
import { ask } from '../../utils/people-modal'
import { GRANTABLE_ROLES, ROLE_TABS, fitsMasked, isGrantableRole, roleCapsText, type MemberRow } from '../../utils/people-roles'
import { addRole, deleteRole, listRoles } from '../../services/people'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

Component({
  data: {
    ...GATE_CHECKING,
    tabs: ROLE_TABS,
    tab: rules.RoleId.All as number,
    capsText: roleCapsText(),
    rows: [] as MemberRow[],
    total: 0,
    nextOffset: null as number | null,
    loading: false,
    listError: '',
    roleOptions: GRANTABLE_ROLES.map((r) => ({ value: r, label: rules.ROLE_TEXT[r].zh })),
    username: '',
    role: rules.RoleId.Operator as number,
    usernameError: '',
    formError: '',
    canSubmit: false,
    busy: false,
    /** Set after adding an anchor who must finish real-name verification: the code to scan. */
    codeurl: '',
    done: '',
  },
  methods: {
    ...gatedPageMethods('live'),
    async onReachBottom() {
      await this.loadMore()
    },

    async reload() {
      this.setData({ loading: true, listError: '' })
      try {
        const page = await listRoles(this.data.tab, 0)
        this.setData({ rows: page.rows, total: page.total, nextOffset: page.nextOffset })
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },
    async loadMore() {
      if (this.data.loading || this.data.nextOffset === null) return
      this.setData({ loading: true, listError: '' })
      try {
        const page = await listRoles(this.data.tab, this.data.nextOffset)
        this.setData({ rows: [...this.data.rows, ...page.rows], total: page.total, nextOffset: page.nextOffset })
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },
    onTab(e: WechatMiniprogram.BaseEvent) {
      const tab = Number(e.currentTarget.dataset.value)
      if (!ROLE_TABS.some((t) => t.value === tab) || tab === this.data.tab) return
      this.setData({ tab, rows: [], nextOffset: null })
      void this.reload()
    },

    /** Marks the form as typed: the same rules addRole applies. */
    check() {
      const problems = rules.formProblems('addRole', { username: this.data.username.trim(), role: this.data.role }, nowSeconds())
      const first = Object.values(problems)[0]
      this.setData({
        usernameError: this.data.username === '' ? '' : (problems.username?.zh ?? ''),
        formError: first && first.field !== 'username' ? first.zh : '',
        canSubmit: Object.keys(problems).length === 0,
      })
    },
    onUsername(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ username: String(e.detail.value ?? ''), done: '', codeurl: '' })
      this.check()
    },
    onRole(e: WechatMiniprogram.CustomEvent<{ value: number }>) {
      this.setData({ role: Number(e.detail.value) })
      this.check()
    },
    async onAdd() {
      this.check()
      const role = this.data.role
      if (!this.data.canSubmit || this.data.busy || !isGrantableRole(role)) return
      const username = this.data.username.trim()
      this.setData({ busy: true, formError: '', done: '', codeurl: '' })
      try {
        const added = await addRole(username, role)
        this.setData({
          username: '',
          canSubmit: false,
          codeurl: added.codeurl ?? '',
          done: added.codeurl
            ? `已把 ${username} 设为${rules.ROLE_TEXT[role].zh}；对方还没有实名认证，请让对方用该微信扫描下方二维码，在“小程序直播”小程序完成认证`
            : `已把 ${username} 设为${rules.ROLE_TEXT[role].zh}`,
        })
        await this.reload()
      } catch (e) {
        const text = errorText(e)
        const body = (e as { body?: { codeurl?: unknown } }).body
        this.setData({
          codeurl: typeof body?.codeurl === 'string' ? body.codeurl : '',
          usernameError: errorField(e) === 'username' ? text : '',
          formError: errorField(e) === 'username' ? '' : text,
        })
      } finally {
        this.setData({ busy: false })
      }
    },

    async onRemove(e: WechatMiniprogram.BaseEvent) {
      const masked = String(e.currentTarget.dataset.username ?? '')
      const role = Number(e.currentTarget.dataset.role)
      if (!masked || !isGrantableRole(role)) return
      const name = rules.ROLE_TEXT[role].zh
      const typed = await ask({ title: `解除${name}`, content: `请输入 ${masked} 的完整微信号`, editable: true, placeholderText: '完整微信号', confirmText: '解除' })
      if (!typed.confirm) return
      const username = typed.content.trim()
      const problem = rules.formProblems('deleteRole', { username, role }, nowSeconds()).username
      const why = problem ? problem.zh : fitsMasked(masked, username) ? '' : `输入的微信号与列表中的 ${masked} 不一致`
      if (why) {
        await ask({ title: '没有解除', content: why })
        return
      }
      try {
        await deleteRole(username, role)
        wx.showToast({ title: `已解除${name}`, icon: 'success' })
        await this.reload()
      } catch (err) {
        await ask({ title: '没有解除', content: errorText(err) })
      }
    },
  },
})
