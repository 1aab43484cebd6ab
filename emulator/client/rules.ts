/**
 * CloudBase database security rules: loading `database/<collection>.rules.json`, parsing the expressions,
 * and evaluating them the way the real service does for a CLIENT request.
 *
 * The key behaviour: for reads, updates and removes by query the service checks the QUERY CONDITION,
 * not each matched document. `doc` is bound to what the query pins (equality / `$in`); anything it does not
 * pin is UNKNOWN, and the evaluator uses three-valued logic, so a rule that depends on an unpinned field
 * ends UNKNOWN and the request is denied ("the query must be a subset of the rule").
 */
import { readdirSync, readFileSync, existsSync, watch } from 'node:fs'
import { join } from 'node:path'
import jsep from 'jsep'

export type RuleOperation = 'read' | 'create' | 'update' | 'delete'

export interface CompiledRule {
  /** `true`/`false` literally, or the expression source. */
  source: boolean | string
  /** Which JSON key the rule came from (`write` when create/update/delete fall back to it). */
  key: string
  ast?: jsep.Expression
}

export interface CollectionRules {
  collection: string
  file: string
  read: CompiledRule
  create: CompiledRule
  update: CompiledRule
  delete: CompiledRule
}

export class RulesError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly column: number | null,
    readonly detail: string,
  ) {
    super(`${file}: ${key}: ${detail}${column === null ? '' : ` at col ${column}`}`)
    this.name = 'RulesError'
  }
}

const MAX_EXPRESSION_LENGTH = 1024
const MAX_GETS = 3
const MAX_GET_NESTING = 2
const RULE_KEYS = ['read', 'write', 'create', 'update', 'delete'] as const
const VARIABLES = new Set(['auth', 'doc', 'request', 'now'])

// ---------------------------------------------------------------------------------------------------------
// Parsing

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 6,
  '!=': 6,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  in: 7,
  // only to build `get('database.room.' + doc.roomid)`; checked to be string concatenation at run time
  '+': 9,
}

/**
 * jsep's operator tables are module-global; swap in the rules grammar for one synchronous parse and put the
 * previous tables back, so any other jsep user in the process is unaffected.
 */
function parseWithRulesGrammar(source: string): jsep.Expression {
  const savedBinary = { ...jsep.binary_ops }
  const savedUnary = { ...jsep.unary_ops }
  const savedRight = new Set(jsep.right_associative)
  try {
    jsep.removeAllBinaryOps()
    for (const [op, precedence] of Object.entries(BINARY_PRECEDENCE)) jsep.addBinaryOp(op, precedence)
    jsep.removeAllUnaryOps()
    jsep.addUnaryOp('!')
    jsep.addUnaryOp('-') // negative number literals only (checked below)
    return jsep(source)
  } finally {
    jsep.removeAllBinaryOps()
    for (const [op, precedence] of Object.entries(savedBinary)) jsep.addBinaryOp(op, precedence, savedRight.has(op))
    jsep.removeAllUnaryOps()
    for (const op of Object.keys(savedUnary)) jsep.addUnaryOp(op)
  }
}

/** 1-based column of the first whole-word occurrence of `needle` outside string literals (best effort). */
function columnOf(source: string, needle: string): number | null {
  const word = /^[A-Za-z_$]/.test(needle)
  let quote: string | null = null
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]
    if (quote) {
      if (ch === '\\') i++
      else if (ch === quote) quote = null
      continue
    }
    if (ch === '"' || ch === "'") {
      quote = ch
      continue
    }
    if (source.startsWith(needle, i)) {
      const before = source[i - 1]
      const after = source[i + needle.length]
      if (!word || ((!before || !/[\w$.]/.test(before)) && (!after || !/[\w$]/.test(after)))) return i + 1
    }
  }
  return null
}

class ExpressionProblem extends Error {
  constructor(
    message: string,
    readonly needle: string | null,
  ) {
    super(message)
  }
}

