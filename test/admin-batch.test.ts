/**
 * Batch import of rooms and goods: every row checked before anything is submitted, per-row errors naming the
 * row and the column, jobs cut by the run's time limit and resumed until done with nothing made twice, rows whose
 * outcome was lost found on the platform instead of resubmitted, and the day's review budget stopping a job.
 */
import { describe, expect, it } from 'vitest'
import { parseCsv, writeCsv } from '../src/admin/batch/csv'
import { shanghaiSeconds, shanghaiText } from '../src/admin/batch/columns'
import { BATCH_LIMITS } from '../src/admin/batch/file'
import { nextShanghaiMidnight } from '../src/admin/batch/budget'
import { catalogue } from '../src/live/catalogue'
import { shanghaiDay } from '../src/live/day'
import { WORDS_DOC } from '../src/admin/content'
import { ADMIN_COLLECTIONS } from '../src/admin/store'
import { makeBatchHarness, type BatchHarness } from '../bench/admin-batch-harness'

const roomCsvHeader = 'name,coverImg,shareImg,feedsImg,startTime,endTime,anchorName,anchorWechat,type,closeLike,closeGoods,closeComment'

function roomLine(h: BatchHarness, name: string, startOffsetHours: number, over: Partial<Record<string, string>> = {}): string {
  const start = h.clock.nowSeconds() + startOffsetHours * 3600
  const cells: Record<string, string> = {
    name,
    coverImg: h.image(),
    shareImg: h.image(),
    feedsImg: h.image(),
    startTime: shanghaiText(start),
    endTime: String(start + 2 * 3600),
    anchorName: '小美老师',
    anchorWechat: 'anchor_xiaomei',
    type: '0',
    closeLike: '0',
    closeGoods: '0',
    closeComment: '0',
    ...over,
  }
  return writeCsv([roomCsvHeader.split(',').map((c) => cells[c])]).trimEnd()
}

