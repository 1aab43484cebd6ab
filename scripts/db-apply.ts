/**
 * Applies database/ (collections, indexes, security rules) to a real CloudBase env with @cloudbase/manager-node.
 *   npm run db:apply -- --dry-run   prints the plan, one line per action, offline
 *   npm run db:apply                needs TCB_ENV_ID, TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY
 * Idempotent: collections are created if missing, an index is created only when the env lacks it.
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

export type Action =
  | { kind: 'create-collection'; collection: string }
  | { kind: 'create-index'; collection: string; index: IndexSpec }
  | { kind: 'set-rules'; collection: string; rules: Record<string, unknown>; file: string }

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

/** Everything to do, in order: per collection create, its indexes, then its rules. */
export function planActions(specs: CollectionSpec[]): Action[] {
  const actions: Action[] = []
  for (const spec of specs) {
    actions.push({ kind: 'create-collection', collection: spec.name })
    for (const index of spec.indexes) actions.push({ kind: 'create-index', collection: spec.name, index })
    actions.push({ kind: 'set-rules', collection: spec.name, rules: spec.rules, file: spec.rulesFile })
  }
  return actions
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'create-collection':
      return `create-collection ${a.collection} (if missing)`
    case 'create-index': {
      const keys = a.index.keys.map((k) => `${k.field} ${k.direction === 1 ? 'asc' : 'desc'}`).join(', ')
      return `create-index ${a.collection}.${a.index.name} (${keys})${a.index.unique ? ' unique' : ''} (if missing)`
    }
    case 'set-rules':
      return `set-rules ${a.collection} from ${a.file}: ${JSON.stringify(a.rules)}`
  }
}

/** The parts of @cloudbase/manager-node the real run uses, so the run is testable without the network. */
export interface ManagerPort {
  createCollectionIfNotExists(name: string): Promise<unknown>
  indexExists(collection: string, index: string): Promise<boolean>
  createIndex(collection: string, index: IndexSpec): Promise<unknown>
  setRules(collection: string, rules: Record<string, unknown>): Promise<unknown>
}

export async function applyActions(actions: Action[], port: ManagerPort, log: (line: string) => void): Promise<void> {
  for (const a of actions) {
    if (a.kind === 'create-collection') await port.createCollectionIfNotExists(a.collection)
    else if (a.kind === 'create-index') {
      if (await port.indexExists(a.collection, a.index.name)) {
        log(`skip ${describeAction(a)}: exists`)
        continue
      }
      await port.createIndex(a.collection, a.index)
    } else await port.setRules(a.collection, a.rules)
    log(`done ${describeAction(a)}`)
  }
}

export interface Credentials {
  envId: string
  secretId: string
  secretKey: string
}

/** Credentials from the environment, or an error naming every missing variable. */
export function credentialsFrom(env: NodeJS.ProcessEnv): Credentials {
  const missing = ['TCB_ENV_ID', 'TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'].filter((k) => !env[k])
  if (missing.length > 0) {
    throw new Error(`db:apply: missing environment variable(s) ${missing.join(', ')}; set them, or run with --dry-run to print the plan offline`)
  }
  return { envId: env.TCB_ENV_ID as string, secretId: env.TENCENTCLOUD_SECRETID as string, secretKey: env.TENCENTCLOUD_SECRETKEY as string }
}

async function managerPort(creds: Credentials): Promise<ManagerPort> {
  const { default: CloudBase } = await import('@cloudbase/manager-node')
  const app = new CloudBase({ secretId: creds.secretId, secretKey: creds.secretKey, envId: creds.envId })
  return {
    createCollectionIfNotExists: (name) => app.database.createCollectionIfNotExists(name),
    indexExists: async (collection, index) => (await app.database.checkIndexExists(collection, index)).Exists === true,
    createIndex: (collection, index) =>
      app.database.updateCollection(collection, {
        CreateIndexes: [
          {
            IndexName: index.name,
            MgoKeySchema: {
              MgoIsUnique: index.unique,
              MgoIndexKeys: index.keys.map((k) => ({ Name: k.field, Direction: String(k.direction) })),
            },
          },
        ],
      }),
    setRules: (collection, rules) =>
      app.commonService().call({
        Action: 'ModifySafeRule',
        Param: { EnvId: creds.envId, CollectionName: collection, AclTag: 'CUSTOM', Rule: JSON.stringify(rules) },
      }),
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  const dryRun = argv.includes('--dry-run')
  const dirArg = argv.find((a) => a.startsWith('--dir='))
  const dir = dirArg ? dirArg.slice('--dir='.length) : join(__dirname, '..', 'database')
  const actions = planActions(readDatabaseDir(dir))
  if (dryRun) {
    for (const a of actions) log(describeAction(a))
    log(`dry run: ${actions.length} actions, nothing sent`)
    return 0
  }
  const creds = credentialsFrom(env)
  log(`applying ${actions.length} actions to env ${creds.envId}`)
  await applyActions(actions, await managerPort(creds), log)
  return 0
}

// Run only when invoked as a script (tsx scripts/db-apply.ts), not when a test imports it.
if (process.argv[1] !== undefined && /db-apply\.[cm]?[jt]s$/.test(process.argv[1])) {
  main(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err))
      process.exit(1)
    },
  )
}
