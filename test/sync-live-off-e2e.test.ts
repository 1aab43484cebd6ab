/**
 * The built liveSync and liveAdmin with Mini Program Live off (the setup baked in at build time, as
 * `npm run build` does from live.config.json), run by the emulator's runner against a sandbox that does have rooms:
 * the timer run calls nothing and says so in the public status; liveAdmin refuses Live actions and answers the setup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLLECTIONS, type SyncStatusDoc } from '../src/cache/schema'
import { ADMIN_LIVE_OFF, SYNC_LIVE_OFF } from '../src/setup/live-off'
import { startAdminHarness, VIEWER, type AdminHarness } from './admin-harness'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness({ alsoBuild: ['liveSync'], liveSetup: { miniProgramLive: false, channels: { finderUserName: 'sphShopAbc01' } } })
  h.emu.control.seedDemo()
})

afterAll(async () => {
  await h?.stop()
})

describe('built with Mini Program Live off', () => {
  it('liveSync on its timer calls no Live API, writes no room, and its public status says Live is off', async () => {
    const run = await h.emu.fireTimer('liveSync')
    if (run.status !== 'ok') throw new Error(`liveSync failed: ${run.errorMessage}\n${run.logs.join('\n')}`)
    expect(run.result).toMatchObject({ status: 'off', calls: {}, notes: [SYNC_LIVE_OFF.en] })
    expect(h.liveCalls()).toBe(0)
    expect(h.emu.engine.count(COLLECTIONS.rooms, {})).toBe(0)
    expect(h.emu.engine.count(COLLECTIONS.syncState, {})).toBe(0)
    const status = h.emu.engine.find(COLLECTIONS.syncStatus, { _id: 'public' })[0] as unknown as SyncStatusDoc
    expect(status).toMatchObject({ lastSuccessAt: null, lastError: null, liveOff: SYNC_LIVE_OFF })
    expect(status.lastRunAt).toBeInstanceOf(Date)
  })

  it('liveAdmin refuses a Live action with live_off and answers whoami with the setup it was built with', async () => {
    expect(await h.call('createRoom', {})).toEqual({ ok: false, error: { code: 'live_off', zh: ADMIN_LIVE_OFF.zh, en: ADMIN_LIVE_OFF.en } })
    expect(await h.call('generateChannelLink', {})).toMatchObject({ ok: false, error: { code: 'live_off' } })
    expect(h.liveCalls()).toBe(0)
    expect(await h.call('whoami', {}, VIEWER)).toMatchObject({
      ok: true,
      data: { openid: VIEWER, roles: [], setup: { miniProgramLive: false, finderUserName: 'sphShopAbc01', miniProgramLiveOff: { reason: { zh: expect.stringContaining('miniProgramLive 为 false') } } } },
    })
  })
})
