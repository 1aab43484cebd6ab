/**
 * The mini-program's allow-list of aggregate stages and operators (emulator/client/allowed.ts), entry by entry:
 * every allowed entry passes, and the stages and operators the mini-program SDK lacks are refused with
 * DATABASE_INVALID_OPERRATOR (-502002) before anything is read or written.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { CLIENT_ALLOWED, checkClientOperators, checkClientPipeline } from '../emulator/client/allowed'
import { ClientChannel } from '../emulator/client/channel'
import { RuleSet } from '../emulator/client/rules'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { type DatabaseEngine, DbError } from '../emulator/db/types'
import { thrown } from './thrown'

const viewer = { openid: 'o-viewer' }
let engine: DatabaseEngine
let channel: ClientChannel

beforeEach(() => {
  engine = createMemoryEngine({ clock: createClock() })
  for (const c of ['rooms', 'private']) engine.createCollection(c)
  engine.insert('rooms', [
    { _id: 'r1', n: 1, tags: ['a', 'b'], at: new Date(0) },
    { _id: 'r2', n: 5, tags: ['b'], at: new Date(86_400_000) },
  ])
  engine.insert('private', [{ _id: 'p1', secret: 'ledger' }])
  channel = new ClientChannel({ engine, rules: RuleSet.fromObject({ rooms: { read: true, write: false }, private: { read: false, write: false } }), clock: createClock() })
})

const refusal = (fn: () => unknown): DbError => thrown(DbError, fn)

const aggregate = (pipeline: Record<string, unknown>[]) =>
  channel.execute(viewer, { action: 'database.aggregateDocuments', collection: 'rooms', pipeline })

/** One working use of each allowed stage; a stage added to the allow-list without an example fails the test. */
const STAGE_EXAMPLES: Record<string, unknown> = {
  $addFields: { twice: { $multiply: ['$n', 2] } },
  $bucket: { groupBy: '$n', boundaries: [0, 3, 10], default: 'other' },
  $bucketAuto: { groupBy: '$n', buckets: 2 },
  $count: 'total',
  $geoNear: { near: { type: 'Point', coordinates: [0, 0] }, distanceField: 'd', spherical: true },
  $group: { _id: null, sum: { $sum: '$n' } },
  $limit: 1,
  $match: { n: { $gt: 1 } },
  $project: { n: 1 },
  $replaceRoot: { newRoot: { value: '$n' } },
  $sample: { size: 1 },
  $skip: 1,
  $sort: { n: -1 },
  $sortByCount: '$n',
  $unwind: '$tags',
}

// mingo has no $geoNear stage: the gate lets it through, the engine then answers that it cannot run it
const ENGINE_LACKS = new Set(['$geoNear'])

describe('aggregate stages a mini-program may use', () => {
  it.each(CLIENT_ALLOWED.stages.map((s) => [s]))('%s passes the gate and runs', (stage) => {
    expect(STAGE_EXAMPLES).toHaveProperty([stage])
    const pipeline = [{ [stage]: STAGE_EXAMPLES[stage] }]
    expect(() => checkClientPipeline(pipeline)).not.toThrow()
    if (ENGINE_LACKS.has(stage)) {
      expect(refusal(() => aggregate(pipeline)).code).not.toBe('DATABASE_INVALID_OPERRATOR')
      return
    }
    const reply = aggregate(pipeline)
    expect('list' in reply && Array.isArray(reply.list)).toBe(true)
  })
})

const REFUSED_STAGES: Record<string, unknown> = {
  $lookup: { from: 'private', localField: '_id', foreignField: '_id', as: 'leak' },
  $graphLookup: { from: 'private', startWith: '$_id', connectFromField: '_id', connectToField: '_id', as: 'leak' },
  $unionWith: 'private',
  $facet: { plain: [{ $match: {} }] },
  $out: 'copy',
  $merge: { into: 'private' },
  $set: { x: 1 },
  $unset: 'n',
  $redact: '$$KEEP',
  $replaceWith: '$tags',
  $setWindowFields: { sortBy: { n: 1 }, output: { c: { $count: {} } } },
  $densify: { field: 'n', range: { step: 1, bounds: 'full' } },
  $fill: { output: { n: { value: 0 } } },
  $documents: [{ x: 1 }],
}

