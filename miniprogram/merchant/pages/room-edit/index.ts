/**
 * Create a room, or edit one that has not started (`?id=`): every field checked as it is typed with the function's
 * own rules, times picked in Shanghai time, images uploaded with progress, the real-name QR code when the anchor
 * must verify. A new room's form is kept on the phone until it is created.
 */
import * as rules from '../../generated/rules'
import { AdminError } from '../../services/call'
import { pickImage, uploadImage } from '../../services/media'
import { createRoom, editRoom, getRoom } from '../../services/rooms'
import { errorText, showError } from '../../utils/errors'
import { GATE_CHECKING, openGate } from '../../utils/gate'
import {
  FIELD_LABELS,
  IMAGE_FIELDS,
  IMAGE_INFO,
  clearDraft,
  formFromRoom,
  loadDraft,
  newRoomForm,
  problemSummary,
  recallRoom,
  rememberRoom,
  roomFormProblems,
  roomParams,
  saveDraft,
  timeWindow,
  type ImageField,
  type RoomForm,
  type RoomFormMode,
  type TimeWindow,
} from '../../utils/room-form'
import { wxStore } from '../../utils/room-storage'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** createRoom's errcode for an anchor who has not verified their real name; the reply carries the QR code. */
const NOT_REAL_NAME = 300036

type LoadState = 'loading' | 'ready' | 'error'
type PickerField = 'start' | 'end'

const TEXT_FIELDS = ['name', 'anchorName', 'anchorWechat', 'subAnchorWechat'] as const
type TextField = (typeof TEXT_FIELDS)[number]
const SWITCH_FIELDS = ['likeOn', 'goodsOn', 'commentOn', 'replayOn', 'kfOn', 'feedsPublic'] as const
type SwitchField = (typeof SWITCH_FIELDS)[number]

/** Where a picker's choice lands in the rules' terms. */
const PICKED_FIELD: Record<PickerField, string> = { start: 'startTime', end: 'endTime' }

