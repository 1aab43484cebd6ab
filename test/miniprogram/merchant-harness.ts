/// <reference lib="dom" />
/**
 * Merchant page tests: the built liveAdmin run by the emulator (real wx-server-sdk) against the Live sandbox,
 * the `wx.cloud` shim calling it as the shop's owner (or anyone the test switches to), the wx APIs the merchant
 * pages use as spies, and a page loaded with miniprogram-simulate using WeChat's own template compiler (TDesign's
 * templates need it). One page per test file (simulate's caches are module-level).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { inject, vi } from 'vitest'
import { createWxCloud, type WxCloudShim } from '../../emulator/client/wx-cloud'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from '../admin-harness'
import { LiveStatus } from '../../src/live/status'
import { installWx, loadPage, sleep, text, until as waitUntil, type SimNode, type ViewerEnv } from './harness'

export { OWNER, VIEWER }
export type { SimNode }

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate') as {
  load(path: string, options?: Record<string, unknown>): string
  render(id: string, props?: Record<string, unknown>): SimNode
}

type Spy = ReturnType<typeof vi.fn>

export interface MerchantEnv {
  admin: AdminHarness
  cloud: WxCloudShim
  /** A folder for files the test "picks" (chooseMedia, chooseMessageFile); removed on stop. */
  files: string
  wx: {
    navigateTo: Spy
    redirectTo: Spy
    navigateBack: Spy
    reLaunch: Spy
    showToast: Spy
    /** Answers `confirm` per `modalAnswer` (true unless the test says otherwise). */
    showModal: Spy
    showLoading: Spy
    hideLoading: Spy
    setClipboardData: Spy
    saveImageToPhotosAlbum: Spy
    previewImage: Spy
    downloadFile: Spy
    /** Resolves with `picked.media` (paths under `files`). */
    chooseMedia: Spy
    /** Resolves with `picked.messageFiles`. */
    chooseMessageFile: Spy
    setNavigationBarTitle: Spy
    stopPullDownRefresh: Spy
    /** Its writeFile saves under `files` (see savedFile). */
    getFileSystemManager: Spy
    shareFileMessage: Spy
  }
  picked: { media: { tempFilePath: string; size: number; fileType: 'image' | 'video' }[]; messageFiles: { path: string; name: string; size: number; type: string }[] }
  modalAnswer: { confirm: boolean; content?: string }
  /** The phone's storage (wx.getStorageSync…): kept across page loads of one env, as on a phone between visits. */
  storage: Map<string, unknown>
  /** The local copy of a file a page wrote under wx.env.USER_DATA_PATH. */
  savedFile(userDataPath: string): string
  /** Writes a file the test will hand to a picker; its path. */
  writeFile(name: string, bytes: Uint8Array | string): string
  stop(): Promise<void>
}

/**
 * Starts the emulator with the prebuilt liveAdmin (owner: OWNER) and a wx.cloud as OWNER; `liveOff`: the liveAdmin
 * built with Mini Program Live off.
 */
export async function startMerchantEnv(env: Record<string, string> = {}, opts: { liveOff?: boolean } = {}): Promise<MerchantEnv> {
  const admin = await startAdminHarness({ prebuilt: inject(opts.liveOff ? 'mpAdminBuiltLiveOff' : 'mpAdminBuilt'), env })
  const cloud = createWxCloud({ url: admin.emu.url, openid: OWNER })
  const files = mkdtempSync(join(tmpdir(), 'mp-files-'))
  const picked: MerchantEnv['picked'] = { media: [], messageFiles: [] }
  const modalAnswer: MerchantEnv['modalAnswer'] = { confirm: true }
  const storage = new Map<string, unknown>()
  const savedFile = (userDataPath: string): string => join(files, `saved-${basename(userDataPath)}`)
  const callback = (result: unknown) => (o?: { success?: (r: unknown) => void; complete?: (r: unknown) => void }) => {
    o?.success?.(result)
    o?.complete?.(result)
    return Promise.resolve(result)
  }
  const ok = (api: string) => vi.fn((o?: { success?: (r: unknown) => void; complete?: (r: unknown) => void }) => callback({ errMsg: `${api}:ok` })(o))
  const wx: MerchantEnv['wx'] = {
    navigateTo: ok('navigateTo'),
    redirectTo: ok('redirectTo'),
    navigateBack: ok('navigateBack'),
    reLaunch: ok('reLaunch'),
    showToast: ok('showToast'),
    showModal: vi.fn((o?: { success?: (r: unknown) => void; complete?: (r: unknown) => void }) =>
      callback({ errMsg: 'showModal:ok', confirm: modalAnswer.confirm, cancel: !modalAnswer.confirm, content: modalAnswer.content ?? '' })(o),
    ),
    showLoading: ok('showLoading'),
    hideLoading: ok('hideLoading'),
    setClipboardData: ok('setClipboardData'),
    saveImageToPhotosAlbum: ok('saveImageToPhotosAlbum'),
    previewImage: ok('previewImage'),
    downloadFile: vi.fn((o: { url: string; success?: (r: unknown) => void; complete?: (r: unknown) => void }) => {
      const path = join(files, `download-${Date.now()}`)
      writeFileSync(path, o.url)
      return callback({ errMsg: 'downloadFile:ok', statusCode: 200, tempFilePath: path })(o)
    }),
    chooseMedia: vi.fn((o?: { success?: (r: unknown) => void; complete?: (r: unknown) => void }) =>
      callback({ errMsg: 'chooseMedia:ok', type: 'image', tempFiles: picked.media })(o),
    ),
    chooseMessageFile: vi.fn((o?: { success?: (r: unknown) => void; complete?: (r: unknown) => void }) =>
      callback({ errMsg: 'chooseMessageFile:ok', tempFiles: picked.messageFiles })(o),
    ),
    setNavigationBarTitle: ok('setNavigationBarTitle'),
    stopPullDownRefresh: ok('stopPullDownRefresh'),
    getFileSystemManager: vi.fn(() => ({
      writeFile: (o: { filePath: string; data: string; success?: (r: unknown) => void }) => {
        writeFileSync(savedFile(o.filePath), o.data)
        o.success?.({ errMsg: 'writeFile:ok' })
      },
    })),
    shareFileMessage: ok('shareFileMessage'),
  }
  return {
    admin,
    cloud,
    files,
    wx,
    picked,
    modalAnswer,
    storage,
    savedFile,
    writeFile(name, bytes) {
      const path = join(files, name)
      writeFileSync(path, bytes)
      return path
    },
    async stop() {
      await admin.stop()
      rmSync(files, { recursive: true, force: true })
    },
  }
}

