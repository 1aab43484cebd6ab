/**
 * Applies database/ (collections, indexes, security rules) to a real CloudBase env with @cloudbase/manager-node.
 *   npm run db:apply -- --dry-run   prints the plan, one line per action, offline
 *   npm run db:apply                needs TCB_ENV_ID, TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY
 * Idempotent: collections are created if missing, an index is created only when the env lacks it.
 */
import { join } from 'node:path'
import { type CollectionSpec, type IndexSpec, readDatabaseDir } from '../tools/database-config'

export type Action =
  | { kind: 'create-collection'; collection: string }
  | { kind: 'create-index'; collection: string; index: IndexSpec }
  | { kind: 'set-rules'; collection: string; rules: Record<string, unknown>; file: string }

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
