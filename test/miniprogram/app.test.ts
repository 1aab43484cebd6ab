/**
 * The built app.js: onLaunch initialises the cloud with the one configured env id; onShow asks the plugin's
 * getShareParams for the share, QR and subscription-message scenes and hands the entry to the attribution hook.
 */
import { join } from 'node:path'
import { beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest'

interface AppDef {
  onLaunch(): void
  onShow(options: { scene?: number; query?: Record<string, string> }): void
}
interface Entry {
  channel: string
  scene: number
  roomId: number | null
  sharerOpenid: string | null
}
interface AttributionModule {
  onEntry(listener: (e: Entry) => void): () => void
  entryChannel(): string
}

let app: AppDef
let attribution: AttributionModule
let env: string
const init = vi.fn()
const getShareParams = vi.fn()

beforeAll(() => {
  const out = inject('mpOut')
  vi.stubGlobal('App', (def: AppDef) => {
    app = def
  })
  vi.stubGlobal('wx', { cloud: { init, database: () => ({}) } })
  vi.stubGlobal('requirePlugin', (name: string) => {
    if (name !== 'live-player-plugin') throw new Error(`unexpected plugin ${name}`)
    return { getShareParams }
  })
  // The built modules, as the mini-program runs them (one module instance shared by app.js and the test).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(out, 'app.js'))
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  attribution = require(join(out, 'services/attribution.js')) as AttributionModule
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  env = (require(join(out, 'config.js')) as { CLOUD_ENV: string }).CLOUD_ENV
})
beforeEach(() => {
  getShareParams.mockReset()
})

function nextEntry(): Promise<Entry> {
  return new Promise((resolve) => {
    const off = attribution.onEntry((e) => {
      off()
      resolve(e)
    })
  })
}

describe('app.js', () => {
  it('initialises the cloud once with the env id from config.ts', () => {
    app.onLaunch()
    app.onLaunch()
    expect(init).toHaveBeenCalledTimes(1)
    expect(init).toHaveBeenCalledWith({ env, traceUser: true })
  })

  it.each([1007, 1008, 1044, 1154, 1155])('scene %i: onShow reads getShareParams and tells the attribution hook', async (scene) => {
    const custom = encodeURIComponent(JSON.stringify({ channel: `poster_${scene}`, path: 'pages/home/index' }))
    getShareParams.mockResolvedValue({ room_id: 42, share_openid: 'o-sharer', custom_params: custom })
    const seen = nextEntry()
    app.onShow({ scene, query: {} })
    expect(await seen).toMatchObject({ channel: `poster_${scene}`, scene, roomId: 42, sharerOpenid: 'o-sharer' })
    expect(getShareParams).toHaveBeenCalledTimes(1)
    expect(attribution.entryChannel()).toBe(`poster_${scene}`)
  })

  it('does not ask the plugin in other scenes, and knows the query channel before the plugin answers', async () => {
    const seen = nextEntry()
    app.onShow({ scene: 1001, query: { channel: 'share_home' } })
    expect(attribution.entryChannel()).toBe('share_home')
    expect(await seen).toMatchObject({ channel: 'share_home', scene: 1001, sharerOpenid: null })
    expect(getShareParams).not.toHaveBeenCalled()

    let answer: (v: unknown) => void = () => {}
    getShareParams.mockReturnValue(new Promise((r) => (answer = r)))
    const later = nextEntry()
    app.onShow({ scene: 1007, query: { channel: 'share_room', roomId: '5' } })
    // A page's onLoad runs now, while getShareParams is still pending: it must already see this visit's channel.
    expect(attribution.entryChannel()).toBe('share_room')
    answer({})
    expect(await later).toMatchObject({ channel: 'share_room', roomId: 5 })
  })
})
