/**
 * One viewer-preview render, in a child process of its own: a jsdom window, miniprogram-simulate loading the built
 * page (the tooling the page tests use), `wx.cloud` and the Channels APIs answered by the running emulator as a
 * viewer, the page's onLoad run, and the page's DOM and styles once its requests have settled printed as JSON
 * `{html}` or `{error}` on stdout. A child process keeps jsdom's globals and simulate's module caches out of the
 * emulator, and a render that hangs can be killed.
 */
import { join } from 'node:path'
import { createWxCloud } from '../client/wx-cloud'
import { createWxChannels } from '../client/wx-channels'
import { PREVIEW_PAGES, type PreviewJob } from './pages'

// miniprogram-simulate ships no usable types; the calls made here are typed by this surface.
interface SimNode {
  dom: HTMLElement
  instance: Record<string, unknown> & { onLoad?: (query: Record<string, string>) => unknown; onShow?: () => unknown }
  attach(parent: HTMLElement): void
}
interface Simulate {
  load(pathOrDef: string | Record<string, unknown>, options?: Record<string, unknown>): string
  render(id: string): SimNode
}

interface JsdomInstance {
  window: Window & typeof globalThis
}
// jsdom (vitest's page-test environment) ships no types of its own; the constructor is all this uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JSDOM } = require('jsdom') as { JSDOM: new (html: string, options: Record<string, unknown>) => JsdomInstance }

const SETTLE_QUIET_MS = 300
const SETTLE_MAX_MS = 8000

function installWindow(): JsdomInstance {
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', { pretendToBeVisual: true, url: 'http://127.0.0.1/' })
  const g = globalThis as Record<string, unknown>
  // simulate and j-component read the browser's globals (window, document, Node, …) directly
  for (const key of Object.getOwnPropertyNames(dom.window)) {
    if (key in g) continue
    try {
      g[key] = (dom.window as unknown as Record<string, unknown>)[key]
    } catch {
      // a few window getters throw outside a browsing context; the page never needs them
    }
  }
  g.window = dom.window
  g.document = dom.window.document
  g.navigator = dom.window.navigator
  return dom
}

/** The wx a viewer's phone offers, as far as these pages use it: data and Channels from the emulator, the rest inert. */
function installWx(job: PreviewJob): void {
  const cloud = createWxCloud({ url: job.emulatorUrl, openid: job.openid })
  const channels = createWxChannels({ url: job.emulatorUrl, openid: job.openid })
  const storage = new Map<string, unknown>()
  const known: Record<string, unknown> = {
    cloud,
    getChannelsLiveInfo: channels.getChannelsLiveInfo.bind(channels),
    getChannelsLiveNoticeInfo: channels.getChannelsLiveNoticeInfo.bind(channels),
    reserveChannelsLive: channels.reserveChannelsLive.bind(channels),
    openChannelsLive: channels.openChannelsLive.bind(channels),
    canIUse: channels.canIUse.bind(channels),
    getAppBaseInfo: channels.getAppBaseInfo.bind(channels),
    getSystemInfoSync: channels.getSystemInfoSync.bind(channels),
    getEnterOptionsSync: () => ({ scene: 1001, query: job.query }),
    getStorageSync: (key: string) => storage.get(key) ?? '',
    setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
    getNetworkType: (o: { success?: (r: { networkType: string }) => void }) => o?.success?.({ networkType: 'wifi' }),
    createIntersectionObserver: () => ({ relativeToViewport: function (this: unknown) { return this }, observe: () => {}, disconnect: () => {} }),
  }
  // navigation, toasts and the like change nothing in a snapshot
  const wx = new Proxy(known, { get: (target, key: string) => (key in target ? target[key] : () => undefined) })
  const g = globalThis as Record<string, unknown>
  g.wx = wx
  g.requirePlugin = () => ({ getLiveStatus: async () => ({}), getShareParams: async () => ({}) })
  g.getApp = () => ({ globalData: {} })
}

/** Resolves once the page's DOM has not changed for a moment (its requests answered), or at the limit. */
function settled(root: HTMLElement): Promise<void> {
  return new Promise((resolve) => {
    let quiet: ReturnType<typeof setTimeout>
    const done = () => {
      observer.disconnect()
      clearTimeout(limit)
      resolve()
    }
    const observer = new (globalThis as unknown as { MutationObserver: typeof MutationObserver }).MutationObserver(() => {
      clearTimeout(quiet)
      quiet = setTimeout(done, SETTLE_QUIET_MS)
    })
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true })
    quiet = setTimeout(done, SETTLE_QUIET_MS)
    const limit = setTimeout(done, SETTLE_MAX_MS)
  })
}

/** WeChat's built-in components as plain HTML: images become <img>, the rest keep their tags and classes. */
function toHtml(root: HTMLElement): string {
  const doc = root.ownerDocument
  for (const image of Array.from(root.querySelectorAll('wx-image'))) {
    const img = doc.createElement('img')
    const src = image.getAttribute('src')
    if (src) img.setAttribute('src', src)
    img.setAttribute('class', image.getAttribute('class') ?? '')
    img.setAttribute('alt', '')
    image.replaceWith(img)
  }
  // no script of any kind leaves the render
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) if (/^on/i.test(attr.name)) el.removeAttribute(attr.name)
  }
  return root.innerHTML
}

async function render(job: PreviewJob): Promise<{ html: string; styles: string }> {
  installWindow()
  installWx(job)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const simulate = require('miniprogram-simulate') as Simulate
  const stub = simulate.load({ template: '<view class="sub-stub">提醒我</view>', properties: { roomId: Number, customParams: String } })
  const id = simulate.load(join(job.mpDir, PREVIEW_PAGES[job.page].path), { compiler: 'simulate', rootPath: job.mpDir, usingComponents: { subscribe: stub } })
  const node = simulate.render(id)
  const host = document.createElement('div')
  document.body.appendChild(host)
  node.attach(host)
  const waiting = settled(host)
  await node.instance.onLoad?.(job.query)
  await node.instance.onShow?.()
  await waiting
  const styles = Array.from(document.querySelectorAll('style'))
    .map((s) => s.textContent ?? '')
    .join('\n')
  return { html: toHtml(host), styles }
}

function main(): void {
  const job = JSON.parse(process.argv[2] ?? '{}') as PreviewJob
  render(job).then(
    (out) => {
      process.stdout.write(JSON.stringify(out))
      process.exit(0)
    },
    (e: unknown) => {
      process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }))
      process.exit(0)
    },
  )
}

main()
