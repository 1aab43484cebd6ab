/// <reference lib="dom" />
/**
 * Page-test harness: a running emulator, the `wx` shim whose wx.cloud.database() reaches the emulator's
 * client channel as a viewer (rules enforced, 20-row cap), cache seeding in the fixed schema, and loading a
 * compiled page with miniprogram-simulate. One page per test file (simulate's caches are module-level).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EJSON } from 'bson'
import { inject, vi } from 'vitest'
import { LiveStatus, type LiveStatusName } from '../../src/live/status'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/emulator'
import { createWxCloud, type WxCloudShim } from '../../emulator/client/wx-cloud'
import { createWxChannels, type WxChannelsShim } from '../../emulator/client/wx-channels'
import {
  COLLECTIONS,
  replayDocId,
  roomDocId,
  sectionOf,
  sortKeyOf,
  type ReplayDoc,
  type RoomDoc,
  type RoomGoods,
} from '../../src/cache/schema'

// miniprogram-simulate ships no usable types for this use; the surface we call is typed below.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate') as Simulate

export interface SimNode {
  dom: HTMLElement
  instance: Record<string, any> // page methods and data: typed per page by the test's own expectations
  data: Record<string, any>
  querySelector(selector: string): SimNode | undefined
  querySelectorAll(selector: string): SimNode[]
  dispatchEvent(name: string, opts?: Record<string, unknown>): void
  attach(parent: HTMLElement): void
  detach(): void
  triggerPageLifeTime(name: string): void
}

interface Simulate {
  load(pathOrDef: string | Record<string, unknown>, options?: Record<string, unknown>): string
  render(id: string, props?: Record<string, unknown>): SimNode
  sleep(ms?: number): Promise<void>
}

export const VIEWER = 'o-viewer-a'

export interface ViewerEnv {
  emu: Emulator
  cloud: WxCloudShim
  /** The Channels client APIs and the base library (answered by the emulator's Channels state, `emu.channels`); without it wx has neither. */
  channels?: WxChannelsShim
  navigateTo: ReturnType<typeof vi.fn>
  redirectTo: ReturnType<typeof vi.fn>
  reLaunch: ReturnType<typeof vi.fn>
  showToast: ReturnType<typeof vi.fn>
  /** What wx.getEnterOptionsSync answers (the scene and query of this visit). */
  enterOptions: { scene: number; query: Record<string, string> }
  /** The intersection observers pages created; `show` plays a card scrolling into view. */
  observers: FakeObserver[]
  storage: Map<string, unknown>
  network: { type: string }
  plugin: { getLiveStatus: ReturnType<typeof vi.fn>; getShareParams: ReturnType<typeof vi.fn> }
  stop(): Promise<void>
}

/** `options`: for tests that run built functions (functionsRoot, builtRoot), the rest as startEmulator takes them. */
export async function startViewerEnv(options: Partial<EmulatorOptions> = {}): Promise<ViewerEnv> {
  const emu = await startEmulator({ port: 0, ...options })
  const cloud = createWxCloud({ url: emu.url, openid: VIEWER })
  return {
    emu,
    cloud,
    channels: createWxChannels({ url: emu.url, openid: VIEWER }),
    navigateTo: vi.fn(),
    redirectTo: vi.fn(),
    reLaunch: vi.fn(),
    showToast: vi.fn(),
    enterOptions: { scene: 1001, query: {} },
    observers: [],
    storage: new Map(),
    network: { type: 'wifi' },
    plugin: { getLiveStatus: vi.fn(async () => ({ liveStatus: LiveStatus.live })), getShareParams: vi.fn(async () => ({})) },
    stop: () => emu.stop(),
  }
}

