/**
 * An acknowledged upload is kept across `kill -9`: an emulator in a child process with a data directory takes a
 * burst of viewer uploads, is killed with SIGKILL while the burst is still arriving, and a restart on the same
 * directory holds every file whose upload was answered, byte for byte.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../emulator/emulator'

const ROOT = path.resolve(__dirname, '..')
const dataDir = mkdtempSync(path.join(tmpdir(), 'storage-kill-'))
let child: ChildProcess | null = null
let restarted: Emulator | null = null

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await restarted?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

/** The emulator alone (no CLI, no build), so the pid killed is the one holding the data directory. */
function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const code = `require('./emulator/emulator').startEmulator({ port: 0, dataDir: process.argv[1], databaseDir: 'database' }).then((e) => console.log('ready ' + e.url))`
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  proc.stdout!.on('data', (b: Buffer) => (text += b.toString()))
  proc.stderr!.on('data', (b: Buffer) => (text += b.toString()))
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', () => {
      const m = /ready (http:\/\/127\.0\.0\.1:\d+)/.exec(text)
      if (m) resolve({ child: proc, url: m[1] })
    })
    proc.once('exit', (code) => reject(new Error(`emulator exited (${code}) before it was ready:\n${text}`)))
  })
}

function upload(url: string, i: number): Promise<string> {
  const form = new FormData()
  form.set('openid', 'viewer-kill')
  form.set('cloudPath', `burst/${i}.bin`)
  form.set('file', new Blob([Buffer.alloc(32 * 1024, i)]), `${i}.bin`)
  return fetch(`${url}/__client/storage/upload`, { method: 'POST', body: form }).then(async (res) => {
    const reply = (await res.json()) as { fileID?: string }
    if (res.status !== 200 || !reply.fileID) throw new Error(`upload ${i}: HTTP ${res.status}`)
    return reply.fileID
  })
}

it('every upload answered before the kill is there after a restart, byte for byte', async () => {
  const started = await startChild()
  child = started.child
  const acknowledged = new Map<number, string>()
  const burst = Array.from({ length: 40 }, (_, i) =>
    upload(started.url, i).then(
      (fileID) => {
        acknowledged.set(i, fileID)
        if (acknowledged.size === 15) started.child.kill('SIGKILL')
      },
      () => undefined, // cut off by the kill: never acknowledged
    ),
  )
  await Promise.all(burst)
  await new Promise<void>((resolve) => (started.child.exitCode !== null || started.child.signalCode !== null ? resolve() : started.child.once('exit', () => resolve())))
  expect(started.child.signalCode).toBe('SIGKILL')
  expect(acknowledged.size).toBeGreaterThanOrEqual(15)

  restarted = await startEmulator({ port: 0, dataDir, databaseDir: path.join(ROOT, 'database') })
  // at most a journal record cut short by the kill, which was never acknowledged
  for (const p of restarted.loadProblems) expect(p.problem).toMatch(/was cut short/)
  for (const [i, fileID] of acknowledged) {
    const { file, bytes } = restarted.storage.read(fileID)
    expect(file.owner).toBe('viewer-kill')
    expect(bytes.equals(Buffer.alloc(32 * 1024, i))).toBe(true)
  }
})
