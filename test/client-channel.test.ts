import { describe, it, expect, beforeEach } from 'vitest'
import { EJSON } from 'bson'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { type DatabaseEngine, DbError } from '../emulator/db/types'
import { ClientChannel, type WatchSnapshot } from '../emulator/client/channel'
import { RuleSet, type Viewer } from '../emulator/client/rules'
import { createEjsonCodec } from '../emulator/db/ejson'
import { decodeDbRequest, decodeWatchRequest, encodeReply } from '../emulator/db/wire'
import { thrown } from './thrown'

const ej = (v: unknown) => EJSON.stringify(v, { relaxed: false })
const parse = (s: unknown) => EJSON.parse(s as string, { relaxed: true }) as Record<string, unknown>

const alice = { openid: 'o-alice' }
const bob = { openid: 'o-bob' }
const anonymous = { openid: null }

let engine: DatabaseEngine
let channel: ClientChannel
const clock = createClock(() => Date.UTC(2026, 10, 22))
clock.freeze()
const codec = createEjsonCodec(clock)

beforeEach(() => {
  engine = createMemoryEngine({ clock })
  for (const c of ['rooms', 'notes', 'secrets']) engine.createCollection(c)
  const rules = RuleSet.fromObject({
    rooms: { read: true, write: false },
    notes: { read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' },
    secrets: { read: false, write: false },
  })
  channel = new ClientChannel({ engine, rules, clock })
})

/** One request through the shared wire decoder and encoder, as the HTTP layer sends it. */
function exec(viewer: Viewer, action: string, params: Record<string, unknown>): Record<string, unknown> {
  return encodeReply(channel.execute(viewer, decodeDbRequest(action, params, codec)), codec) ?? {}
}

const denied = (fn: () => unknown): DbError => thrown(DbError, fn)

describe('ClientChannel reads', () => {
  it('caps limit at 20: no limit (SDK sends 100), limit(100) and limit(5)', () => {
    engine.insert('rooms', Array.from({ length: 30 }, (_, i) => ({ roomid: i })))
    const get = (limit?: number) =>
      (exec(alice, 'database.getDocument', { collectionName: 'rooms', queryType: 'WHERE', limit }).list as string[]).length
    expect(get(undefined)).toBe(20)
    expect(get(100)).toBe(20)
    expect(get(5)).toBe(5)
    const page2 = exec(alice, 'database.getDocument', {
      collectionName: 'rooms',
      queryType: 'WHERE',
      order: ej({ roomid: -1 }),
      offset: 20,
      limit: 100,
    }).list as string[]
    expect(page2.map((s) => parse(s).roomid)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
  })

  it('replaces {openid} in the query with the viewer, so owner-only reads pass the rules', () => {
    engine.insert('notes', [
      { _openid: 'o-alice', text: 'a1' },
      { _openid: 'o-alice', text: 'a2' },
      { _openid: 'o-bob', text: 'b1' },
    ])
    const mine = exec(alice, 'database.getDocument', {
      collectionName: 'notes',
      queryType: 'WHERE',
      query: ej({ _openid: '{openid}' }),
    }).list as string[]
    expect(mine.map((s) => parse(s).text).sort()).toEqual(['a1', 'a2'])
    expect(exec(bob, 'database.calculateDocument', { collectionName: 'notes', query: ej({ _openid: '{openid}' }) })).toEqual({ total: 1 })
  })

  it('denies a query that is not a subset of the rule with -502003 naming collection, operation and reason', () => {
    engine.insert('notes', [{ _openid: 'o-alice', text: 'a1' }])
    const e = denied(() => exec(alice, 'database.getDocument', { collectionName: 'notes', queryType: 'WHERE', query: ej({}) }))
    expect(e.code).toBe('DATABASE_PERMISSION_DENIED')
    expect(e.message).toContain('collection notes')
    expect(e.message).toContain('collection.get')
    expect(e.message).toContain('doc._openid not fixed by the query')
    // doc(id).get() pins only _id
    const id = engine.find('notes', {})[0]._id
    expect(denied(() => exec(alice, 'database.getDocument', { collectionName: 'notes', queryType: 'DOC', query: ej({ _id: id }) })).code).toBe(
      'DATABASE_PERMISSION_DENIED',
    )
  })

  it('an anonymous viewer: {openid} never matches and owner rules deny', () => {
    engine.insert('notes', [{ text: 'no owner' }])
    const e = denied(() => exec(anonymous, 'database.getDocument', { collectionName: 'notes', query: ej({ _openid: '{openid}' }) }))
    expect(e.code).toBe('DATABASE_PERMISSION_DENIED')
    expect(e.message).toContain('anonymous viewer')
    engine.insert('rooms', [{ roomid: 1 }])
    expect(exec(anonymous, 'database.calculateDocument', { collectionName: 'rooms', query: ej({ _openid: '{openid}' }) })).toEqual({ total: 0 })
  })

  it('missing collection → -502005 (checked before rules); unknown action → INVALID_PARAM', () => {
    expect(denied(() => exec(alice, 'database.getDocument', { collectionName: 'nope' })).code).toBe('DATABASE_COLLECTION_NOT_EXIST')
    const e = denied(() => exec(alice, 'database.addCollection', { collectionName: 'x' }))
    expect(e.code).toBe('INVALID_PARAM')
    expect(e.message).toContain('action')
    expect(denied(() => exec(alice, 'database.getDocument', { collectionName: 'rooms', limit: -1 })).message).toBe('limit: must be an integer from 0 to 9007199254740991')
  })

  it('aggregate is allowed only when read is true', () => {
    engine.insert('rooms', [{ s: 1 }, { s: 2 }])
    const stages = [{ stageKey: '$group', stageValue: ej({ _id: null, n: { $sum: '$s' } }) }]
    const out = exec(alice, 'database.aggregateDocuments', { collectionName: 'rooms', stages }).list as string[]
    expect(parse(out[0]).n).toBe(3)
    const e = denied(() => exec(alice, 'database.aggregateDocuments', { collectionName: 'notes', stages }))
    expect(e.code).toBe('DATABASE_PERMISSION_DENIED')
    expect(e.message).toContain('aggregate needs "read": true')
  })
})

describe('ClientChannel writes', () => {
  it('create stamps _openid with the viewer (a forged _openid is ignored) and replaces {openid} in data', () => {
    const { insertedIds } = exec(alice, 'database.insertDocument', {
      collectionName: 'notes',
      data: [ej({ _openid: 'o-bob', text: 'hi', author: '{openid}' })],
    }) as { insertedIds: string[] }
    const [doc] = engine.find('notes', { _id: insertedIds[0] })
    expect(doc._openid).toBe('o-alice')
    expect(doc.author).toBe('o-alice')
  })

  it('create is denied by write:false and for an anonymous viewer under owner rules', () => {
    expect(denied(() => exec(alice, 'database.insertDocument', { collectionName: 'rooms', data: [ej({ a: 1 })] })).code).toBe(
      'DATABASE_PERMISSION_DENIED',
    )
    const e = denied(() => exec(anonymous, 'database.insertDocument', { collectionName: 'notes', data: [ej({ a: 1 })] }))
    expect(e.message).toContain('collection.add')
    expect(engine.count('notes', {})).toBe(0)
  })

  it('update by query: allowed when the query pins the owner, denied otherwise; _openid cannot be changed', () => {
    const [id] = engine.insert('notes', [{ _openid: 'o-alice', text: 'old' }])
    const upd = (viewer: { openid: string | null }, query: unknown, data: unknown) =>
      exec(viewer, 'database.modifyDocument', {
        collectionName: 'notes',
        queryType: 'WHERE',
        query: ej(query),
        data: ej(data),
        multi: true,
        merge: true,
        upsert: false,
      })
    expect(upd(alice, { _id: id, _openid: '{openid}' }, { $set: { text: 'new' } })).toEqual({ updated: 1 })
    expect(engine.find('notes', { _id: id })[0].text).toBe('new')
    expect(denied(() => upd(alice, { _id: id }, { $set: { text: 'x' } })).code).toBe('DATABASE_PERMISSION_DENIED')
    // bob's query is a subset of the rule (it pins his own openid): allowed, but it matches nothing
    expect(upd(bob, { _id: id, _openid: '{openid}' }, { $set: { text: 'x' } })).toEqual({ updated: 0 })
    expect(denied(() => upd(bob, { _id: id, _openid: 'o-alice' }, { $set: { text: 'x' } })).code).toBe('DATABASE_PERMISSION_DENIED')
    expect(denied(() => upd(alice, { _id: id, _openid: '{openid}' }, { $set: { _openid: 'o-bob' } })).message).toContain('_openid')
    expect(engine.find('notes', { _id: id })[0].text).toBe('new')
  })

  it('doc(id).set() on a new id is a create (stamped); remove needs the owner pinned', () => {
    const res = exec(alice, 'database.modifyDocument', {
      collectionName: 'notes',
      queryType: 'DOC',
      query: ej({ _id: 'n1' }),
      data: ej({ text: 'set' }),
      multi: false,
      merge: false,
      upsert: true,
    })
    expect(res.upsert_id).toBe('n1')
    expect(engine.find('notes', { _id: 'n1' })[0]).toEqual({ _id: 'n1', text: 'set', _openid: 'o-alice' })
    expect(denied(() => exec(alice, 'database.removeDocument', { collectionName: 'notes', queryType: 'DOC', query: ej({ _id: 'n1' }) })).code).toBe(
      'DATABASE_PERMISSION_DENIED',
    )
    expect(
      exec(alice, 'database.removeDocument', { collectionName: 'notes', queryType: 'WHERE', query: ej({ _id: 'n1', _openid: '{openid}' }), multi: true }),
    ).toEqual({ deleted: 1 })
  })
})

describe('ClientChannel.watch', () => {
  it('sends every match in the init snapshot (not capped at 20), then diffs on change', () => {
    engine.insert('rooms', Array.from({ length: 25 }, (_, i) => ({ _id: `r${i}`, n: i, live: i % 2 === 0 })))
    const snaps: WatchSnapshot[] = []
    const close = channel.watch(alice, decodeWatchRequest({ collectionName: 'rooms', query: ej({ live: true }), order: ej({ n: 1 }) }, codec), {
      onSnapshot: (s) => snaps.push(s),
      onError: (e) => {
        throw e
      },
    })
    expect(snaps[0].type).toBe('init')
    expect(snaps[0].docs).toHaveLength(13)
    expect(snaps[0].docChanges[0]).toMatchObject({ dataType: 'init', queueType: 'init', docId: 'r0' })

    engine.update('rooms', { _id: 'r1' }, { $set: { live: true } }, { multi: false, upsert: false, merge: true })
    expect(snaps[1].docChanges).toEqual([expect.objectContaining({ dataType: 'update', queueType: 'enqueue', docId: 'r1' })])
    expect(snaps[1].docs.map((d) => d._id).slice(0, 3)).toEqual(['r0', 'r1', 'r2'])

    engine.update('rooms', { _id: 'r2' }, { $set: { title: 't' } }, { multi: false, upsert: false, merge: true })
    expect(snaps[2].docChanges).toEqual([expect.objectContaining({ dataType: 'update', queueType: 'update', docId: 'r2' })])

    engine.update('rooms', { _id: 'r3' }, { $set: { title: 'not live' } }, { multi: false, upsert: false, merge: true })
    expect(snaps).toHaveLength(3) // a change outside the result sends nothing

    engine.remove('rooms', { _id: 'r0' }, { multi: false })
    expect(snaps[3].docChanges).toEqual([expect.objectContaining({ dataType: 'remove', queueType: 'dequeue', docId: 'r0' })])

    engine.insert('rooms', [{ _id: 'r99', live: true, n: 99 }])
    expect(snaps[4].docChanges).toEqual([expect.objectContaining({ dataType: 'add', queueType: 'enqueue', docId: 'r99' })])

    close()
    engine.insert('rooms', [{ _id: 'r100', live: true, n: 100 }])
    expect(snaps).toHaveLength(5)
  })

  it('checks the rules once, before anything is sent', () => {
    const e = denied(() => channel.watch(alice, decodeWatchRequest({ collectionName: 'notes' }, codec), { onSnapshot: () => undefined, onError: () => undefined }))
    expect(e.code).toBe('DATABASE_PERMISSION_DENIED')
    expect(e.message).toContain('watch')
  })

  it('errors when more than 5000 documents match', () => {
    engine.insert('rooms', Array.from({ length: 5001 }, (_, i) => ({ n: i })))
    const e = denied(() => channel.watch(alice, decodeWatchRequest({ collectionName: 'rooms' }, codec), { onSnapshot: () => undefined, onError: () => undefined }))
    expect(e.message).toContain('more than 5000')
  })
})
