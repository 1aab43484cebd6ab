/**
 * The contract of the sync's document driver (src/sync/driver.ts), as one suite every adapter must pass: the
 * wx-server-sdk database, the emulator engine and the benchmark's maps. The store (src/sync/store.ts) relies on
 * each behaviour pinned here; an adapter that differs would make the deployed function, the tests and the
 * benchmark disagree.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { cond, type DocDriver, type RawDoc } from '../src/sync/driver'

export interface DriverUnderTest {
  driver: DocDriver
  /** Empties every collection the suite uses (they exist afterwards). */
  reset(): Promise<void>
  /** Puts the fixture documents in place; through the driver's insert unless the adapter has a cheaper way. */
  seed?(collection: string, docs: RawDoc[]): Promise<void>
}

/** Collections the suite writes; an adapter's setup creates them (CloudBase refuses writes to missing ones). */
export const CONFORMANCE_COLLECTIONS = ['conformance_docs', 'conformance_other'] as const
const C = CONFORMANCE_COLLECTIONS[0]
const OTHER = CONFORMANCE_COLLECTIONS[1]

const T0 = new Date('2026-03-01T08:00:00.000Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

/** Five documents with numbers, strings, booleans, Dates, nested objects and a missing field. */
const DOCS: RawDoc[] = [
  { _id: 'a', n: 1, kind: 'room', flag: true, when: at(0), nested: { when: at(5), count: 1 }, tags: ['x'] },
  { _id: 'b', n: 2, kind: 'room', flag: false, when: at(10), nested: { when: at(15), count: 2 }, tags: [] },
  { _id: 'c', n: 3, kind: 'task', flag: true, when: at(20), nested: { when: at(25), count: 3 }, tags: ['y', 'z'] },
  { _id: 'd', n: 4, kind: 'task', when: at(30), nested: { when: at(35), count: 4 }, tags: [] },
  { _id: 'e', n: 5, kind: 'room', flag: false, when: at(40), nested: { when: at(45), count: 5 }, tags: [] },
]

const ids = (docs: RawDoc[]) => docs.map((d) => d._id).sort()

export function describeDocDriverConformance(adapter: string, setup: () => DriverUnderTest): void {
  describe(`DocDriver conformance: ${adapter}`, () => {
    let db: DocDriver
    beforeEach(async () => {
      const under = setup()
      await under.reset()
      db = under.driver
      if (under.seed) await under.seed(C, structuredClone(DOCS))
      else for (const doc of DOCS) expect(await db.insert(C, structuredClone(doc))).toBe('ok')
    })

    it('insert creates documents that find returns as written', async () => {
      await db.insert(OTHER, structuredClone(DOCS[0]))
      await db.insert(OTHER, structuredClone(DOCS[2]))
      expect(await db.find(OTHER, {}, { limit: 10, orderBy: { field: '_id', dir: 'asc' } })).toEqual([DOCS[0], DOCS[2]])
    })

    it('insert reports a duplicate _id instead of overwriting, and keeps the first document', async () => {
      expect(await db.insert(C, { _id: 'a', n: 99 })).toBe('duplicate')
      expect(await db.find(C, { _id: 'a' }, { limit: 1 })).toEqual([DOCS[0]])
    })

    it('find gives back numbers, strings, booleans, Dates, nested objects and arrays as written', async () => {
      const [c] = await db.find(C, { _id: 'c' }, { limit: 1 })
      expect(c).toEqual(DOCS[2])
      expect(c.when).toBeInstanceOf(Date)
      expect((c.nested as { when: unknown }).when).toBeInstanceOf(Date)
    })

    it('find matches plain values by equality, on dotted paths too, and all conditions must hold', async () => {
      expect(ids(await db.find(C, { kind: 'room' }, { limit: 100 }))).toEqual(['a', 'b', 'e'])
      expect(ids(await db.find(C, { kind: 'room', flag: false }, { limit: 100 }))).toEqual(['b', 'e'])
      expect(ids(await db.find(C, { 'nested.count': 3 }, { limit: 100 }))).toEqual(['c'])
      expect(ids(await db.find(C, { when: at(10) }, { limit: 100 }))).toEqual(['b'])
      expect(await db.find(C, { kind: 'none' }, { limit: 100 })).toEqual([])
    })

    it('find compares numbers and Dates with in, lt, lte, gt, gte and neq', async () => {
      expect(ids(await db.find(C, { _id: cond.in(['a', 'c', 'zz']) }, { limit: 100 }))).toEqual(['a', 'c'])
      expect(ids(await db.find(C, { n: cond.in([2, 5]) }, { limit: 100 }))).toEqual(['b', 'e'])
      expect(ids(await db.find(C, { n: cond.lt(3) }, { limit: 100 }))).toEqual(['a', 'b'])
      expect(ids(await db.find(C, { n: cond.lte(3) }, { limit: 100 }))).toEqual(['a', 'b', 'c'])
      expect(ids(await db.find(C, { n: cond.gt(3) }, { limit: 100 }))).toEqual(['d', 'e'])
      expect(ids(await db.find(C, { n: cond.gte(3) }, { limit: 100 }))).toEqual(['c', 'd', 'e'])
      expect(ids(await db.find(C, { when: cond.gt(at(20)) }, { limit: 100 }))).toEqual(['d', 'e'])
      expect(ids(await db.find(C, { 'nested.when': cond.lte(at(15)) }, { limit: 100 }))).toEqual(['a', 'b'])
      expect(ids(await db.find(C, { n: cond.neq(1) }, { limit: 100 }))).toEqual(['b', 'c', 'd', 'e'])
    })

    it('neq matches documents that lack the field; comparisons never do', async () => {
      expect(ids(await db.find(C, { flag: cond.neq(true) }, { limit: 100 }))).toEqual(['b', 'd', 'e'])
      expect(ids(await db.find(C, { flag: cond.neq(false) }, { limit: 100 }))).toEqual(['a', 'c', 'd'])
      expect(ids(await db.find(C, { missing: cond.lte(100) }, { limit: 100 }))).toEqual([])
      expect(ids(await db.find(C, { missing: cond.gt(0) }, { limit: 100 }))).toEqual([])
    })

    it('find orders, skips and limits', async () => {
      const byNDesc = await db.find(C, {}, { limit: 2, skip: 1, orderBy: { field: 'n', dir: 'desc' } })
      expect(byNDesc.map((d) => d._id)).toEqual(['d', 'c'])
      const byIdAsc = await db.find(C, { kind: 'room' }, { limit: 10, orderBy: { field: '_id', dir: 'asc' } })
      expect(byIdAsc.map((d) => d._id)).toEqual(['a', 'b', 'e'])
      const byWhen = await db.find(C, {}, { limit: 3, orderBy: { field: 'when', dir: 'asc' } })
      expect(byWhen.map((d) => d._id)).toEqual(['a', 'b', 'c'])
      expect(await db.find(C, {}, { limit: 10, skip: 5, orderBy: { field: 'n', dir: 'asc' } })).toEqual([])
    })

    it('find with fields returns only those fields and the _id', async () => {
      const docs = await db.find(C, { _id: cond.in(['a', 'd']) }, { limit: 10, orderBy: { field: '_id', dir: 'asc' }, fields: ['n', 'when'] })
      expect(docs).toEqual([
        { _id: 'a', n: 1, when: at(0) },
        { _id: 'd', n: 4, when: at(30) },
      ])
    })

    it('count counts what find would match', async () => {
      expect(await db.count(C, {})).toBe(5)
      expect(await db.count(C, { kind: 'task' })).toBe(2)
      expect(await db.count(C, { flag: cond.neq(true), n: cond.gt(2) })).toBe(2)
      expect(await db.count(OTHER, {})).toBe(0)
    })

    it('set replaces the whole document, and creates it when missing', async () => {
      await db.set(C, 'a', { n: 10, fresh: 'yes' })
      expect(await db.find(C, { _id: 'a' }, { limit: 1 })).toEqual([{ _id: 'a', n: 10, fresh: 'yes' }])
      await db.set(OTHER, 'new', { when: at(1), nested: { list: [1, 2] } })
      expect(await db.find(OTHER, { _id: 'new' }, { limit: 1 })).toEqual([{ _id: 'new', when: at(1), nested: { list: [1, 2] } }])
    })

    it('update changes every matching document and resolves how many; no match resolves 0', async () => {
      expect(await db.update(C, { kind: 'room' }, { set: { kind: 'hidden', stamp: at(60) } })).toBe(3)
      expect(ids(await db.find(C, { kind: 'hidden', stamp: at(60) }, { limit: 100 }))).toEqual(['a', 'b', 'e'])
      expect(await db.update(C, { kind: 'room' }, { set: { kind: 'x' } })).toBe(0)
      expect(await db.update(C, { _id: 'nope' }, { set: { kind: 'x' } })).toBe(0)
      expect(await db.count(C, {})).toBe(5)
    })

    it('update counts only the documents it changed: writing the values they already hold resolves 0', async () => {
      expect(await db.update(C, { _id: 'a' }, { set: { n: 1, kind: 'room' } })).toBe(0)
      expect(await db.update(C, { kind: 'room' }, { set: { flag: false } })).toBe(1)
    })

    it('update with a condition is atomic per document: the second of two identical claims changes nothing', async () => {
      await db.set(OTHER, 'lease', { owner: null, expiresAt: 0 })
      const claim = (owner: string) => db.update(OTHER, { _id: 'lease', expiresAt: cond.lte(1000) }, { set: { owner, expiresAt: 5000 } })
      expect(await claim('first')).toBe(1)
      expect(await claim('second')).toBe(0)
      expect(await db.find(OTHER, { _id: 'lease' }, { limit: 1 })).toEqual([{ _id: 'lease', owner: 'first', expiresAt: 5000 }])
    })

    it('update set replaces an object value wholesale instead of merging it key by key', async () => {
      await db.update(C, { _id: 'a' }, { set: { nested: { count: 7 } } })
      const [a] = await db.find(C, { _id: 'a' }, { limit: 1 })
      expect(a.nested).toEqual({ count: 7 })
      expect(a.n).toBe(1)
    })

    it('update inc adds to numbers at dotted paths, counts a missing field as 0, and keeps sibling keys', async () => {
      await db.insert(OTHER, { _id: 'ledger', calls: { getLiveInfo: 3, goodsInfo: 1 } })
      expect(await db.update(OTHER, { _id: 'ledger' }, { inc: { 'calls.getLiveInfo': 2, 'calls.newApi': 4 } })).toBe(1)
      expect(await db.find(OTHER, { _id: 'ledger' }, { limit: 1 })).toEqual([{ _id: 'ledger', calls: { getLiveInfo: 5, goodsInfo: 1, newApi: 4 } }])
    })

    it('remove deletes every matching document and resolves how many; no match resolves 0', async () => {
      expect(await db.remove(C, { kind: 'room', flag: false })).toBe(2)
      expect(ids(await db.find(C, {}, { limit: 100 }))).toEqual(['a', 'c', 'd'])
      expect(await db.remove(C, { kind: 'room', flag: false })).toBe(0)
      expect(await db.remove(C, { _id: 'nope' })).toBe(0)
      expect(await db.count(C, {})).toBe(3)
    })

    it('remove takes ranges and id lists, and leaves every other document as it was', async () => {
      expect(await db.remove(C, { n: cond.lte(2) })).toBe(2)
      expect(await db.remove(C, { _id: cond.in(['e', 'zz']) })).toBe(1)
      expect(await db.find(C, {}, { limit: 10, orderBy: { field: '_id', dir: 'asc' } })).toEqual([DOCS[2], DOCS[3]])
      expect(await db.find(C, { n: cond.gte(1) }, { limit: 10, orderBy: { field: 'n', dir: 'asc' } })).toEqual([DOCS[2], DOCS[3]])
    })

    it('a removed _id can be inserted again', async () => {
      expect(await db.remove(C, { _id: 'a' })).toBe(1)
      expect(await db.insert(C, { _id: 'a', n: 42 })).toBe('ok')
      expect(await db.find(C, { _id: 'a' }, { limit: 1 })).toEqual([{ _id: 'a', n: 42 }])
    })

    it('strings compare in code-unit order with gt and lte, and order by them (zero-padded sequence keys)', async () => {
      const keys = ['000000000000100:b-2', '000000000000100:b-1', '000000000000099:o-9', '000000000001000:b-0']
      for (const [i, seqKey] of keys.entries()) await db.insert(OTHER, { _id: `s${i}`, seqKey })
      const page = await db.find(OTHER, { seqKey: cond.gt('000000000000099:o-9') }, { limit: 10, orderBy: { field: 'seqKey', dir: 'asc' } })
      expect(page.map((d) => d.seqKey)).toEqual(['000000000000100:b-1', '000000000000100:b-2', '000000000001000:b-0'])
      const upTo = await db.find(OTHER, { seqKey: cond.lte('000000000000100:b-1') }, { limit: 10, orderBy: { field: 'seqKey', dir: 'desc' } })
      expect(upTo.map((d) => d._id)).toEqual(['s1', 's2'])
      expect(await db.remove(OTHER, { seqKey: cond.lte('000000000000100:b-1') })).toBe(2)
      expect(ids(await db.find(OTHER, {}, { limit: 10 }))).toEqual(['s0', 's3'])
    })

    it('update may set and inc in one patch', async () => {
      await db.update(C, { _id: 'b' }, { set: { kind: 'both' }, inc: { n: 10 } })
      const [b] = await db.find(C, { _id: 'b' }, { limit: 1, fields: ['kind', 'n'] })
      expect(b).toEqual({ _id: 'b', kind: 'both', n: 12 })
    })
  })
}
