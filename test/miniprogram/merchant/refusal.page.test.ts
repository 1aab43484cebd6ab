// @vitest-environment jsdom
/**
 * A viewer who is not an admin opens every merchant page app.json declares (pages added later included) and
 * sees the plain refusal; liveAdmin is asked nothing but whoami, and the audit log gains nothing.
 */
import { readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VIEWER, installMerchantWx, loadMerchantPage, startMerchantEnv, text, until, type MerchantEnv } from '../merchant-harness'

const app = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'miniprogram', 'app.json'), 'utf8')) as { subpackages?: { root: string; pages: string[] }[] }
const merchant = app.subpackages?.find((s) => s.root === 'merchant')
const PAGES = (merchant?.pages ?? []).map((p) => posix.join('merchant', p))

let env: MerchantEnv

beforeAll(async () => {
  env = await startMerchantEnv()
})
afterAll(async () => {
  await env.stop()
})

/** liveAdmin's recent runs (newest first), as the emulator records them. */
function runs(): { requestId: string; event: unknown; caller: { openid: string | null } }[] {
  return env.admin.emu.listFunctions().find((f) => f.name === 'liveAdmin')?.recentRuns ?? []
}

describe('a viewer who is not an admin', () => {
  it('finds the merchant pages in app.json', () => {
    expect(PAGES).toContain('merchant/pages/index/index')
    expect(PAGES.length).toBeGreaterThan(1)
  })

  it.each(PAGES)('sees the plain refusal on %s, with no call besides whoami', async (path) => {
    const seen = new Set(runs().map((r) => r.requestId))
    const audited = env.admin.audit().length
    installMerchantWx(env, VIEWER)
    const page = loadMerchantPage(path)
    try {
      await page.instance.onLoad({})
      await until(() => expect(page.data.gate).toBe('refused'))
      expect(text(page)).toContain('无权访问')
      expect(text(page)).toContain(VIEWER)
      const fresh = runs().filter((r) => !seen.has(r.requestId))
      expect(fresh.length).toBeGreaterThan(0)
      expect(fresh.map((r) => (r.event as { action?: string }).action)).toEqual(fresh.map(() => 'whoami'))
      expect(env.admin.audit().length).toBe(audited)
    } finally {
      page.detach()
    }
  })
})
