/**
 * The Live sandbox view in a browser, and the routes it added: a room created from the prefilled form and started
 * with the event buttons its status allows; goods approved; a fault added and cleared; calls against quota.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { LiveStatus } from '../../src/live/status'
import type { QuotaUsage } from '../../emulator/sandbox/sandbox'
import { screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

let emu: Emulator
let browser: Browser
let page: Page

beforeAll(async () => {
  ;({ emu } = await startUiEmulator({ sandbox: { quotas: { getLiveInfo: 5 } } }))
  emu.control.seedDemo()
  ;({ browser, page } = await openZhPage())
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

async function api<T>(method: string, p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${emu.url}${p}`, { method })
  return { status: res.status, body: (await res.json()) as T }
}

describe('routes', () => {
  it('lists each room with the life-cycle events its status allows now', async () => {
    const { body } = await api<{ liveStatus: number; events: string[] }[]>('GET', '/__sandbox/rooms')
    const live = body.find((r) => r.liveStatus === LiveStatus.live)!
    expect(live.events).toEqual(['pause', 'abnormal', 'end', 'ban'])
    const upcoming = body.find((r) => r.liveStatus === LiveStatus.upcoming)!
    expect(upcoming.events).toContain('start')
    expect(upcoming.events).not.toContain('resume')
  })

  it('counts calls against the quota set for the day, and the limit an option gave', async () => {
    const before = (await api<QuotaUsage[]>('GET', '/__sandbox/quotas')).body.find((q) => q.id === 'getLiveInfo')!
    expect(before).toMatchObject({ api: 'liveBroadcast.getLiveInfo', per: 'day', limit: 5, calls: 0, used: 0 })
    for (let i = 0; i < 6; i++) await emu.sandbox.callApi({ endpointId: 'getLiveInfo', params: { start: 0, limit: 10 }, via: 'cloud' })
    const after = (await api<QuotaUsage[]>('GET', '/__sandbox/quotas')).body.find((q) => q.id === 'getLiveInfo')!
    // the sixth call was refused with 45009: counted as a call, not as quota used
    expect(after).toMatchObject({ calls: 6, used: 5, limit: 5 })
  })

  it('clears every queued fault with DELETE /__sandbox/faults', async () => {
    emu.control.addFault({ api: 'liveBroadcast.getLiveInfo', times: 2, errcode: -1 })
    expect(emu.control.faults()).toHaveLength(1)
    const res = await api<{ faults: unknown[] }>('DELETE', '/__sandbox/faults')
    expect(res).toEqual({ status: 200, body: { faults: [] } })
    expect(emu.control.faults()).toEqual([])
  })
})

describe('the Live sandbox view', () => {
  it('creates a room from the form with only its name filled, then starts it', async () => {
    await page.goto(`${emu.url}/ui/#/live`)
    await page.getByTestId('room-name').fill('茶园春日直播')
    await page.getByTestId('room-create-submit').click()
    await expect.poll(() => emu.control.rooms().find((r) => r.name === '茶园春日直播')?.roomId ?? 0).toBeGreaterThan(0)
    const roomId = emu.control.rooms().find((r) => r.name === '茶园春日直播')!.roomId
    await page.getByTestId(`room-${roomId}-event-start`).click()
    await expect.poll(() => emu.control.rooms().find((r) => r.roomId === roomId)!.liveStatus).toBe(LiveStatus.live)
    // a live room offers no start any more
    await expect.poll(() => page.getByTestId(`room-${roomId}-event-start`).count()).toBe(0)
    await expect.poll(() => page.getByTestId(`room-${roomId}-event-pause`).count()).toBe(1)
  })

  it("shows the sandbox's sentence when the form breaks a rule", async () => {
    await page.getByTestId('room-name').fill('短')
    await page.getByTestId('room-create-submit').click()
    await expect.poll(() => page.getByTestId('room-create-card').textContent()).toContain('name')
  })

  it('approves goods under review', async () => {
    const reviewing = emu.control.goods().find((g) => g.audit === 'underReview')!
    await page.getByTestId(`goods-${reviewing.goodsId}-approve`).click()
    await expect.poll(() => emu.control.goods().find((g) => g.goodsId === reviewing.goodsId)!.audit).toBe('approved')
  })

  it('adds a fault for a chosen API, lists it, and clears it', async () => {
    await page.getByTestId('fault-api').selectOption('liveBroadcast.getLiveInfo')
    await page.getByTestId('fault-times').fill('2')
    await page.getByTestId('fault-errcode').fill('-1')
    await page.getByTestId('fault-add-submit').click()
    await expect.poll(() => emu.control.faults()).toEqual([{ api: 'liveBroadcast.getLiveInfo', times: 2, remaining: 2, errcode: -1 }])
    await expect.poll(() => page.getByTestId('faults-table').textContent()).toContain('liveBroadcast.getLiveInfo')
    await expect.poll(() => page.getByTestId('calls-table').textContent()).toContain('5 / 5')
    await screenshot(page, 'live')
    await page.getByTestId('faults-clear').click()
    await expect.poll(() => emu.control.faults()).toEqual([])
  })
})