function describe(node: jsep.Expression): string {
  if (node.type === 'Identifier') return String((node as jsep.Identifier).name)
  if (node.type === 'MemberExpression') {
    const m = node as jsep.MemberExpression
    const prop = m.property as jsep.Expression
    return m.computed ? `${describe(m.object)}[…]` : `${describe(m.object)}.${describe(prop)}`
  }
  return node.type
}

/** Walk the tree once at load time: only the documented grammar passes, with a message naming the culprit. */
function validate(node: jsep.Expression, state: { gets: number }, getDepth: number): void {
  switch (node.type) {
    case 'Literal':
      if ((node as jsep.Literal).value instanceof RegExp) throw new ExpressionProblem('regular expressions are not allowed', '/')
      return
    case 'Identifier': {
      const name = String((node as jsep.Identifier).name)
      if (!VARIABLES.has(name)) {
        throw new ExpressionProblem(`unknown variable "${name}" (allowed: auth, doc, request.data, now, get(...))`, name)
      }
      return
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression
      if (m.optional) throw new ExpressionProblem('optional chaining "?." is not allowed', '?.')
      validate(m.object, state, getDepth)
      if (m.computed) validate(m.property, state, getDepth)
      if (m.object.type === 'Identifier' && (m.object as jsep.Identifier).name === 'request') {
        const prop = m.property as jsep.Expression
        if (m.computed || prop.type !== 'Identifier' || (prop as jsep.Identifier).name !== 'data') {
          throw new ExpressionProblem('only request.data can be read from request', 'request')
        }
      }
      return
    }
    case 'ArrayExpression':
      for (const el of (node as jsep.ArrayExpression).elements) {
        if (el === null) throw new ExpressionProblem('array holes are not allowed', '[')
        validate(el, state, getDepth)
      }
      return
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression
      if (u.operator === '-') {
        const arg = u.argument
        if (arg.type !== 'Literal' || typeof (arg as jsep.Literal).value !== 'number') {
          throw new ExpressionProblem('unary "-" is only allowed before a number', '-')
        }
        return
      }
      validate(u.argument, state, getDepth)
      return
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression
      validate(b.left, state, getDepth)
      validate(b.right, state, getDepth)
      return
    }
    case 'CallExpression': {
      const c = node as jsep.CallExpression
      if (c.callee.type !== 'Identifier' || (c.callee as jsep.Identifier).name !== 'get') {
        throw new ExpressionProblem(`only get('database.<collection>.<id>') may be called, not ${describe(c.callee)}(...)`, describe(c.callee))
      }
      state.gets++
      if (state.gets > MAX_GETS) throw new ExpressionProblem(`at most ${MAX_GETS} get() calls per expression`, 'get')
      if (getDepth + 1 > MAX_GET_NESTING) throw new ExpressionProblem(`get() may be nested at most ${MAX_GET_NESTING} deep`, 'get')
      if (c.arguments.length !== 1) throw new ExpressionProblem('get() takes exactly one argument', 'get')
      const arg = c.arguments[0]
      if (arg.type === 'Literal' && !/^database\.[^.]+\..+$/.test(String((arg as jsep.Literal).value))) {
        throw new ExpressionProblem(`get() path must look like 'database.<collection>.<id>', got ${(arg as jsep.Literal).raw}`, 'get')
      }
      validate(arg, state, getDepth + 1)
      return
    }
    case 'ConditionalExpression':
      throw new ExpressionProblem('the conditional operator "? :" is not allowed; use && and ||', '?')
    case 'Compound':
      throw new ExpressionProblem('one expression only (found several)', null)
    case 'SequenceExpression':
      throw new ExpressionProblem('"," sequences are not allowed', ',')
    case 'ThisExpression':
      throw new ExpressionProblem('"this" is not allowed', 'this')
    default:
      throw new ExpressionProblem(`unsupported syntax ${node.type}`, null)
  }
}

