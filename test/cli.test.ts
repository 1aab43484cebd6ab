/**
 * The emulator's command line as a newcomer meets it: a taken port is explained with what to do, the sandbox
 * options are flags validated with the control API's rules (errors name the flag), and log lines show the
 * emulator's clock beside the wall clock once the two differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { listenErrorMessage } from '../emulator/cli'
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
