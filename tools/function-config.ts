/**
 * Function discovery: one `FunctionSpec` per `<root>/<name>/config.json`, merged with that function's
 * `cloudbaserc.json` entry (timeout, memory, envVariables) when one is given. Validation mirrors what DevTools
 * and the platform accept, so a config that would fail on upload fails here first, naming file and field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { z } from 'zod'
import { validateCron } from './cron'

export const FUNCTION_NAME_RULE = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/
export const DEFAULT_TIMEOUT_SEC = 3
export const DEFAULT_MEMORY_MB = 256

export interface TimerTrigger {
  name: string
  type: 'timer'
  /** 7-field cron `sec min hour dom month dow year`, evaluated in UTC+8. */
  config: string
}

export interface FunctionSpec {
  name: string
  /** Folder holding config.json (and, once built, index.js). */
  dir: string
  permissions: { openapi: string[] }
  trigger?: TimerTrigger
  timeoutSec: number
  memoryMb: number
  envVariables: Record<string, string>
  /** Why `envVariables` cannot be used as written (a `{{env.NAME}}` with no value): every run fails saying so. */
  envProblem?: string
}

const nameSchema = z.string().regex(FUNCTION_NAME_RULE, 'must start with a letter and have at most 60 of [A-Za-z0-9_-]')

const triggerSchema = z.strictObject({
  name: nameSchema,
  type: z.literal('timer', { error: 'only "timer" triggers exist on CloudBase' }),
  config: z.string().superRefine((cron, ctx) => {
    const problem = validateCron(cron)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  }),
})

const configSchema = z.object({
  permissions: z
    .object({
      openapi: z
        .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9_]*$/, 'must look like "ns.method", e.g. "liveBroadcast.getLiveInfo"'))
        .default([]),
    })
    .default({ openapi: [] }),
  triggers: z.array(triggerSchema).max(1, 'a function can have at most one trigger').default([]),
})

// CloudBase's rules for function environment variables:
// https://docs.cloudbase.net/cloud-function/function-configuration/env (names, reserved prefixes) and
// https://cloud.tencent.com/document/product/583/11637 (at most 4 KB per function).
export const ENV_VAR_NAME_RULE = /^[A-Za-z][A-Za-z0-9_]*$/
export const RESERVED_ENV_PREFIXES = ['SCF_', 'QCLOUD_', 'TENCENTCLOUD_'] as const
export const ENV_VARS_MAX_BYTES = 4096

/** Bytes the platform counts for a set of variables: each name and value, UTF-8. */
export function envVariablesBytes(vars: Record<string, string>): number {
  return Object.entries(vars).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0)
}

/** The first way `vars` breaks CloudBase's rules, naming the variable; null when it keeps them all. */
export function envVariablesProblem(vars: Record<string, unknown>): { variable: string; rule: string } | null {
  for (const [name, value] of Object.entries(vars)) {
    if (!ENV_VAR_NAME_RULE.test(name)) return { variable: name, rule: 'a name starts with a letter and has only letters, digits and _' }
    const reserved = RESERVED_ENV_PREFIXES.find((p) => name.toUpperCase().startsWith(p))
    if (reserved) return { variable: name, rule: `names starting with ${reserved} are reserved by the platform` }
    if (typeof value !== 'string') return { variable: name, rule: 'the value must be a string' }
  }
  const bytes = envVariablesBytes(vars as Record<string, string>)
  if (bytes > ENV_VARS_MAX_BYTES) {
    return { variable: '(all)', rule: `names and values together are ${bytes} bytes; at most ${ENV_VARS_MAX_BYTES} (UTF-8) per function` }
  }
  return null
}

export const envVariablesSchema = z.record(z.string(), z.unknown()).superRefine((vars, ctx) => {
  const problem = envVariablesProblem(vars)
  if (problem) ctx.addIssue({ code: 'custom', path: problem.variable === '(all)' ? [] : [problem.variable], message: problem.rule })
}) as unknown as z.ZodType<Record<string, string>>

const rcFunctionSchema = z.object({
  name: nameSchema,
  timeout: z.number().int().min(1).max(900).optional(),
  memorySize: z.number().int().min(64).max(3072).optional(),
  envVariables: envVariablesSchema.optional(),
})

const rcSchema = z.object({ functions: z.array(rcFunctionSchema).default([]) })

