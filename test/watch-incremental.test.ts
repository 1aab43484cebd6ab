/**
 * Watches follow the change feed instead of re-running their queries: results must stay exactly what `find`
 * returns after every write, the docChanges must describe the step, a change no watch's result involves must not
 * run any query, and the security rules still decide what a viewer's watch can see.
 */
import fc from 'fast-check'
import { EJSON } from 'bson'
import { beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { ClientChannel, type WatchSnapshot } from '../emulator/client/channel'
import { RuleSet } from '../emulator/client/rules'
import { createEjsonCodec } from '../emulator/db/ejson'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import type { DatabaseEngine, Doc, Filter, Sort } from '../emulator/db/types'
import { decodeWatchRequest } from '../emulator/db/wire'
import { snapshotEncoder } from '../emulator/server/client-http'

const ej = (v: unknown) => EJSON.stringify(v, { relaxed: false })
const clock = createClock(() => Date.UTC(2026, 10, 22))
clock.freeze()
const codec = createEjsonCodec(clock)
const viewer = { openid: 'o-alice' }

interface Spec {
  filter: Filter
  sort?: Sort
  limit?: number
}

/** Filters, sorts (with ties, missing fields, two keys) and limits a watch can combine. */
const SPECS: Spec[] = [
  { filter: {} },
  { filter: { g: 1 } },
  { filter: { n: { $gte: 5 } }, sort: { n: 1 } },
  { filter: {}, sort: { n: -1 }, limit: 3 },
  { filter: { g: { $in: [0, 2] } }, sort: { g: 1, n: -1 }, limit: 4 },
  { filter: {}, sort: { s: 1 }, limit: 5 },
  { filter: { n: { $lt: 7 } }, limit: 2 },
  { filter: { $or: [{ g: 3 }, { n: 0 }] }, sort: { n: 1 } },
]

function open(channel: ClientChannel, spec: Spec) {
  const snaps: WatchSnapshot[] = []
  const errors: unknown[] = []
  const close = channel.watch(
    viewer,
    decodeWatchRequest({ collectionName: 'items', query: ej(spec.filter), ...(spec.sort ? { order: ej(spec.sort) } : {}), limit: spec.limit }, codec),
    { onSnapshot: (s) => snaps.push(s), onError: (e) => errors.push(e) },
  )
  return { snaps, errors, close, spec }
}

const RULES = RuleSet.fromObject({
  items: { read: true, write: true },
  notes: { read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' },
})

type Op =
  | { op: 'insert'; g: number; n?: number; s?: string }
  | { op: 'set'; pick: number; g: number; n?: number }
  | { op: 'incWhere'; g: number; by: number }
  | { op: 'remove'; pick: number }
  | { op: 'removeWhere'; g: number }
  | { op: 'replace'; pick: number; n: number }

const small = fc.integer({ min: 0, max: 4 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), g: small, n: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), s: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }) }),
  fc.record({ op: fc.constant('set' as const), pick: fc.nat(), g: small, n: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }) }),
  fc.record({ op: fc.constant('incWhere' as const), g: small, by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('removeWhere' as const), g: small }),
  fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), n: fc.integer({ min: 0, max: 9 }) }),
)

function run(engine: DatabaseEngine, o: Op, seq: number): void {
  const ids = engine.find('items', {}).map((d) => d._id)
  const pick = (i: number) => ids[i % ids.length]
  switch (o.op) {
    case 'insert':
      engine.insert('items', [{ _id: `i${seq}`, g: o.g, ...(o.n === undefined ? {} : { n: o.n }), ...(o.s === undefined ? {} : { s: o.s }) }])
      return
    case 'set':
      if (ids.length) engine.update('items', { _id: pick(o.pick) }, { $set: { g: o.g, ...(o.n === undefined ? {} : { n: o.n }) } }, { multi: false, upsert: false, merge: true })
      return
    case 'incWhere':
      engine.update('items', { g: o.g, n: { $exists: true } }, { $inc: { n: o.by } }, { multi: true, upsert: false, merge: true })
      return
    case 'remove':
      if (ids.length) engine.remove('items', { _id: pick(o.pick) }, { multi: false })
      return
    case 'removeWhere':
      engine.remove('items', { g: o.g }, { multi: true })
      return
    case 'replace':
      if (ids.length) engine.update('items', { _id: pick(o.pick) }, { n: o.n, g: 9 }, { multi: false, upsert: false, merge: false })
  }
}

