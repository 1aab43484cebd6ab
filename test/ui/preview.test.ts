/**
 * The viewer preview: pages drawn by the mini-program's real code against the cache the sync wrote, as HTML with
 * no script; bad page names and room ids get a 4xx naming the rule; in the UI, the home page's live section and a
 * room page appear in the phone frame with Chinese drawn.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { LiveStatus } from '../../src/live/status'
import { screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

let emu: Emulator
let browser: Browser
let page: Page
let liveRoom: { roomId: number; name: string }

beforeAll(async () => {
  ;({ emu } = await startUiEmulator({ withSync: true }))
  emu.control.seedDemo()
  const run = await emu.fireTimer('liveSync')
  if (run.status !== 'ok') throw new Error(`liveSync failed: ${run.errorMessage}`)
  liveRoom = emu.control.rooms().find((r) => r.liveStatus === LiveStatus.live)!
  ;({ browser, page } = await openZhPage())
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

describe('GET /__sandbox/preview/{page}', () => {
  it('draws the home page from the cache with the live room in it, as HTML that can run no script', async () => {
    const res = await fetch(`${emu.url}/__sandbox/preview/home`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await res.text()
    expect(html).toContain(liveRoom.name)
    expect(html).not.toMatch(/<script/i)
    // the page's own WXSS comes along, so the snapshot looks like the page
    expect(html).toMatch(/<style>[^<]*\{/)
  })

  it.each([
    ['/__sandbox/preview/cart', 404, 'page "cart": not a viewer page (use home, room, replay)'],
    ['/__sandbox/preview/room', 400, 'roomId: the room page needs a room id, a positive integer'],
    ['/__sandbox/preview/replay?roomId=-3', 400, 'roomId: the replay page needs a room id, a positive integer (got "-3")'],
    ['/__sandbox/preview/room?roomId=1e3', 400, 'roomId:'],
  ])('answers %s with %i naming the rule', async (url, status, message) => {
    const res = await fetch(`${emu.url}${url}`)
    expect(res.status).toBe(status)
    expect(((await res.json()) as { error: string }).error).toContain(message)
  })

  it("draws a room the cache does not have as the room page's own not-found state, not an error", async () => {
    const res = await fetch(`${emu.url}/__sandbox/preview/room?roomId=987654`)
    expect(res.status).toBe(200)
    expect(await res.text()).not.toContain(liveRoom.name)
  })
})

describe('the preview view', () => {
  it("shows the live room in the home page's live section inside the phone frame", async () => {
    await page.goto(`${emu.url}/ui/#/preview`)
    await page.getByTestId('preview-refresh').click()
    const frame = page.frameLocator('[data-testid="preview-frame"]')
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 60_000 }).toContain(liveRoom.name)
    await screenshot(page, 'preview')
  })

  it('shows a room page for a chosen room, and a clear error for a bad room id', async () => {
    await page.getByTestId('preview-page').selectOption('room')
    await page.getByTestId('preview-room').fill('abc')
    await page.getByTestId('preview-refresh').click()
    await expect.poll(() => page.getByTestId('preview-error').textContent()).toContain('roomId')
    await page.getByTestId('preview-room').fill(String(liveRoom.roomId))
    await page.getByTestId('preview-refresh').click()
    await expect.poll(() => page.getByTestId('preview-error').textContent()).toBe('')
    const frame = page.frameLocator('[data-testid="preview-frame"]')
    // the room page's own button, which the home page does not have
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 60_000 }).toContain('进入直播间')
    expect(await frame.locator('body').textContent()).toContain(liveRoom.name)
    await screenshot(page, 'preview-room')
  })
})
