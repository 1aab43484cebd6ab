/**
 * Browser tests' one way to a browser: Chromium from the `@sparticuz/chromium` package that `npm install` brings
 * (unpacked to the temp dir on first use), or the browser `UI_TEST_BROWSER` names (e.g. Debian's /usr/bin/chromium).
 * Never a browser a tool downloads at run time. Screenshots go to test-results/ui/ for a reviewer to look at.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core'

export const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-results', 'ui')

export async function browserExecutable(): Promise<string> {
  const chosen = process.env.UI_TEST_BROWSER
  if (chosen) return chosen
  const { default: packaged } = await import('@sparticuz/chromium')
  return packaged.executablePath()
}

// Quiet headless flags: no background connections (this machine's network is closed), no first-run work.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

export async function launchBrowser(executablePath: string, extraArgs: string[] = []): Promise<Browser> {
  return playwright.launch({ executablePath, args: [...ARGS, ...extraArgs], headless: true })
}

/**
 * Chromium itself blocks a public page's requests to loopback (Private Network Access); Firefox and Safari do not.
 * These flags turn that off, so a test sees what the emulator does with such a request on its own.
 */
export const WITHOUT_PRIVATE_NETWORK_CHECKS = ['--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks']

/** A fresh context that reads Chinese first, as a merchant's browser would. */
export async function newZhContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } })
}

/** Saves a full-page screenshot once the web fonts the page uses have loaded (so Chinese is drawn, not boxes). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.evaluate(async () => {
    await document.fonts.ready
  })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
