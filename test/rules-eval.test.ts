import { describe, it, expect } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsep from 'jsep'
import {
  RuleSet,
  RulesError,
  checkCreate,
  checkQuery,
  compileRules,
  loadRules,
  parseRulesFile,
  queryScenarios,
  updatePins,
  type CollectionRules,
} from '../emulator/client/rules'

const alice = { openid: 'o-alice' }
const bob = { openid: 'o-bob' }
const anonymous = { openid: null }
const NOW = Date.UTC(2026, 10, 22, 4, 0, 0)

const rules = (json: unknown): CollectionRules => compileRules('rooms', 'database/rooms.rules.json', json)
const read = (r: CollectionRules, query: Record<string, unknown>, viewer: { openid: string | null } = alice) =>
  checkQuery(r, 'read', query, { viewer, nowMs: NOW })

function loadError(json: unknown): RulesError {
  try {
    rules(json)
  } catch (e) {
    if (e instanceof RulesError) return e
    throw e
  }
  throw new Error('expected a RulesError')
}

describe('rules files: loading and parse errors', () => {
  it('reports a syntax error with file, key and column', () => {
    const e = loadError({ read: 'doc.a == ' })
    expect(e.message).toMatch(/^database\/rooms\.rules\.json: read: .+ at col 10$/)
    expect(e.column).toBe(10)
  })

  it('rejects operators outside the rules grammar (=, ===, *) at their column', () => {
    expect(loadError({ write: 'doc.a = 1' }).message).toMatch(/^database\/rooms\.rules\.json: write: .* at col 7$/)
    expect(loadError({ read: 'doc.a === 1' }).column).not.toBeNull()
    expect(loadError({ read: 'doc.n * 2 > 1' }).message).toContain('read:')
  })

  it('names an unknown variable and where it is', () => {
    const e = loadError({ read: 'doc.x == 1 || user.id == 2' })
    expect(e.message).toContain('unknown variable "user"')
    expect(e.column).toBe(15)
  })

  it('rejects calls other than get(), more than 3 get(), bad get paths, and over-long expressions', () => {
    expect(loadError({ read: 'doc.list.includes(1)' }).message).toContain('only get(')
    const four = Array.from({ length: 4 }, (_, i) => `get('database.u.${i}').ok == true`).join(' && ')
    expect(loadError({ read: four }).message).toContain('at most 3 get()')
    expect(loadError({ read: "get('rooms.1').ok == true" }).message).toContain("'database.<collection>.<id>'")
    expect(loadError({ read: 'doc.a == ' + '1'.repeat(1030) }).message).toContain('limit is 1024')
  })

  it('rejects unknown keys and non-boolean non-string values', () => {
    expect(loadError({ reed: true }).message).toBe('database/rooms.rules.json: reed: unknown key (allowed: read, write, create, update, delete)')
    expect(loadError({ read: 1 }).message).toContain('read: must be true, false or an expression string')
  })

  it('reports invalid JSON with the file name', () => {
    expect(() => parseRulesFile('rooms', 'database/rooms.rules.json', '{read: true')).toThrow(/^database\/rooms\.rules\.json: \(file\): invalid JSON/)
  })

  it('loads every <collection>.rules.json in a folder; create/update/delete fall back to write; missing → false', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'))
    writeFileSync(join(dir, 'rooms.rules.json'), JSON.stringify({ read: true, write: 'doc._openid == auth.openid', delete: false }))
    writeFileSync(join(dir, 'notes.txt'), 'ignored')
    const set = loadRules(dir)
    expect(set.collections()).toEqual(['rooms'])
    const r = set.get('rooms')
    expect(r.read.source).toBe(true)
    expect(r.create.source).toBe('doc._openid == auth.openid')
    expect(r.update.key).toBe('write')
    expect(r.delete.source).toBe(false)
    const none = set.get('orders')
    expect(read(none, {}).allowed).toBe(false)
    expect(read(none, {}).reason).toContain('no rules file')
  })

  it('leaves jsep usable with its default grammar for anyone else', () => {
    rules({ read: 'doc.a in [1, 2]' })
    expect((jsep('1 + 2 * 3') as jsep.BinaryExpression).operator).toBe('+')
  })
})

