/**
 * The query engine (mingo) with CloudBase's bounds built in, and the time limit every database computation runs
 * under. mingo runs on the event loop, so a hostile query (a catastrophic regular expression, a huge `$expr`) would
 * freeze every other client; `runBounded` runs the computation inside `vm` with a timeout, which V8 enforces by
 * interrupting synchronous code, and turns the interruption into CloudBase's timeout error. Writes compute their
 * result inside the limit and commit outside it, so an interrupted write changes nothing.
 */
import vm from 'node:vm'
import { Context } from 'mingo/core'
import { Lazy } from 'mingo/lazy'
import * as accumulatorOperators from 'mingo/operators/accumulator'
import * as expressionOperators from 'mingo/operators/expression'
import * as pipelineOperators from 'mingo/operators/pipeline'
import * as projectionOperators from 'mingo/operators/projection'
import * as queryOperators from 'mingo/operators/query'
import * as windowOperators from 'mingo/operators/window'
import { evalExpr } from 'mingo/core'
import type { Options } from 'mingo/types/types'
import { MAX_BUILT_ARRAY_ELEMENTS, MAX_SIZE_ARGUMENT, QUERY_TIME_LIMIT_MS } from './limits'
import { DbError } from './types'
import { isPlainObject } from './values'

function sizeError(operator: string, rule: string, got: unknown): DbError {
  return new DbError('INVALID_PARAM', `${operator}: ${rule} (got ${JSON.stringify(got) ?? String(got)})`)
}

/** A count argument: an integer from `min` to MAX_SIZE_ARGUMENT; anything else is an error naming the operator. */
export function checkCount(operator: string, value: unknown, min: 0 | 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_SIZE_ARGUMENT) {
    throw sizeError(operator, `must be an integer from ${min} to ${MAX_SIZE_ARGUMENT}`, value)
  }
  return value
}

type Expr = (obj: unknown, expr: unknown, options: Options) => unknown
const builtInRange = expressionOperators.$range as Expr
const builtInConcatArrays = expressionOperators.$concatArrays as Expr

/** `$range` that refuses non-integer arguments and results past MAX_BUILT_ARRAY_ELEMENTS before building anything. */
const $range: Expr = (obj, expr, options) => {
  if (!Array.isArray(expr) || expr.length < 2 || expr.length > 3) throw sizeError('$range', 'takes [start, end] or [start, end, step]', expr)
  const [start, end, step = 1] = evalExpr(obj, expr, options) as unknown[]
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw sizeError('$range', `${name} must be an integer`, v)
  }
  const [s, e, st] = [start as number, end as number, step as number]
  if (st === 0) throw sizeError('$range', 'step must not be 0', st)
  const count = Math.max(0, Math.ceil((e - s) / st))
  if (count > MAX_BUILT_ARRAY_ELEMENTS) {
    throw sizeError('$range', `would build ${count} elements; at most ${MAX_BUILT_ARRAY_ELEMENTS} fit in a document`, [s, e, st])
  }
  return builtInRange(obj, [s, e, st], options)
}

/** `$concatArrays` that refuses results past MAX_BUILT_ARRAY_ELEMENTS (a `$reduce` doubling an array would). */
const $concatArrays: Expr = (obj, expr, options) => {
  const args = evalExpr(obj, expr, options)
  if (Array.isArray(args)) {
    const total = args.reduce((n: number, a) => n + (Array.isArray(a) ? a.length : 0), 0)
    if (total > MAX_BUILT_ARRAY_ELEMENTS) {
      throw sizeError('$concatArrays', `would build ${total} elements; at most ${MAX_BUILT_ARRAY_ELEMENTS} fit in a document`, total)
    }
  }
  // the arguments are already values: wrap them as literals so they are not evaluated a second time
  return builtInConcatArrays(obj, Array.isArray(args) ? args.map((a) => ({ $literal: a })) : args, options)
}

type Stage = (collection: ReturnType<typeof Lazy>, expr: unknown, options: Options) => ReturnType<typeof Lazy>

/**
 * `$sample` as MongoDB does it: without replacement, at most the number of input documents (mingo draws with
 * replacement and would emit `size` documents from any input, so a huge size could exhaust memory).
 */
const $sample: Stage = (collection, expr) => {
  const size = checkCount('$sample.size', isPlainObject(expr) ? expr.size : undefined, 1)
  return collection.transform((xs: unknown[]) => {
    const pool = xs.slice()
    const take = Math.min(size, pool.length)
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(Math.random() * (pool.length - i))
      ;[pool[i], pool[j]] = [pool[j], pool[i]]
    }
    return Lazy(pool.slice(0, take))
  })
}

const builtInLimit = pipelineOperators.$limit as unknown as Stage
const builtInSkip = pipelineOperators.$skip as unknown as Stage
const $limit: Stage = (collection, expr, options) => builtInLimit(collection, checkCount('$limit', expr, 1), options)
const $skip: Stage = (collection, expr, options) => builtInSkip(collection, checkCount('$skip', expr, 0), options)

const CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: { ...expressionOperators, $range, $concatArrays },
  pipeline: { ...pipelineOperators, $sample, $limit, $skip },
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
} as unknown as Parameters<typeof Context.init>[0])

/** Options for every mingo call: the bounded operators, and scripts ($where/$function) off since queries come from the network. */
export const MINGO_OPTIONS = { scriptEnabled: false, idKey: '_id', context: CONTEXT } as const

const script = new vm.Script('run()', { filename: 'emulator-bounded-query.js' })
// Defined out here: a closure made inside runBounded would share its scope and keep the last computation alive.
const idle = (): unknown => undefined
const sandbox = vm.createContext({ run: idle })
let running = false

/**
 * Runs `compute` under the query time limit; past it, V8 interrupts the computation and this throws
 * `SERVER_TIMEOUT`. Nested calls run inside the outer call's limit.
 */
export function runBounded<T>(what: string, compute: () => T, limitMs: number = QUERY_TIME_LIMIT_MS): T {
  if (running) return compute()
  running = true
  let result: T | undefined
  sandbox.run = () => {
    result = compute()
  }
  try {
    script.runInContext(sandbox, { timeout: limitMs })
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new DbError('SERVER_TIMEOUT', `${what}: stopped after ${limitMs} ms (DATABASE_TIMEOUT); nothing was changed. Narrow the query or simplify the expression`)
    }
    throw e
  } finally {
    running = false
    sandbox.run = idle
  }
  return result as T
}
