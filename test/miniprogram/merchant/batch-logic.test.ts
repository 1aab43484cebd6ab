/** The batch page's logic without a page: file types, the JSON template, every row's check, outcomes and the stored job. */
import { describe, expect, it } from 'vitest'
import {
  batchCloudPath,
  batchExtension,
  checkedRows,
  jobText,
  jsonTemplate,
  mergeOutcomes,
  outcomeView,
  progressPercent,
  readStoredJob,
  validationSummary,
} from '../../../miniprogram/merchant/utils/batch-view'

const counts = (c: Partial<Record<'pending' | 'submitting' | 'done' | 'failed' | 'skipped', number>>) => ({ pending: 0, submitting: 0, done: 0, failed: 0, skipped: 0, ...c })

describe('batch files', () => {
  it('takes CSV and JSON by extension, whatever the case, and nothing else', () => {
    expect(batchExtension('商品.CSV')).toBe('csv')
    expect(batchExtension('rows.json')).toBe('json')
    expect(batchExtension('rows.xlsx')).toBeNull()
    expect(batchExtension('csv')).toBeNull()
  })

  it('keeps the merchant\'s file name in the cloud path, made safe', () => {
    expect(batchCloudPath('我的 商品#1.csv', 1000, 'abc')).toBe('live-media/batch/1000-abc-我的_商品_1.csv')
  })
})

describe('the JSON template', () => {
  it('types each example cell as its column takes it and keeps times readable', () => {
    const csv = 'name,price,startTime,goodsKey,note\r\n"a, b",9.9,2026-11-28 20:00,x|y,\r\n'
    const columns = [
      { name: 'name', required: true, kind: 'text' as const },
      { name: 'price', required: true, kind: 'number' as const },
      { name: 'startTime', required: true, kind: 'time' as const },
      { name: 'goodsKey', required: false, kind: 'list' as const },
      { name: 'note', required: false, kind: 'text' as const },
    ]
    expect(JSON.parse(jsonTemplate(csv, columns))).toEqual([{ name: 'a, b', price: 9.9, startTime: '2026-11-28 20:00', goodsKey: ['x', 'y'] }])
    expect(jsonTemplate('name\n', columns)).toBe('[]')
  })
})

describe('the check before submitting', () => {
  const v = {
    kind: 'goods' as const,
    format: 'csv' as const,
    fileName: 'g.csv',
    rows: 4,
    valid: 3,
    invalid: 1,
    errors: [{ row: 4, field: 'price2', errcode: 300003, zh: 'price2：价格不合法', en: '' }],
    today: { quota: 500, left: 2, canGoToday: 2, resetsAt: '2026-11-27T16:00:00.000Z' },
  }

  it('lists every row, good and bad, with the bad row\'s field, reason and errcode', () => {
    expect(checkedRows(v)).toEqual([
      { row: 1, ok: true, field: '', text: '可以提交' },
      { row: 2, ok: true, field: '', text: '可以提交' },
      { row: 3, ok: true, field: '', text: '可以提交' },
      { row: 4, ok: false, field: 'price2', text: 'price2：价格不合法（错误码 300003）' },
    ])
  })

  it('says what is skipped and what waits for tomorrow\'s quota', () => {
    const s = validationSummary(v, Date.parse('2026-11-27T10:00:00Z'))
    expect(s).toContain('3 行可以提交，1 行不合格')
    expect(s).toContain('跳过不合格的 1 行')
    expect(s).toContain('其余 1 行')
    expect(validationSummary({ ...v, valid: 0, invalid: 4 }, 0)).toContain('请修改文件')
  })
})

describe('the job', () => {
  it('words each row\'s outcome and the job\'s state', () => {
    expect(outcomeView({ row: 1, name: '白茶', state: 'done', id: 12, error: null }, 'goods').text).toBe('已提交，商品 ID 12')
    expect(outcomeView({ row: 2, name: null, state: 'failed', id: null, error: { zh: '名称不合规', errcode: 300004 } }, 'goods').text).toBe('失败：名称不合规（错误码 300004）')
    expect(progressPercent(counts({ done: 1, skipped: 1, pending: 2 }))).toBe(50)
    expect(progressPercent(counts({}))).toBe(0)
    expect(jobText({ jobId: 'j', state: 'done', resumeAt: null, counts: counts({ done: 3, skipped: 1 }) }, 0)).toContain('导入完成')
    expect(jobText({ jobId: 'j', state: 'waiting', resumeAt: '2026-11-27T16:00:00.000Z', counts: counts({ done: 1, pending: 2 }) }, 0)).toContain('配额已用完')
  })

  it('merges a run\'s changed rows into the list in file order', () => {
    const a = { row: 1, state: 'pending' as const, name: '', text: '' }
    const b = { row: 2, state: 'pending' as const, name: '', text: '' }
    expect(mergeOutcomes([b, a], [{ ...a, state: 'done' as const }]).map((r) => [r.row, r.state])).toEqual([[1, 'done'], [2, 'pending']])
  })

  it('reads back only a well-formed stored job', () => {
    expect(readStoredJob({ jobId: 'abc-1', kind: 'goods' })).toEqual({ jobId: 'abc-1', kind: 'goods' })
    expect(readStoredJob({ jobId: 'abc-1', kind: 'shoes' })).toBeNull()
    expect(readStoredJob('')).toBeNull()
    expect(readStoredJob({ jobId: '', kind: 'rooms' })).toBeNull()
  })
})
