/**
 * Batch import of goods or rooms from a CSV or JSON file picked from a chat: the template to fill in, the file
 * uploaded with progress and every row checked before anything is submitted, then the job followed run by run
 * with each row's outcome. The job id is kept on the phone, so leaving the page and coming back resumes it.
 */
import { GATE_CHECKING, openGate } from '../../utils/gate'
import { errorText, showError } from '../../utils/errors'
import { AdminError } from '../../services/call'
import * as batch from '../../services/batch'
import {
  FILE_EXTENSIONS,
  JOB_STORAGE_KEY,
  KIND_TEXT,
  batchExtension,
  checkedRows,
  columnNotes,
  isBatchKind,
  jobText,
  jsonTemplate,
  mergeOutcomes,
  outcomeView,
  progressPercent,
  readStoredJob,
  validationSummary,
  type BatchKind,
  type CheckedRowView,
  type JobProgress,
  type OutcomeView,
} from '../../utils/batch-view'

/** Runs in a row that moved nothing before the page stops calling and says to come back later. */
const IDLE_RUNS_MAX = 3

interface PageState {
  /** Set when the page is left: the follow loop stops after the call in flight. */
  left?: boolean
  following?: boolean
}

const KINDS = (Object.keys(KIND_TEXT) as BatchKind[]).map((value) => ({ value, label: KIND_TEXT[value] }))