/** Parse and check one expression; throws RulesError naming the file, key and column. */
export function compileExpression(file: string, key: string, source: string): jsep.Expression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new RulesError(file, key, null, `expression is ${source.length} chars, the limit is ${MAX_EXPRESSION_LENGTH}`)
  }
  if (source.trim() === '') throw new RulesError(file, key, null, 'expression is empty (use true or false)')
  let ast: jsep.Expression
  try {
    ast = parseWithRulesGrammar(source)
  } catch (e) {
    const err = e as Error & { index?: number; description?: string }
    const column = typeof err.index === 'number' ? err.index + 1 : null
    throw new RulesError(file, key, column, err.description ?? err.message)
  }
  try {
    validate(ast, { gets: 0 }, 0)
  } catch (e) {
    if (!(e instanceof ExpressionProblem)) throw e
    throw new RulesError(file, key, e.needle === null ? null : columnOf(source, e.needle), e.message)
  }
  return ast
}

function compileValue(file: string, key: string, value: unknown): CompiledRule {
  if (typeof value === 'boolean') return { source: value, key }
  if (typeof value === 'string') return { source: value, key, ast: compileExpression(file, key, value) }
  throw new RulesError(file, key, null, `must be true, false or an expression string, got ${JSON.stringify(value)}`)
}

/** Build a collection's rules from the parsed JSON of its rules file. */
export function compileRules(collection: string, file: string, json: unknown): CollectionRules {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new RulesError(file, '(file)', null, 'must be a JSON object like {"read": true, "write": false}')
  }
  const obj = json as Record<string, unknown>
  for (const k of Object.keys(obj)) {
    if (!(RULE_KEYS as readonly string[]).includes(k)) {
      throw new RulesError(file, k, null, `unknown key (allowed: ${RULE_KEYS.join(', ')})`)
    }
  }
  const deny = (key: string): CompiledRule => ({ source: false, key })
  const pick = (key: string): CompiledRule | undefined => (key in obj ? compileValue(file, key, obj[key]) : undefined)
  const write = pick('write') ?? deny('write')
  return {
    collection,
    file,
    read: pick('read') ?? deny('read'),
    create: pick('create') ?? write,
    update: pick('update') ?? write,
    delete: pick('delete') ?? write,
  }
}

/** Parse one rules file's text (JSON errors are reported with the file name). */
export function parseRulesFile(collection: string, file: string, text: string): CollectionRules {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new RulesError(file, '(file)', null, `invalid JSON: ${(e as Error).message}`)
  }
  return compileRules(collection, file, json)
}

/** The rules of every collection; a collection without a file denies everything (the CloudBase default). */
export class RuleSet {
  private readonly byCollection = new Map<string, CollectionRules>()

  constructor(rules: Iterable<CollectionRules> = []) {
    for (const r of rules) this.byCollection.set(r.collection, r)
  }

  /** From plain objects, e.g. `{rooms: {read: true, write: false}}` (tests, scripted scenarios). */
  static fromObject(map: Record<string, unknown>): RuleSet {
    return new RuleSet(Object.entries(map).map(([c, json]) => compileRules(c, `database/${c}.rules.json`, json)))
  }

  get(collection: string): CollectionRules {
    return (
      this.byCollection.get(collection) ?? {
        collection,
        file: `database/${collection}.rules.json`,
        read: { source: false, key: 'read (no rules file)' },
        create: { source: false, key: 'write (no rules file)' },
        update: { source: false, key: 'write (no rules file)' },
        delete: { source: false, key: 'write (no rules file)' },
      }
    )
  }

  collections(): string[] {
    return [...this.byCollection.keys()]
  }

  /** Replace all rules (hot reload); the caller loads first, so a broken file keeps the old rules in force. */
  replace(other: RuleSet): void {
    this.byCollection.clear()
    for (const c of other.collections()) this.byCollection.set(c, other.get(c))
  }
}

/**
 * Load `<dir>/<collection>.rules.json` for every such file. Errors name the file relative to
 * `displayRoot` (default `database`), e.g. `database/rooms.rules.json: read: … at col 12`.
 */
export function loadRules(dir: string, displayRoot = 'database'): RuleSet {
  if (!existsSync(dir)) return new RuleSet()
  const rules: CollectionRules[] = []
  for (const name of readdirSync(dir).sort()) {
    const m = /^(.+)\.rules\.json$/.exec(name)
    if (!m) continue
    rules.push(parseRulesFile(m[1], `${displayRoot}/${name}`, readFileSync(join(dir, name), 'utf8')))
  }
  return new RuleSet(rules)
}

