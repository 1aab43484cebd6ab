// @vitest-environment jsdom
/**
 * A link counted under its channel, every step as it ships: the merchant creates a channel and generates each kind
 * of code and link through the built liveAdmin, the emulator opens it as WeChat would (the relay page with the scene
 * or query and the scene value), the relay page's events reach the built `track`, and the built `liveStats` folds
 * them into the room's aggregate for that channel, each kind counted as its own entry kind.
 */
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { RELAY_PAGE, type EntryKind } from '../../src/stats/channels'
import { STATS_COLLECTIONS, dailyDocId, type DailyStatsDoc, type LinkKind } from '../../src/stats/docs'
import { shanghaiDay } from '../../src/live/day'
import { installWx, loadPage, room, seedRooms, startViewerEnv, trackModule, until, type ViewerEnv } from './harness'

const ROOT = resolve(__dirname, '../..')
const OWNER = 'owner-openid-links-counted-01'
const ROOM = 777
const KINDS: LinkKind[] = ['qrcode', 'urllink', 'urlscheme', 'shortlink']
let env: ViewerEnv

beforeAll(async () => {
  env = await startViewerEnv({
    functionsRoot: join(ROOT, 'cloudfunctions'),
    builtRoot: inject('mpAdminBuilt'),
    cloudbaserc: join(ROOT, 'cloudbaserc.json'),
    databaseDir: join(ROOT, 'database'),
    // the fold is fired by hand once the batches have settled
    timers: false,
    warmFunctions: true,
  })
  env.emu.setFunctionEnv('liveAdmin', { LIVE_OWNER_OPENIDS: OWNER })
  installWx(env)
})
afterAll(async () => {
  await env.stop()
})

async function admin(action: string, params: Record<string, unknown>): Promise<any> {
  const run = await env.emu.invokeFunction('liveAdmin', { action, params }, { openid: OWNER })
  if (run.status !== 'ok' || !(run.result as { ok: boolean }).ok) throw new Error(`${action}: ${JSON.stringify(run)}`)
  return (run.result as { data: unknown }).data
}

async function open(body: Record<string, string>): Promise<{ path: string; query: Record<string, string>; scene: number }> {
  const res = await fetch(`${env.emu.url}/__sandbox/links/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const opened = (await res.json()) as { opens: boolean; path: string; query: Record<string, string>; scene: number }
  expect({ status: res.status, opens: opened.opens }, JSON.stringify(opened)).toEqual({ status: 200, opens: true })
  return opened
}

describe('a generated link, opened, is counted under its channel', () => {
  it('counts each kind of code and link as a landing and an entry of its own channel and entry kind', async () => {
    seedRooms(env, [room(ROOM, 'live', Date.now() - 3600_000)])
    const tracker = trackModule()
    // the attribution module the relay page uses, from the same built package
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const attribution = require(join(inject('mpOut'), 'services', 'attribution.js')) as typeof import('../../miniprogram/services/attribution')
    for (const [i, kind] of KINDS.entries()) {
      const code = `lk${i}${kind.slice(0, 3)}`
      await admin('createChannel', { roomId: ROOM, name: `渠道${kind}`, code })
      const made = await admin('generateChannelLink', { roomId: ROOM, code, kind })
      const opened = await open(kind === 'qrcode' ? { fileID: made.link.fileId } : { link: made.link.url })
      expect(opened.path).toBe(RELAY_PAGE)

      env.navigateTo.mockClear()
      env.enterOptions = { scene: opened.scene, query: opened.query }
      await attribution.recordAppShow({ scene: opened.scene, query: opened.query }, async () => ({}), Date.now())
      const page = loadPage(opened.path)
      await page.instance.onLoad(opened.query)
      await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
      page.detach()
    }
    await tracker.flushTracking()
    expect(tracker.pendingTracking().batches).toEqual([])

    // batches settle behind the track function's timeout before the fold reads them
    env.emu.clock.advance(60)
    const run = await env.emu.fireTimer('liveStats')
    if (run.status !== 'ok') throw new Error(`liveStats failed: ${JSON.stringify(run)}`)

    const day = shanghaiDay(Date.now())
    for (const [i, kind] of KINDS.entries()) {
      const code = `lk${i}${kind.slice(0, 3)}`
      const [doc] = env.emu.engine.find(STATS_COLLECTIONS.daily, { _id: dailyDocId(day, ROOM, code) }) as unknown as DailyStatsDoc[]
      expect(doc, `${kind} aggregate`).toBeDefined()
      expect(doc.counts, kind).toMatchObject({ reached: 1, entered: 1 })
      expect(doc.kinds, kind).toEqual({ [kind as EntryKind]: 1 })
    }
  })
})