describe('incrementally maintained watches', () => {
  it('always hold what find returns, and their docChanges turn each result into the next (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const engine = createMemoryEngine({ clock })
        engine.createCollection('items')
        engine.insert('items', Array.from({ length: 12 }, (_, i) => ({ _id: `s${i}`, g: i % 4, n: (i * 7) % 10, ...(i % 3 ? { s: 'abc'[i % 3] } : {}) })))
        const channel = new ClientChannel({ engine, rules: RULES, clock })
        const watches = SPECS.map((spec) => open(channel, spec))
        ops.forEach((o, seq) => {
          run(engine, o, seq)
          for (const w of watches) {
            expect(w.errors).toEqual([])
            const last = w.snaps[w.snaps.length - 1]
            const expected = engine.find('items', w.spec.filter, { sort: w.spec.sort, limit: w.spec.limit })
            expect(last.docs, JSON.stringify(w.spec)).toEqual(expected)
          }
        })
        for (const w of watches) {
          let ids = new Set(w.snaps[0].docs.map((d) => d._id))
          for (const s of w.snaps.slice(1)) {
            for (const c of s.docChanges) {
              if (c.queueType === 'enqueue') ids.add(c.docId)
              if (c.queueType === 'dequeue') ids.delete(c.docId)
            }
            expect([...ids].sort()).toEqual(s.docs.map((d) => d._id).sort())
            ids = new Set(s.docs.map((d) => d._id))
          }
          w.close()
        }
      }),
      { numRuns: 40 },
    )
  })

  describe('cost', () => {
    let engine: DatabaseEngine
    let finds: number
    beforeEach(() => {
      const inner = createMemoryEngine({ clock })
      finds = 0
      // counts the queries watches run; everything else goes straight through
      engine = new Proxy(inner, {
        get: (target, key: keyof DatabaseEngine) =>
          key === 'find'
            ? (...args: Parameters<DatabaseEngine['find']>) => {
                finds++
                return target.find(...args)
              }
            : target[key],
      })
      engine.createCollection('items')
      engine.insert('items', Array.from({ length: 200 }, (_, i) => ({ _id: `d${i}`, bucket: i % 50, n: i })))
    })

    it('runs no query for a change, however many watches are open, unless it empties a limited result', () => {
      const channel = new ClientChannel({ engine, rules: RULES, clock })
      const watches = Array.from({ length: 50 }, (_, b) => open(channel, { filter: { bucket: b }, sort: { n: 1 } }))
      const limited = open(channel, { filter: {}, sort: { n: 1 }, limit: 3 })
      const opened = finds
      expect(opened).toBe(51)

      engine.update('items', { _id: 'd7' }, { $set: { n: 1000 } }, { multi: false, upsert: false, merge: true })
      engine.update('items', { _id: 'd8' }, { $set: { bucket: 9 } }, { multi: false, upsert: false, merge: true })
      engine.insert('items', [{ _id: 'new', bucket: 3, n: 5000 }])
      engine.remove('items', { _id: 'd100' }, { multi: false })
      expect(finds).toBe(opened)
      expect(watches[7].snaps.at(-1)!.docs.at(-1)).toMatchObject({ _id: 'd7', n: 1000 })
      expect(watches[9].snaps.at(-1)!.docs.map((d) => d._id)).toContain('d8')
      expect(watches[8].snaps.at(-1)!.docs.map((d) => d._id)).not.toContain('d8')

      // d1 leaves the top 3 (n: 1 → 2000): the next document is beyond what the watch holds, so it asks once
      engine.update('items', { _id: 'd1' }, { $set: { n: 2000 } }, { multi: false, upsert: false, merge: true })
      expect(finds).toBe(opened + 1)
      expect(limited.snaps.at(-1)!.docs.map((d) => d._id)).toEqual(['d0', 'd2', 'd3'])
      expect(limited.snaps.at(-1)!.docChanges).toEqual([
        expect.objectContaining({ queueType: 'enqueue', dataType: 'update', docId: 'd3' }),
        expect.objectContaining({ queueType: 'dequeue', dataType: 'update', docId: 'd1' }),
      ])
    })
  })

  it('keeps the rules: a viewer watching its own notes never sees another viewer\'s note come and go', () => {
    const engine = createMemoryEngine({ clock })
    engine.createCollection('notes')
    const channel = new ClientChannel({ engine, rules: RULES, clock })
    const snaps: WatchSnapshot[] = []
    channel.watch(viewer, decodeWatchRequest({ collectionName: 'notes', query: ej({ _openid: '{openid}' }) }, codec), {
      onSnapshot: (s) => snaps.push(s),
      onError: (e) => {
        throw e
      },
    })
    engine.insert('notes', [{ _id: 'theirs', _openid: 'o-bob', text: 'private' }])
    engine.update('notes', { _id: 'theirs' }, { $set: { text: 'still private' } }, { multi: false, upsert: false, merge: true })
    engine.remove('notes', { _id: 'theirs' }, { multi: false })
    expect(snaps).toHaveLength(1)
    engine.insert('notes', [{ _id: 'mine', _openid: 'o-alice', text: 'hello' }])
    expect(snaps).toHaveLength(2)
    expect(snaps[1].docs.map((d: Doc) => d._id)).toEqual(['mine'])
    // and a watch the rule cannot allow is refused before anything is sent
    expect(() => channel.watch(viewer, decodeWatchRequest({ collectionName: 'notes' }, codec), { onSnapshot: () => undefined, onError: () => undefined })).toThrow(
      /permission denied/,
    )
  })
})