/**
 * Reload `set` in place from `dir`. A broken file keeps the previous rules in force and is returned,
 * so a typo while editing never opens a collection up.
 */
export function reloadRules(set: RuleSet, dir: string, displayRoot = 'database'): RulesError | null {
  try {
    set.replace(loadRules(dir, displayRoot))
    return null
  } catch (e) {
    if (e instanceof RulesError) return e
    throw e
  }
}

/** Hot reload: watch `dir` and reload `set` after each burst of changes. Returns `stop`. */
export function watchRules(
  set: RuleSet,
  dir: string,
  onReload: (error: RulesError | null) => void,
  displayRoot = 'database',
): () => void {
  let timer: NodeJS.Timeout | null = null
  const watcher = watch(dir, () => {
    if (timer) clearTimeout(timer)
    // editors write a file in several steps; reload once they are done
    timer = setTimeout(() => {
      timer = null
      onReload(reloadRules(set, dir, displayRoot))
    }, 50)
    timer.unref()
  })
  watcher.unref()
  return () => {
    if (timer) clearTimeout(timer)
    watcher.close()
  }
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation (three-valued: true, false, UNKNOWN)

export const UNKNOWN: unique symbol = Symbol('unknown')
type Unknown = typeof UNKNOWN

/** What `doc` / `request.data` is bound to: known values by dotted path. */
export interface Pins {
  /** Known values by dotted path (`'a.b'`). */
  values: Map<string, unknown>
  /**
   * closed: a path not pinned is absent (`undefined`), as in a concrete document or an update's data;
   * open: it is UNKNOWN, as for a query condition that does not constrain it.
   */
  closed: boolean
}

/** A lazily resolved path into `doc` or `request.data`. */
class PathRef {
  constructor(
    readonly root: 'doc' | 'request.data',
    readonly pins: Pins,
    readonly path: string[],
  ) {}

  child(key: string): PathRef {
    return new PathRef(this.root, this.pins, [...this.path, key])
  }

  label(): string {
    return [this.root, ...this.path].join('.')
  }

  resolve(): unknown | Unknown {
    const { values, closed } = this.pins
    if (this.path.length === 0) return closed ? unflatten(values) : UNKNOWN
    const full = this.path.join('.')
    if (values.has(full)) return values.get(full)
    for (let i = this.path.length - 1; i > 0; i--) {
      const ancestor = this.path.slice(0, i).join('.')
      if (values.has(ancestor)) {
        const base = values.get(ancestor)
        if (base === UNKNOWN) return UNKNOWN
        return readPath(base, this.path.slice(i))
      }
    }
    if (!closed) return UNKNOWN
    for (const [k, v] of values) {
      if (k.startsWith(full + '.')) return v === UNKNOWN ? UNKNOWN : readPath(unflatten(values), this.path)
    }
    return undefined
  }
}

function readPath(base: unknown, path: string[]): unknown {
  let cur: unknown = base
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

function unflatten(values: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of values) {
    const parts = k.split('.')
    let cur = out
    for (const p of parts.slice(0, -1)) {
      if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {}
      cur = cur[p] as Record<string, unknown>
    }
    cur[parts[parts.length - 1]] = v
  }
  return out
}

/** Pins of a concrete document (create, `set`): every field known, absent fields are absent. */
export function documentPins(doc: Record<string, unknown>): Pins {
  return { values: new Map(Object.entries(doc)), closed: true }
}

export interface Viewer {
  openid: string | null
  loginType?: string
}

export interface RuleInput {
  viewer: Viewer
  /** Bound to `doc`: a query scenario (open) or a concrete document (closed). */
  doc: Pins
  /** Bound to `request.data` (create: the new document; update: the fields it writes). */
  requestData?: Pins
  nowMs: number
  /** Reads another document for `get('database.<coll>.<id>')`; null when it does not exist. */
  getDocument?: (collection: string, id: string) => Record<string, unknown> | null
}

export interface RuleDecision {
  allowed: boolean
  reason: string
}

type Value = unknown | Unknown | PathRef

class EvalContext {
  readonly unknownPaths = new Set<string>()
  readonly fetched = new Map<string, Record<string, unknown> | null>()
  constructor(readonly input: RuleInput) {}
}

class RuleRuntimeError extends Error {}

function settle(v: Value, ctx: EvalContext): unknown | Unknown {
  if (v instanceof PathRef) {
    const r = v.resolve()
    if (r === UNKNOWN) ctx.unknownPaths.add(v.label())
    return r
  }
  return v
}

function toComparable(v: unknown): unknown {
  return v instanceof Date ? v.getTime() : v
}

function deepEqual(a: unknown, b: unknown): boolean {
  a = toComparable(a)
  b = toComparable(b)
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const x = toComparable(a)
  const y = toComparable(b)
  const bothNumbers = typeof x === 'number' && typeof y === 'number'
  const bothStrings = typeof x === 'string' && typeof y === 'string'
  if (!bothNumbers && !bothStrings) return false // mixed or null types never order, as in the service
  const xs = x as number | string
  const ys = y as number | string
  switch (op) {
    case '<':
      return xs < ys
    case '>':
      return xs > ys
    case '<=':
      return xs <= ys
    default:
      return xs >= ys
  }
}

function evalNode(node: jsep.Expression, ctx: EvalContext): Value {
  switch (node.type) {
    case 'Literal':
      return (node as jsep.Literal).value
    case 'ArrayExpression':
      return (node as jsep.ArrayExpression).elements.map((el) => settle(evalNode(el as jsep.Expression, ctx), ctx))
    case 'Identifier': {
      const name = (node as jsep.Identifier).name
      const { input } = ctx
      if (name === 'auth') {
        return {
          openid: input.viewer.openid,
          loginType: input.viewer.loginType ?? (input.viewer.openid ? 'WECHAT-OPEN' : 'ANONYMOUS'),
        }
      }
      if (name === 'now') return input.nowMs
      if (name === 'doc') return new PathRef('doc', input.doc, [])
      if (name === 'request') return { data: input.requestData ? new PathRef('request.data', input.requestData, []) : undefined }
      throw new RuleRuntimeError(`unknown variable ${name}`)
    }
    case 'MemberExpression': {
      const m = node as jsep.MemberExpression
      const obj = evalNode(m.object, ctx)
      let key: unknown
      if (m.computed) {
        key = settle(evalNode(m.property, ctx), ctx)
        if (key === UNKNOWN) return UNKNOWN
      } else {
        key = (m.property as jsep.Identifier).name
      }
      if (typeof key !== 'string' && typeof key !== 'number') return undefined
      if (obj instanceof PathRef) return obj.child(String(key))
      if (obj === UNKNOWN) return UNKNOWN
      // `request` is a plain holder whose `data` may be a PathRef
      if (obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, String(key))) {
        return (obj as Record<string, Value>)[String(key)]
      }
      return undefined
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression
      const v = settle(evalNode(u.argument, ctx), ctx)
      if (u.operator === '-') return -(v as number)
      if (v === UNKNOWN) return UNKNOWN
      return !truthy(v)
    }
    case 'BinaryExpression':
      return evalBinary(node as jsep.BinaryExpression, ctx)
    case 'CallExpression':
      return evalGet(node as jsep.CallExpression, ctx)
    default:
      throw new RuleRuntimeError(`unsupported syntax ${node.type}`)
  }
}

