/**
 * Every action of liveAdmin that is not open to anyone refuses a viewer who is not an admin and a caller with no
 * WeChat user (and owner-only actions refuse a plain admin), through the built function: permission_denied,
 * no Live call, and nothing written but the one audit entry of the refusal. Iterates the action table, so an
 * action added later is covered without touching this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionTable } from '../src/admin/actions'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'

const ADMIN = 'admin-openid-refusals-000001'
const AUDIT = 'live_admin_audit'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness()
  expect(await h.call('addAdmin', { openid: ADMIN }, OWNER)).toMatchObject({ ok: true })
})

afterAll(async () => {
  await h?.stop()
})

/** Every document of every collection but the audit log, to show a refusal changed none of them. */
function snapshotExceptAudit(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {}
  for (const c of h.emu.engine.listCollections().sort()) if (c !== AUDIT) out[c] = h.emu.engine.find(c, {})
  return out
}

const guarded = Object.values(actionTable).filter((d) => d.who !== 'anyone')
const ownerOnly = guarded.filter((d) => d.who === 'owner')

describe('liveAdmin refusals', () => {
  it('guards every action but the ones open to anyone', () => {
    // The table is not empty of guarded actions, so the loops below test something.
    expect(guarded.length).toBeGreaterThan(38)
    expect(ownerOnly.map((d) => d.name)).toEqual(expect.arrayContaining(['addAdmin', 'removeAdmin']))
  })

  const callers: [string, string | null, typeof guarded][] = [
    ['a viewer who is not an admin', VIEWER, guarded],
    ['an anonymous caller', null, guarded],
    ['an admin who is not an owner', ADMIN, ownerOnly],
  ]
  for (const [who, openid, defs] of callers) {
    it(`refuses ${who} every guarded action before any Live call, writing only the refusal to the audit log`, async () => {
      const before = snapshotExceptAudit()
      for (const def of defs) {
        const calls = h.liveCalls()
        const docs = h.documentCount()
        const reply = await h.call(def.name, {}, openid)
        expect(reply, def.name).toMatchObject({ ok: false, error: { code: 'permission_denied', zh: expect.any(String), en: expect.any(String) } })
        expect(h.liveCalls(), def.name).toBe(calls)
        expect(h.documentCount(), def.name).toBe(docs + 1)
        expect(h.audit()[0], def.name).toMatchObject({ openid, action: def.name, outcome: 'permission_denied' })
      }
      expect(snapshotExceptAudit()).toEqual(before)
    })
  }

  it('says why in both languages: no WeChat user, not an admin, not an owner', async () => {
    const anon = await h.call('getRoleList', {}, null)
    expect(!anon.ok && anon.error.en).toMatch(/no WeChat user/)
    const viewer = await h.call('getRoleList', {}, VIEWER)
    expect(!viewer.ok && viewer.error.zh).toMatch(/管理员/)
    const admin = await h.call('addAdmin', { openid: VIEWER }, ADMIN)
    expect(!admin.ok && admin.error.en).toMatch(/owner/)
  })
})
