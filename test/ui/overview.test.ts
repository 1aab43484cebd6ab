/**
 * The UI's overview in a real browser: services and env id, the clock moved from the page, a timer fired from the
 * page with its run listed, and both languages' labels drawn (screenshot in test-results/ui/).
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

let emu: Emulator
let browser: Browser
let page: Page

beforeAll(async () => {
  ;({ emu } = await startUiEmulator({ withSync: true }))
  emu.clock.freeze()
  emu.control.seedDemo()
  ;({ browser, page } = await openZhPage())
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

it('shows the env id and services, and moves the emulator clock from the page', async () => {
  await page.goto(`${emu.url}/ui/`)
  await expect.poll(() => page.getByTestId('env-id').textContent()).toBe(emu.envId)
  await expect.poll(() => page.getByTestId('services').textContent()).toContain('database')
  const before = emu.clock.nowSeconds()
  await page.getByTestId('clock-advance').fill('600')
  await page.getByRole('button', { name: '快进', exact: true }).click()
  await expect.poll(() => emu.clock.nowSeconds()).toBe(before + 600)
})

it('fires the sync timer from the page and lists the run under the timer', async () => {
  await page.getByTestId('fire-liveSync').click()
  await expect.poll(() => emu.listFunctions().find((f) => f.name === 'liveSync')!.recentRuns.length, { timeout: 60_000 }).toBeGreaterThan(0)
  await expect.poll(() => page.getByTestId('timers-table').textContent(), { timeout: 20_000 }).toContain('ok')
  await screenshot(page, 'overview')
})

it('switches every label to English and back', async () => {
  await page.getByRole('button', { name: 'EN' }).click()
  await expect.poll(() => page.getByTestId('nav-overview').textContent()).toBe('Overview')
  await page.getByRole('button', { name: '中文' }).click()
  await expect.poll(() => page.getByTestId('nav-overview').textContent()).toBe('概览')
})