function truthy(v: unknown): boolean {
  return v === true
}

/** Three-valued result of a sub-expression used as a condition. */
function logical(v: unknown | Unknown): boolean | Unknown {
  if (v === UNKNOWN) return UNKNOWN
  return truthy(v)
}

function evalBinary(b: jsep.BinaryExpression, ctx: EvalContext): Value {
  const op = b.operator
  if (op === '&&' || op === '||') {
    const left = logical(settle(evalNode(b.left, ctx), ctx))
    // short-circuit only on a decisive known value: unknown && false is false, unknown || true is true
    if (op === '&&' && left === false) return false
    if (op === '||' && left === true) return true
    const right = logical(settle(evalNode(b.right, ctx), ctx))
    if (op === '&&') return right === false ? false : left === UNKNOWN || right === UNKNOWN ? UNKNOWN : true
    return right === true ? true : left === UNKNOWN || right === UNKNOWN ? UNKNOWN : false
  }
  const left = settle(evalNode(b.left, ctx), ctx)
  const right = settle(evalNode(b.right, ctx), ctx)
  if (op === 'in') {
    if (right === UNKNOWN) return UNKNOWN
    if (!Array.isArray(right)) return false
    if (left !== UNKNOWN && right.some((el) => el !== UNKNOWN && deepEqual(el, left))) return true
    if (left === UNKNOWN || right.some((el) => el === UNKNOWN)) return UNKNOWN
    return false
  }
  if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN
  switch (op) {
    case '==':
      return deepEqual(left, right)
    case '!=':
      return !deepEqual(left, right)
    case '+':
      if (typeof left === 'string' || typeof right === 'string') return String(left) + String(right)
      if (typeof left === 'number' && typeof right === 'number') return left + right
      throw new RuleRuntimeError('"+" needs strings or numbers')
    default:
      return compare(op, left, right)
  }
}

