import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { JOURNAL_FILE } from '../emulator/db/persistence'
import type { LoadProblem } from '../emulator/durable'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-db-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** An engine on `dataDir` that collects load problems instead of printing them. */
function open(dataDir: string, compactBytes?: number) {
  const problems: LoadProblem[] = []
  const db = createMemoryEngine({ clock: createClock(), dataDir, compactBytes, onLoadProblem: (p) => problems.push(p) })
  return { db, problems }
}

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

  it('has every write in the journal when the call returns, so an engine that never flushed loses nothing', () => {
    const dataDir = tempDir()
    const { db } = open(dataDir)
    db.createCollection('orders')
    db.insert('orders', [{ _id: 'o1', n: 1 }, { _id: 'o2', n: 2 }, { _id: 'o3', n: 3 }])
    db.update('orders', { n: { $gte: 2 } }, { $inc: { n: 10 } }, { multi: true, upsert: false, merge: true })
    db.update('orders', { _id: 'o1' }, { total: 5 }, { multi: false, upsert: false, merge: false })
    db.remove('orders', { _id: 'o3' }, { multi: false })
    db.findOneAndUpdate('orders', { _id: 'o2' }, { $set: { paid: true } })
    db.update('orders', { _id: 'o4' }, { $set: { n: 4 } }, { multi: false, upsert: true, merge: true })
    // no flush: this engine is abandoned as a killed process would be
    expect(existsSync(join(dataDir, JOURNAL_FILE))).toBe(true)
    expect(readdirSync(dataDir)).not.toContain('orders.json')

    const { db: reopened, problems } = open(dataDir)
    expect(problems).toEqual([])
    expect(reopened.find('orders', {})).toEqual(db.find('orders', {}))
    expect(reopened.find('orders', {}).map((d) => d._id)).toEqual(['o1', 'o2', 'o4'])
    // loading compacted the journal into the collection files
    expect(readdirSync(dataDir).sort()).toEqual(['orders.json'])
  })

  it('compacts by itself once the journal passes its size limit', () => {
    const dataDir = tempDir()
    const { db } = open(dataDir, 2000)
    db.createCollection('log')
    for (let i = 0; i < 50; i++) db.insert('log', [{ _id: `e${i}`, text: 'x'.repeat(100) }])
    expect(existsSync(join(dataDir, 'log.json'))).toBe(true)
    const journalSize = existsSync(join(dataDir, JOURNAL_FILE)) ? readFileSync(join(dataDir, JOURNAL_FILE)).length : 0
    expect(journalSize).toBeLessThan(2000 + 300)
    expect(open(dataDir).db.count('log', {})).toBe(50)
  })

  it('replaying a journal over files that already hold its writes gives the same state (crash between compaction and clearing)', async () => {
    const dataDir = tempDir()
    const { db } = open(dataDir)
    db.createCollection('c')
    db.insert('c', [{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }])
    db.update('c', { _id: 'a' }, { $set: { v: 2 } }, { multi: false, upsert: false, merge: true })
    db.remove('c', { _id: 'b' }, { multi: false })
    db.insert('c', [{ _id: 'b', v: 3 }])
    const saved = join(dataDir, 'saved-journal')
    copyFileSync(join(dataDir, JOURNAL_FILE), saved)
    await db.flush()
    copyFileSync(saved, join(dataDir, JOURNAL_FILE))
    rmSync(saved)
    const { db: reopened, problems } = open(dataDir)
    expect(problems).toEqual([])
    expect(reopened.find('c', {})).toEqual([{ _id: 'a', v: 2 }, { _id: 'b', v: 3 }])
  })
})

describe('a data directory that cannot be loaded in full', () => {
  it('drops a journal tail cut short by a kill, keeps its bytes aside, and loads every whole record', () => {
    const dataDir = tempDir()
    const { db } = open(dataDir)
    db.createCollection('c')
    db.insert('c', [{ _id: 'kept' }])
    appendFileSync(join(dataDir, JOURNAL_FILE), '0123456789abcdef {"c":"c","put":[{"_id":"torn"')
    const { db: reopened, problems } = open(dataDir)
    expect(reopened.find('c', {})).toEqual([{ _id: 'kept' }])
    expect(problems).toHaveLength(1)
    expect(problems[0].file).toBe(join(dataDir, JOURNAL_FILE))
    expect(problems[0].problem).toMatch(/last database record was cut short .*never acknowledged/)
    expect(readFileSync(problems[0].keptAt!, 'utf8')).toContain('"torn"')
  })

  it('skips a damaged journal line, naming it, and applies the records after it', () => {
    const dataDir = tempDir()
    const { db } = open(dataDir)
    db.createCollection('c')
    db.insert('c', [{ _id: 'one' }])
    db.insert('c', [{ _id: 'two' }])
    db.insert('c', [{ _id: 'three' }])
    const file = join(dataDir, JOURNAL_FILE)
    const lines = readFileSync(file, 'utf8').split('\n')
    lines[2] = lines[2].replace('two', 'TWO') // content no longer matches its check
    writeFileSync(file, lines.join('\n'))
    const { db: reopened, problems } = open(dataDir)
    expect(reopened.find('c', {}).map((d) => d._id)).toEqual(['one', 'three'])
    expect(problems).toHaveLength(1)
    expect(problems[0].problem).toMatch(/1 damaged database record\(s\) skipped \(line 3\)/)
    expect(readFileSync(problems[0].keptAt!, 'utf8')).toContain('TWO')
  })

  it('moves a collection file that is not EJSON aside and starts without it', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'bad.json'), '{not json')
    writeFileSync(join(dataDir, 'good.json'), JSON.stringify({ collection: 'good', documents: [{ _id: 'g' }] }))
    const { db, problems } = open(dataDir)
    expect(db.listCollections()).toEqual(['good'])
    expect(problems).toHaveLength(1)
    expect(problems[0].file).toBe(join(dataDir, 'bad.json'))
    expect(problems[0].problem).toMatch(/not valid EJSON/)
    expect(problems[0].keptAt).toMatch(/bad\.json\.corrupt-\d{8}T\d+Z$/)
    expect(readFileSync(problems[0].keptAt!, 'utf8')).toBe('{not json')
    expect(existsSync(join(dataDir, 'bad.json'))).toBe(false)
    expect(problems[0].recovery).toMatch(/rename it to the original name/)
  })

  it('loads the good documents of a file with bad ones, naming each bad document, and keeps a copy of the original', () => {
    const dataDir = tempDir()
    const original = JSON.stringify({ collection: 'c', documents: [{ _id: 'a' }, { name: 'no id' }, { _id: 'a' }, { _id: 'b' }] })
    writeFileSync(join(dataDir, 'c.json'), original)
    const { db, problems } = open(dataDir)
    expect(db.find('c', {}).map((d) => d._id)).toEqual(['a', 'b'])
    expect(problems).toHaveLength(1)
    expect(problems[0].problem).toBe('collection c: documents[1] is not an object with a string _id; documents[2] repeats _id "a"')
    expect(readFileSync(problems[0].keptAt!, 'utf8')).toBe(original)
    // the file itself was rewritten without them, so the next start is clean
    expect(open(dataDir).problems).toEqual([])
  })
})
