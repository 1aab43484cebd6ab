/**
 * The UI tests' one set-up: an emulator serving the built UI (with the real liveSync built when a test needs the
 * sync), and a Chinese-language browser page. One of each per test file.
 */
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { inject } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/emulator'
import type { LiveSandboxOptions } from '../../emulator/sandbox/sandbox'
import { buildFunctions } from '../../tools/build-functions'
import { launchBrowser, newZhContext } from './browser'

const ROOT = path.resolve(__dirname, '../..')

export interface UiEmulatorOptions {
  /** Build the project's liveSync and load cloudfunctions/ (timers fired by the test, never by the clock). */
  withSync?: boolean
  /** The timeouts and memory cloudbaserc.json gives (default: yes, so a busy machine cannot cut a sync short). */
  cloudbaserc?: boolean
  sandbox?: LiveSandboxOptions
}

export async function startUiEmulator(options: UiEmulatorOptions = {}): Promise<{ emu: Emulator; builtRoot: string | null }> {
  let builtRoot: string | null = null
  if (options.withSync) {
    // inside the project, so the built function finds wx-server-sdk in node_modules as a deployed one would
    builtRoot = path.join(ROOT, 'node_modules', '.cache', 'emulator', `ui-${randomUUID().slice(0, 8)}`)
    await buildFunctions({ root: path.join(ROOT, 'cloudfunctions'), names: ['liveSync'], outRoot: builtRoot })
  }
  const emu = await startEmulator({
    port: 0,
    databaseDir: path.join(ROOT, 'database'),
    uiDir: inject('uiOut'),
    ...(builtRoot ? { functionsRoot: path.join(ROOT, 'cloudfunctions'), builtRoot } : {}),
    ...(builtRoot && options.cloudbaserc !== false ? { cloudbaserc: path.join(ROOT, 'cloudbaserc.json') } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  })
  return { emu, builtRoot }
}

export async function openZhPage(): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const browser = await launchBrowser(inject('browserPath'))
  const context = await newZhContext(browser)
  return { browser, context, page: await context.newPage() }
}
