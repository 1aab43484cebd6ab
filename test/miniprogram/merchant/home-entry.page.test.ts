// @vitest-environment jsdom
/** The viewer home page shows the merchant entry to admins only, and opens the merchant subpackage from it. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ViewerEnv } from '../harness'
import { OWNER, VIEWER, openViewerPage, startMerchantEnv, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv()
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

/** The home page as `openid` opens it on a fresh launch. */
async function openHome(openid: string | null): Promise<{ page: SimNode; viewer: ViewerEnv }> {
  const opened = await openViewerPage(env, openid, 'pages/home/index')
  page = opened.page
  return opened
}

/** liveAdmin's finished runs (the emulator keeps the last 20, newest first) that answered whoami. */
async function whoamiRuns(): Promise<number> {
  const res = await fetch(`${env.admin.emu.url}/__sandbox/functions/liveAdmin`)
  const body = (await res.json()) as { recentRuns: { event?: { action?: string }; status?: string }[] }
  return body.recentRuns.filter((r) => r.event?.action === 'whoami' && r.status === 'ok').length
}

/** Polls the emulator until liveAdmin has answered `count` whoami calls; fails naming the count it saw. */
async function waitForWhoamiRuns(count: number): Promise<void> {
  let seen = -1
  for (let i = 0; i < 400; i++) {
    seen = await whoamiRuns()
    if (seen >= count) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`liveAdmin answered ${seen} whoami calls, expected ${count}`)
}

describe('merchant entry on the home page', () => {
  it('is shown to the owner and opens the merchant front page', async () => {
    const { page: p, viewer } = await openHome(OWNER)
    await until(() => expect(p.data.merchantEntry).toBe(true))
    const entry = p.querySelector('.merchant-entry')
    expect(entry?.dom.textContent).toContain('商家后台')
    p.instance.onMerchant()
    expect(viewer.navigateTo).toHaveBeenCalledWith({ url: '/merchant/pages/index/index' })
  })

  it('is hidden from a viewer who is not an admin once whoami has answered', async () => {
    const before = await whoamiRuns()
    const { page: p } = await openHome(VIEWER)
    // the page asked whoami and got its answer: the entry stays hidden after it
    await waitForWhoamiRuns(before + 1)
    await until(() => expect(p.data.status).not.toBe('loading'))
    expect(p.data.merchantEntry).toBe(false)
    expect(p.querySelector('.merchant-entry')).toBeUndefined()
  })
})
