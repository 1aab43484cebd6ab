/**
 * The storage engine on its own: what a data directory keeps (an acknowledged upload or delete is on disk before
 * the call returns, so a process that dies without flushing loses nothing), what a damaged directory loads as,
 * the total bounds, and fileIDs that name nothing here.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { createClock } from '../emulator/clock'
import { CloudStorage, StorageError } from '../emulator/storage/store'
import { UrlSigner } from '../emulator/storage/signing'
import type { LoadProblem } from '../emulator/durable'
import { thrown } from './thrown'

const TMP = path.resolve(__dirname, '../node_modules/.cache/emulator', `storage-engine-${randomUUID().slice(0, 8)}`)
const viewer = (openid: string) => ({ actor: { kind: 'viewer' as const, openid } })
const server = { actor: { kind: 'server' as const } }

function dir(name: string): string {
  const d = path.join(TMP, name)
  mkdirSync(d, { recursive: true })
  return d
}

function open(dataDir: string, extra: { maxTotalBytes?: number; maxFiles?: number } = {}) {
  const problems: LoadProblem[] = []
  const storage = new CloudStorage({ envId: 'env-1', clock: createClock(), dataDir, onLoadProblem: (p) => problems.push(p), ...extra })
  return { storage, problems }
}

afterAll(() => rmSync(TMP, { recursive: true, force: true }))

describe('what a data directory keeps', () => {
  it('uploads and deletes are on disk when the call returns: a second engine sees them with no flush or close', () => {
    const dataDir = dir('journal')
    const { storage: first } = open(dataDir)
    first.put('a/one.png', Buffer.from('one'), viewer('o-1'))
    const two = first.put('a/two.png', Buffer.from('two'), server)
    first.remove(first.fileIdOf('a/one.png'), viewer('o-1').actor)
    // `first` is never flushed or closed, as when the process is killed
    const { storage: second, problems } = open(dataDir)
    expect(problems).toEqual([])
    expect(second.list().map((f) => [f.cloudPath, f.owner, f.size])).toEqual([['a/two.png', null, 3]])
    expect(second.read(two.fileID).bytes.toString()).toBe('two')
    expect(UrlSigner.open(second.dir).sign(['GET', 'a', '1'])).toBe(UrlSigner.open(first.dir).sign(['GET', 'a', '1']))
  })

  it('files with the same bytes share one blob, and deleting one keeps the other readable', () => {
    const { storage } = open(dir('shared'))
    storage.put('x.txt', Buffer.from('same'), server)
    storage.put('y.txt', Buffer.from('same'), server)
    expect(readdirSync(path.join(storage.dir!, 'blobs'))).toHaveLength(1)
    storage.remove(storage.fileIdOf('x.txt'), { kind: 'server' })
    expect(storage.read(storage.fileIdOf('y.txt')).bytes.toString()).toBe('same')
    storage.remove(storage.fileIdOf('y.txt'), { kind: 'server' })
    expect(readdirSync(path.join(storage.dir!, 'blobs'))).toEqual([])
  })

  it('a file whose bytes are gone is left out and reported, stray blobs are swept, an unreadable index is moved aside', () => {
    const dataDir = dir('damaged')
    const { storage } = open(dataDir)
    const lost = storage.put('lost.png', Buffer.from('lost'), server)
    storage.put('kept.png', Buffer.from('kept'), server)
    storage.close()
    unlinkSync(path.join(storage.dir!, 'blobs', lost.sha256))
    writeFileSync(path.join(storage.dir!, 'blobs', 'f'.repeat(64)), 'an upload the process died in')
    const reopened = open(dataDir)
    expect(reopened.storage.list().map((f) => f.cloudPath)).toEqual(['kept.png'])
    expect(reopened.problems).toEqual([expect.objectContaining({ problem: expect.stringContaining('the bytes of 1 file(s) are missing or the wrong size: lost.png') })])
    expect(existsSync(path.join(storage.dir!, 'blobs', 'f'.repeat(64)))).toBe(false)
    reopened.storage.close()

    writeFileSync(path.join(storage.dir!, 'files.json'), '{not json')
    const broken = open(dataDir)
    expect(broken.storage.list()).toEqual([])
    expect(broken.problems[0]).toMatchObject({ problem: expect.stringContaining('not valid JSON'), keptAt: expect.stringContaining('files.json.corrupt-') })
  })
})

describe('bounds and fileIDs', () => {
  it('total bytes and file count are bounded; replacing a file counts only its new size', () => {
    const { storage } = open(dir('bounds'), { maxTotalBytes: 10, maxFiles: 2 })
    storage.put('a', Buffer.alloc(6), server)
    expect(thrown(StorageError, () => storage.put('b', Buffer.alloc(5), server))).toMatchObject({ kind: 'full', status: 413, message: 'storage: this upload would make 11 bytes in all; at most 10' })
    storage.put('a', Buffer.alloc(9), server)
    storage.put('b', Buffer.alloc(1), server)
    expect(thrown(StorageError, () => storage.put('c', Buffer.alloc(0), server)).message).toBe('storage: already 2 files; at most 2')
    expect(storage.totalBytes).toBe(10)
  })

  it('a fileID from another env or not a fileID at all names nothing here, each said so', () => {
    const storage = new CloudStorage({ envId: 'env-1', clock: createClock() })
    expect(storage.fileIdOf('a/b.png')).toBe('cloud://env-1.656e-env-1-1250000000/a/b.png')
    expect(thrown(StorageError, () => storage.pathOf('https://example.com/a.png'))).toMatchObject({ kind: 'badInput', status: 400 })
    expect(thrown(StorageError, () => storage.pathOf('cloud://env-2.656e-env-2-1250000000/a.png'))).toMatchObject({ kind: 'notFound', code: 'STORAGE_FILE_NONEXIST' })
    expect(thrown(StorageError, () => storage.pathOf('cloud://env-1.656e-env-1-1250000000/a/../../b'))).toMatchObject({ kind: 'badInput', message: expect.stringContaining('".."') })
    expect(storage.stat('cloud://env-1.656e-env-1-1250000000/none.png')).toBeNull()
  })
})
