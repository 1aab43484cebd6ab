/**
 * The database engine's bounds (emulator/db/limits.ts) at engine level: the time limit stops any computation and an
 * interrupted write changes nothing; size arguments; documents checked at write time; $sample draws without
 * replacement. The same cases over HTTP are rows of test/hostile-input.test.ts.
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { MAX_DOCUMENT_NESTING } from '../emulator/db/limits'
import { runBounded } from '../emulator/db/bounded'
import { DbError, type ChangeEvent } from '../emulator/db/types'
import { thrown } from './thrown'

const CATASTROPHIC = /^(a+)+$/
const LONG = 'a'.repeat(40) + '!'

function engineWith(limitMs = 100) {
  const engine = createMemoryEngine({ clock: createClock(), queryTimeLimitMs: limitMs })
  engine.createCollection('c')
  engine.insert('c', [
    { _id: 'fast', s: 'b', n: 2 },
    { _id: 'slow', s: LONG, n: 1 },
  ])
  return engine
}

const failure = (fn: () => unknown): DbError => thrown(DbError, fn)

describe('the query time limit', () => {
  it('stops a catastrophic regular expression in find, count, remove and aggregate with SERVER_TIMEOUT', () => {
    const engine = engineWith()
    for (const run of [
      () => engine.find('c', { s: CATASTROPHIC }),
      () => engine.count('c', { s: CATASTROPHIC }),
      () => engine.remove('c', { s: CATASTROPHIC }, { multi: true }),
      () => engine.aggregate('c', [{ $match: { s: CATASTROPHIC } }]),
    ]) {
      const e = failure(run)
      expect(e.code).toBe('SERVER_TIMEOUT')
      expect(e.message).toMatch(/stopped after 100 ms \(DATABASE_TIMEOUT\)/)
    }
    expect(engine.count('c', {})).toBe(2)
  })

  it('leaves an interrupted multi-document update unapplied and emits no change', () => {
    const engine = engineWith()
    const events: ChangeEvent[] = []
    engine.onChange((e) => events.push(e))
    // "fast" is matched (and its change planned) before the regex stalls on "slow"
    const e = failure(() => engine.update('c', { $or: [{ n: 2 }, { s: CATASTROPHIC }] }, { $set: { hit: true } }, { multi: true, merge: true, upsert: false }))
    expect(e.code).toBe('SERVER_TIMEOUT')
    expect(engine.find('c', { hit: true })).toEqual([])
    expect(events).toEqual([])
  })

  it('keeps serving after an interruption: the next query answers normally', () => {
    const engine = engineWith()
    failure(() => engine.find('c', { s: CATASTROPHIC }))
    expect(engine.find('c', { n: 2 }).map((d) => d._id)).toEqual(['fast'])
  })
})

describe('size arguments', () => {
  const engine = engineWith()
  it.each([
    ['$limit', { $limit: 0 }, /\$limit: must be an integer from 1/],
    ['$limit', { $limit: 2.5 }, /\$limit: must be an integer from 1/],
    ['$skip', { $skip: -1 }, /\$skip: must be an integer from 0/],
    ['$skip', { $skip: 2 ** 60 }, /\$skip: must be an integer from 0 to 9007199254740991/],
    ['$sample', { $sample: { size: -3 } }, /\$sample\.size: must be an integer from 1/],
    ['$sample', { $sample: {} }, /\$sample\.size: must be an integer from 1/],
    ['$range', { $project: { r: { $range: [0, 2 ** 40] } } }, /\$range: would build/],
    ['$range', { $project: { r: { $range: [0, '$s'] } } }, /\$range: end must be an integer/],
    ['$range', { $project: { r: { $range: [0, 5, 0] } } }, /\$range: step must not be 0/],
  ])('%s refuses %j', (_op, stage, message) => {
    const e = failure(() => engine.aggregate('c', [stage]))
    expect(e.code).toBe('INVALID_PARAM')
    expect(e.message).toMatch(message)
  })

  it('refuses a negative or fractional find limit or offset, naming it', () => {
    expect(failure(() => engine.find('c', {}, { limit: -1 })).message).toMatch(/^limit: must be an integer/)
    expect(failure(() => engine.find('c', {}, { skip: 0.5 })).message).toMatch(/^offset: must be an integer/)
  })

  it('builds ranges within the bound, descending ones too', () => {
    expect(engine.aggregate('c', [{ $match: { _id: 'fast' } }, { $project: { _id: 0, r: { $range: [5, 0, -2] } } }])).toEqual([{ r: [5, 3, 1] }])
  })

  it('samples without replacement: never more documents than the input, never the same one twice', () => {
    const out = engine.aggregate('c', [{ $sample: { size: 10 } }])
    expect(out.map((d) => d._id).sort()).toEqual(['fast', 'slow'])
  })
})

describe('documents at write time', () => {
  function nested(levels: number): Record<string, unknown> {
    let doc: Record<string, unknown> = { leaf: true }
    for (let i = 1; i < levels; i++) doc = { n: doc }
    return doc
  }

  it(`stores ${MAX_DOCUMENT_NESTING} levels of nesting and refuses ${MAX_DOCUMENT_NESTING + 1}`, () => {
    const engine = engineWith()
    expect(engine.insert('c', [nested(MAX_DOCUMENT_NESTING)])).toHaveLength(1)
    expect(failure(() => engine.insert('c', [nested(MAX_DOCUMENT_NESTING + 1)])).message).toBe('data[0]: nested deeper than 100 levels')
  })

  it('refuses an update that would nest the document too deep, leaving it as it was', () => {
    const engine = engineWith()
    const e = failure(() => engine.update('c', { _id: 'fast' }, { $set: { deep: nested(MAX_DOCUMENT_NESTING) } }, { multi: false, merge: true, upsert: false }))
    expect(e.message).toBe('document fast: nested deeper than 100 levels')
    expect(engine.find('c', { _id: 'fast' })[0]).toEqual({ _id: 'fast', s: 'b', n: 2 })
  })

  it.each([
    ['an invalid date', { at: new Date(Number.NaN) }, /data\[0\]\.at: invalid date/],
    ['undefined', { u: undefined }, /data\[0\]\.u: undefined values cannot be stored/],
    ['a regular expression', { re: /x/ }, /data\[0\]\.re: RegExp values cannot be stored/],
    ['a function', { f: () => 1 }, /data\[0\]\.f: function values cannot be stored/],
    ['a Map', { m: new Map() }, /data\[0\]\.m: Map values cannot be stored/],
  ])('refuses %s at insert, naming the path', (_what, doc, message) => {
    const engine = engineWith()
    expect(failure(() => engine.insert('c', [doc])).message).toMatch(message)
    expect(engine.count('c', {})).toBe(2)
  })
})

describe('the bounded runner after a computation', () => {
  it('keeps nothing of the computation alive, so closed watches and old results can be collected', async () => {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc') as () => void
    let ref: WeakRef<object> | undefined
    ;(() => {
      const big = { payload: new Array(1000).fill('x') }
      ref = new WeakRef(big)
      runBounded('test', () => big.payload.length)
    })()
    for (let i = 0; i < 5 && ref!.deref(); i++) {
      await new Promise((r) => setTimeout(r, 0))
      gc()
    }
    expect(ref!.deref()).toBeUndefined()
  })
})