describe('presets', () => {
  const publicRead = rules({ read: true, write: false }) // 所有用户可读
  const ownerOnly = rules({ read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' }) // 仅创建者可读写
  const nobody = rules({ read: false, write: false }) // 所有用户不可读写

  it('所有用户可读: any read allowed, any write denied', () => {
    expect(read(publicRead, {}, anonymous).allowed).toBe(true)
    expect(checkCreate(publicRead, { _openid: 'o-alice' }, { viewer: alice, nowMs: NOW }).allowed).toBe(false)
    expect(checkQuery(publicRead, 'update', { _id: 'r1' }, { viewer: alice, nowMs: NOW }).allowed).toBe(false)
  })

  it('仅创建者可读写: the query must pin _openid to the viewer', () => {
    expect(read(ownerOnly, { _openid: 'o-alice' }).allowed).toBe(true)
    expect(read(ownerOnly, { _openid: 'o-alice' }, bob).allowed).toBe(false)
    const open = read(ownerOnly, {})
    expect(open.allowed).toBe(false)
    expect(open.reason).toContain('doc._openid not fixed by the query')
    // doc(id).get() pins only _id
    expect(read(ownerOnly, { _id: 'r1' }).allowed).toBe(false)
    expect(read(ownerOnly, { _id: 'r1', _openid: 'o-alice' }).allowed).toBe(true)
    expect(checkCreate(ownerOnly, { _openid: 'o-alice', n: 1 }, { viewer: alice, nowMs: NOW }).allowed).toBe(true)
    expect(checkCreate(ownerOnly, { _openid: 'o-alice' }, { viewer: bob, nowMs: NOW }).allowed).toBe(false)
  })

  it('仅创建者可读写: an anonymous viewer never matches', () => {
    expect(read(ownerOnly, { _openid: 'o-alice' }, anonymous).allowed).toBe(false)
    expect(checkCreate(ownerOnly, {}, { viewer: anonymous, nowMs: NOW }).allowed).toBe(false)
  })

  it('所有用户不可读写: everything denied with a reason', () => {
    const d = read(nobody, { _openid: 'o-alice' })
    expect(d.allowed).toBe(false)
    expect(d.reason).toBe('read rule false is always false')
  })
})

describe('query-subset semantics', () => {
  it('equality and $eq pin a field', () => {
    const r = rules({ read: 'doc.status == "public"' })
    expect(read(r, { status: 'public' }).allowed).toBe(true)
    expect(read(r, { status: { $eq: 'public' } }).allowed).toBe(true)
    expect(read(r, { status: 'draft' }).reason).toContain('is false')
    expect(read(r, { status: { $ne: 'draft' } }).allowed).toBe(false)
  })

  it('$in must satisfy the rule for every value', () => {
    const r = rules({ read: 'doc.level in [1, 2, 3]' })
    expect(read(r, { level: { $in: [1, 2] } }).allowed).toBe(true)
    const d = read(r, { level: { $in: [1, 7] } })
    expect(d.allowed).toBe(false)
    expect(d.reason).toContain('level = 7')
  })

  it('!(x in [...]) works on a pinned field and is unknown on an open one', () => {
    const r = rules({ read: '!(doc.state in ["hidden", "banned"])' })
    expect(read(r, { state: 'shown' }).allowed).toBe(true)
    expect(read(r, { state: 'hidden' }).allowed).toBe(false)
    expect(read(r, {}).allowed).toBe(false)
  })

  it('&& needs both sides known true; || is true when one side is true even if the other is unknown', () => {
    const both = rules({ read: 'doc._openid == auth.openid && doc.kind == "note"' })
    expect(read(both, { _openid: 'o-alice', kind: 'note' }).allowed).toBe(true)
    expect(read(both, { _openid: 'o-alice' }).allowed).toBe(false)
    const either = rules({ read: 'doc.public == true || doc._openid == auth.openid' })
    expect(read(either, { public: true }).allowed).toBe(true)
    expect(read(either, { _openid: 'o-alice' }).allowed).toBe(true)
    expect(read(either, { public: false }).allowed).toBe(false)
    // unknown && false is false (not unknown): denial says "is false"
    expect(read(both, { kind: 'photo' }).reason).toContain('is false')
  })

  it('$or at the top must satisfy the rule in every branch; $and merges', () => {
    const r = rules({ read: 'doc._openid == auth.openid' })
    expect(read(r, { $or: [{ _openid: 'o-alice', a: 1 }, { _openid: 'o-alice', b: 2 }] }).allowed).toBe(true)
    const leak = read(r, { $or: [{ _openid: 'o-alice' }, { public: true }] })
    expect(leak.allowed).toBe(false)
    expect(leak.reason).toContain('query case 2 of 2')
    expect(read(r, { $and: [{ kind: 'note' }, { _openid: 'o-alice' }] }).allowed).toBe(true)
    expect(read(r, { _openid: 'o-alice', $or: [{ a: 1 }, { b: 1 }] }).allowed).toBe(true)
  })

  it('scenarios: $in × $or expand; contradictory equalities drop out', () => {
    expect(queryScenarios({ a: { $in: [1, 2] }, $or: [{ b: 1 }, { b: 2 }] })).toHaveLength(4)
    expect(queryScenarios({ $and: [{ a: 1 }, { a: 2 }] })).toHaveLength(0)
    expect([...queryScenarios({ 'x.y': 3, z: { $gt: 1 } })[0]]).toEqual([['x.y', 3]])
  })

  it('nested paths: a dotted query pins doc.x.y; a pinned object answers its children', () => {
    const r = rules({ read: 'doc.owner.id == auth.openid' })
    expect(read(r, { 'owner.id': 'o-alice' }).allowed).toBe(true)
    expect(read(r, { owner: { id: 'o-alice' } }).allowed).toBe(true)
    expect(read(r, { 'owner.name': 'A' }).allowed).toBe(false)
  })

  it('now, comparisons and Dates: a query pinning a Date compares in ms', () => {
    const r = rules({ read: 'doc.openAt <= now' })
    expect(read(r, { openAt: new Date(NOW - 1000) }).allowed).toBe(true)
    expect(read(r, { openAt: new Date(NOW + 1000) }).allowed).toBe(false)
    expect(read(r, { openAt: { $lte: new Date(NOW) } }).allowed).toBe(false) // a range pins nothing
  })

  it('auth.loginType distinguishes anonymous viewers', () => {
    const r = rules({ read: "auth.loginType != 'ANONYMOUS'" })
    expect(read(r, {}).allowed).toBe(true)
    expect(read(r, {}, anonymous).allowed).toBe(false)
  })
})

describe('create, update and get()', () => {
  it('create sees the new document as doc and request.data', () => {
    const r = rules({ read: true, create: 'request.data.stars >= 1 && request.data.stars <= 5 && doc._openid == auth.openid' })
    const ctx = { viewer: alice, nowMs: NOW }
    expect(checkCreate(r, { _openid: 'o-alice', stars: 5 }, ctx).allowed).toBe(true)
    expect(checkCreate(r, { _openid: 'o-alice', stars: 9 }, ctx).allowed).toBe(false)
    expect(checkCreate(r, { _openid: 'o-alice' }, ctx).allowed).toBe(false)
  })

  it('update checks the query condition AND request.data; $inc fields are unknown', () => {
    const r = rules({ read: true, update: 'doc._openid == auth.openid && request.data.locked != true' })
    const ctx = { viewer: alice, nowMs: NOW }
    const q = { _id: 'n1', _openid: 'o-alice' }
    expect(checkQuery(r, 'update', q, { ...ctx, requestData: updatePins({ $set: { title: 'x' } }) }).allowed).toBe(true)
    expect(checkQuery(r, 'update', q, { ...ctx, requestData: updatePins({ $set: { locked: true } }) }).allowed).toBe(false)
    expect(checkQuery(r, 'update', q, { ...ctx, requestData: updatePins({ $inc: { locked: 1 } }) }).allowed).toBe(false)
    expect(checkQuery(r, 'update', { _id: 'n1' }, { ...ctx, requestData: updatePins({ $set: { title: 'x' } }) }).allowed).toBe(false)
  })

  it("get('database.<coll>.<id>') reads another document through the callback", () => {
    const r = rules({ read: "auth.openid in get('database.shops.' + doc.shopId).admins" })
    const getDocument = (coll: string, id: string) => (coll === 'shops' && id === 's1' ? { admins: ['o-alice'] } : null)
    const ctx = { viewer: alice, nowMs: NOW, getDocument }
    expect(checkQuery(r, 'read', { shopId: 's1' }, ctx).allowed).toBe(true)
    expect(checkQuery(r, 'read', { shopId: 's1' }, { ...ctx, viewer: bob }).allowed).toBe(false)
    expect(checkQuery(r, 'read', { shopId: 's2' }, ctx).allowed).toBe(false) // missing document
    expect(checkQuery(r, 'read', {}, ctx).allowed).toBe(false) // unknown id → unknown
  })

  it('RuleSet.fromObject builds rules and replace() swaps them', () => {
    const set = RuleSet.fromObject({ rooms: { read: true } })
    expect(read(set.get('rooms'), {}).allowed).toBe(true)
    set.replace(RuleSet.fromObject({ rooms: { read: false } }))
    expect(read(set.get('rooms'), {}).allowed).toBe(false)
  })
})

describe('reloading rules', () => {
  it('reloadRules swaps in new rules, and a broken file keeps the old ones and names the problem', async () => {
    const { reloadRules } = await import('../emulator/client/rules')
    const dir = mkdtempSync(join(tmpdir(), 'rules-reload-'))
    writeFileSync(join(dir, 'rooms.rules.json'), '{"read": false}')
    const set = loadRules(dir)
    expect(read(set.get('rooms'), {}).allowed).toBe(false)
    writeFileSync(join(dir, 'rooms.rules.json'), '{"read": true}')
    expect(reloadRules(set, dir)).toBeNull()
    expect(read(set.get('rooms'), {}).allowed).toBe(true)
    writeFileSync(join(dir, 'rooms.rules.json'), '{"read": "doc.a =="}')
    expect(reloadRules(set, dir)?.message).toMatch(/^database\/rooms\.rules\.json: read: .* at col \d+$/)
    expect(read(set.get('rooms'), {}).allowed).toBe(true)
  })
})
