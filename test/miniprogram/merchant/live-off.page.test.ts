// @vitest-environment jsdom
/**
 * The merchant pages against a liveAdmin built with Mini Program Live off: the front page lists only what runs
 * without Live and says in one line that Live is off and how to turn it on; a Live page opened directly shows the
 * plain "小程序直播未开启" state and asks liveAdmin nothing but whoami; a page that needs no Live still works.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MINI_PROGRAM_LIVE_OFF, TURN_ON_MINI_PROGRAM_LIVE } from '../../../src/setup/live-off'
import { OWNER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

const MERCHANT = join(__dirname, '..', '..', '..', 'miniprogram', 'merchant')

let env: MerchantEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv({}, { liveOff: true })
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

/** liveAdmin's recent runs (newest first), as the emulator records them. */
function runs(): { requestId: string; event: unknown }[] {
  return env.admin.emu.listFunctions().find((f) => f.name === 'liveAdmin')?.recentRuns ?? []
}

async function open(path: string, query: Record<string, string> = {}): Promise<SimNode> {
  installMerchantWx(env, OWNER)
  page = loadMerchantPage(path)
  await page.instance.onLoad(query)
  return page
}

/** The front page's areas as its source declares them: key, page folder, and whether it is marked live. */
function declaredAreas(): { key: string; folder: string; live: boolean }[] {
  const src = readFileSync(join(MERCHANT, 'pages', 'index', 'index.ts'), 'utf8')
  return [...src.matchAll(/\{ key: '(\w[\w-]*)'.*?url: '\/merchant\/pages\/([\w-]+)\/index'(.*?)\}/g)].map((m) => ({ key: m[1], folder: m[2], live: /live: true/.test(m[3]) }))
}

/** Whether a page's source opens its gate with the 'live' need. */
function gatedOnLive(folder: string): boolean {
  const src = readFileSync(join(MERCHANT, 'pages', folder, 'index.ts'), 'utf8')
  return /openGate\(this, 'live'|gatedPageMethods\('live'/.test(src)
}

describe('the merchant pages with Mini Program Live off', () => {
  it('mark the same areas live on the front page as gate their own page on Live', () => {
    const areas = declaredAreas()
    expect(areas.length).toBeGreaterThan(5)
    for (const a of areas) expect({ key: a.key, live: gatedOnLive(a.folder) }).toEqual({ key: a.key, live: a.live })
    // the pages reached from a Live area (edit forms, the room console) are Live pages too
    for (const folder of ['room-edit', 'goods-edit', 'console']) expect(gatedOnLive(folder)).toBe(true)
  })

  // first, before the front page's Channels panel asks liveAdmin anything
  it('rooms page opened directly: the plain off state, nothing asked but whoami, no Live call', async () => {
    const seen = new Set(runs().map((r) => r.requestId))
    const p = await open('merchant/pages/rooms/index')
    await until(() => expect(p.data.gate).toBe('liveOff'))
    expect(text(p)).toContain('小程序直播未开启')
    expect(text(p)).toContain(MINI_PROGRAM_LIVE_OFF.zh)
    // the gate's own off state (its classes carry the component's prefix), with the way back to the front page
    expect(p.dom.querySelectorAll('.gate--gate-live-off').length).toBe(1)
    expect(text(p)).toContain('回到商家后台')
    await p.instance.onPullDownRefresh()
    const fresh = runs().filter((r) => !seen.has(r.requestId))
    expect(fresh.map((r) => (r.event as { action?: string }).action)).toEqual(fresh.map(() => 'whoami'))
    expect(env.admin.liveCalls()).toBe(0)
  })

  it('front page: no Live area, one line saying Live is off and how to turn it on', async () => {
    const p = await open('merchant/pages/index/index')
    await until(() => expect(p.data.gate).toBe('allowed'))
    const keys = p.data.areas.map((a: { key: string }) => a.key)
    const live = declaredAreas().filter((a) => a.live).map((a) => a.key)
    for (const k of live) expect(keys).not.toContain(k)
    expect(keys).toEqual(expect.arrayContaining(['stats', 'words', 'audit', 'admins']))
    expect(p.querySelectorAll('.area').length).toBe(keys.length)
    expect(p.querySelectorAll('.live-off').length).toBe(1)
    expect(text(p)).toContain(MINI_PROGRAM_LIVE_OFF.zh)
    expect(text(p)).toContain(TURN_ON_MINI_PROGRAM_LIVE.zh)
  })

  it('words page, which needs no Live, opens and loads', async () => {
    const p = await open('merchant/pages/words/index')
    await until(() => expect(p.data.gate).toBe('allowed'))
    expect(text(p)).not.toContain('小程序直播未开启')
  })
})
