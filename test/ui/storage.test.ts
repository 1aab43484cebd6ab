/**
 * The storage and Channels views in a browser: an uploaded image listed and previewed from the emulator's own
 * storage route; the demo Channels account listed, and its live status changed from the page.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { qrPng } from '../../emulator/sandbox/qr-png'
import { DEMO_FINDER_USER_NAME } from '../../src/setup/live-setup'
import { screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

let emu: Emulator
let browser: Browser
let page: Page

beforeAll(async () => {
  ;({ emu } = await startUiEmulator())
  emu.channels.seedDemo()
  emu.storage.put('rooms/cover.png', qrPng('https://example.com/live', { width: 240 }), { actor: { kind: 'viewer', openid: 'o-merchant' }, contentType: 'image/png' })
  emu.storage.put('notes/readme.txt', Buffer.from('店铺说明'), { actor: { kind: 'server' }, contentType: 'text/plain' })
  ;({ browser, page } = await openZhPage())
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

describe('the storage view', () => {
  it('lists every file with its owner and shows the chosen image', async () => {
    await page.goto(`${emu.url}/ui/#/storage`)
    const table = page.getByTestId('storage-table')
    await expect.poll(() => table.textContent()).toContain('rooms/cover.png')
    expect(await table.textContent()).toContain('o-merchant')
    expect(await table.textContent()).toContain('notes/readme.txt')
    const index = (await page.locator('[data-testid^="storage-file-"]').allTextContents()).indexOf('rooms/cover.png')
    await page.getByTestId(`storage-file-${index}`).click()
    const image = page.getByTestId('storage-preview')
    // the image decoded: the browser fetched it from the storage route under the UI's content security policy
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0)
    await screenshot(page, 'storage')
  })
})

describe('the Channels view', () => {
  it('lists the demo account and ends its live from the page', async () => {
    await page.goto(`${emu.url}/ui/#/channels`)
    await expect.poll(() => page.getByTestId('channels-table').textContent()).toContain(DEMO_FINDER_USER_NAME)
    expect(emu.channels.get(DEMO_FINDER_USER_NAME).live?.status).toBe('live')
    await page.getByTestId(`channels-${DEMO_FINDER_USER_NAME}-status`).selectOption('ended')
    await page.getByTestId(`channels-${DEMO_FINDER_USER_NAME}-set-live`).click()
    await expect.poll(() => emu.channels.get(DEMO_FINDER_USER_NAME).live?.status).toBe('ended')
    await expect.poll(() => page.getByTestId('channels-table').textContent()).toContain('ended')
    await screenshot(page, 'channels')
  })
})
