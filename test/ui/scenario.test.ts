/**
 * One developer's session in the emulator UI, across views, against the real liveSync: create a room and start it
 * from the Live view, fire the sync timer, find the room in the database view and in the viewer preview's live
 * section; inject a Live fault, fire again and read the failed run and its log in the Functions view. And a page
 * on a foreign origin cannot drive the emulator through the same browser.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { LiveStatus } from '../../src/live/status'
import { WITHOUT_PRIVATE_NETWORK_CHECKS, launchBrowser, screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

const ROOM_NAME = '界面联调专场直播'
let emu: Emulator
let browser: Browser
let page: Page
let roomId = 0

beforeAll(async () => {
  ;({ emu } = await startUiEmulator({ withSync: true }))
  emu.control.seedDemo()
  ;({ browser, page } = await openZhPage())
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

const syncRuns = () => emu.listFunctions().find((f) => f.name === 'liveSync')!.recentRuns

async function fireSyncFromOverview(): Promise<void> {
  const before = syncRuns().length
  await page.goto(`${emu.url}/ui/#/overview`)
  await page.getByTestId('fire-liveSync').click()
  await expect.poll(() => syncRuns().length, { timeout: 60_000 }).toBe(before + 1)
}

it('creates a room from the Live view and starts it there', async () => {
  await page.goto(`${emu.url}/ui/#/live`)
  await page.getByTestId('room-name').fill(ROOM_NAME)
  await page.getByTestId('room-create-submit').click()
  await expect.poll(() => emu.control.rooms().find((r) => r.name === ROOM_NAME)?.roomId ?? 0).toBeGreaterThan(0)
  roomId = emu.control.rooms().find((r) => r.name === ROOM_NAME)!.roomId
  await page.getByTestId(`room-${roomId}-event-start`).click()
  await expect.poll(() => emu.control.rooms().find((r) => r.roomId === roomId)?.liveStatus).toBe(LiveStatus.live)
  await expect.poll(() => page.getByTestId(`room-${roomId}`).textContent()).toContain(ROOM_NAME)
  await screenshot(page, 'scenario-live')
})

it('fires the sync timer and shows the room in the database view', async () => {
  await fireSyncFromOverview()
  expect(syncRuns()[0].status).toBe('ok')
  await page.goto(`${emu.url}/ui/#/database`)
  await page.getByTestId('db-collection-live_rooms').click()
  await expect.poll(() => page.getByTestId('db-docs').textContent(), { timeout: 20_000 }).toContain(ROOM_NAME)
  await screenshot(page, 'scenario-database')
})

it("shows the room in the viewer preview's live section, drawn by the real home page", async () => {
  await page.goto(`${emu.url}/ui/#/preview`)
  await page.getByTestId('preview-page').selectOption('home')
  await page.getByTestId('preview-refresh').click()
  const frame = page.frameLocator('[data-testid="preview-frame"]')
  await expect.poll(() => frame.locator('body').textContent(), { timeout: 60_000 }).toContain(ROOM_NAME)
  await screenshot(page, 'scenario-preview')
})

it('injects a Live fault from the Live view and shows the failed sync run with its log', async () => {
  await page.goto(`${emu.url}/ui/#/live`)
  await page.getByTestId('fault-api').selectOption('liveBroadcast.getLiveInfo')
  await page.getByTestId('fault-times').fill('3')
  await page.getByTestId('fault-errcode').fill('-1')
  await page.getByTestId('fault-add-submit').click()
  await expect.poll(() => emu.control.faults().length).toBeGreaterThan(0)
  // the sync backs off after a failure; a minute later on the emulator clock it calls Live again
  emu.clock.advance(120)
  await fireSyncFromOverview()
  const failed = syncRuns()[0]
  expect((failed.result as { status?: string }).status).toBe('failed')
  await page.goto(`${emu.url}/ui/#/functions`)
  const row = page.getByTestId(`run-${failed.requestId}`)
  await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('liveSync')
  await row.click()
  const detail = page.getByTestId('run-detail')
  await expect.poll(() => detail.textContent()).toContain('failed')
  // the sync's own log line names the errcode the fault injected
  expect(failed.logs.join('\n')).toContain('sync failed: -1')
  await expect.poll(() => page.getByTestId('run-logs').textContent()).toContain('sync failed: -1')
  await screenshot(page, 'scenario-failed-run')
})

it('refuses a page on a foreign origin that posts to the emulator from the same machine, changing nothing', async () => {
  // a browser that lets public pages reach loopback, as Firefox and Safari do
  const permissive = await launchBrowser(inject('browserPath'), WITHOUT_PRIVATE_NETWORK_CHECKS)
  const context = await permissive.newContext()
  await context.route('http://shop-attacker.example/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>x</title><p>x</p>' }),
  )
  const foreign = await context.newPage()
  await foreign.goto('http://shop-attacker.example/')
  const statuses: number[] = []
  foreign.on('response', (r) => {
    if (r.url().startsWith(emu.url)) statuses.push(r.status())
  })
  const before = emu.clock.nowSeconds()
  // A "simple" cross-site POST (text/plain, no-cors): the kind of request a hostile page can always send.
  await foreign.evaluate(async (url) => {
    await fetch(`${url}/__sandbox/clock`, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ advance: 864000 }) }).catch(() => undefined)
  }, emu.url)
  await expect.poll(() => statuses).toEqual([403])
  expect(emu.clock.nowSeconds() - before).toBeLessThan(864000)
  // the same request from the UI's own origin is served, so the refusal above is the Origin check at work
  await page.goto(`${emu.url}/ui/`)
  await page.evaluate(async () => {
    await fetch('/__sandbox/clock', { method: 'POST', body: JSON.stringify({ advance: 60 }) })
  })
  await expect.poll(() => emu.clock.nowSeconds() - before).toBeGreaterThanOrEqual(60)
  await permissive.close()
})