function goodsRows(h: BatchHarness, n: number, prefix = '春茶'): Record<string, unknown>[] {
  const cover = h.image()
  return Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i + 1}号`, coverImgUrl: cover, priceType: 1, price: 9.9 + i, url: 'pages/goods/detail?id=' + (i + 1) }))
}

function sandboxGoodsNames(h: BatchHarness): string[] {
  return [...h.sandbox.state.goods.values()].map((g) => g.name)
}

/** Calls batchContinue until the job is done (or `maxRuns` runs), returning each run's reply. */
async function runToEnd(h: BatchHarness, jobId: string, budgetMs: number, maxRuns = 100) {
  const runs = []
  for (let i = 0; i < maxRuns; i++) {
    const r = await h.admin('batchContinue', { jobId }, budgetMs)
    expect(r.ok, JSON.stringify(r)).toBe(true)
    runs.push(r.data)
    if (r.data.state !== 'running') break
  }
  return runs
}

describe('batch files: parsing and the template', () => {
  it('reads RFC 4180 CSV: quoted commas, doubled quotes, line breaks inside quotes, CRLF and blank lines', () => {
    const r = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n', 10)
    expect(r).toEqual({ ok: true, records: [['a', 'b'], ['x, y', 'say "hi"'], ['two\nlines', 'z']] })
    expect(parseCsv(writeCsv([['a,b', 'q"', 'l\r\nm']]), 10)).toEqual({ ok: true, records: [['a,b', 'q"', 'l\r\nm']] })
  })

  it('refuses broken quoting with the line it is on', () => {
    const open = parseCsv('a,b\n1,"never closed\n', 10)
    expect(open.ok).toBe(false)
    if (!open.ok) expect(open.problem.en).toMatch(/line 2: a quoted field is not closed/)
    const stray = parseCsv('a,b\nx"y,1\n', 10)
    expect(stray.ok).toBe(false)
    if (!stray.ok) expect(stray.problem.line).toBe(2)
  })

  it('reads Shanghai local times and refuses dates that do not exist', () => {
    expect(shanghaiSeconds('2026-01-01 08:00')).toBe(1767225600)
    expect(shanghaiText(1767225600)).toBe('2026-01-01 08:00')
    expect(shanghaiSeconds('2026-02-30 10:00')).toBeNull()
    expect(shanghaiSeconds('2026-01-01 24:00')).toBeNull()
    expect(nextShanghaiMidnight(1767225600_000)).toBe(Date.UTC(2026, 0, 1, 16))
  })

  it('derives the template from the action params: every createRoom column, required ones filled', async () => {
    const h = makeBatchHarness()
    const r = await h.admin('batchTemplate', { kind: 'rooms' })
    expect(r.ok).toBe(true)
    const parsed = parseCsv(r.data.csv, 10)
    if (!parsed.ok) throw new Error('template is not CSV')
    const [header, example] = parsed.records
    expect(header).toEqual(Object.keys(catalogue.createRoom.request.shape))
    const cell = (c: string) => example[header.indexOf(c)]
    expect(shanghaiSeconds(cell('startTime'))).not.toBeNull()
    expect(shanghaiSeconds(cell('endTime'))! - shanghaiSeconds(cell('startTime'))!).toBe(7200)
    expect(cell('closeLike')).toBe('0')
    expect(cell('subAnchorWechat')).toBe('')
    const goods = await h.admin('batchTemplate', { kind: 'goods' })
    expect(goods.data.csv.split('\r\n')[0]).toBe('coverImgUrl,name,priceType,price,price2,url,thirdPartyAppid,goodsKey')
  })
})

describe('batchValidate and batchStart: every row checked before anything is submitted', () => {
  it('names each bad row and its column, counts what can go today, and makes no Live call', async () => {
    const h = makeBatchHarness()
    const csv =
      '\uFEFF' +
      [
        roomCsvHeader,
        roomLine(h, '春茶上新直播', 24),
        roomLine(h, '短', 25),
        roomLine(h, '夏日清凉好物直播', 26, { closeLike: '2' }),
        roomLine(h, '秋季新品直播间', 0),
        roomLine(h, '春茶上新直播', 24),
        roomLine(h, '冬季暖心好物直播', 27, { anchorWechat: '9bad' }),
        roomLine(h, '年货节特别直播', 28, { startTime: 'next friday' }),
        roomLine(h, '"引号, 逗号"直播间', 29),
      ].join('\r\n') +
      '\r\n'
    const fileId = h.upload('rooms.csv', csv)
    const before = Object.values(h.calls).reduce((a, b) => a + b, 0)
    const r = await h.admin('batchValidate', { fileId, kind: 'rooms' })
    expect(r.ok, JSON.stringify(r)).toBe(true)
    expect(Object.values(h.calls).reduce((a, b) => a + b, 0)).toBe(before)
    expect(r.data).toMatchObject({ kind: 'rooms', format: 'csv', rows: 8, valid: 2, invalid: 6 })
    const byRow = Object.fromEntries(r.data.errors.map((e: { row: number }) => [e.row, e]))
    expect(Object.keys(byRow).map(Number)).toEqual([2, 3, 4, 5, 6, 7])
    expect(byRow[2]).toMatchObject({ field: 'name', errcode: 300002 })
    expect(byRow[3].field).toBe('closeLike')
    expect(byRow[4]).toMatchObject({ field: 'startTime', errcode: 200002 })
    expect(byRow[4].en).toMatch(/10 minutes/)
    expect(byRow[5]).toMatchObject({ field: 'name' })
    expect(byRow[5].en).toMatch(/row 1/)
    expect(byRow[6]).toMatchObject({ field: 'anchorWechat', errcode: 300035 })
    expect(byRow[7].field).toBe('startTime')
    for (const e of r.data.errors) expect(e.zh).toBeTruthy()
    expect(r.data.today).toMatchObject({ quota: 10000, left: 10000, canGoToday: 2 })

    const refused = await h.admin('batchStart', { fileId, kind: 'rooms' })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error).toMatchObject({ code: 'invalid_argument', field: 'fileId' })
      expect((refused.error.rowErrors as unknown[]).length).toBe(6)
    }
    expect(h.sandbox.state.rooms.size).toBe(0)

    const started = await h.admin('batchStart', { fileId, kind: 'rooms', skipInvalid: true })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    expect(started.data.counts).toMatchObject({ pending: 2, skipped: 6 })
    const runs = await runToEnd(h, started.data.jobId, 20_000)
    expect(runs.at(-1).state).toBe('done')
    const names = [...h.sandbox.state.rooms.values()].map((room) => room.name).sort()
    expect(names).toEqual(['"引号, 逗号"直播间', '春茶上新直播'].sort())
  })

  it('refuses a file it cannot read as rows, naming why', async () => {
    const h = makeBatchHarness()
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['unknown.csv', `${roomCsvHeader},closeKF\n`, /unknown column "closeKF"/],
      ['missing.csv', 'name,coverImg\nx,y\n', /missing required columns: startTime, endTime/],
      ['latin1.csv', new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x0a]), /not UTF-8/],
      ['big.json', JSON.stringify(Array.from({ length: BATCH_LIMITS.maxRows + 1 }, () => ({}))), /more than 1000 data rows/],
      ['obj.json', '{"name": "x"}', /array of objects/],
      ['empty.csv', '', /empty/],
    ]
    for (const [name, content, en] of cases) {
      const r = await h.admin('batchValidate', { fileId: h.upload(name, content), kind: 'rooms' })
      expect(r.ok, name).toBe(false)
      if (!r.ok) {
        expect(r.error.field, name).toBe('fileId')
        expect(r.error.en, name).toMatch(en)
      }
    }
    const big = await h.admin('batchValidate', { fileId: h.upload('huge.csv', 'x'.repeat(BATCH_LIMITS.maxFileBytes + 1)), kind: 'goods' })
    expect(!big.ok && big.error.en).toMatch(/larger than 1048576 bytes/)
    const missing = await h.admin('batchValidate', { fileId: 'cloud://test-env.bucket/nothing.csv', kind: 'goods' })
    expect(!missing.ok && missing.error).toMatchObject({ code: 'not_found', field: 'fileId' })
  })

  it('checks JSON goods rows with the goodsAdd schema and rules, columns named without goodsInfo', async () => {
    const h = makeBatchHarness()
    const rows = goodsRows(h, 3)
    rows[1] = { ...rows[1], priceType: 2 }
    rows[2] = { ...rows[2], url: 'https://example.com/x', extra: 1 }
    const r = await h.admin('batchValidate', { fileId: h.upload('goods.json', JSON.stringify(rows)), kind: 'goods' })
    expect(r.ok, JSON.stringify(r)).toBe(true)
    expect(r.data).toMatchObject({ format: 'json', rows: 3, valid: 1 })
    expect(r.data.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([[2, 'price2'], [3, 'extra']])
  })

  it('refuses rows with a word from the merchant\'s list, naming the column and the word', async () => {
    const h = makeBatchHarness()
    await h.ports.docs.set(ADMIN_COLLECTIONS.settings, WORDS_DOC, { words: ['最低价'] })
    const rows = goodsRows(h, 2)
    rows[1] = { ...rows[1], name: '全网最低价好茶' }
    const r = await h.admin('batchValidate', { fileId: h.upload('goods.json', JSON.stringify(rows)), kind: 'goods' })
    expect(r.data).toMatchObject({ valid: 1, invalid: 1 })
    expect(r.data.errors[0]).toMatchObject({ row: 2, field: 'name' })
    expect(r.data.errors[0].en).toMatch(/"最低价"/)
  })
})

describe('batchContinue: resumable jobs that never submit a row twice', () => {
  it('a job cut by a short time limit resumes run after run until done, with no duplicate goods', async () => {
    const h = makeBatchHarness()
    h.msPerCall = 400
    const rows = goodsRows(h, 12)
    const started = await h.admin('batchStart', { fileId: h.upload('goods.json', JSON.stringify(rows)), kind: 'goods' })
    expect(started.ok, JSON.stringify(started)).toBe(true)
    expect(started.data.today.canGoToday).toBe(12)
    const runs = await runToEnd(h, started.data.jobId, 3000)
    expect(runs.length).toBeGreaterThan(2)
    expect(runs.slice(0, -1).every((r) => r.run.stoppedFor === 'deadline')).toBe(true)
    expect(runs.at(-1)).toMatchObject({ state: 'done', counts: { done: 12, pending: 0, submitting: 0 } })
    expect(h.calls.goodsAdd).toBe(12)
    expect(sandboxGoodsNames(h).sort()).toEqual(rows.map((r) => r.name).sort())
    const status = await h.admin('batchStatus', { jobId: started.data.jobId, state: 'done', limit: 500 })
    const ids = status.data.rows.map((r: { id: number }) => r.id)
    expect(new Set(ids).size).toBe(12)
    expect(ids.every((id: number) => h.sandbox.state.goods.has(id))).toBe(true)
    // A finished job makes no more calls.
    const calls = { ...h.calls }
    const again = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(again.data).toMatchObject({ state: 'done', run: { submitted: 0 } })
    expect(h.calls).toEqual(calls)
  })

  it('a goods row whose reply was lost is found in the warehouse, not submitted again', async () => {
    const h = makeBatchHarness()
    const rows = goodsRows(h, 4)
    h.faults.set('goodsAdd', ['replyLost'])
    const started = await h.admin('batchStart', { fileId: h.upload('g.json', JSON.stringify(rows)), kind: 'goods' })
    const first = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(first.data.counts).toMatchObject({ submitting: 1, done: 3 })
    expect(first.data.rows[0]).toMatchObject({ row: 1, state: 'submitting', error: { code: 'unavailable' } })
    const second = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(second.data).toMatchObject({ state: 'done', run: { reconciled: 1, submitted: 0 } })
    expect(second.data.rows[0]).toMatchObject({ row: 1, state: 'done', reconciled: true })
    expect(h.calls.goodsAdd).toBe(4)
    expect(sandboxGoodsNames(h).sort()).toEqual(rows.map((r) => r.name).sort())
    expect(h.sandbox.state.goods.has(second.data.rows[0].id)).toBe(true)
  })

  it('a row whose call never reached the platform is resubmitted once, after the platform says it lacks it', async () => {
    const h = makeBatchHarness()
    const rows = goodsRows(h, 2)
    h.faults.set('goodsAdd', ['callLost'])
    const started = await h.admin('batchStart', { fileId: h.upload('g.json', JSON.stringify(rows)), kind: 'goods' })
    await h.admin('batchContinue', { jobId: started.data.jobId })
    const second = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(second.data).toMatchObject({ state: 'done', run: { reconciled: 0, submitted: 1, done: 1 } })
    expect(second.data.rows[0]).toMatchObject({ row: 1, state: 'done', reconciled: false, attempts: 2 })
    expect(sandboxGoodsNames(h).sort()).toEqual(rows.map((r) => r.name).sort())
  })

  it('a room row left submitting by a run that died is found by name and start time', async () => {
    const h = makeBatchHarness()
    const csv = [roomCsvHeader, roomLine(h, '春茶上新直播', 24), roomLine(h, '夏日清凉好物直播', 26)].join('\n')
    h.faults.set('createRoom', ['replyLost'])
    const started = await h.admin('batchStart', { fileId: h.upload('r.csv', csv), kind: 'rooms' })
    const first = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(first.data.counts).toMatchObject({ submitting: 1, done: 1 })
    const second = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(second.data).toMatchObject({ state: 'done', run: { reconciled: 1, submitted: 0 } })
    const names = [...h.sandbox.state.rooms.values()].map((r) => r.name).sort()
    expect(names).toEqual(['夏日清凉好物直播', '春茶上新直播'].sort())
    expect(h.sandbox.state.rooms.has(second.data.rows[0].id)).toBe(true)
  })

  it('two runs at once never submit the same row', async () => {
    const h = makeBatchHarness()
    const rows = goodsRows(h, 6)
    const started = await h.admin('batchStart', { fileId: h.upload('g.json', JSON.stringify(rows)), kind: 'goods' })
    const [a, b] = await Promise.all([h.admin('batchContinue', { jobId: started.data.jobId }), h.admin('batchContinue', { jobId: started.data.jobId })])
    expect(a.data.run.submitted + b.data.run.submitted).toBe(6)
    expect(h.calls.goodsAdd).toBe(6)
    expect(sandboxGoodsNames(h).length).toBe(6)
  })
})

describe('batchContinue: the day\'s review budget', () => {
  it('stops at the budget, says when it can continue, makes no call until then, and finishes the next day', async () => {
    const h = makeBatchHarness({ reviewBudget: 3 })
    const rows = goodsRows(h, 5)
    const started = await h.admin('batchStart', { fileId: h.upload('g.json', JSON.stringify(rows)), kind: 'goods' })
    const first = await h.admin('batchContinue', { jobId: started.data.jobId })
    const resumeAt = new Date(nextShanghaiMidnight(h.clock.nowMs()))
    expect(first.data).toMatchObject({ state: 'waiting', resumeAt, counts: { done: 3, pending: 2, submitting: 0 }, run: { stoppedFor: 'quota', submitted: 3 } })
    const calls = { ...h.calls }
    const same = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(same.data).toMatchObject({ state: 'waiting', run: { stoppedFor: 'quota', submitted: 0 } })
    expect(h.calls).toEqual(calls)
    const listed = await h.admin('batchList', {})
    expect(listed.data.jobs[0]).toMatchObject({ jobId: started.data.jobId, state: 'waiting', counts: { done: 3, pending: 2 } })
    h.clock.set(resumeAt.getTime() / 1000 + 60)
    const next = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(next.data).toMatchObject({ state: 'done', counts: { done: 5 } })
    expect(sandboxGoodsNames(h).length).toBe(5)
  })

  it('says before starting how many rows can go today from the calls the ledger counts', async () => {
    const h = makeBatchHarness()
    const day = shanghaiDay(h.clock.nowMs())
    await h.ports.cache.addToLedger(day, { goodsAdd: 400, goodsAudit: 98 })
    const r = await h.admin('batchValidate', { fileId: h.upload('g.json', JSON.stringify(goodsRows(h, 5))), kind: 'goods' })
    expect(r.data.today).toMatchObject({ quota: 500, left: 2, canGoToday: 2 })
    const started = await h.admin('batchStart', { fileId: h.upload('g.json', JSON.stringify(goodsRows(h, 5))), kind: 'goods' })
    const run = await h.admin('batchContinue', { jobId: started.data.jobId })
    expect(run.data).toMatchObject({ state: 'waiting', counts: { done: 2, pending: 3 } })
  })
})