export class FunctionConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${file}: ${field ? field + ': ' : ''}${rule}`)
    this.name = 'FunctionConfigError'
  }
}

/** Path as a developer reads it: relative to the project when inside it, absolute otherwise. */
export function shownPath(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel && !rel.startsWith('..') ? rel : file
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
}

/** Strict JSON (what DevTools requires): no comments, no trailing commas. */
export function readStrictJson(file: string): unknown {
  const text = readFileSync(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new FunctionConfigError(shownPath(file), '', `not strict JSON (no comments or trailing commas): ${(err as Error).message}`)
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, file: string, prefix = ''): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const first = parsed.error.issues[0]
  const field = [prefix, issuePath(first.path)].filter(Boolean).join('.')
  throw new FunctionConfigError(file, field, first.message)
}

export interface LoadSpecsOptions {
  /** Path of cloudbaserc.json; its `functions[]` entries supply timeout, memorySize and envVariables. */
  cloudbaserc?: string
  /** Values for `{{env.NAME}}` that no dotenv file defines (the CLI's demo owner); a dotenv file always wins. */
  dotenvDefaults?: Readonly<Record<string, string>>
}

export type FunctionConfig = z.infer<typeof configSchema>

/** Parses and validates one config.json; a missing file means no permissions and no trigger. */
export function parseFunctionConfig(configFile: string): FunctionConfig {
  if (!existsSync(configFile)) return { permissions: { openapi: [] }, triggers: [] }
  return parseWith(configSchema, readStrictJson(configFile), shownPath(configFile))
}

/** A folder is a function when it holds config.json, index.ts or index.js. */
export function isFunctionFolder(dir: string): boolean {
  return statSync(dir).isDirectory() && ['config.json', 'index.ts', 'index.js'].some((f) => existsSync(join(dir, f)))
}

/** Reads every function folder under `root` in name order. */
export function loadFunctionSpecs(root: string, options: LoadSpecsOptions = {}): FunctionSpec[] {
  if (!existsSync(root)) throw new FunctionConfigError(root, '', 'functions root folder does not exist')
  const rc = options.cloudbaserc ? loadRcEntries(options.cloudbaserc) : new Map<string, z.infer<typeof rcFunctionSchema>>()
  const dotenv = options.cloudbaserc ? loadDotenv(dirname(options.cloudbaserc)) : { values: {}, files: [] }
  dotenv.values = { ...options.dotenvDefaults, ...dotenv.values }
  const specs: FunctionSpec[] = []
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name)
    if (name.startsWith('.') || name === 'node_modules' || !isFunctionFolder(dir)) continue
    if (!FUNCTION_NAME_RULE.test(name)) {
      throw new FunctionConfigError(dir, 'name', 'function folder name must start with a letter and have at most 60 of [A-Za-z0-9_-]')
    }
    const config = parseFunctionConfig(join(dir, 'config.json'))
    const entry = rc.get(name)
    specs.push({
      name,
      dir,
      permissions: { openapi: config.permissions.openapi },
      trigger: config.triggers[0],
      timeoutSec: entry?.timeout ?? DEFAULT_TIMEOUT_SEC,
      memoryMb: entry?.memorySize ?? DEFAULT_MEMORY_MB,
      ...resolveEnvVariables(name, entry?.envVariables ?? {}, dotenv),
    })
  }
  return specs
}

function loadRcEntries(file: string): Map<string, z.infer<typeof rcFunctionSchema>> {
  const rc = parseWith(rcSchema, readStrictJson(file), shownPath(file))
  return new Map(rc.functions.map((f) => [f.name, f]))
}

/** The files `@cloudbase/cli` reads `{{env.NAME}}` from, beside cloudbaserc.json; a later file wins. */
export const DOTENV_FILES = ['.env', '.env.local'] as const

interface Dotenv {
  values: Record<string, string>
  /** The files that exist, as shown to the developer. */
  files: string[]
}

/** `KEY=VALUE` lines, `#` comments, optional `export ` and surrounding quotes, as dotenv reads them. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (!m) continue
    let value = m[2]
    const quoted = /^(["'`])([\s\S]*)\1$/.exec(value)
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n') : quoted[2]
    else value = value.replace(/\s+#.*$/, '').trim()
    values[m[1]] = value
  }
  return values
}

/** The `{{env.NAME}}` values the dotenv files beside cloudbaserc.json (in `dir`) define, a later file winning. */
export function dotenvValues(dir: string): Record<string, string> {
  return loadDotenv(dir).values
}

function loadDotenv(dir: string): Dotenv {
  const dotenv: Dotenv = { values: {}, files: [] }
  for (const name of DOTENV_FILES) {
    const file = join(dir, name)
    if (!existsSync(file)) continue
    Object.assign(dotenv.values, parseDotenv(readFileSync(file, 'utf8')))
    dotenv.files.push(shownPath(file))
  }
  return dotenv
}

const PLACEHOLDER = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

/** Substitutes `{{env.NAME}}` in each value; a name with no value leaves `envProblem` set, never an empty string. */
function resolveEnvVariables(fn: string, vars: Record<string, string>, dotenv: Dotenv): { envVariables: Record<string, string>; envProblem?: string } {
  const resolved: Record<string, string> = {}
  for (const [key, value] of Object.entries(vars)) {
    let missing: string | undefined
    resolved[key] = value.replace(PLACEHOLDER, (_, name: string) => {
      const v = dotenv.values[name]
      if (v === undefined) missing ??= name
      return v ?? ''
    })
    if (missing) {
      const where = dotenv.files.length ? dotenv.files.join(' or ') : `${DOTENV_FILES[1]} (no such file beside cloudbaserc.json)`
      return {
        envVariables: {},
        envProblem: `function ${fn}: environment variable ${key} uses {{env.${missing}}}, but ${missing} is not set in ${where}; add ${missing}=… to ${DOTENV_FILES[1]} or set ${fn}'s variables with PUT /__sandbox/functions/${fn}/env`,
      }
    }
  }
  const problem = envVariablesProblem(resolved)
  if (problem) return { envVariables: {}, envProblem: `function ${fn}: environment variable ${problem.variable}: ${problem.rule}` }
  return { envVariables: resolved }
}
