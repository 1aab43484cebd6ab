/**
 * Adds a goods item (and submits it for review) or edits one (`?goodsId=`): the cover uploaded with progress,
 * every field checked as it is typed by the rules liveAdmin applies, and on an edit only the fields the goods'
 * audit state allows, the others greyed with the reason.
 */
import * as rules from '../../generated/rules'
import { GATE_CHECKING, openGate } from '../../utils/gate'
import { errorField, errorText, showError } from '../../utils/errors'
import { AdminError } from '../../services/call'
import { pickImage, uploadImage } from '../../services/media'
import * as goods from '../../services/goods'
import { AUDIT_TEXT, BUDGET_UNKNOWN, budgetFromError, budgetView, type AuditStatusCode } from '../../utils/goods-view'
import { EMPTY_FORM, FORM_FIELDS, changesOf, formErrors, formFieldOf, formOf, goodsInfoOf, lockedFields, type GoodsForm } from '../../utils/goods-form'

const PRICE_TYPES = [
  { value: rules.PriceType.Fixed, label: '一口价' },
  { value: rules.PriceType.Range, label: '价格区间' },
  { value: rules.PriceType.Discount, label: '折扣价' },
]

/** What each price field is called under each price type. */
function priceLabels(priceType: number): { price: string; price2: string } {
  if (priceType === rules.PriceType.Range) return { price: '最低价（元）', price2: '最高价（元）' }
  if (priceType === rules.PriceType.Discount) return { price: '原价（元）', price2: '现价（元）' }
  return { price: '价格（元）', price2: '' }
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

Component({
  data: {
    ...GATE_CHECKING,
    goodsId: 0,
    loading: false,
    loadError: '',
    auditStatus: -1,
    statusText: '',
    form: { ...EMPTY_FORM } as GoodsForm,
    original: { ...EMPTY_FORM } as GoodsForm,
    coverPreview: '',
    uploading: false,
    coverProgress: 0,
    editable: FORM_FIELDS.slice() as string[],
    locked: {} as Record<string, string>,
    errors: {} as Record<string, string>,
    shown: {} as Record<string, string>,
    /** What liveAdmin refused a field with, shown until that field changes. */
    serverErrors: {} as Record<string, string>,
    touched: {} as Record<string, boolean>,
    valid: false,
    nameWidth: 0,
    nameMax: rules.GOODS_NAME_WIDTH.max,
    priceTypes: PRICE_TYPES,
    labels: priceLabels(rules.PriceType.Fixed),
    budget: BUDGET_UNKNOWN,
    busy: false,
    canSubmit: false,
    submitText: '添加并提交审核',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      const id = Number(query?.goodsId ?? 0)
      this.setData({ goodsId: Number.isInteger(id) && id > 0 ? id : 0, submitText: id > 0 ? '保存修改' : '添加并提交审核' })
      await this.start(false)
    },
    async start(fresh: boolean) {
      const me = await openGate(this, 'live', fresh)
      if (!me) return
      if (this.data.goodsId) await this.loadGoods()
      else {
        wx.setNavigationBarTitle({ title: '添加商品' })
        this.check()
        await this.loadBudget()
      }
    },
    onRetry() {
      void this.start(true)
    },
    async loadBudget() {
      try {
        this.setData({ budget: budgetView(await goods.reviewBudget(), Date.now()) })
      } catch (e) {
        this.setData({ budget: { ...BUDGET_UNKNOWN, text: `提审次数暂时查不到：${errorText(e)}` } })
      }
      this.check()
    },
    async loadGoods() {
      wx.setNavigationBarTitle({ title: '编辑商品' })
      this.setData({ loading: true, loadError: '' })
      try {
        const g = await goods.getGoods(this.data.goodsId)
        if (!g) {
          this.setData({ loading: false, loadError: `商品 ${this.data.goodsId} 已不在商品库中` })
          return
        }
        const form = formOf(g)
        const status = g.auditStatus as AuditStatusCode
        this.setData({
          loading: false,
          auditStatus: status,
          statusText: AUDIT_TEXT[status] ?? String(status),
          form,
          original: { ...form },
          coverPreview: g.coverImgUrl,
          editable: g.updatableFields.filter((f) => (FORM_FIELDS as readonly string[]).includes(f)),
          locked: lockedFields(status),
          labels: priceLabels(form.priceType),
        })
        this.check()
      } catch (e) {
        this.setData({ loading: false, loadError: errorText(e) })
      }
    },
    /** Re-checks the whole form; problems show beside the fields already touched (all of them after a submit). */
    check(showAll = false) {
      const adding = !this.data.goodsId
      const form = this.data.form
      const errors = formErrors(form, nowSeconds(), adding ? undefined : this.data.editable) as Record<string, string>
      const touched: Record<string, boolean> = { ...this.data.touched }
      if (showAll) for (const f of FORM_FIELDS) touched[f] = true
      const shown: Record<string, string> = {}
      for (const [f, text] of Object.entries(errors)) if (touched[f]) shown[f] = text
      for (const [f, text] of Object.entries(this.data.serverErrors)) shown[f] ??= text
      const valid = Object.keys(errors).length === 0
      const nothingEditable = !adding && this.data.editable.length === 0
      this.setData({
        errors,
        shown,
        touched,
        valid,
        nameWidth: rules.textWidth(form.name),
        labels: priceLabels(form.priceType),
        canSubmit: valid && !this.data.busy && !this.data.uploading && !nothingEditable && (!adding || this.data.budget.canSubmit),
      })
    },
    setField(field: string, value: unknown) {
      if (this.data.locked[field] || (this.data.goodsId && !this.data.editable.includes(field))) return
      const serverErrors = { ...this.data.serverErrors }
      delete serverErrors[field]
      this.setData({ [`form.${field}`]: value, [`touched.${field}`]: true, serverErrors })
      this.check()
    },
    onInput(e: WechatMiniprogram.CustomEvent<{ value: string }, Record<string, never>, { field: string }>) {
      this.setField(String(e.currentTarget.dataset.field), String(e.detail.value ?? ''))
    },
    onPriceType(e: WechatMiniprogram.CustomEvent<{ value: unknown }>) {
      this.setField('priceType', Number(e.detail.value))
    },
    async onPickCover() {
      if (this.data.uploading || this.data.locked.coverImgUrl || (this.data.goodsId && !this.data.editable.includes('coverImgUrl'))) return
      let picked
      try {
        picked = await pickImage()
      } catch (e) {
        showError(e, '没有选到图片')
        return
      }
      if (!picked) return
      this.setData({ uploading: true, coverProgress: 0, coverPreview: picked.path, 'touched.coverImgUrl': true })
      this.check()
      try {
        const fileId = await uploadImage(picked.path, 'goods', (p) => this.setData({ coverProgress: p }))
        const serverErrors = { ...this.data.serverErrors }
        delete serverErrors.coverImgUrl
        this.setData({ 'form.coverImgUrl': fileId, uploading: false, serverErrors })
      } catch (e) {
        this.setData({ uploading: false, 'form.coverImgUrl': this.data.original.coverImgUrl, coverPreview: this.data.original.coverImgUrl })
        showError(e, '封面上传没有成功')
      }
      this.check()
    },
    async onSubmit() {
      this.check(true)
      if (!this.data.canSubmit) return
      this.setData({ busy: true, canSubmit: false })
      try {
        if (this.data.goodsId) await this.saveEdit()
        else await this.add()
      } catch (e) {
        const field = formFieldOf(errorField(e))
        if (field && (FORM_FIELDS as readonly string[]).includes(field)) this.setData({ serverErrors: { ...this.data.serverErrors, [field]: errorText(e) } })
        const b = e instanceof AdminError ? budgetFromError(e.body) : null
        if (b) this.setData({ budget: budgetView(b, Date.now()) })
        showError(e, this.data.goodsId ? '没有保存' : '没有添加')
      } finally {
        this.setData({ busy: false })
        this.check()
      }
    },
    async add() {
      const checked = rules.checkForm('goodsAdd', { goodsInfo: goodsInfoOf(this.data.form) }, nowSeconds())
      if (!checked.ok) throw new AdminError({ code: 'invalid_argument', field: checked.problem.field, zh: checked.problem.zh, en: checked.problem.en, ...(checked.problem.errcode ? { errcode: checked.problem.errcode } : {}) })
      const r = await goods.addGoods((checked.data as { goodsInfo: Record<string, unknown> }).goodsInfo)
      wx.showToast({ title: `已提交审核，今天还能提审 ${r.reviewBudgetLeft} 次`, icon: 'none' })
      wx.navigateBack({ delta: 1 })
    },
    async saveEdit() {
      const changes = changesOf(this.data.original, this.data.form, this.data.editable)
      const keys = Object.keys(changes)
      if (keys.length === 0) {
        wx.showToast({ title: '没有修改', icon: 'none' })
        return
      }
      const refused = rules.checkGoodsUpdateFields(this.data.auditStatus, keys)
      if (refused) throw new AdminError({ code: 'failed_precondition', field: refused.field, errcode: refused.errcode, zh: refused.zh, en: refused.en })
      await goods.updateGoods(this.data.goodsId, changes)
      this.setData({ original: { ...this.data.form } })
      wx.showToast({ title: '已保存', icon: 'success' })
      wx.navigateBack({ delta: 1 })
    },
  },
})