describe('aggregate stages a mini-program may not use', () => {
  it.each(Object.keys(REFUSED_STAGES).map((s) => [s]))('%s is refused before anything is read or written', (stage) => {
    const e = refusal(() => aggregate([{ [stage]: REFUSED_STAGES[stage] }]))
    expect(e.code).toBe('DATABASE_INVALID_OPERRATOR')
    expect(e.message).toContain(`stages[0]: ${stage}`)
    expect(engine.listCollections()).toEqual(['private', 'rooms'])
    expect(engine.find('private', {})).toEqual([{ _id: 'p1', secret: 'ledger' }])
  })

  it('refuses a $lookup hidden inside $facet', () => {
    const e = refusal(() => aggregate([{ $facet: { leak: [{ $lookup: REFUSED_STAGES.$lookup }] } }]))
    expect(e.code).toBe('DATABASE_INVALID_OPERRATOR')
  })
})

describe('operators a mini-program may use', () => {
  it.each(CLIENT_ALLOWED.query.map((op) => [op]))('query operator %s passes', (op) => {
    expect(() => checkClientOperators({ f: { [op]: 1 } }, 'query', 'query')).not.toThrow()
  })
  it.each(CLIENT_ALLOWED.update.map((op) => [op]))('update operator %s passes', (op) => {
    expect(() => checkClientOperators({ [op]: { f: 1 } }, 'update', 'data')).not.toThrow()
  })
  it.each(CLIENT_ALLOWED.projection.map((op) => [op]))('projection operator %s passes', (op) => {
    expect(() => checkClientOperators({ f: { [op]: 1 } }, 'projection', 'projection')).not.toThrow()
  })
  it.each(CLIENT_ALLOWED.expression.map((op) => [op]))('aggregation operator %s passes in a stage and in $expr', (op) => {
    expect(() => checkClientPipeline([{ $project: { v: { [op]: ['$n'] } } }])).not.toThrow()
    expect(() => checkClientOperators({ $expr: { [op]: ['$n'] } }, 'query', 'query')).not.toThrow()
  })
})

const REFUSED_OPERATORS: [context: 'query' | 'update' | 'projection', op: string][] = [
  ['query', '$where'],
  ['query', '$text'],
  ['query', '$jsonSchema'],
  ['query', '$regex'],
  ['query', '$type'],
  ['query', '$bitsAllSet'],
  ['query', '$comment'],
  ['query', '$function'],
  ['query', '$accumulator'],
  ['update', '$setOnInsert'],
  ['update', '$currentDate'],
  ['update', '$where'],
  ['projection', '$meta'],
  ['projection', '$where'],
]

describe('operators a mini-program may not use', () => {
  it.each(REFUSED_OPERATORS)('%s operator %s is refused, naming its path', (context, op) => {
    const value = context === 'update' ? { [op]: { f: 1 } } : { f: { [op]: 1 } }
    const e = refusal(() => checkClientOperators(value, context, 'x'))
    expect(e.code).toBe('DATABASE_INVALID_OPERRATOR')
    expect(e.message).toContain(op)
  })

  it.each([['$function'], ['$accumulator'], ['$where']])('aggregation operator %s is refused inside a stage', (op) => {
    const e = refusal(() => aggregate([{ $project: { v: { [op]: { body: 'while(true){}', args: [], lang: 'js' } } } }]))
    expect(e.code).toBe('DATABASE_INVALID_OPERRATOR')
  })

  it('refuses operators in a whole-document replacement (doc().set)', () => {
    const e = refusal(() => checkClientOperators({ a: { $inc: 1 } }, 'document', 'data'))
    expect(e.message).toBe('data.a.$inc: a whole document (doc().set) cannot contain operators ($inc)')
  })
})