Component({
  data: {
    ...GATE_CHECKING,
    kinds: KINDS,
    kind: 'goods' as BatchKind,
    tplCsv: '',
    tplJson: '',
    tplNotes: [] as { name: string; note: string }[],
    tplError: '',
    fileName: '',
    fileId: '',
    uploading: false,
    uploadProgress: 0,
    checking: false,
    fileError: '',
    summary: '',
    rows: [] as CheckedRowView[],
    validCount: 0,
    invalidCount: 0,
    jobId: '',
    jobKind: 'goods' as BatchKind,
    jobState: '',
    jobText: '',
    jobPercent: 0,
    outcomes: [] as OutcomeView[],
    following: false,
    recent: [] as { jobId: string; kind: BatchKind; title: string; text: string }[],
    recentLoading: false,
    recentError: '',
    busy: false,
  },
  methods: {
    async onLoad() {
      await this.start(false)
    },
    async start(fresh: boolean) {
      const me = await openGate(this, 'live', fresh)
      if (!me) return
      await Promise.all([this.loadTemplate(), this.loadRecent(), this.resumeStored()])
    },
    onRetry() {
      void this.start(true)
    },
    onUnload() {
      ;(this as unknown as PageState).left = true
    },
    async onPullDownRefresh() {
      await Promise.all([this.loadRecent(), this.data.jobId ? this.showJob(this.data.jobId, this.data.jobKind) : Promise.resolve()])
      wx.stopPullDownRefresh()
    },

    // ---- template ----
    async loadTemplate() {
      const kind = this.data.kind
      this.setData({ tplError: '' })
      try {
        const t = await batch.template(kind)
        if (kind !== this.data.kind) return
        this.setData({ tplCsv: t.csv, tplJson: jsonTemplate(t.csv, t.columns), tplNotes: columnNotes(t.columns) })
      } catch (e) {
        this.setData({ tplError: errorText(e) })
      }
    },
    onKind(e: WechatMiniprogram.CustomEvent<{ value: unknown }>) {
      const kind = e.detail.value
      if (!isBatchKind(kind) || kind === this.data.kind) return
      this.setData({ kind, tplCsv: '', tplJson: '', tplNotes: [], fileName: '', fileId: '', fileError: '', summary: '', rows: [], validCount: 0, invalidCount: 0 })
      void this.loadTemplate()
    },
    onCopyTemplate(e: WechatMiniprogram.BaseEvent) {
      const json = e.currentTarget.dataset.format === 'json'
      const data = json ? this.data.tplJson : this.data.tplCsv
      if (data) wx.setClipboardData({ data })
    },
    /** Writes the template as a file and opens WeChat's forward sheet, so the merchant can send it to a chat or a computer. */
    onShareTemplate(e: WechatMiniprogram.BaseEvent) {
      const format = e.currentTarget.dataset.format === 'json' ? 'json' : 'csv'
      const data = format === 'json' ? this.data.tplJson : this.data.tplCsv
      if (!data) return
      const fileName = `${this.data.kind}-template.${format}`
      const filePath = `${wx.env.USER_DATA_PATH}/${fileName}`
      // The BOM lets Excel open the CSV as UTF-8; the function reads files with or without it.
      wx.getFileSystemManager().writeFile({
        filePath,
        data: format === 'csv' ? `\ufeff${data}` : data,
        encoding: 'utf8',
        success: () => wx.shareFileMessage({ filePath, fileName, fail: (err) => { if (!/cancel/.test(err.errMsg)) showError(err, '没有转发') } }),
        fail: (err) => showError(err, '模板没有保存'),
      })
    },

    // ---- file ----
    onChooseFile() {
      if (this.data.uploading || this.data.checking || this.data.busy) return
      wx.chooseMessageFile({
        count: 1,
        type: 'file',
        extension: FILE_EXTENSIONS.slice(),
        success: (res) => {
          const f = res.tempFiles[0]
          if (f) void this.useFile(f.path, f.name)
        },
        fail: (err) => {
          if (!/cancel/.test(err.errMsg)) showError(err, '没有选到文件')
        },
      })
    },
    async useFile(path: string, name: string) {
      this.setData({ fileName: name, fileId: '', fileError: '', summary: '', rows: [], validCount: 0, invalidCount: 0 })
      if (!batchExtension(name)) {
        this.setData({ fileError: `“${name}”不是 CSV 或 JSON 文件，请选择 .csv 或 .json 文件` })
        return
      }
      this.setData({ uploading: true, uploadProgress: 0 })
      let fileId: string
      try {
        fileId = await batch.uploadBatchFile(path, name, (p) => this.setData({ uploadProgress: p }))
      } catch (e) {
        this.setData({ uploading: false, fileError: `文件没有上传成功：${errorText(e)}` })
        return
      }
      this.setData({ uploading: false, fileId, checking: true })
      await this.check()
    },
    async check() {
      const { fileId, kind } = this.data
      try {
        const v = await batch.validate(fileId, kind)
        this.setData({ checking: false, summary: validationSummary(v, Date.now()), rows: checkedRows(v), validCount: v.valid, invalidCount: v.invalid })
      } catch (e) {
        this.setData({ checking: false, fileError: errorText(e) })
      }
    },

    // ---- job ----
    onSubmit() {
      if (this.data.busy || !this.data.fileId || this.data.validCount === 0) return
      const skip = this.data.invalidCount > 0
      if (!skip) {
        void this.submit(false)
        return
      }
      wx.showModal({
        title: '提交合格的行',
        content: `${this.data.invalidCount} 行不合格，将跳过；提交其余 ${this.data.validCount} 行？`,
        confirmText: '提交',
        success: (res) => {
          if (res.confirm) void this.submit(true)
        },
      })
    },
    async submit(skipInvalid: boolean) {
      this.setData({ busy: true })
      try {
        const started = await batch.start(this.data.fileId, this.data.kind, skipInvalid)
        wx.setStorageSync(JOB_STORAGE_KEY, { jobId: started.jobId, kind: this.data.kind })
        this.setData({ fileId: '', fileName: '', summary: '', rows: [], validCount: 0, invalidCount: 0 })
        await this.showJob(started.jobId, this.data.kind)
      } catch (e) {
        const rowErrors = e instanceof AdminError && Array.isArray(e.body.rowErrors) ? e.body.rowErrors : null
        if (rowErrors) this.setData({ rows: checkedRows({ rows: this.data.rows.length, errors: rowErrors as never }) })
        showError(e, '没有开始导入')
      } finally {
        this.setData({ busy: false })
      }
    },
    /** The job stored on this phone, if any: shown, and followed when it still has rows to submit. */
    async resumeStored() {
      const stored = readStoredJob(wx.getStorageSync(JOB_STORAGE_KEY))
      if (stored) await this.showJob(stored.jobId, stored.kind)
    },
    async showJob(jobId: string, kind: BatchKind) {
      try {
        const s = await batch.status(jobId)
        this.setJob(s, kind)
        this.setData({ outcomes: s.rows.map((r) => outcomeView(r, kind)) })
        if (s.state === 'running') await this.follow()
        else if (s.state === 'done') this.forgetIfStored(jobId)
      } catch (e) {
        // A job the function does not know any more is forgotten; anything else is shown with a retry (pull down).
        if (e instanceof AdminError && (e.code === 'not_found' || e.code === 'invalid_argument')) this.forgetIfStored(jobId)
        this.setData({ jobId, jobKind: kind, jobText: errorText(e) })
      }
    },
    setJob(p: JobProgress, kind: BatchKind) {
      this.setData({ jobId: p.jobId, jobKind: kind, jobState: p.state, jobText: jobText(p, Date.now()), jobPercent: progressPercent(p.counts) })
    },
    forgetIfStored(jobId: string) {
      if (readStoredJob(wx.getStorageSync(JOB_STORAGE_KEY))?.jobId === jobId) wx.removeStorageSync(JOB_STORAGE_KEY)
    },
    /** Calls batchContinue run after run until the job is done or waits for tomorrow's quota, or the page is left. */
    async follow() {
      const self = this as unknown as PageState
      if (self.following) return
      self.following = true
      this.setData({ following: true })
      const kind = this.data.jobKind
      let idle = 0
      try {
        while (!self.left && this.data.jobState === 'running') {
          const run = await batch.continueJob(this.data.jobId)
          this.setJob(run, kind)
          this.setData({ outcomes: mergeOutcomes(this.data.outcomes, run.rows.map((r) => outcomeView(r, kind))) })
          idle = run.rows.length === 0 ? idle + 1 : 0
          if (idle >= IDLE_RUNS_MAX && run.state === 'running') {
            this.setData({ jobText: `${this.data.jobText}。平台暂时无法确认部分行的结果，请稍后重新打开本页继续。` })
            break
          }
        }
        if (this.data.jobState === 'done') {
          this.forgetIfStored(this.data.jobId)
          void this.loadRecent()
        }
      } catch (e) {
        this.setData({ jobText: `${this.data.jobText}。${errorText(e)}（下拉刷新或重新打开本页继续）` })
      } finally {
        self.following = false
        this.setData({ following: false })
      }
    },

    // ---- recent jobs ----
    async loadRecent() {
      this.setData({ recentLoading: true, recentError: '' })
      try {
        const jobs = await batch.recentJobs()
        const now = Date.now()
        this.setData({
          recentLoading: false,
          recent: jobs.map((j) => ({ jobId: j.jobId, kind: j.kind, title: `${KIND_TEXT[j.kind] ?? j.kind}：${j.fileName}`, text: jobText(j, now) })),
        })
      } catch (e) {
        this.setData({ recentLoading: false, recentError: errorText(e) })
      }
    },
    onOpenJob(e: WechatMiniprogram.BaseEvent) {
      const jobId = String(e.currentTarget.dataset.id ?? '')
      const kind = e.currentTarget.dataset.kind
      if (!jobId || !isBatchKind(kind)) return
      wx.setStorageSync(JOB_STORAGE_KEY, { jobId, kind })
      void this.showJob(jobId, kind)
    },
  },
})
