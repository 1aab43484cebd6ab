/**
 * The emulator's command line as a newcomer meets it: a taken port is explained with what to do, the sandbox
 * options are flags validated with the control API's rules (errors name the flag), and log lines show the
 * emulator's clock beside the wall clock once the two differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { DEMO_OWNER_OPENID, demoOwnerDefaults, listenErrorMessage } from '../emulator/cli'
import { dotenvValues } from '../tools/function-config'
import { DEMO_FINDER_USER_NAME } from '../src/setup/live-setup'
import { logStamp } from '../emulator/log-stamp'
import { TUNABLE_NAMES, flagOf, tunablesFromFlags } from '../emulator/sandbox/tunables'

const CLI = path.resolve(__dirname, '../emulator/cli.ts')

/** Runs the CLI as `npm run emulator` does (tsx), to its exit. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr })
    })
  })
}

describe('a port that is already taken', () => {
  let holder: Server
  let port: number
  beforeAll(async () => {
    holder = createServer()
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r))
    port = (holder.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((r) => holder.close(() => r())))

  it('stops the CLI with exit 1 and says how to find the process or pick another port', async () => {
    const out = await runCli(['emulator', '--port', String(port), '--empty'])
    expect(out.code).toBe(1)
    expect(out.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`)
    expect(out.stderr).toContain(`lsof -i :${port}`)
    expect(out.stderr).toContain('npm run emulator -- --port 8787')
    expect(out.stderr).toContain('--port 0 picks any free port')
    expect(out.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })
})

describe('listenErrorMessage', () => {
  const listenError = (code: string) => Object.assign(new Error(`listen ${code}`), { code, syscall: 'listen' })
  it('advises the other command and another port for EADDRINUSE, and privileges for EACCES', () => {
    expect(listenErrorMessage(listenError('EADDRINUSE'), 'start', 8787)).toContain('npm start -- --port 8788')
    expect(listenErrorMessage(listenError('EACCES'), 'emulator', 80)).toMatch(/^port 80 on 127\.0\.0\.1: permission denied .*npm run emulator -- --port 8787/)
  })
  it('leaves errors that are not the listen alone (a data directory without permission is not a port problem)', () => {
    expect(listenErrorMessage(Object.assign(new Error('mkdir'), { code: 'EACCES', syscall: 'mkdir' }), 'start', 8787)).toBeNull()
    expect(listenErrorMessage(new Error('other'), 'start', 8787)).toBeNull()
  })
})

describe('sandbox option flags', () => {
  it('has one flag per settable option, named after it', () => {
    expect(TUNABLE_NAMES.map(flagOf)).toEqual(expect.arrayContaining(['--list-page-cap', '--replay-delay-seconds', '--auto-audit-seconds', '--quota']))
  })

  it('turns flags into options', () => {
    expect(tunablesFromFlags({ 'list-page-cap': '50', 'auto-audit-seconds': '30', 'replay-delay-seconds': '0', quota: ['getLiveInfo=1000', 'review=3'] })).toEqual({
      listPageCap: 50,
      autoAuditSeconds: 30,
      replayDelaySeconds: 0,
      quotas: { getLiveInfo: 1000, review: 3 },
    })
    expect(tunablesFromFlags({ port: '8787', empty: true })).toEqual({})
  })

  const bad: [flags: Record<string, unknown>, error: RegExp][] = [
    [{ 'list-page-cap': '0' }, /^--list-page-cap: must be ≥ 1$/],
    [{ 'list-page-cap': 'fifty' }, /^--list-page-cap: "fifty" is not a number$/],
    [{ 'replay-delay-seconds': '1.5' }, /^--replay-delay-seconds: must be whole seconds$/],
    [{ quota: ['getLiveInfo'] }, /^--quota: "getLiveInfo" must be KEY=N, e.g\. getLiveInfo=1000$/],
    [{ quota: ['getLiveInfo=-3'] }, /^--quota getLiveInfo: must be ≥ 0$/],
    [{ quota: ['nope=3'] }, /^--quota nope: must be an endpoint id or quota bucket/],
  ]
  for (const [flags, error] of bad) {
    it(`refuses ${JSON.stringify(flags)} naming the flag and the rule`, () => {
      expect(() => tunablesFromFlags(flags)).toThrow(error)
    })
  }

  it('the CLI itself exits 1 with that message for a bad option value', async () => {
    const out = await runCli(['emulator', '--port', '0', '--list-page-cap', '500'])
    expect(out.code).toBe(1)
    expect(out.stderr.trim()).toBe('--list-page-cap: must be ≤ 100')
  })
})

describe('logStamp', () => {
  const wall = Date.UTC(2026, 10, 27, 16, 5, 1)
  it('shows the wall time alone while the emulator clock follows it', () => {
    expect(logStamp(wall, wall)).toBe('[16:05:01]')
    expect(logStamp(wall, wall + 999)).toBe('[16:05:01]')
  })
  it('shows the emulator time beside it once they differ, in either direction', () => {
    expect(logStamp(wall, wall + 86_400_000)).toBe('[16:05:01 | emulator 2026-11-28T16:05:01Z]')
    expect(logStamp(wall, Date.UTC(2026, 0, 1))).toBe('[16:05:01 | emulator 2026-01-01T00:00:00Z]')
  })
  it('never throws on an instant a Date cannot hold', () => {
    expect(logStamp(wall, 9e15)).toBe('[16:05:01 | emulator 9000000000000000]')
  })
})

describe('the demo owner of liveAdmin', () => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  const project = (files: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-owner-'))
    dirs.push(dir)
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
    return dir
  }

  it('is supplied, with one line saying how to set your own, when neither .env nor .env.local names an owner', () => {
    const { defaults, notice } = demoOwnerDefaults(project({ '.env.local': 'TCB_ENV_ID=demo\n' }))
    expect(defaults).toEqual({ LIVE_OWNER_OPENIDS: DEMO_OWNER_OPENID })
    expect(notice).toMatch(/^liveAdmin: LIVE_OWNER_OPENIDS is not set in \.env or \.env\.local, so the demo owner oDemoOwner\d+ owns the back office; .*whoami.*LIVE_OWNER_OPENIDS=<your openid> in \.env\.local\.$/)
    expect(notice).not.toContain('\n')
  })

  it('is not supplied when .env.local or .env names the owners (theirs always win)', () => {
    expect(demoOwnerDefaults(project({ '.env.local': 'LIVE_OWNER_OPENIDS=oMine\n' }))).toEqual({ defaults: {}, notice: null })
    expect(demoOwnerDefaults(project({ '.env': 'LIVE_OWNER_OPENIDS=oMine\n' }))).toEqual({ defaults: {}, notice: null })
  })

  it('lets liveAdmin run in the demo emulator on a fresh clone: the owner the CLI chose is an owner, without setting anything', async () => {
    const root = path.resolve(__dirname, '..')
    const expected = demoOwnerDefaults(root)
    const owner = (expected.defaults.LIVE_OWNER_OPENIDS ?? dotenvValues(root).LIVE_OWNER_OPENIDS).split(',')[0].trim()
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'emulator', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      let text = ''
      child.stdout!.on('data', (b: Buffer) => (text += b.toString()))
      child.stderr!.on('data', (b: Buffer) => (text += b.toString()))
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line in 60 s:\n${text}`)), 60_000)
        child.stdout!.on('data', () => {
          const m = /emulator ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)
          if (m) {
            clearTimeout(timer)
            resolve(m[1])
          }
        })
        child.once('exit', (code) => reject(new Error(`CLI exited ${code}:\n${text}`)))
      })
      if (expected.notice) expect(text).toContain(expected.notice)
      const res = await fetch(`${url}/__sandbox/functions/liveAdmin/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: { action: 'whoami' }, openid: owner }),
      })
      const run = (await res.json()) as { status: string; result: unknown }
      expect(run).toMatchObject({ status: 'ok', result: { ok: true, data: { openid: owner, roles: ['owner', 'admin'] } } })
      // the demo Channels account comes with the demo merchant
      const channels = (await (await fetch(`${url}/__sandbox/channels`)).json()) as { accounts: { finderUserName: string; live: { status: string } }[] }
      expect(channels.accounts).toEqual([expect.objectContaining({ finderUserName: DEMO_FINDER_USER_NAME, live: expect.objectContaining({ status: 'live' }) })])
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))
    }
  })
})
