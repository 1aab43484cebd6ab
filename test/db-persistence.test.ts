import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-db-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('memory engine persistence', () => {
  it('writes on flush and a new engine on the same folder reads it back with Dates intact', async () => {
    const dataDir = tempDir()
    const first = createMemoryEngine({ clock: createClock(), dataDir })
    first.createCollection('rooms')
    first.createCollection('empty')
    first.insert('rooms', [{ _id: 'r1', startAt: new Date(1_700_000_000_123), price: 2.5, count: 3, tags: ['x'] }])
    await first.flush()

    const files = readdirSync(dataDir).sort()
    expect(files).toEqual(['empty.json', 'rooms.json'])
    expect(readFileSync(join(dataDir, 'rooms.json'), 'utf8')).toContain('"$date"')

    const second = createMemoryEngine({ clock: createClock(), dataDir })
    expect(second.listCollections()).toEqual(['empty', 'rooms'])
    const [doc] = second.find('rooms', {})
    expect(doc.startAt).toBeInstanceOf(Date)
    expect((doc.startAt as Date).getTime()).toBe(1_700_000_000_123)
    expect(doc).toEqual({ _id: 'r1', startAt: new Date(1_700_000_000_123), price: 2.5, count: 3, tags: ['x'] })
  })

  it('persists removals and dropped collections, and leaves no temp files', async () => {
    const dataDir = tempDir()
    const db = createMemoryEngine({ clock: createClock(), dataDir })
    db.createCollection('a')
    db.insert('a', [{ _id: '1' }, { _id: '2' }])
    await db.flush()
    db.remove('a', { _id: '1' }, { multi: false })
    await db.flush()
    expect(createMemoryEngine({ clock: createClock(), dataDir }).find('a', {}).map((d) => d._id)).toEqual(['2'])
    db.reset()
    await db.flush()
    expect(readdirSync(dataDir)).toEqual([])
  })

  it('saves by itself after a write (debounced)', async () => {
    const dataDir = tempDir()
    const db = createMemoryEngine({ clock: createClock(), dataDir, persistDelayMs: 1 })
    db.createCollection('auto')
    db.insert('auto', [{ _id: 'x' }])
    // wait for the file rather than for a fixed time: machines are noisy
    for (let i = 0; i < 500 && !readdirSync(dataDir).includes('auto.json'); i++) await new Promise((r) => setTimeout(r, 10))
    await db.flush()
    expect(createMemoryEngine({ clock: createClock(), dataDir }).find('auto', {})).toEqual([{ _id: 'x' }])
  })

  it('refuses to start on a corrupt collection file, naming it', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'bad.json'), '{not json')
    expect(() => createMemoryEngine({ clock: createClock(), dataDir })).toThrow(/bad\.json/)
  })

  it('keeps memory-only engines off the disk', async () => {
    const db = createMemoryEngine({ clock: createClock() })
    db.createCollection('m')
    await expect(db.flush()).resolves.toBeUndefined()
  })
})