describe('watch snapshots on the wire', () => {
  it('encode to the same EJSON as the whole snapshot would, with unchanged documents reused from the last one', () => {
    const encode = snapshotEncoder(codec)
    const a: Doc = { _id: 'a', at: new Date(1_800_000_000_000), n: 1, price: 2.5 }
    const b: Doc = { _id: 'b', nested: { list: [1, 2.25, 'x'] } }
    const init: WatchSnapshot = { id: 0, type: 'init', docs: [a, b], docChanges: [{ id: 0, dataType: 'init', queueType: 'init', docId: 'a', doc: a }] }
    const b2: Doc = { ...b, n: 3 }
    const next: WatchSnapshot = { id: 1, docs: [a, b2], docChanges: [{ id: 1, dataType: 'update', queueType: 'update', docId: 'b', doc: b2 }] }
    for (const s of [init, next]) {
      const text = encode(s)
      expect(EJSON.parse(text, { relaxed: false })).toEqual(EJSON.parse(codec.encode(s), { relaxed: false }))
      expect(text.length).toBe(codec.encode(s).length)
    }
  })
})

describe('a watch the time limit stops', () => {
  it('is ended with the timeout error while the write and the other watches go on', () => {
    const engine = createMemoryEngine({ clock, queryTimeLimitMs: 100 })
    engine.createCollection('items')
    const channel = new ClientChannel({ engine, rules: RULES, clock })
    const errors: unknown[] = []
    channel.watch(viewer, decodeWatchRequest({ collectionName: 'items', query: ej({ s: { $regex: '^(a+)+$' } }) }, codec), {
      onSnapshot: () => undefined,
      onError: (e) => errors.push(e),
    })
    const other = open(channel, { filter: {} })
    engine.insert('items', [{ _id: 'slow', s: 'a'.repeat(40) + 'b' }])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'SERVER_TIMEOUT' })
    expect(engine.find('items', { _id: 'slow' })).toHaveLength(1)
    expect(other.snaps.at(-1)!.docs.map((d) => d._id)).toEqual(['slow'])
    engine.insert('items', [{ _id: 'next', s: 'aaa' }])
    expect(errors).toHaveLength(1) // the stopped watch is gone
    expect(other.snaps.at(-1)!.docs.map((d) => d._id)).toEqual(['slow', 'next'])
  })
})
