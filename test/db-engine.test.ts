import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { type ChangeEvent, type DatabaseEngine, DbError } from '../emulator/db/types'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof DbError ? e.code : `not a DbError: ${String(e)}`
  }
  return undefined
}

describe('memory engine', () => {
  let db: DatabaseEngine
  beforeEach(() => {
    db = createMemoryEngine({ clock: createClock() })
    db.createCollection('rooms')
  })

  it('generates 32-hex ids and keeps given ones', () => {
    const [generated, given] = db.insert('rooms', [{ name: 'a' }, { _id: 'room-7', name: 'b' }])
    expect(generated).toMatch(/^[0-9a-f]{32}$/)
    expect(given).toBe('room-7')
    expect(db.count('rooms', {})).toBe(2)
  })

  it('answers reads and writes pinned by _id (equality or $in) in natural order, with the other conditions applied', () => {
    db.insert('rooms', [
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
      { _id: 'c', n: 3 },
    ])
    db.update('rooms', { _id: 'a' }, { $set: { n: 10 } }, { multi: false, upsert: false, merge: true })
    expect(db.find('rooms', { _id: { $in: ['c', 'a', 'zz', 'a'] } }).map((d) => d._id)).toEqual(['a', 'c'])
    expect(db.find('rooms', { _id: { $in: ['a', 'b', 'c'] }, n: { $gte: 3 } }).map((d) => d._id)).toEqual(['a', 'c'])
    expect(db.find('rooms', { _id: { $eq: 'b' } }).map((d) => d.n)).toEqual([2])
    expect(db.count('rooms', { _id: 'zz' })).toBe(0)
    expect(db.remove('rooms', { _id: { $in: ['b', 'c'] }, n: 2 }, { multi: true })).toBe(1)
    expect(db.find('rooms', {}).map((d) => d._id)).toEqual(['a', 'c'])
  })

  it('rejects a duplicate _id and inserts nothing from that batch', () => {
    db.insert('rooms', [{ _id: 'x' }])
    expect(codeOf(() => db.insert('rooms', [{ _id: 'y' }, { _id: 'x' }]))).toBe('DATABASE_DUPLICATE_WRITE')
    expect(codeOf(() => db.insert('rooms', [{ _id: 'z' }, { _id: 'z' }]))).toBe('DATABASE_DUPLICATE_WRITE')
    expect(db.find('rooms', {}).map((d) => d._id)).toEqual(['x'])
  })

  it('answers DATABASE_COLLECTION_NOT_EXIST for every read and write on a missing collection', () => {
    const calls: (() => unknown)[] = [
      () => db.find('nope', {}),
      () => db.count('nope', {}),
      () => db.insert('nope', [{ a: 1 }]),
      () => db.update('nope', {}, { $set: { a: 1 } }, { multi: true, merge: true, upsert: true }),
      () => db.remove('nope', {}, { multi: true }),
      () => db.findOneAndUpdate('nope', {}, { $set: { a: 1 } }),
      () => db.aggregate('nope', [{ $match: {} }]),
    ]
    for (const call of calls) expect(codeOf(call)).toBe('DATABASE_COLLECTION_NOT_EXIST')
  })

  it('refuses to create an existing collection or one with a bad name', () => {
    expect(codeOf(() => db.createCollection('rooms'))).toBe('DATABASE_COLLECTION_ALREADY_EXIST')
    expect(codeOf(() => db.createCollection('../etc'))).toBe('INVALID_PARAM')
    expect(db.listCollections()).toEqual(['rooms'])
  })

  it('stores deep copies: neither the inserted object nor a read result reaches the stored document', () => {
    const input = { _id: 'r1', tags: ['a'], when: new Date(1000) }
    db.insert('rooms', [input])
    input.tags.push('mutated')
    input.when.setTime(0)
    const [read] = db.find('rooms', { _id: 'r1' })
    ;(read.tags as string[]).push('again')
    const [again] = db.find('rooms', { _id: 'r1' })
    expect(again.tags).toEqual(['a'])
    expect((again.when as Date).getTime()).toBe(1000)
  })

  it('queries, sorts (numbers, dates, strings), skips, limits and projects', () => {
    db.insert('rooms', [
      { _id: 'a', n: 2, at: new Date(3000), name: 'b' },
      { _id: 'b', n: 10, at: new Date(1000), name: 'a' },
      { _id: 'c', n: 2, at: new Date(2000), name: 'c' },
      { _id: 'd', n: 1, at: new Date(4000), name: 'B' },
    ])
    expect(db.find('rooms', {}, { sort: { n: -1 } }).map((d) => d._id)).toEqual(['b', 'a', 'c', 'd'])
    expect(db.find('rooms', {}, { sort: { at: 1 } }).map((d) => d._id)).toEqual(['b', 'c', 'a', 'd'])
    expect(db.find('rooms', {}, { sort: { name: 1 } }).map((d) => d._id)).toEqual(['d', 'b', 'a', 'c'])
    expect(db.find('rooms', { at: { $gte: new Date(2000) } }, { sort: { at: -1 }, skip: 1, limit: 1 }).map((d) => d._id)).toEqual(['a'])
    expect(db.find('rooms', { n: 2 }, { projection: { name: 1 } })).toEqual([
      { _id: 'a', name: 'b' },
      { _id: 'c', name: 'c' },
    ])
    expect(db.find('rooms', { name: /^[ab]$/i }, { projection: { _id: 0, n: 1 } })).toEqual([{ n: 2 }, { n: 10 }, { n: 1 }])
  })

  it('sorts stably: ties keep insertion order in both directions (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(2.5)), { maxLength: 40 }), fc.boolean(), (keys, desc) => {
        const local = createMemoryEngine({ clock: createClock() })
        local.createCollection('c')
        if (keys.length) local.insert('c', keys.map((k, i) => ({ _id: String(i).padStart(3, '0'), k })))
        const got = local.find('c', {}, { sort: { k: desc ? -1 : 1 } }).map((d) => d._id)
        const expected = keys
          .map((k, i) => ({ k, id: String(i).padStart(3, '0') }))
          .sort((x, y) => (desc ? y.k - x.k : x.k - y.k))
          .map((x) => x.id)
        expect(got).toEqual(expected)
      }),
    )
  })

  it('applies update operators', () => {
    db.insert('rooms', [{ _id: 'r', n: 1, list: [3, 1], set: ['a'], old: 'x', gone: true, lo: 5, hi: 5, nested: { a: 1 } }])
    const r = db.update(
      'rooms',
      { _id: 'r' },
      {
        $inc: { n: 2 },
        $mul: { 'nested.a': 10 },
        $push: { list: { $each: [9, 0], $sort: 1, $slice: 3 } },
        $addToSet: { set: { $each: ['a', 'b'] } },
        $rename: { old: 'renamed' },
        $unset: { gone: '' },
        $min: { lo: 2 },
        $max: { hi: 7 },
      },
      { multi: false, merge: true, upsert: false },
    )
    expect(r).toEqual({ updated: 1 })
    expect(db.find('rooms', { _id: 'r' })[0]).toEqual({
      _id: 'r',
      n: 3,
      list: [0, 1, 3],
      set: ['a', 'b'],
      renamed: 'x',
      lo: 2,
      hi: 7,
      nested: { a: 10 },
    })
    db.update('rooms', { _id: 'r' }, { $pop: { list: -1 }, $pull: { set: 'a' } }, { multi: false, merge: true, upsert: false })
    db.update('rooms', { _id: 'r' }, { $pullAll: { list: [3] }, $push: { set: { $each: ['z'], $position: 0 } } }, { multi: false, merge: true, upsert: false })
    expect(db.find('rooms', { _id: 'r' }, { projection: { list: 1, set: 1 } })[0]).toEqual({ _id: 'r', list: [1], set: ['z', 'b'] })
  })

  it('merges plain fields as $set, counts only modified documents, and honours multi', () => {
    db.insert('rooms', [{ _id: 'a', s: 1 }, { _id: 'b', s: 1 }, { _id: 'c', s: 2 }])
    expect(db.update('rooms', { s: 1 }, { title: 'x' }, { multi: true, merge: true, upsert: false })).toEqual({ updated: 2 })
    expect(db.update('rooms', { s: 1 }, { title: 'x' }, { multi: true, merge: true, upsert: false })).toEqual({ updated: 0 })
    expect(db.update('rooms', {}, { $set: { t: 1 } }, { multi: false, merge: true, upsert: false })).toEqual({ updated: 1 })
    expect(db.count('rooms', { t: 1 })).toBe(1)
  })

  it('leaves every document untouched when an operator fails on one of them', () => {
    db.insert('rooms', [{ _id: 'a', n: 1 }, { _id: 'b', n: 'text' }])
    expect(codeOf(() => db.update('rooms', {}, { $inc: { n: 1 } }, { multi: true, merge: true, upsert: false }))).toBe('DATABASE_REQUEST_FAILED')
    expect(db.find('rooms', { _id: 'a' })[0].n).toBe(1)
  })

  it('replaces with merge:false (doc().set) and upserts with the given _id', () => {
    db.insert('rooms', [{ _id: 'a', keep: false, n: 1 }])
    expect(db.update('rooms', { _id: 'a' }, { n: 2 }, { multi: false, merge: false, upsert: true })).toEqual({ updated: 1 })
    expect(db.find('rooms', { _id: 'a' })[0]).toEqual({ _id: 'a', n: 2 })
    expect(db.update('rooms', { _id: 'new' }, { n: 3 }, { multi: false, merge: false, upsert: true })).toEqual({ updated: 0, upsertedId: 'new' })
    expect(db.find('rooms', { _id: 'new' })[0]).toEqual({ _id: 'new', n: 3 })
    expect(codeOf(() => db.update('rooms', { _id: 'a' }, { $set: { n: 1 } }, { multi: false, merge: false, upsert: false }))).toBe('INVALID_PARAM')
  })

  it('upserts with operators seeded from the filter equality fields', () => {
    const r = db.update('rooms', { roomId: 7, 'owner.name': 'li' }, { $inc: { views: 1 } }, { multi: false, merge: true, upsert: true })
    expect(r.updated).toBe(0)
    expect(r.upsertedId).toMatch(/^[0-9a-f]{32}$/)
    expect(db.find('rooms', { _id: r.upsertedId })[0]).toEqual({ _id: r.upsertedId, roomId: 7, owner: { name: 'li' }, views: 1 })
  })

  it('findOneAndUpdate returns the document after the change, or null', () => {
    db.insert('rooms', [{ _id: 'a', stock: 2 }])
    expect(db.findOneAndUpdate('rooms', { stock: { $gt: 0 } }, { $inc: { stock: -1 } })).toEqual({ _id: 'a', stock: 1 })
    expect(db.findOneAndUpdate('rooms', { stock: { $gt: 5 } }, { $inc: { stock: -1 } })).toBeNull()
  })

  it('removes one or many', () => {
    db.insert('rooms', [{ s: 1 }, { s: 1 }, { s: 1 }, { s: 2 }])
    expect(db.remove('rooms', { s: 1 }, { multi: false })).toBe(1)
    expect(db.remove('rooms', { s: 1 }, { multi: true })).toBe(2)
    expect(db.find('rooms', {}).map((d) => d.s)).toEqual([2])
  })

  it('aggregates with match/group/sort and $lookup into another collection', () => {
    db.createCollection('goods')
    db.insert('rooms', [{ _id: 'r1', status: 'open' }, { _id: 'r2', status: 'draft' }, { _id: 'r3', status: 'open' }])
    db.insert('goods', [{ roomId: 'r1', price: 5 }, { roomId: 'r1', price: 7 }])
    expect(
      db.aggregate('rooms', [{ $match: { status: { $in: ['open', 'draft'] } } }, { $group: { _id: '$status', count: { $sum: 1 } } }, { $sort: { count: -1 } }]),
    ).toEqual([
      { _id: 'open', count: 2 },
      { _id: 'draft', count: 1 },
    ])
    const joined = db.aggregate('rooms', [
      { $match: { _id: 'r1' } },
      { $lookup: { from: 'goods', localField: '_id', foreignField: 'roomId', as: 'goods' } },
      { $project: { _id: 1, total: { $sum: '$goods.price' } } },
    ])
    expect(joined).toEqual([{ _id: 'r1', total: 12 }])
  })

  it('emits change events after each committed write, with before/after copies', () => {
    const events: ChangeEvent[] = []
    const stop = db.onChange((e) => events.push(e))
    db.insert('rooms', [{ _id: 'a', n: 1 }])
    db.update('rooms', { _id: 'a' }, { $inc: { n: 1 } }, { multi: false, merge: true, upsert: false })
    db.update('rooms', { _id: 'a' }, { $set: { n: 2 } }, { multi: false, merge: true, upsert: false }) // no change, no event
    db.update('rooms', { _id: 'a' }, { m: 1 }, { multi: false, merge: false, upsert: false })
    db.remove('rooms', { _id: 'a' }, { multi: false })
    stop()
    db.insert('rooms', [{ _id: 'after-unsubscribe' }])
    expect(events.map((e) => [e.type, e.docId])).toEqual([
      ['add', 'a'],
      ['update', 'a'],
      ['replace', 'a'],
      ['remove', 'a'],
    ])
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(events[1].before).toEqual({ _id: 'a', n: 1 })
    expect(events[1].doc).toEqual({ _id: 'a', n: 2 })
    expect(events[3].doc).toBeUndefined()
  })

  it('reset drops every collection', () => {
    db.reset()
    expect(db.listCollections()).toEqual([])
    expect(db.hasCollection('rooms')).toBe(false)
  })
})
