/**
 * liveAdmin with Mini Program Live off (live.config.json `miniProgramLive: false`), through the dispatcher in
 * process: every action that needs Live is refused with `live_off` before its params are read or anything is sent,
 * the rest keep working, and whoami answers the setup the merchant pages show.
 */
import { describe, expect, it } from 'vitest'
import { actionTable } from '../src/admin/actions'
import { needsMiniProgramLive } from '../src/admin/live-gate'
import { ADMIN_LIVE_OFF, MINI_PROGRAM_LIVE_OFF, TURN_ON_MINI_PROGRAM_LIVE } from '../src/setup/live-off'
import type { LiveSetup } from '../src/setup/live-setup'
import { OWNER, VIEWER } from './admin-harness'
import { startInProcessAdmin } from './admin-inprocess'

const OFF: LiveSetup = { miniProgramLive: false, channels: { finderUserName: 'sphShopAbc01' } }
const ON: LiveSetup = { miniProgramLive: true, channels: null }

const gated = Object.values(actionTable).filter(needsMiniProgramLive).map((d) => d.name).sort()
const open = Object.values(actionTable).filter((d) => !needsMiniProgramLive(d)).map((d) => d.name).sort()

describe('which actions need Mini Program Live', () => {
  it('covers every Live endpoint, the goods mirror and budget, channel links and batch import, and leaves people, words and statistics open', () => {
    for (const name of ['createRoom', 'getLiveInfo', 'goodsAdd', 'goodsList', 'refreshGoodsAudit', 'reviewBudget', 'pushRoomToFollowers', 'getRoleList']) expect(gated).toContain(name)
    for (const name of ['createChannel', 'listChannels', 'renameChannel', 'removeChannel', 'generateChannelLink']) expect(gated).toContain(name)
    for (const name of ['batchTemplate', 'batchValidate', 'batchStart', 'batchContinue', 'batchStatus', 'batchList']) expect(gated).toContain(name)
    for (const name of ['whoami', 'listAdmins', 'addAdmin', 'removeAdmin', 'listAudit', 'getSensitiveWords', 'setSensitiveWords', 'checkContent', 'statsRooms', 'statsRoom', 'statsExport', 'statsReportOrder']) expect(open).toContain(name)
  })
})

describe('with Mini Program Live off', () => {
  it.each(gated)('%s answers live_off with nothing sent and nothing written but the audit entry', async (name) => {
    const admin = startInProcessAdmin({ setup: OFF })
    const before = admin.snapshotExceptAudit()
    // Params that would not pass its schema: the setup is decided first, so the merchant learns the real reason.
    const reply = await admin.raw({ action: name, params: { roomId: 'not a room' } })
    expect(reply).toEqual({ ok: false, error: { code: 'live_off', zh: ADMIN_LIVE_OFF.zh, en: ADMIN_LIVE_OFF.en } })
    expect(admin.transportCalls()).toBe(0)
    expect(admin.liveCalls()).toBe(0)
    expect(admin.snapshotExceptAudit()).toEqual(before)
    const audit = admin.engine.find('live_admin_audit', {})
    expect(audit).toHaveLength(actionTable[name].mutates ? 1 : 0)
    if (actionTable[name].mutates) expect(audit[0]).toMatchObject({ action: name, outcome: 'live_off', openid: OWNER })
  })

  it('refuses a viewer by role first: the setup is no one else\'s business', async () => {
    const admin = startInProcessAdmin({ setup: OFF })
    const reply = await admin.raw({ action: 'createRoom', params: {} }, VIEWER)
    expect(reply).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(admin.transportCalls()).toBe(0)
  })

  it('keeps whoami, admins, words, audit and statistics working, and whoami answers the setup', async () => {
    const admin = startInProcessAdmin({ setup: OFF })
    expect(await admin.raw({ action: 'whoami' })).toEqual({
      ok: true,
      data: {
        openid: OWNER,
        roles: ['owner', 'admin'],
        ownerEnv: 'LIVE_OWNER_OPENIDS',
        setup: {
          miniProgramLive: false,
          finderUserName: 'sphShopAbc01',
          kinds: [{ kind: 'channelsLive', zh: '视频号直播', en: 'Channels live' }],
          miniProgramLiveOff: { reason: MINI_PROGRAM_LIVE_OFF, turnOn: TURN_ON_MINI_PROGRAM_LIVE },
        },
      },
    })
    expect(await admin.raw({ action: 'addSensitiveWords', params: { words: ['违禁词'] } })).toMatchObject({ ok: true })
    expect(await admin.raw({ action: 'getSensitiveWords' })).toMatchObject({ ok: true, data: { words: ['违禁词'] } })
    expect(await admin.raw({ action: 'listAdmins' })).toMatchObject({ ok: true })
    expect(await admin.raw({ action: 'listAudit', params: {} })).toMatchObject({ ok: true })
    expect(await admin.raw({ action: 'statsRooms', params: { from: '2026-11-01', to: '2026-11-02' } })).toMatchObject({ ok: true })
    expect(admin.transportCalls()).toBe(0)
  })
})

describe('with Mini Program Live on', () => {
  it('the same actions reach the platform, and whoami says nothing is off', async () => {
    const admin = startInProcessAdmin({ setup: ON })
    expect(await admin.raw({ action: 'getRoleList', params: { role: 1 } })).toMatchObject({ ok: true })
    expect(admin.transportCalls()).toBe(1)
    expect(await admin.raw({ action: 'whoami' })).toMatchObject({
      ok: true,
      data: { setup: { miniProgramLive: true, finderUserName: null, kinds: [{ kind: 'miniProgramLive', zh: '小程序直播', en: 'Mini Program Live' }], miniProgramLiveOff: null } },
    })
  })
})