/** Installs `wx` (simulate's partial wx + our shim and spies) and the plugin; call in beforeEach. */
export function installWx(env: ViewerEnv): void {
  const base = (globalThis as { wx?: Record<string, unknown> }).wx ?? {}
  vi.stubGlobal('wx', {
    ...base,
    cloud: env.cloud,
    navigateTo: env.navigateTo,
    redirectTo: env.redirectTo,
    reLaunch: env.reLaunch,
    navigateBack: vi.fn(),
    showToast: env.showToast,
    getEnterOptionsSync: () => env.enterOptions,
    createIntersectionObserver: () => {
      const observer = new FakeObserver()
      env.observers.push(observer)
      return observer
    },
    stopPullDownRefresh: vi.fn(),
    getNetworkType: (o: { success: (r: { networkType: string }) => void }) => o.success({ networkType: env.network.type }),
    getStorageSync: (key: string) => env.storage.get(key) ?? '',
    setStorageSync: (key: string, value: unknown) => void env.storage.set(key, value),
    ...channelsApis(env.channels),
  })
  vi.stubGlobal('requirePlugin', (name: string) => {
    if (name !== 'live-player-plugin') throw new Error(`unexpected plugin ${name}`)
    return env.plugin
  })
}

/** The Channels part of wx, from the emulator's shim (methods bound, as wx's are plain functions). */
function channelsApis(shim: WxChannelsShim | undefined): Record<string, unknown> {
  if (!shim) return {}
  return {
    getChannelsLiveInfo: shim.getChannelsLiveInfo.bind(shim),
    getChannelsLiveNoticeInfo: shim.getChannelsLiveNoticeInfo.bind(shim),
    reserveChannelsLive: shim.reserveChannelsLive.bind(shim),
    openChannelsLive: shim.openChannelsLive.bind(shim),
    canIUse: shim.canIUse.bind(shim),
    getAppBaseInfo: shim.getAppBaseInfo.bind(shim),
    getSystemInfoSync: shim.getSystemInfoSync.bind(shim),
  }
}

/** wx.createIntersectionObserver as a test drives it: jsdom lays nothing out, so the test says what came into view. */
export class FakeObserver {
  selector = ''
  disconnected = false
  private callback: ((res: { id: string; dataset: Record<string, unknown>; intersectionRatio: number }) => void) | null = null
  relativeToViewport(): this {
    return this
  }
  observe(selector: string, callback: FakeObserver['callback']): void {
    this.selector = selector
    this.callback = callback
  }
  disconnect(): void {
    this.disconnected = true
  }
  /** The node `node` (a page element with data-* attributes) scrolled into view. */
  show(node: SimNode): void {
    if (!this.disconnected && this.callback) this.callback({ id: node.dom.id, dataset: { ...node.dom.dataset }, intersectionRatio: 0.6 })
  }
}

let subscribeStub: string | null = null

/** Loads a compiled page; the plugin's subscribe component is stubbed (it only exists inside WeChat). */
export function loadPage(page: string): SimNode {
  const out = inject('mpOut')
  subscribeStub ??= simulate.load({
    template: '<view class="sub-stub">提醒我</view>',
    properties: { roomId: Number, customParams: String, stopPropagation: Boolean, width: Number, height: Number, fontSize: Number, backgroundColor: String },
  })
  const id = simulate.load(join(out, page), { compiler: 'simulate', rootPath: out, usingComponents: { subscribe: subscribeStub } })
  const node = simulate.render(id)
  node.attach(document.createElement('parent-wrapper'))
  return node
}

export const sleep = (ms = 0): Promise<void> => simulate.sleep(ms)

/** Waits until `check` passes (for changes that arrive over the watch); fails with the last error. */
export async function until(check: () => void, tries = 200): Promise<void> {
  let last: unknown
  for (let i = 0; i < tries; i++) {
    try {
      check()
      return
    } catch (err) {
      last = err
      await simulate.sleep(25)
    }
  }
  throw last
}

export function goods(n: number, over: Partial<RoomGoods> = {}): RoomGoods {
  return { goodsId: n, name: `好物${n}`, coverImg: `https://img/g${n}.jpg`, url: 'pages/goods/index', priceType: 'fixed', price: n * 100 + 90, price2: null, thirdPartyAppid: '', ...over }
}

