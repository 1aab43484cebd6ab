/**
 * The Functions view and what it reads: runs appear while the page is open, each with who started it, its logs and
 * the Live calls it made through cloud.openapi; a run that fails shows its error; a function invoked from the
 * page as a chosen viewer runs as that viewer; bad JSON is refused in the page before anything is sent.
 */
import { renameSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

let emu: Emulator
let browser: Browser
let page: Page
let out: string

beforeAll(async () => {
  const started = await startUiEmulator({ withSync: true, cloudbaserc: false })
  emu = started.emu
  out = started.builtRoot!
  emu.control.seedDemo()
  ;({ browser, page } = await openZhPage())
  await page.goto(`${emu.url}/ui/#/functions`)
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

const syncRuns = () => emu.listFunctions().find((f) => f.name === 'liveSync')!.recentRuns

describe('GET /__sandbox/runs and the Live calls of a run', () => {
  it("lists a timer run with the Live calls it made through cloud.openapi, each with its errcode", async () => {
    const run = await emu.fireTimer('liveSync')
    expect(run.status).toBe('ok')
    const res = await fetch(`${emu.url}/__sandbox/runs`)
    const runs = (await res.json()) as { function: string; requestId: string; liveCalls: { api: string; errcode: number | null }[] }[]
    expect(runs[0]).toMatchObject({ function: 'liveSync', requestId: run.requestId })
    expect(runs[0].liveCalls.length).toBeGreaterThan(0)
    expect(runs[0].liveCalls[0]).toMatchObject({ api: 'liveBroadcast.getLiveInfo', errcode: 0 })
  })

  it('records an injected errcode on the call that met it', async () => {
    emu.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 1, errcode: 40001 })
    emu.clock.advance(120)
    await emu.fireTimer('liveSync')
    expect(syncRuns()[0].liveCalls.some((c) => c.api === 'liveBroadcast.getLiveInfo' && c.errcode === 40001)).toBe(true)
  })
})

describe('the Functions view', () => {
  it('shows a run that happens while the page is open, and its logs and Live calls', async () => {
    emu.clock.advance(600)
    const run = await emu.fireTimer('liveSync')
    const link = page.getByTestId(`run-${run.requestId}`)
    await expect.poll(() => link.count(), { timeout: 20_000 }).toBe(1)
    await link.click()
    const detail = page.getByTestId('run-detail')
    await expect.poll(() => detail.textContent()).toContain(run.requestId)
    await expect.poll(() => page.getByTestId('run-live-calls').textContent()).toContain('liveBroadcast.getLiveInfo')
    await screenshot(page, 'functions-run')
  })

  it('shows the error of a run that could not start because the function is not built', async () => {
    const built = path.join(out, 'liveSync', 'index.js')
    renameSync(built, `${built}.away`)
    try {
      const run = await emu.fireTimer('liveSync')
      expect(run.status).toBe('error')
      await page.getByTestId(`run-${run.requestId}`).click()
      await expect.poll(() => page.getByTestId('run-detail').textContent(), { timeout: 20_000 }).toContain('FunctionNotBuilt')
      expect(await page.getByTestId('run-detail').textContent()).toContain('npm run build')
    } finally {
      renameSync(`${built}.away`, built)
    }
  })

  it('refuses an event that is not JSON before sending, then invokes the function as the chosen viewer', async () => {
    const before = syncRuns().length
    await page.getByTestId('invoke-function').selectOption('liveSync')
    await page.getByTestId('invoke-openid').fill('o-ui-tester')
    await page.getByTestId('invoke-event').fill('{not json')
    await page.getByTestId('invoke-submit').click()
    await expect.poll(() => page.getByTestId('invoke-result').textContent()).toContain('JSON')
    expect(syncRuns().length).toBe(before)
    await page.getByTestId('invoke-event').fill('{"reason": "from the UI"}')
    await page.getByTestId('invoke-submit').click()
    await expect.poll(() => syncRuns().length, { timeout: 30_000 }).toBe(before + 1)
    expect(syncRuns()[0]).toMatchObject({ trigger: 'call', caller: { openid: 'o-ui-tester' }, event: { reason: 'from the UI' } })
    await expect.poll(() => page.getByTestId('invoke-result').textContent()).toContain(syncRuns()[0].requestId)
    await screenshot(page, 'functions')
  })
})
