/**
 * Malformed payloads across every action of liveAdmin, sent as an owner so that the input checks are what stands
 * between them and the platform: wrong types, missing required and unknown fields, huge strings, deep nesting,
 * prototype keys, arrays for objects, NaN-like strings in numbers, very long arrays, and broken events. Each
 * generated payload is malformed by construction (read from the action's schema), so each must answer a
 * structured invalid-input error without a stack and without any Live call. Most run in-process
 * (test/admin-inprocess.ts); a few hundred go through the built function.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as z from '../src/live/zod'
import { actionTable } from '../src/admin/actions'
import { INPUT_LIMITS } from '../src/admin/input'
import { ADMIN_ERROR_CODES, type AdminReply } from '../src/admin/reply'
import type { ActionDef } from '../src/admin/types'
import { startInProcessAdmin, type InProcessAdmin } from './admin-inprocess'
import { startAdminHarness, type AdminHarness } from './admin-harness'

// ---------- what each field of an action accepts, read from its schema ----------

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null'
type Def = { type: string; shape?: Record<string, z.ZodMiniType>; innerType?: z.ZodMiniType; in?: z.ZodMiniType; options?: z.ZodMiniType[]; values?: unknown[]; entries?: Record<string, unknown>; catchall?: z.ZodMiniType }
const defOf = (s: z.ZodMiniType): Def => (s as unknown as { _zod: { def: Def } })._zod.def

/** The JSON kinds a schema can accept; anything of another kind is refused whatever its content. */
function kindsOf(schema: z.ZodMiniType): Set<Kind> {
  const def = defOf(schema)
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return kindsOf(def.innerType!)
    case 'nullable':
      return new Set([...kindsOf(def.innerType!), 'null'])
    case 'pipe':
      return kindsOf(def.in!)
    case 'union':
      return new Set((def.options ?? []).flatMap((o) => [...kindsOf(o)]))
    case 'literal':
      return new Set((def.values ?? []).map((v) => (v === null ? 'null' : (typeof v as Kind))))
    case 'enum':
      return new Set(Object.values(def.entries ?? {}).map((v) => typeof v as Kind))
    case 'string':
    case 'number':
    case 'boolean':
    case 'array':
    case 'object':
      return new Set([def.type])
    case 'record':
      return new Set(['object'])
    default:
      // An unknown type could accept anything: no wrong value is guaranteed, so the field is not mutated.
      return new Set(['string', 'number', 'boolean', 'array', 'object', 'null'])
  }
}

/** Schemas that take a missing key: leaving such a field out is not malformed. */
const optionalTypes = new Set(['optional', 'default', 'prefault', 'unknown', 'any'])

interface ActionShape {
  def: ActionDef
  fields: { key: string; kinds: Set<Kind>; required: boolean; numeric: boolean }[]
  /** The params object refuses keys it does not declare. */
  strict: boolean
}

const shapes: ActionShape[] = Object.values(actionTable).map((def) => {
  const d = defOf(def.params)
  const fields = Object.entries(d.shape ?? {}).map(([key, schema]) => {
    const kinds = kindsOf(schema)
    return { key, kinds, required: !optionalTypes.has(defOf(schema).type), numeric: kinds.has('number') && !kinds.has('string') }
  })
  const strict = d.type === 'object' && (d.catchall === undefined || defOf(d.catchall).type === 'never')
  return { def, fields, strict }
})

// ---------- malformed payloads ----------

const json = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null))
const ofKind: Record<Kind, fc.Arbitrary<unknown>> = {
  string: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('NaN', 'Infinity', '-0', '1e999', '0x10', ' 1', '')),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  array: fc.array(json, { maxLength: 3 }),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), json, { maxKeys: 3 }),
  null: fc.constant(null),
}
const KINDS = Object.keys(ofKind) as Kind[]

/** A value no field accepting `kinds` can take. */
const wrongFor = (kinds: Set<Kind>): fc.Arbitrary<unknown> | null => {
  const wrong = KINDS.filter((k) => !kinds.has(k))
  return wrong.length ? fc.oneof(...wrong.map((k) => ofKind[k])) : null
}