/** A complete room document as the sync writes it (section and sortKey derived by the schema's rules). */
export function room(roomId: number, status: LiveStatusName, startMs: number, over: Partial<RoomDoc> = {}): RoomDoc {
  const startTime = new Date(startMs)
  const endTime = new Date(startMs + 2 * 3600_000)
  const ended = status === 'ended'
  const replay = over.replay ?? { state: ended ? 'available' : 'notApplicable', segments: ended ? 1 : 0, expiresAt: ended ? new Date(startMs + 90 * 86400_000) : null }
  const liveStatus = LiveStatus[status]
  const section = sectionOf(liveStatus, replay.state, false)
  return {
    _id: roomDocId(roomId),
    roomId,
    name: `直播间${roomId}`,
    coverImg: `https://img/c${roomId}.jpg`,
    shareImg: `https://img/s${roomId}.jpg`,
    feedsImg: '',
    anchorName: `主播${roomId}`,
    liveStatus,
    status,
    startTime,
    endTime,
    liveType: 'phone',
    likeEnabled: true,
    goodsEnabled: true,
    commentEnabled: true,
    kfEnabled: false,
    replayEnabled: true,
    feedsPublic: false,
    goods: [],
    replay,
    section,
    sortKey: sortKeyOf(section, startTime, endTime),
    deleted: false,
    statusChangedAt: startTime,
    syncedAt: new Date(Date.now() - 60_000),
    contentHash: `h${roomId}`,
    ...over,
  }
}

export function replayDoc(roomId: number, segments: ReplayDoc['segments'], state: ReplayDoc['state'] = 'available'): ReplayDoc {
  return { _id: replayDocId(roomId), roomId, segments, state, syncedAt: new Date() }
}

export function seedRooms(env: ViewerEnv, rooms: RoomDoc[]): void {
  if (rooms.length > 0) env.emu.engine.insert(COLLECTIONS.rooms, rooms as unknown as Record<string, unknown>[])
}

export function seedSyncStatus(env: ViewerEnv, lastSuccessMs: number | null): void {
  const at = lastSuccessMs === null ? null : new Date(lastSuccessMs)
  env.emu.engine.insert(COLLECTIONS.syncStatus, [{ _id: 'public', lastSuccessAt: at, lastRunAt: at, lastFullSweepAt: at, listedRooms: 0, lastError: null }])
}

export function text(node: SimNode): string {
  return (node.dom.textContent ?? '').replace(/\s+/g, ' ')
}

/** A database request as the viewer's wx.cloud sent it to the emulator (EJSON strings parsed back). */
export interface ClientRequest {
  kind: 'db' | 'watch'
  action: string
  collectionName: string
  query: Record<string, unknown>
  order: Record<string, number> | null
  projection: Record<string, unknown> | null
  limit: number | null
  offset: number | null
}

function ejson(text: unknown): Record<string, unknown> | null {
  return typeof text === 'string' && text !== '' ? (EJSON.parse(text, { relaxed: true }) as Record<string, unknown>) : null
}

/** Records every database request and watch the pages send (the real request still goes through). */
export function recordRequests(): { requests: ClientRequest[]; stop(): void } {
  const real = globalThis.fetch
  const requests: ClientRequest[] = []
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url)
    if (url.pathname === '/__client/db' && typeof init?.body === 'string') {
      const b = JSON.parse(init.body) as Record<string, unknown>
      requests.push({
        kind: 'db',
        action: String(b.action),
        collectionName: String(b.collectionName),
        query: ejson(b.query) ?? {},
        order: ejson(b.order) as Record<string, number> | null,
        projection: ejson(b.projection),
        limit: typeof b.limit === 'number' ? b.limit : null,
        offset: typeof b.offset === 'number' ? b.offset : 0, // skip(0) sends no offset
      })
    } else if (url.pathname === '/__client/watch') {
      const p = url.searchParams
      requests.push({
        kind: 'watch',
        action: 'watch',
        collectionName: p.get('collectionName') ?? '',
        query: ejson(p.get('query')) ?? {},
        order: ejson(p.get('order')) as Record<string, number> | null,
        projection: null,
        limit: p.has('limit') ? Number(p.get('limit')) : null,
        offset: null,
      })
    }
    return real(input, init)
  })
  return { requests, stop: () => spy.mockRestore() }
}