const MAX_DISTINCT_GETS = 10

function evalGet(c: jsep.CallExpression, ctx: EvalContext): Value {
  const path = settle(evalNode(c.arguments[0], ctx), ctx)
  if (path === UNKNOWN) return UNKNOWN
  const m = typeof path === 'string' ? /^database\.([^.]+)\.(.+)$/.exec(path) : null
  if (!m) throw new RuleRuntimeError(`get() path must be 'database.<collection>.<id>', got ${JSON.stringify(path)}`)
  const key = m[0]
  if (!ctx.fetched.has(key)) {
    if (ctx.fetched.size >= MAX_DISTINCT_GETS) throw new RuleRuntimeError(`get() may read at most ${MAX_DISTINCT_GETS} documents`)
    const reader = ctx.input.getDocument
    ctx.fetched.set(key, reader ? reader(m[1], m[2]) : null)
  }
  return ctx.fetched.get(key) ?? null
}

/** Evaluate one compiled rule against one binding of `doc`. */
export function evaluateRule(rule: CompiledRule, input: RuleInput): RuleDecision {
  const label = `${rule.key} rule ${JSON.stringify(rule.source)}`
  if (typeof rule.source === 'boolean') {
    return { allowed: rule.source, reason: `${label} is ${rule.source ? 'always true' : 'always false'}` }
  }
  const ctx = new EvalContext(input)
  let result: unknown
  try {
    result = settle(evalNode(rule.ast as jsep.Expression, ctx), ctx)
  } catch (e) {
    if (!(e instanceof RuleRuntimeError)) throw e
    return { allowed: false, reason: `${label} failed: ${e.message}` }
  }
  if (result === UNKNOWN) {
    const fields = [...ctx.unknownPaths]
    const which = fields.length ? ` (${fields.join(', ')} not fixed by the query; add it to where())` : ''
    return { allowed: false, reason: `${label} cannot be proven for every document the query may match${which}` }
  }
  if (result === true) return { allowed: true, reason: `${label} holds` }
  return { allowed: false, reason: `${label} is false` }
}

// ---------------------------------------------------------------------------------------------------------
// Query conditions → the scenarios `doc` may take

const MAX_SCENARIOS = 256

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp)
    && Object.getPrototypeOf(v) === Object.prototype
}

type Scenario = Map<string, unknown>

function cross(a: Scenario[], b: Scenario[]): Scenario[] {
  const out: Scenario[] = []
  for (const x of a) {
    for (const y of b) {
      const merged = new Map(x)
      let consistent = true
      for (const [k, v] of y) {
        if (merged.has(k) && !deepEqual(merged.get(k), v)) consistent = false
        merged.set(k, v)
      }
      // two different equalities on one field match nothing; that branch cannot leak documents
      if (consistent) out.push(merged)
      if (out.length > MAX_SCENARIOS) throw new RangeError(`query has more than ${MAX_SCENARIOS} combinations of pinned values`)
    }
  }
  return out
}

