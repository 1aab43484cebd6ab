/**
 * database/ read as data: collections.json (names, indexes) plus one <collection>.rules.json per collection,
 * validated so a mistake names the file and the field. `npm run db:apply` sends it to CloudBase; the emulator
 * creates the same collections (its rule engine, emulator/client/rules.ts, compiles the same rules files).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export interface IndexSpec {
  name: string
  unique: boolean
  keys: Array<{ field: string; direction: 1 | -1 }>
}

export interface CollectionSpec {
  name: string
  indexes: IndexSpec[]
  /** The rules file's JSON, sent as is. */
  rules: Record<string, unknown>
  rulesFile: string
}

const RULE_KEYS = new Set(['read', 'write', 'create', 'update', 'delete'])

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`)
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    return fail(file, `not valid JSON (${(err as Error).message})`)
  }
}

function parseIndex(file: string, collection: string, raw: unknown, i: number): IndexSpec {
  const where = `collections[${collection}].indexes[${i}]`
  if (typeof raw !== 'object' || raw === null) fail(file, `${where}: must be an object`)
  const r = raw as Record<string, unknown>
  if (typeof r.name !== 'string' || r.name === '') fail(file, `${where}.name: must be a non-empty string`)
  if (!Array.isArray(r.keys) || r.keys.length === 0) fail(file, `${where}.keys: must be a non-empty array`)
  const keys = r.keys.map((k: unknown, j: number) => {
    const key = k as Record<string, unknown>
    if (typeof key?.field !== 'string' || key.field === '') fail(file, `${where}.keys[${j}].field: must be a non-empty string`)
    if (key.direction !== 1 && key.direction !== -1) fail(file, `${where}.keys[${j}].direction: must be 1 or -1`)
    return { field: key.field, direction: key.direction as 1 | -1 }
  })
  if (r.unique !== undefined && typeof r.unique !== 'boolean') fail(file, `${where}.unique: must be a boolean`)
  return { name: r.name, unique: r.unique === true, keys }
}

/** Reads database/: collections.json plus one <collection>.rules.json per collection (every file must be used). */
export function readDatabaseDir(dir: string): CollectionSpec[] {
  const listFile = join(dir, 'collections.json')
  const list = readJson(listFile) as { collections?: unknown }
  if (!Array.isArray(list.collections)) fail(listFile, 'collections: must be an array')
  const ruleFiles = new Set(readdirSync(dir).filter((f) => f.endsWith('.rules.json')))
  const specs = list.collections.map((raw: unknown, i: number) => {
    const c = raw as Record<string, unknown>
    if (typeof c?.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(c.name)) fail(listFile, `collections[${i}].name: must match [A-Za-z0-9_-]{1,64}`)
    const name = c.name
    const indexes = Array.isArray(c.indexes) ? c.indexes.map((x, j) => parseIndex(listFile, name, x, j)) : []
    const rulesName = `${name}.rules.json`
    if (!ruleFiles.has(rulesName)) fail(join(dir, rulesName), 'missing: every collection needs its security rules file')
    ruleFiles.delete(rulesName)
    const rulesFile = join(dir, rulesName)
    const rules = readJson(rulesFile)
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) fail(rulesFile, 'must be a JSON object')
    for (const key of Object.keys(rules)) if (!RULE_KEYS.has(key)) fail(rulesFile, `${key}: unknown rule key (read, write, create, update, delete)`)
    return { name, indexes, rules: rules as Record<string, unknown>, rulesFile: rulesName }
  })
  const orphan = [...ruleFiles][0]
  if (orphan) fail(join(dir, orphan), 'no collection of that name in collections.json')
  return specs
}