interface DeclaredIndex {
  name: string
  keys: Array<{ field: string }>
}
const declared = JSON.parse(readFileSync(join(__dirname, '..', '..', 'database', 'collections.json'), 'utf8')) as {
  collections: Array<{ name: string; indexes: DeclaredIndex[] }>
}

/**
 * The index of database/collections.json that serves a request: its leading keys are the query's equality
 * fields, followed by the sort fields in order. `_id` equality is served by the built-in _id index.
 * Null when no declared index serves it (or the query is not plain equality).
 */
export function servingIndex(req: ClientRequest): string | null {
  const fields = Object.keys(req.query)
  if (fields.some((f) => typeof req.query[f] === 'object' && req.query[f] !== null && !(req.query[f] instanceof Date))) return null
  const order = Object.keys(req.order ?? {})
  if (fields.length === 1 && fields[0] === '_id' && order.length === 0) return '_id_'
  const coll = declared.collections.find((c) => c.name === req.collectionName)
  for (const index of coll?.indexes ?? []) {
    const keys = index.keys.map((k) => k.field)
    const lead = keys.slice(0, fields.length)
    if (fields.length === 0 || lead.length !== fields.length || !fields.every((f) => lead.includes(f))) continue
    if (order.every((f, i) => keys[fields.length + i] === f)) return index.name
  }
  return null
}

/** The device tracker as the pages load it (the built services/track.js, one module instance with the pages'). */
export interface TrackModule {
  flushTracking(): Promise<void>
  pendingTracking(): { batches: { batchId: string; events: unknown[] }[]; queue: unknown[] }
}

export function trackModule(): TrackModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(inject('mpOut'), 'services', 'track.js')) as TrackModule
}

export interface TrackSpy {
  /** Every batch the pages sent to `track`, as sent. */
  batches: { batchId: string; events: Record<string, unknown>[] }[]
  events(): Record<string, unknown>[]
  /** Sends what waits on the device now, as App.onHide does. */
  flush(): Promise<void>
  stop(): void
}

/**
 * Answers the pages' calls of the `track` function as it accepts a batch, keeping what they sent; other functions
 * still reach the emulator. Whatever earlier tests left on the device is sent (and forgotten) first.
 */
export async function spyOnTrack(env: ViewerEnv): Promise<TrackSpy> {
  const tracker = trackModule()
  const real = env.cloud.callFunction.bind(env.cloud)
  const batches: TrackSpy['batches'] = []
  const spy = vi.spyOn(env.cloud, 'callFunction').mockImplementation(async (o) => {
    if (o.name !== 'track') return real(o)
    const data = structuredClone(o.data) as TrackSpy['batches'][number]
    batches.push(data)
    return { result: { ok: true, data: { batchId: data.batchId, accepted: data.events.length, duplicate: false, capped: 0, refused: [] } }, requestID: 'spy', errMsg: 'cloud.callFunction:ok' }
  })
  await tracker.flushTracking()
  batches.length = 0
  return { batches, events: () => batches.flatMap((b) => b.events), flush: () => tracker.flushTracking(), stop: () => spy.mockRestore() }
}

export interface DeviceLiveSetup {
  miniProgramLive: boolean
  channels: { finderUserName: string } | null
}

/**
 * Switches the built mini-program's Live setup (generated/live-setup.js's LIVE_SETUP, which the pages read at call
 * time) for the tests that follow; returns what restores the committed one. One build serves every page test.
 */
export function useLiveSetup(setup: DeviceLiveSetup): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const live = (require(join(inject('mpOut'), 'generated', 'live-setup.js')) as { LIVE_SETUP: DeviceLiveSetup }).LIVE_SETUP
  const before = { miniProgramLive: live.miniProgramLive, channels: live.channels }
  live.miniProgramLive = setup.miniProgramLive
  live.channels = setup.channels === null ? null : { ...setup.channels }
  return () => {
    live.miniProgramLive = before.miniProgramLive
    live.channels = before.channels
  }
}
