/**
 * Function discovery: one `FunctionSpec` per `<root>/<name>/config.json`, merged with that function's
 * `cloudbaserc.json` entry (timeout, memory, envVariables) when one is given. Validation mirrors what DevTools
 * and the platform accept, so a config that would fail on upload fails here first, naming file and field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
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

const envVariablesSchema = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'env var names are letters, digits and _'), z.string())

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
      envVariables: entry?.envVariables ?? {},
    })
  }
  return specs
}

function loadRcEntries(file: string): Map<string, z.infer<typeof rcFunctionSchema>> {
  const rc = parseWith(rcSchema, readStrictJson(file), shownPath(file))
  return new Map(rc.functions.map((f) => [f.name, f]))
}