Component({
  data: {
    ...GATE_CHECKING,
    mode: 'create' as RoomFormMode,
    roomId: 0,
    /** The `id` the page was opened with, as given (named when it is not a room number). */
    rawId: '',
    loadState: 'loading' as LoadState,
    loadError: '',
    form: null as RoomForm | null,
    imageFields: IMAGE_FIELDS.map((key) => ({ key, ...IMAGE_INFO[key] })),
    typeOptions: [
      { value: 0, label: '手机直播' },
      { value: 1, label: '推流直播' },
    ],
    nameWidth: 0,
    anchorWidth: 0,
    nameLimit: rules.ROOM_NAME_WIDTH,
    anchorLimit: rules.ANCHOR_NAME_WIDTH,
    window: null as TimeWindow | null,
    /** Every problem; `shown` holds those of fields the merchant touched, or all after a submit. */
    problems: {} as Record<string, string>,
    shown: {} as Record<string, string>,
    touched: {} as Record<string, boolean>,
    /** What the function refused a field for, until that field changes. */
    refused: {} as Record<string, string>,
    summary: '',
    canSubmit: false,
    busy: false,
    uploading: false,
    picker: { visible: false, field: 'start' as PickerField, value: '', min: '', max: '' },
    realnameQr: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      const raw = query?.id
      const edit = raw !== undefined
      this.setData({ mode: edit ? 'edit' : 'create', roomId: edit ? Number(raw) : 0, rawId: raw ?? '' })
      wx.setNavigationBarTitle({ title: edit ? '编辑直播间' : '新建直播间' })
      await this.open(false)
    },
    onRetry() {
      void this.open(true)
    },
    async open(fresh: boolean) {
      const me = await openGate(this, 'live', fresh)
      if (me) await this.load()
    },
    async load() {
      this.setData({ loadState: 'loading', loadError: '' })
      const id = this.data.roomId
      if (this.data.mode === 'edit' && (!Number.isInteger(id) || id <= 0)) {
        this.setData({ loadState: 'error', loadError: `房间号无效：${this.data.rawId}` })
        return
      }
      if (this.data.mode === 'create') {
        this.show(loadDraft(wxStore, nowSeconds()) ?? newRoomForm(nowSeconds()))
        return
      }
      try {
        const room = await getRoom(this.data.roomId)
        if (!room) {
          this.setData({ loadState: 'error', loadError: `直播间 ${this.data.roomId} 不存在或已删除` })
          return
        }
        if (room.liveStatus !== rules.LiveStatus.upcoming) {
          this.setData({ loadState: 'error', loadError: '只有未开始的直播间可以编辑' })
          return
        }
        this.show(formFromRoom(room, recallRoom(wxStore, room.roomid)))
      } catch (e) {
        this.setData({ loadState: 'error', loadError: errorText(e) })
      }
    },
    show(form: RoomForm) {
      this.setData({ loadState: 'ready' })
      this.update(form)
    },
    /** The one way the form changes: problems, widths, the window and the submit button follow it. */
    update(form: RoomForm, touchedNow?: Record<string, boolean>) {
      const touched = touchedNow ?? this.data.touched
      const now = nowSeconds()
      const problems = roomFormProblems(form, this.data.mode, this.data.roomId, now)
      const refused = this.data.refused
      const shown: Record<string, string> = {}
      for (const [field, text] of Object.entries({ ...problems, ...refused })) if (touched[field] || field in refused) shown[field] = text
      const uploading = IMAGE_FIELDS.some((f) => form.images[f].uploading)
      this.setData({
        form,
        touched,
        problems,
        shown,
        uploading,
        nameWidth: rules.textWidth(form.name.trim()),
        anchorWidth: rules.textWidth(form.anchorName.trim()),
        window: timeWindow(form, now),
        summary: problemSummary({ ...problems, ...refused }),
        canSubmit: Object.keys(problems).length === 0 && Object.keys(refused).length === 0 && !uploading && !this.data.busy,
      })
      if (this.data.mode === 'create') saveDraft(wxStore, form)
    },
    /** A copy of the form to change (setData must see a new value). */
    draft(): RoomForm {
      const f = this.data.form as RoomForm
      return { ...f, images: { coverImg: { ...f.images.coverImg }, shareImg: { ...f.images.shareImg }, feedsImg: { ...f.images.feedsImg } } }
    },
    changed(field: string): { touched: Record<string, boolean> } {
      if (field in this.data.refused) {
        const refused = { ...this.data.refused }
        delete refused[field]
        this.setData({ refused })
      }
      return { touched: { ...this.data.touched, [field]: true } }
    },
    onInput(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const field = String(e.currentTarget.dataset.field) as TextField
      if (!TEXT_FIELDS.includes(field) || !this.data.form) return
      const form = this.draft()
      form[field] = String(e.detail.value ?? '')
      this.update(form, this.changed(field).touched)
    },
    onSwitch(e: WechatMiniprogram.CustomEvent<{ value: boolean }>) {
      const field = String(e.currentTarget.dataset.field) as SwitchField
      if (!SWITCH_FIELDS.includes(field) || !this.data.form) return
      const form = this.draft()
      form[field] = e.detail.value === true
      this.update(form)
    },
    onType(e: WechatMiniprogram.CustomEvent<{ value: number | string }>) {
      if (!this.data.form || this.data.mode !== 'create') return
      const form = this.draft()
      form.type = Number(e.detail.value) === 1 ? 1 : 0
      this.update(form)
    },
    onOpenPicker(e: WechatMiniprogram.BaseEvent) {
      const field: PickerField = e.currentTarget.dataset.field === 'end' ? 'end' : 'start'
      const form = this.data.form
      const win = this.data.window
      if (!form || !win) return
      const [min, max] = field === 'start' ? [win.startMin, win.startMax] : [win.endMin, win.endMax]
      this.setData({ picker: { visible: true, field, value: form[field], min, max } })
    },
    onPickerConfirm(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const field = this.data.picker.field
      this.setData({ 'picker.visible': false })
      if (!this.data.form) return
      const form = this.draft()
      form[field] = String(e.detail.value)
      this.update(form, this.changed(PICKED_FIELD[field]).touched)
    },
    onPickerCancel() {
      this.setData({ 'picker.visible': false })
    },
    async onPickImage(e: WechatMiniprogram.BaseEvent) {
      const field = String(e.currentTarget.dataset.field) as ImageField
      if (!IMAGE_FIELDS.includes(field) || !this.data.form || this.data.form.images[field].uploading) return
      let picked: Awaited<ReturnType<typeof pickImage>>
      try {
        picked = await pickImage()
      } catch (err) {
        showError(err, '没有选到图片')
        return
      }
      if (!picked) return
      const touched = this.changed(field).touched
      const tooBig = rules.checkRoomImageSize(field, picked.size)
      if (tooBig) {
        this.setData({ refused: { ...this.data.refused, [field]: tooBig.zh } })
        this.update(this.data.form as RoomForm, touched)
        return
      }
      const form = this.draft()
      form.images[field] = { fileId: '', preview: picked.path, percent: 0, uploading: true }
      this.update(form, touched)
      try {
        const fileId = await uploadImage(picked.path, 'rooms', (percent) => this.setData({ [`form.images.${field}.percent`]: percent }))
        const done = this.draft()
        done.images[field] = { fileId, preview: picked.path, percent: 100, uploading: false }
        this.update(done)
      } catch (err) {
        const failed = this.draft()
        failed.images[field] = { fileId: '', preview: '', percent: 0, uploading: false }
        this.setData({ refused: { ...this.data.refused, [field]: `上传失败，请重新选择：${errorText(err)}` } })
        this.update(failed)
      }
    },
    async onSubmit() {
      const form = this.data.form
      if (!form || this.data.busy || this.data.uploading) return
      const all: Record<string, boolean> = { ...this.data.touched }
      for (const field of Object.keys(this.data.problems)) all[field] = true
      this.update(form, all)
      if (!this.data.canSubmit) return
      const mode = this.data.mode
      const params = roomParams(form, mode, this.data.roomId)
      const checked = rules.checkForm(mode === 'create' ? 'createRoom' : 'editRoom', params, nowSeconds())
      if (!checked.ok) {
        this.setData({ refused: { ...this.data.refused, [checked.problem.field]: checked.problem.zh } })
        this.update(form, all)
        return
      }
      this.setData({ busy: true, canSubmit: false, realnameQr: '' })
      let saved = false
      try {
        const reply = mode === 'create' ? await createRoom(params) : await editRoom(params)
        saved = true
        rememberRoom(wxStore, reply.roomId, form)
        if (mode === 'create') clearDraft(wxStore)
        wx.showToast({ title: mode === 'create' ? '直播间已创建' : '已保存', icon: 'success' })
        wx.navigateBack({ delta: 1 })
      } catch (err) {
        this.refusedBy(err, form)
      }
      this.setData({ busy: false })
      // Once saved the form is no draft any more (update would keep it); a refused one is shown again.
      if (!saved) this.update(this.data.form as RoomForm)
    },
    /** A refusal marks the field it names; the real-name one also shows the QR code the anchor scans. */
    refusedBy(err: unknown, form: RoomForm) {
      const field = err instanceof AdminError ? err.field : undefined
      if (err instanceof AdminError && err.errcode === NOT_REAL_NAME) {
        const qr = typeof err.body.qrcodeUrl === 'string' && err.body.qrcodeUrl ? err.body.qrcodeUrl : rules.REALNAME_QRCODE_URL
        this.setData({ realnameQr: qr, refused: { ...this.data.refused, [field ?? 'anchorWechat']: errorText(err) } })
        this.update(form, { ...this.data.touched, anchorWechat: true })
        return
      }
      if (field && field in FIELD_LABELS) {
        this.setData({ refused: { ...this.data.refused, [field]: errorText(err) } })
        this.update(form)
      }
      showError(err, '没有保存')
    },
    /** The anchor verified: the refusal no longer holds, try again. */
    async onRealnameDone() {
      const refused = { ...this.data.refused }
      delete refused.anchorWechat
      this.setData({ refused, realnameQr: '' })
      await this.onSubmit()
    },
    async onSaveQr() {
      const url = this.data.realnameQr
      if (!url) return
      try {
        const filePath = await new Promise<string>((resolve, reject) =>
          wx.downloadFile({ url, success: (res) => resolve(res.tempFilePath), fail: reject }),
        )
        await wx.saveImageToPhotosAlbum({ filePath })
        wx.showToast({ title: '已保存到相册', icon: 'success' })
      } catch (err) {
        showError(err, '没有保存二维码')
      }
    },
  },
})