/** Some params a field may or may not accept, to surround the broken part with plausible noise. */
const noise = (shape: ActionShape) =>
  fc.record(Object.fromEntries(shape.fields.map((f) => [f.key, json])), { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>

function deep(depth: number): unknown {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v }
  return v
}

/** `{...params, [key]: value}` with the key as an own property, as JSON.parse makes it (even for `__proto__`). */
function withOwnKey(params: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params }
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  return out
}

type Case = { why: string; event: unknown }

function casesFor(shape: ActionShape): fc.Arbitrary<Case>[] {
  const action = shape.def.name
  const ev = (why: string) => (params: unknown): Case => ({ why, event: { action, params } })
  const out: fc.Arbitrary<Case>[] = []
  const mutable = shape.fields.map((f) => ({ f, wrong: wrongFor(f.kinds) })).filter((x) => x.wrong !== null)
  if (mutable.length) {
    out.push(
      fc
        .tuple(noise(shape), fc.constantFrom(...mutable), fc.nat())
        .chain(([base, { f, wrong }]) => wrong!.map((v) => ev(`wrong type for ${f.key}`)(withOwnKey(base, f.key, v)))),
    )
  }
  const required = shape.fields.filter((f) => f.required)
  if (required.length) {
    out.push(
      fc.tuple(noise(shape), fc.constantFrom(...required)).map(([base, f]) => {
        const { [f.key]: _gone, ...rest } = base
        return ev(`missing ${f.key}`)(rest)
      }),
    )
  }
  const numeric = shape.fields.filter((f) => f.numeric)
  if (numeric.length) {
    out.push(
      fc
        .tuple(noise(shape), fc.constantFrom(...numeric), fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '0x1F', '1_000', '١٢', ' 7 ', '7.0'))
        .map(([base, f, s]) => ev(`NaN-like string in ${f.key}`)(withOwnKey(base, f.key, s))),
    )
  }
  if (shape.strict) {
    const known = new Set(shape.fields.map((f) => f.key))
    out.push(
      fc
        .tuple(
          noise(shape),
          fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('valueOf', 'toString', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__')).filter((k) => !known.has(k) && !['__proto__', 'constructor', 'prototype'].includes(k)),
          json,
        )
        .map(([base, k, v]) => ev(`unknown field ${k}`)(withOwnKey(base, k, v))),
    )
  }
  const anyKey = fc.constantFrom(...(shape.fields.length ? shape.fields.map((f) => f.key) : ['x']))
  out.push(
    fc.tuple(noise(shape), anyKey, fc.integer({ min: INPUT_LIMITS.maxStringLength + 1, max: INPUT_LIMITS.maxStringLength * 3 }), fc.constantFrom('a', '直', '😀'))
      .map(([base, k, n, ch]) => ev(`huge string in ${k}`)(withOwnKey(base, k, ch.repeat(n)))),
    fc.tuple(noise(shape), anyKey, fc.integer({ min: INPUT_LIMITS.maxDepth + 1, max: 40 }))
      .map(([base, k, d]) => ev(`nesting ${d} deep in ${k}`)(withOwnKey(base, k, deep(d)))),
    fc.tuple(noise(shape), fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.oneof(json, fc.constant({ isAdmin: true })), fc.boolean())
      .map(([base, k, v, nested]) => ev(`prototype key ${k}`)(nested && shape.fields[0] ? withOwnKey(base, shape.fields[0].key, withOwnKey({}, k, v)) : withOwnKey(base, k, v))),
    fc.tuple(noise(shape), anyKey, fc.integer({ min: INPUT_LIMITS.maxArrayLength + 1, max: INPUT_LIMITS.maxArrayLength + 500 }))
      .map(([base, k, n]) => ev(`${n}-item array in ${k}`)(withOwnKey(base, k, Array.from({ length: n }, (_, i) => i + 1)))),
    fc.oneof(fc.array(json, { maxLength: 3 }), fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null)).map(ev('params not an object')),
  )
  return out
}

