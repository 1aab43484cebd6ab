// @vitest-environment jsdom
/**
 * The viewer's events end in the database through the built `track` function: the home page's batch, sent by the
 * device tracker over wx.cloud as the viewer, is stored once under its batch id (no openid in it), and the same
 * batch sent again, as a retry would, is answered as a duplicate and stored nothing more.
 */
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { STATS_COLLECTIONS } from '../../src/stats/docs'
import { installWx, loadPage, room, seedRooms, startViewerEnv, trackModule, until, useLiveSetup, VIEWER, type SimNode, type ViewerEnv } from './harness'

const ROOT = resolve(__dirname, '../..')
let env: ViewerEnv
let page: SimNode | null = null
// the rooms' events only: a Channels account would add its own (home-channels.page.test.ts covers those)
let restoreSetup: () => void

beforeAll(async () => {
  restoreSetup = useLiveSetup({ miniProgramLive: true, channels: null })
  env = await startViewerEnv({
    functionsRoot: join(ROOT, 'cloudfunctions'),
    builtRoot: inject('mpAdminBuilt'),
    cloudbaserc: join(ROOT, 'cloudbaserc.json'),
    databaseDir: join(ROOT, 'database'),
  })
  installWx(env)
})
afterAll(async () => {
  restoreSetup()
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

describe('device tracker → track function', () => {
  it('stores the page’s batch once under its id, without the openid, and counts a resent copy as a duplicate', async () => {
    seedRooms(env, [room(501, 'live', Date.now() - 3600_000)])
    const tracker = trackModule()
    await tracker.flushTracking() // nothing from another file waits on this device
    const sent: { batchId: string; events: unknown[] }[] = []
    const real = env.cloud.callFunction.bind(env.cloud)
    const spy = vi.spyOn(env.cloud, 'callFunction').mockImplementation(async (o) => {
      if (o.name === 'track') sent.push(structuredClone(o.data) as (typeof sent)[number])
      return real(o)
    })
    try {
      page = loadPage('pages/home/index')
      await page.instance.onLoad({})
      const card = page.querySelector('#room-501')!
      env.observers.at(-1)!.show(card)
      card.querySelector('.card')!.dispatchEvent('tap')
      await until(() => expect(env.navigateTo).toHaveBeenCalledTimes(1))
      await tracker.flushTracking()
      expect(tracker.pendingTracking()).toEqual({ batches: [], queue: [] })
      expect(sent).toHaveLength(1)

      const stored = env.emu.engine.find(STATS_COLLECTIONS.batches, {}) as Record<string, any>[]
      expect(stored).toHaveLength(1)
      expect(stored[0].source).toBe('viewer')
      expect(stored[0].events).toMatchObject([
        { kind: 'impression', roomId: 501, channel: 'direct', section: 'live' },
        { kind: 'tap', roomId: 501, channel: 'direct', section: 'live' },
        { kind: 'enter', roomId: 501, channel: 'direct', scene: 1001, shared: false },
      ])
      expect(JSON.stringify(stored[0])).not.toContain(VIEWER)

      const again = await env.cloud.callFunction({ name: 'track', data: sent[0] as unknown as Record<string, unknown> })
      expect(again.result).toMatchObject({ ok: true, data: { batchId: sent[0].batchId, accepted: 0, duplicate: true } })
      expect(env.emu.engine.find(STATS_COLLECTIONS.batches, {})).toHaveLength(1)
    } finally {
      spy.mockRestore()
    }
  })
})
