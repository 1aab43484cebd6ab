/** db:apply: the dry run reads every file in database/ and prints one line per action; the real run needs credentials. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { applyActions, credentialsFrom, main, planActions, type ManagerPort } from '../scripts/db-apply'
import { readDatabaseDir } from '../tools/database-config'

const DATABASE = join(__dirname, '..', 'database')

function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  return main(argv, env, (l) => lines.push(l)).then((code) => ({ code, lines }))
}

describe('db:apply --dry-run', () => {
  it('prints one line per action for every collection, index and rules file in database/', async () => {
    const { code, lines } = await run(['--dry-run'], {})
    expect(code).toBe(0)
    const specs = readDatabaseDir(DATABASE)
    const ruleFiles = readdirSync(DATABASE).filter((f) => f.endsWith('.rules.json'))
    const indexCount = specs.reduce((n, s) => n + s.indexes.length, 0)
    expect(lines).toHaveLength(specs.length * 2 + indexCount + 1)
    expect(lines.filter((l) => l.startsWith('create-collection '))).toHaveLength(specs.length)
    expect(lines.filter((l) => l.startsWith('set-rules ')).map((l) => l.split(' ')[3].replace(':', '')).sort()).toEqual(ruleFiles.sort())
    expect(lines).toContain('create-index live_rooms.section_sortKey (section asc, sortKey asc) (if missing)')
    expect(lines).toContain(`set-rules live_sync_status from live_sync_status.rules.json: {"read":"doc._id == 'public'","write":false}`)
    expect(lines[lines.length - 1]).toBe(`dry run: ${lines.length - 1} actions, nothing sent`)
  })

  it('names the file and field of a bad database/ folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'))
    try {
      writeFileSync(join(dir, 'collections.json'), JSON.stringify({ collections: [{ name: 'a', indexes: [{ name: 'x', keys: [{ field: 'f', direction: 2 }] }] }] }))
      writeFileSync(join(dir, 'a.rules.json'), '{"read":true}')
      expect(() => readDatabaseDir(dir)).toThrow(/collections\[a\]\.indexes\[0\]\.keys\[0\]\.direction: must be 1 or -1/)
      writeFileSync(join(dir, 'collections.json'), JSON.stringify({ collections: [{ name: 'a' }] }))
      writeFileSync(join(dir, 'b.rules.json'), '{"read":true}')
      expect(() => readDatabaseDir(dir)).toThrow(/b\.rules\.json: no collection of that name/)
      rmSync(join(dir, 'b.rules.json'))
      writeFileSync(join(dir, 'a.rules.json'), '{"raed":true}')
      expect(() => readDatabaseDir(dir)).toThrow(/a\.rules\.json: raed: unknown rule key/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('db:apply real run', () => {
  it('fails clearly without credentials, naming each missing variable', async () => {
    await expect(run([], { TCB_ENV_ID: 'env-1' })).rejects.toThrow('missing environment variable(s) TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY')
    expect(credentialsFrom({ TCB_ENV_ID: 'e', TENCENTCLOUD_SECRETID: 'i', TENCENTCLOUD_SECRETKEY: 'k' })).toEqual({ envId: 'e', secretId: 'i', secretKey: 'k' })
  })

  it('creates collections, only missing indexes, and sets every rule through the manager port', async () => {
    const port: ManagerPort = {
      createCollectionIfNotExists: vi.fn(async () => ({})),
      indexExists: vi.fn(async (_c: string, index: string) => index === 'roomId'),
      createIndex: vi.fn(async () => ({})),
      setRules: vi.fn(async () => ({})),
    }
    const lines: string[] = []
    const specs = readDatabaseDir(DATABASE)
    await applyActions(planActions(specs), port, (l) => lines.push(l))
    expect(port.createCollectionIfNotExists).toHaveBeenCalledTimes(specs.length)
    expect(port.setRules).toHaveBeenCalledTimes(specs.length)
    expect(port.setRules).toHaveBeenCalledWith('live_rooms', { read: true, write: false })
    const created = vi.mocked(port.createIndex).mock.calls.map((c) => `${c[0]}.${c[1].name}`)
    const declared = specs.flatMap((s) => s.indexes.map((i) => `${s.name}.${i.name}`))
    const existing = declared.filter((key) => key.endsWith('.roomId'))
    expect(existing.length).toBeGreaterThan(0)
    expect(created).toEqual(declared.filter((key) => !existing.includes(key)))
    expect(created).toContain('live_rooms.section_sortKey')
    expect(lines.filter((l) => l.startsWith('skip '))).toHaveLength(existing.length)
  })
})