/** Events broken before any action is found. */
const brokenEvents: fc.Arbitrary<Case> = fc.oneof(
  fc.oneof(fc.array(json, { maxLength: 3 }), fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)).map((event) => ({ why: 'event not an object', event })),
  json.filter((a) => typeof a !== 'string' || a === '').map((action) => ({ why: 'action not a name', event: { action } })),
  fc.string({ minLength: 1, maxLength: 20 }).filter((a) => !Object.prototype.hasOwnProperty.call(actionTable, a)).map((action) => ({ why: 'unknown action', event: { action } })),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty').map((action) => ({ why: 'inherited name as action', event: { action } })),
  fc.tuple(fc.constantFrom(...Object.keys(actionTable)), fc.constantFrom('openid', 'OPENID', 'caller', 'role')).map(([action, k]) => ({ why: `extra event key ${k}`, event: { action, params: {}, [k]: 'owner-openid-000000000000001' } })),
)

const payloads: fc.Arbitrary<Case> = fc.oneof(brokenEvents, ...shapes.flatMap(casesFor))

// ---------- the replies ----------

const CODES = new Set<string>(ADMIN_ERROR_CODES)

function expectStructuredRefusal(c: Case, reply: AdminReply<unknown>): void {
  const where = `${c.why}: ${JSON.stringify(c.event)?.slice(0, 200)}`
  expect(reply.ok, where).toBe(false)
  if (reply.ok) return
  const { error } = reply
  expect(CODES.has(error.code), where).toBe(true)
  expect(error.code, where).toBe('invalid_argument')
  expect(typeof error.zh === 'string' && error.zh.length > 0, where).toBe(true)
  expect(typeof error.en === 'string' && error.en.length > 0, where).toBe(true)
  const text = JSON.stringify(reply)
  expect(text, where).not.toMatch(/\n\s+at |"stack"|\.ts:\d+|node_modules/)
}

describe('liveAdmin fuzz: malformed payloads', () => {
  it('covers every action of the table with at least one kind of malformed payload', () => {
    for (const s of shapes) expect(casesFor(s).length, s.def.name).toBeGreaterThan(0)
  })

  it('refuses a field named like an inherited method (valueOf, toString) as unknown, not as an internal error', async () => {
    const admin = startInProcessAdmin()
    for (const key of ['valueOf', 'toString', 'hasOwnProperty']) {
      expect(await admin.raw({ action: 'updateKF', params: { [key]: 0 } })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: key } })
      expect(await admin.raw({ action: 'addAssistant', params: { roomId: 1, users: [{ username: 'abcdef1', nickname: 'n', [key]: 1 }] } })).toMatchObject({
        ok: false,
        error: { code: 'invalid_argument', field: `users.0.${key}` },
      })
    }
    expect(admin.transportCalls()).toBe(0)
  })

  it('1,200 payloads in-process: each a structured invalid_argument, no Live call, nothing written but audit entries', async () => {
    const admin: InProcessAdmin = startInProcessAdmin()
    const before = admin.snapshotExceptAudit()
    let runs = 0
    await fc.assert(
      fc.asyncProperty(payloads, async (c) => {
        runs++
        const reply = await admin.raw(c.event)
        expectStructuredRefusal(c, reply)
      }),
      { numRuns: 1200 },
    )
    expect(runs).toBeGreaterThanOrEqual(1200)
    expect(admin.transportCalls()).toBe(0)
    expect(admin.liveCalls()).toBe(0)
    expect(admin.snapshotExceptAudit()).toEqual(before)
  }, 60_000)
})

describe('liveAdmin fuzz through the built function', () => {
  let h: AdminHarness
  beforeAll(async () => {
    h = await startAdminHarness()
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('200 payloads: each a structured invalid_argument from the function, none reaches the Live sandbox', async () => {
    const calls = h.liveCalls()
    // The runner carries the event as JSON, as CloudBase does: what JSON cannot carry is not a payload here.
    const sent = fc.sample(payloads.filter((c) => JSON.stringify(c.event) !== undefined), 200)
    for (const c of sent) expectStructuredRefusal(c, await h.raw(JSON.parse(JSON.stringify(c.event))))
    expect(h.liveCalls()).toBe(calls)
  }, 60_000)
})
