// @vitest-environment jsdom
/**
 * The relay page every code and link opens, with the scene and options WeChat gives for each kind: the landing and
 * the entry recorded under the link's channel code, the viewer sent into the plugin's room with that code, a room
 * not on air sent to our room page, a bad scene or query answered with a message and a way home.
 */
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { RELAY_PAGE, qrScene, relayQuery, scenesOf, type EntryKind } from '../../src/stats/channels'
import { checkEvent } from '../../src/stats/events'
import { installWx, loadPage, recordRequests, room, seedRooms, spyOnTrack, startViewerEnv, text, until, useLiveSetup, type SimNode, type TrackSpy, type ViewerEnv } from './harness'

const HOUR = 3600_000
let env: ViewerEnv
let page: SimNode | null = null
let sent: TrackSpy
type Attribution = typeof import('../../miniprogram/services/attribution')
let attribution: Attribution

beforeAll(async () => {
  env = await startViewerEnv()
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  attribution = require(join(inject('mpOut'), 'services', 'attribution.js')) as Attribution
})
afterAll(async () => {
  await env.stop()
})
beforeEach(async () => {
  await env.emu.reset()
  for (const spy of [env.navigateTo, env.redirectTo, env.reLaunch]) spy.mockReset()
  installWx(env)
  sent = await spyOnTrack(env)
})
afterEach(() => {
  sent.stop()
  page?.detach()
  page = null
})

/** WeChat starts the mini-program on the relay page: App.onShow with the scene and query, then the page's onLoad. */
async function open(scene: number, options: Record<string, string>): Promise<SimNode> {
  env.enterOptions = { scene, query: options }
  await attribution.recordAppShow({ scene, query: options }, async () => ({}), Date.now())
  page = loadPage(RELAY_PAGE)
  await page.instance.onLoad(options)
  return page
}

/** The options each kind of code or link gives the page: a QR code's scene URL-encoded, a link's query. */
function optionsOf(kind: EntryKind, roomId: number, code: string): Record<string, string> {
  if (kind === 'qrcode') return { scene: encodeURIComponent(qrScene(roomId, code)!) }
  return Object.fromEntries(new URLSearchParams(relayQuery(roomId, code)))
}

function pluginUrl(roomId: number, code: string): string {
  const params = { channel: code, path: `${RELAY_PAGE}?${relayQuery(roomId, code)}` }
  return `plugin-private://wx2b03c6e691cd7370/pages/live-player-plugin?room_id=${roomId}&custom_params=${encodeURIComponent(JSON.stringify(params))}`
}

describe('relay page', () => {
  const kinds: EntryKind[] = ['qrcode', 'urllink', 'urlscheme', 'shortlink']
  it.each(kinds.map((kind, i) => [kind, scenesOf(kind)[0], 300 + i, `ch${kind.slice(0, 4)}${i}`] as const))(
    '%s (scene %i): records land and enter under the code and opens the plugin room with it',
    async (kind, scene, roomId, code) => {
      seedRooms(env, [room(roomId, 'live', Date.now() - HOUR)])
      const p = await open(scene, optionsOf(kind, roomId, code))
      await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
      expect(env.navigateTo.mock.calls[0][0].url).toBe(pluginUrl(roomId, code))
      expect(attribution.entryChannel()).toBe(code)
      expect(text(p)).toContain('已为你打开直播间')
      await sent.flush()
      expect(sent.events()).toMatchObject([
        { kind: 'land', roomId, channel: code, scene },
        { kind: 'enter', roomId, channel: code, scene, shared: false },
      ])
      sent.events().forEach((e, i) => expect(checkEvent(e, i, Date.now())).toMatchObject({ ok: true }))
      expect(sent.batches.every((b) => b.events.length > 0)).toBe(true)
    },
  )

  it('sends a room that is not on air (or not in the cache yet) to our room page, having recorded the landing', async () => {
    seedRooms(env, [room(311, 'upcoming', Date.now() + HOUR)])
    const scene = scenesOf('qrcode')[1]
    await open(scene, optionsOf('qrcode', 311, 'poster1'))
    await open(scene, optionsOf('urllink', 312, 'sms1'))
    expect(env.redirectTo.mock.calls.map((c) => c[0].url)).toEqual(['/pages/room/index?roomId=311', '/pages/room/index?roomId=312'])
    expect(env.navigateTo).not.toHaveBeenCalled()
    await sent.flush()
    expect(sent.events()).toMatchObject([
      { kind: 'land', roomId: 311, channel: 'poster1', scene },
      { kind: 'land', roomId: 312, channel: 'sms1', scene },
    ])
    expect(sent.events().filter((e) => e.kind === 'enter')).toEqual([])
  })

  it('with Mini Program Live off, records the landing and sends an old code to the room page without reading the cache or entering the plugin', async () => {
    const restore = useLiveSetup({ miniProgramLive: false, channels: null })
    const rec = recordRequests()
    try {
      seedRooms(env, [room(321, 'live', Date.now() - HOUR)])
      const scene = scenesOf('qrcode')[0]
      await open(scene, optionsOf('qrcode', 321, 'poster9'))
      expect(env.redirectTo.mock.calls.map((c) => c[0].url)).toEqual(['/pages/room/index?roomId=321'])
      expect(env.navigateTo).not.toHaveBeenCalled()
      expect(rec.requests).toEqual([])
      await sent.flush()
      expect(sent.events()).toMatchObject([{ kind: 'land', roomId: 321, channel: 'poster9', scene }])
    } finally {
      rec.stop()
      restore()
    }
  })

  it.each([
    ['a scene without a code', { scene: '12345' }],
    ['a reserved channel name as the code', { scene: encodeURIComponent('12.home') }],
    ['an upper-case code', { scene: encodeURIComponent('12.Poster') }],
    ['a broken %-escape', { scene: '12.ab%E0%A4%A' }],
    ['a query with a bad room id', { roomId: '12x', ch: 'poster1' }],
    ['a query without a code', { roomId: '12' }],
    ['nothing at all', {}],
  ])('answers %s with a plain message and a way home, recording nothing', async (_what, options) => {
    const p = await open(1011, options as Record<string, string>)
    expect(p.data.status).toBe('invalid')
    expect(text(p)).toContain('无法识别这个二维码或链接')
    p.querySelector('.home')!.dispatchEvent('tap')
    await until(() => expect(env.reLaunch).toHaveBeenCalledWith({ url: '/pages/home/index' }))
    expect(env.navigateTo).not.toHaveBeenCalled()
    expect(env.redirectTo).not.toHaveBeenCalled()
    await sent.flush()
    expect(sent.events()).toEqual([])
  })
})