/** Installs `wx` (simulate's partial wx, the shim as wx.cloud, the spies) and `getApp`; call in beforeEach. */
export function installMerchantWx(env: MerchantEnv, openid: string | null = OWNER): void {
  env.cloud.setOpenid(openid)
  for (const spy of Object.values(env.wx)) spy.mockClear()
  env.modalAnswer.confirm = true
  env.picked.media = []
  env.picked.messageFiles = []
  const base = (globalThis as { wx?: Record<string, unknown> }).wx ?? {}
  // simulate's storage keeps nothing; a page that resumes work reads back what it stored
  const storage = {
    getStorageSync: (key: string) => (env.storage.has(key) ? env.storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => void env.storage.set(key, value),
    removeStorageSync: (key: string) => void env.storage.delete(key),
  }
  vi.stubGlobal('wx', { ...base, ...storage, ...env.wx, cloud: env.cloud, env: { USER_DATA_PATH: 'wxfile://usr' } })
  vi.stubGlobal('getApp', () => ({ globalData: {} }))
  // TDesign's page-scroll mixin (t-tabs, t-sticky) asks for the page stack when attached.
  vi.stubGlobal('getCurrentPages', () => [])
}

/**
 * Loads a compiled merchant page (`merchant/pages/rooms/index`) with WeChat's own template compiler; the
 * services' module state (the launch's whoami) is dropped first, as a fresh launch would.
 */
export function loadMerchantPage(page: string): SimNode {
  const out = inject('mpOut')
  for (const key of Object.keys(require.cache)) if (key.startsWith(out)) delete require.cache[key]
  const id = simulate.load(join(out, page), { compiler: 'official', rootPath: out })
  const node = simulate.render(id)
  node.attach(document.createElement('parent-wrapper'))
  return node
}

export { sleep, text }

/**
 * Lets the timers that came due while a page compiled (a synchronous second or more on a busy machine) run before
 * the page's first request: the emulator's server closes keep-alive sockets idle for 5 s, and a request sent on one
 * in the same tick the server closes it fails with "fetch failed". Await it between loading a page and onLoad.
 */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

/** Waits until `check` passes; twice the viewer harness's patience, as pages wait on a function run. */
export const until = (check: () => void, tries = 400): Promise<void> => waitUntil(check, tries)

/**
 * A viewer page (`pages/home/index`) opened on a fresh launch by `openid`, against the same emulator: the viewer
 * harness's wx with the live-player plugin stubbed, the services' module state dropped. The viewer's wx spies.
 */
export async function openViewerPage(env: MerchantEnv, openid: string | null, path: string): Promise<{ page: SimNode; viewer: ViewerEnv }> {
  env.cloud.setOpenid(openid)
  const viewer: ViewerEnv = {
    emu: env.admin.emu,
    cloud: env.cloud,
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    reLaunch: vi.fn(),
    showToast: vi.fn(),
    enterOptions: { scene: 1001, query: {} },
    observers: [],
    storage: new Map(),
    network: { type: 'wifi' },
    plugin: { getLiveStatus: vi.fn(async () => ({ liveStatus: LiveStatus.upcoming })), getShareParams: vi.fn(async () => ({})) },
    stop: async () => undefined,
  }
  installWx(viewer)
  const out = inject('mpOut')
  for (const key of Object.keys(require.cache)) if (key.startsWith(out)) delete require.cache[key]
  const page = loadPage(path)
  await settle()
  await page.instance.onLoad({})
  return { page, viewer }
}
