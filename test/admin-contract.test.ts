/**
 * liveAdmin's contract through the built function: the reply shape, whoami, owners and admins, refusals before
 * any Live call or write, the audit log, and every catalogue endpoint reachable as an action.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { setupView } from '../src/admin/live-gate'
import { readLiveSetup } from '../tools/live-setup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalogue } from '../src/live/catalogue'
import { actionTable } from '../src/admin/actions'
import { ADMIN_ERROR_CODES } from '../src/admin/reply'
import { EXTRA_CLOUD_CALLS, cloudNameOf } from '../src/admin/types'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness()
})

afterAll(async () => {
  await h?.stop()
})

describe('liveAdmin contract', () => {
  it('has an action for every catalogue endpoint, named by its id', () => {
    for (const id of Object.keys(catalogue)) expect(actionTable[id]?.name, id).toBe(id)
  })

  it('declares in config.json exactly the cloud calls its actions make', () => {
    const config = JSON.parse(readFileSync(path.resolve(__dirname, '../cloudfunctions/liveAdmin/config.json'), 'utf8'))
    const wanted = new Set<string>(EXTRA_CLOUD_CALLS)
    for (const def of Object.values(actionTable)) {
      for (const id of def.calls) {
        const cloud = cloudNameOf(id)
        if (cloud) wanted.add(cloud)
      }
    }
    expect([...config.permissions.openapi].sort()).toEqual([...wanted].sort())
  })

  it('whoami answers any caller with their openid and roles, anonymous included', async () => {
    // The setup is live.config.json's, as npm run build bakes it in.
    expect(await h.call('whoami', {}, VIEWER)).toEqual({ ok: true, data: { openid: VIEWER, roles: [], ownerEnv: 'LIVE_OWNER_OPENIDS', setup: setupView(readLiveSetup()) } })
    expect(await h.call('whoami', {}, OWNER)).toMatchObject({ ok: true, data: { openid: OWNER, roles: ['owner', 'admin'] } })
    expect(await h.call('whoami', undefined, null)).toMatchObject({ ok: true, data: { openid: null, roles: [] } })
  })

  it('refuses a viewer before any Live call or write, recording only the refusal', async () => {
    const calls = h.liveCalls()
    const docs = h.documentCount()
    const reply = await h.call('getPushUrl', { roomId: 1 }, VIEWER)
    expect(reply).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(h.liveCalls()).toBe(calls)
    expect(h.documentCount()).toBe(docs + 1)
    expect(h.audit()[0]).toMatchObject({ openid: VIEWER, action: 'getPushUrl', outcome: 'permission_denied' })
  })

  it('an owner adds an admin who may then act, and removes them again', async () => {
    const admin = 'admin-openid-000000000000001'
    expect(await h.call('getRoleList', {}, admin)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(await h.call('addAdmin', { openid: admin, note: '店长' }, OWNER)).toEqual({ ok: true, data: { openid: admin, role: 'admin', added: true } })
    expect(await h.call('getRoleList', {}, admin)).toMatchObject({ ok: true, data: { total: expect.any(Number) } })
    expect(await h.call('addAdmin', { openid: VIEWER }, admin)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    const listed = await h.call('listAdmins', {}, admin)
    expect(listed.ok && listed.data.admins.map((a: { openid: string }) => a.openid)).toEqual([OWNER, admin])
    expect(await h.call('removeAdmin', { openid: admin }, OWNER)).toEqual({ ok: true, data: { openid: admin, removed: true } })
    expect(await h.call('getRoleList', {}, admin)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(await h.call('removeAdmin', { openid: OWNER }, OWNER)).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'openid' } })
  })

  it('names the field and the rule in both languages, before any Live call', async () => {
    const calls = h.liveCalls()
    const bad = await h.call('getPushUrl', { roomId: 'x' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'roomId' } })
    expect(!bad.ok && bad.error.zh).toMatch(/^roomId：/)
    expect(!bad.ok && bad.error.en).toMatch(/^roomId: .*expected/)
    expect(await h.call('updateReplay', { roomId: 1, closeReplay: 1, closeKF: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'closeKF' } })
    expect(await h.call('addAssistant', { roomId: 1, users: [{ username: 'abcdef1', nickname: 'n', extra: 1 }] })).toMatchObject({ ok: false, error: { field: 'users.0.extra' } })
    expect(await h.raw({ action: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'action' } })
    expect(await h.raw({ action: 'whoami', openid: OWNER })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'openid' } })
    expect(await h.raw([1])).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: '(event)' } })
    expect(h.liveCalls()).toBe(calls)
  })

  it('keeps a WeChat errcode with its sentence, and the audit log pages newest first', async () => {
    const reply = await h.call('deleteRoom', { id: 999999 })
    expect(reply).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300022, field: 'roomId' } })
    expect(!reply.ok && ADMIN_ERROR_CODES).toContain(!reply.ok && reply.error.code)
    const first = await h.call('listAudit', { limit: 2 })
    expect(first.ok && first.data.entries[0]).toMatchObject({ action: 'deleteRoom', outcome: 'not_found', errcode: 300022, openid: OWNER })
    const next = await h.call('listAudit', { limit: 2, before: first.ok ? first.data.next : '' })
    expect(next.ok && next.data.entries.length).toBeGreaterThan(0)
    expect(next.ok && first.ok && next.data.entries[0].id < first.data.entries[1].id).toBe(true)
  })

  it('answers not_configured naming the variable when an HTTPS-only endpoint has no AppSecret', async () => {
    const calls = h.liveCalls()
    expect(await h.call('getGoodsKey', {})).toMatchObject({ ok: false, error: { code: 'not_configured', env: 'WX_APPSECRET' } })
    expect(h.liveCalls()).toBe(calls)
  })
})
