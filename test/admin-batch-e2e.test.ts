/**
 * The batch import as it ships: a merchant's JSON file uploaded to the emulator's cloud storage with
 * wx.cloud.uploadFile, checked, started and continued through the BUILT liveAdmin function (real wx-server-sdk
 * downloading the file), until every good row is on the platform once and the bad row is named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWxCloud } from '../emulator/client/wx-cloud'
import { OWNER, startAdminHarness, type AdminHarness } from './admin-harness'

let h: AdminHarness
let tmp: string

beforeAll(async () => {
  h = await startAdminHarness()
  tmp = mkdtempSync(path.join(tmpdir(), 'admin-batch-e2e-'))
}, 60_000)

afterAll(async () => {
  await h?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function upload(cloudPath: string, content: string | Buffer): Promise<string> {
  const file = path.join(tmp, path.basename(cloudPath))
  writeFileSync(file, content)
  const up = await createWxCloud({ url: h.emu.url, openid: OWNER }).uploadFile({ cloudPath, filePath: file })
  return up.fileID
}

describe('batch import through the built function and cloud storage', () => {
  it('names the bad row, submits each good row once, and a further run submits nothing', async () => {
    const cover = await upload('goods/cover.png', Buffer.alloc(2048, 7))
    const rows = [
      { name: '明前龙井', coverImgUrl: cover, priceType: 1, price: 128, url: 'pages/room/index?goods=1' },
      { name: '高山乌龙', coverImgUrl: cover, priceType: 2, price: 30, price2: 20, url: 'pages/room/index?goods=2' },
      { name: '陈年普洱', coverImgUrl: cover, priceType: 3, price: 99, price2: 79, url: 'pages/room/index?goods=3' },
    ]
    const fileId = await upload('imports/goods.json', JSON.stringify(rows))

    const before = h.emu.control.goods().length
    const checked = await h.call('batchValidate', { fileId, kind: 'goods' })
    expect(checked, JSON.stringify(checked)).toMatchObject({ ok: true, data: { rows: 3, valid: 2, invalid: 1 } })
    expect(checked.ok && checked.data.errors).toEqual([expect.objectContaining({ row: 2, field: 'price2', errcode: 300003 })])
    expect(h.emu.control.goods().length).toBe(before)

    const started = await h.call('batchStart', { fileId, kind: 'goods', skipInvalid: true })
    expect(started, JSON.stringify(started)).toMatchObject({ ok: true, data: { counts: { pending: 2, skipped: 1 } } })
    const jobId = started.ok ? started.data.jobId : ''
    let state = 'running'
    for (let i = 0; i < 10 && state === 'running'; i++) {
      const r = await h.call('batchContinue', { jobId })
      expect(r.ok, JSON.stringify(r)).toBe(true)
      state = r.ok ? r.data.state : 'failed'
    }
    expect(state).toBe('done')
    const names = h.emu.control.goods().slice(before).map((g) => g.name)
    expect(names.sort()).toEqual(['明前龙井', '陈年普洱'].sort())

    const again = await h.call('batchContinue', { jobId })
    expect(again).toMatchObject({ ok: true, data: { state: 'done' } })
    expect(h.emu.control.goods().length).toBe(before + 2)
    expect(await h.call('batchStatus', { jobId })).toMatchObject({ ok: true, data: { counts: { done: 2, skipped: 1 } } })
  })
})