/** Values a field condition pins: one for equality, several for `$in`, none (open) otherwise. */
function pinnedValues(cond: unknown): unknown[] | null {
  if (!isPlainObject(cond)) return cond instanceof RegExp ? null : [cond]
  const keys = Object.keys(cond)
  if (keys.length === 0 || !keys.some((k) => k.startsWith('$'))) return [cond] // exact embedded-document match
  if ('$eq' in cond) return [cond.$eq]
  if ('$in' in cond && Array.isArray(cond.$in)) return cond.$in
  return null
}

/**
 * Expand a decoded query into the scenarios the rule must hold in: each `$in` value and each `$or` branch is
 * a separate scenario, `$and` merges. Scenario maps pin dotted paths to values.
 */
export function queryScenarios(query: Record<string, unknown>): Scenario[] {
  let scenarios: Scenario[] = [new Map()]
  for (const [key, cond] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) scenarios = cross(scenarios, queryScenarios(sub))
    } else if (key === '$or' && Array.isArray(cond)) {
      const branches = cond.filter(isPlainObject).flatMap((sub) => queryScenarios(sub))
      if (branches.length) scenarios = cross(scenarios, branches)
    } else if (!key.startsWith('$')) {
      const values = pinnedValues(cond)
      if (values && values.length) scenarios = cross(scenarios, values.map((v) => new Map([[key, v]])))
    }
  }
  return scenarios
}

export interface CheckRequest {
  viewer: Viewer
  nowMs: number
  getDocument?: RuleInput['getDocument']
}

/** Check a read/update/delete by query: the rule must hold in every scenario the query condition allows. */
export function checkQuery(
  rules: CollectionRules,
  op: 'read' | 'update' | 'delete',
  query: Record<string, unknown>,
  req: CheckRequest & { requestData?: Pins },
): RuleDecision {
  const rule = rules[op]
  if (typeof rule.source === 'boolean') return evaluateRule(rule, { ...req, doc: { values: new Map(), closed: false } })
  let scenarios: Scenario[]
  try {
    scenarios = queryScenarios(query)
  } catch (e) {
    return { allowed: false, reason: `${(e as Error).message}; simplify the query` }
  }
  // a condition that can match nothing still runs; evaluate with nothing pinned rather than allow vacuously
  if (scenarios.length === 0) scenarios = [new Map()]
  let last: RuleDecision = { allowed: true, reason: '' }
  for (let i = 0; i < scenarios.length; i++) {
    last = evaluateRule(rule, { ...req, doc: { values: scenarios[i], closed: false } })
    if (!last.allowed) {
      const where = scenarios.length > 1 ? ` (in query case ${i + 1} of ${scenarios.length}: ${describeScenario(scenarios[i])})` : ''
      return { allowed: false, reason: last.reason + where }
    }
  }
  return last
}

function describeScenario(s: Scenario): string {
  if (s.size === 0) return 'nothing pinned'
  return [...s].map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')
}

/** Check a create: `doc` and `request.data` are the new document. */
export function checkCreate(rules: CollectionRules, newDoc: Record<string, unknown>, req: CheckRequest): RuleDecision {
  const pins = documentPins(newDoc)
  return evaluateRule(rules.create, { ...req, doc: pins, requestData: pins })
}

/**
 * What `request.data` is for an update: `$set` paths and plain fields are known; fields touched by other
 * operators ($inc, $push, …) are unknown, since their result depends on the stored document.
 */
export function updatePins(update: Record<string, unknown>): Pins {
  const values = new Map<string, unknown>()
  for (const [key, v] of Object.entries(update)) {
    if (!key.startsWith('$')) {
      values.set(key, v)
    } else if (key === '$set' && isPlainObject(v)) {
      for (const [path, val] of Object.entries(v)) values.set(path, val)
    } else if (isPlainObject(v)) {
      for (const path of Object.keys(v)) values.set(path, UNKNOWN)
    }
  }
  return { values, closed: true }
}
