/**
 * The function runner, run against BUILT fixture functions in real child processes: context, WX context,
 * shifted clock, timer event, timeout, errors, warm vs cold processes, and where the SDK sends its requests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildFunctions } from '../tools/build-functions'
import { createClock, type Clock } from '../emulator/clock'
import { IdentityRegistry } from '../emulator/identity'
import { loadFunctionSpecs, type FunctionSpec } from '../tools/function-config'
import { FunctionRunner, RECORDED_LINE_CHARS, RECORDED_LOG_LINES, RECORDED_VALUE_CHARS, runRecord, type InvokeResult } from '../emulator/functions/runner'

const FIXTURES = resolve(__dirname, 'fixtures/functions')
// Under node_modules so the built files resolve wx-server-sdk from the project, like cloudfunctions/<name>/ does.
const OUT = resolve(__dirname, '../node_modules/.cache/emulator', `runner-test-${randomUUID().slice(0, 8)}`)
const ENV_ID = 'emu-test-1a2b'
// Only this file's fixtures: other suites add their own folders beside them.
const MINE = ['broken', 'circular', 'dbping', 'echo', 'nomain', 'sleepy']
const APPID = 'wx0123456789abcdef'

interface EchoResult {
  event: unknown
  context: Record<string, unknown>
  remainingFirst: number
  remainingLater: number
  now: number
  newDate: number
  wxContext: Record<string, unknown>
  helper: string
  invocations: number
  env: { TZ: string; TRIGGER_SRC: string | null; hasTriggerToken: boolean; hasApiToken: boolean; FROM_RC: string | null }
}

let specs: FunctionSpec[]
let server: Server
let url: string
const captured: { url: string; body: string }[] = []
const runners: FunctionRunner[] = []

function makeRunner(clock: Clock, identities = new IdentityRegistry(), warm = false, extraSpecs: FunctionSpec[] = [], runsKept?: number) {
  const runner = new FunctionRunner({ root: OUT, clock, identities, url, envId: ENV_ID, appid: APPID, specs: [...specs, ...extraSpecs], warm, runsKept })
  runners.push(runner)
  return runner
}

function ok(result: InvokeResult): EchoResult {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${result.status}: ${JSON.stringify(result)}`)
  return result.result as EchoResult
}

beforeAll(async () => {
  await buildFunctions({ root: FIXTURES, outRoot: OUT, names: MINE })
  mkdirSync(OUT, { recursive: true })
  const rc = join(OUT, 'cloudbaserc.json')
  writeFileSync(
    rc,
    JSON.stringify({
      version: '2.0',
      envId: ENV_ID,
      functions: [
        { name: 'sleepy', timeout: 1 },
        // Names the emulator sets (identity, source) must lose to its layer; FROM_RC must reach the function.
        { name: 'echo', envVariables: { FROM_RC: 'rc-value', WX_OPENID: 'hijacked', TCB_SOURCE: 'hijacked' } },
      ],
    }),
  )
  specs = loadFunctionSpecs(FIXTURES, { cloudbaserc: rc }).filter((s) => MINE.includes(s.name))
  // A stand-in for the emulator's HTTP server: records what the SDK sends.
  server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      captured.push({ url: req.url ?? '', body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ code: 'EMULATOR_STUB', message: 'stub server', requestId: 'stub' }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await Promise.all(runners.map((r) => r.close()))
  await new Promise<void>((r) => server.close(() => r()))
  rmSync(OUT, { recursive: true, force: true })
})

describe('FunctionRunner: a user-triggered run', () => {
  it('passes the event and a CloudBase context, and getWXContext shows the caller', async () => {
    const identities = new IdentityRegistry()
    const issue = vi.spyOn(identities, 'issue')
    const runner = makeRunner(createClock(), identities)
    const result = await runner.invoke('echo', { roomId: 7 }, { openid: 'o-viewer-1' })
    const echo = ok(result)
    expect(echo.event).toEqual({ roomId: 7 })
    expect(echo.context).toEqual({
      function_name: 'echo',
      function_version: '$LATEST',
      request_id: result.requestId,
      namespace: ENV_ID,
      memory_limit_in_mb: 256,
      time_limit_in_ms: 3000,
    })
    expect(echo.remainingFirst).toBeGreaterThan(0)
    expect(echo.remainingFirst).toBeLessThanOrEqual(3000)
    expect(echo.remainingLater).toBeLessThan(echo.remainingFirst)
    expect(echo.wxContext).toEqual({ OPENID: 'o-viewer-1', APPID: APPID, ENV: ENV_ID, SOURCE: 'wx_client' })
    expect(echo.helper).toBe('room_id') // bundled from src/live/case.ts
    expect(echo.env).toMatchObject({ TZ: 'UTC', TRIGGER_SRC: null, hasApiToken: true, hasTriggerToken: false, FROM_RC: 'rc-value' })
    expect(result.logs).toContain('echo says hello')
    expect(result.logs).toContain('echo warns on stderr')

    expect(issue).toHaveBeenCalledWith({
      requestId: result.requestId,
      functionName: 'echo',
      openapi: ['liveBroadcast.getLiveInfo'],
      openid: 'o-viewer-1',
      appid: APPID,
      trigger: 'call',
      // what a function this run calls extends by one hop
      source: 'wx_client',
    })
    const token = issue.mock.results[0].value as string
    expect(identities.isKnown(token)).toBe(false) // revoked after the run
  })

  it("shifts the function's Date by the emulator clock offset", async () => {
    const clock = createClock()
    clock.freeze()
    const target = Math.floor(Date.now() / 1000) + 86_400
    clock.set(target)
    const before = Date.now()
    const echo = ok(await makeRunner(clock).invoke('echo', {}))
    const after = Date.now()
    // The child starts from the frozen instant and ticks with its own wall clock during the run.
    for (const t of [echo.now, echo.newDate]) {
      expect(t).toBeGreaterThanOrEqual(target * 1000 - 1)
      expect(t).toBeLessThanOrEqual(target * 1000 + (after - before) + 1)
    }
  })

  it('sends SDK requests only to the emulator URL, carrying the per-run token', async () => {
    const identities = new IdentityRegistry()
    const issue = vi.spyOn(identities, 'issue')
    captured.length = 0
    const result = await makeRunner(createClock(), identities).invoke('dbping', {}, { openid: 'o-db' })
    expect(result.status).toBe('ok')
    expect(captured.length).toBeGreaterThan(0)
    const token = issue.mock.results[0].value as string
    expect(captured[0].url.startsWith(`/admin?env=${ENV_ID}`)).toBe(true)
    expect(captured[0].body).toContain(token)
    expect(result.logs.join('\n')).not.toContain('blocked a request to the real host')
  })
})

describe('FunctionRunner: timer runs', () => {
  it('gets the SCF timer event with the emulator time and the trigger token', async () => {
    const clock = createClock()
    clock.freeze()
    clock.set(1_767_225_600) // 2026-01-01T00:00:00Z
    const identities = new IdentityRegistry()
    const issue = vi.spyOn(identities, 'issue')
    const echo = ok(await makeRunner(clock, identities).invoke('echo', undefined, { trigger: 'timer' }))
    expect(echo.event).toEqual({ Type: 'Timer', TriggerName: 'everyTenMinutes', Time: '2026-01-01T00:00:00Z', Message: '' })
    expect(echo.env).toMatchObject({ TRIGGER_SRC: 'timer', hasTriggerToken: true, hasApiToken: false })
    expect(echo.wxContext).toEqual({ APPID: APPID, ENV: ENV_ID, SOURCE: 'wx_trigger' })
    expect(issue).toHaveBeenCalledWith(expect.objectContaining({ trigger: 'timer', openid: undefined }))
  })
})

describe('FunctionRunner: failures', () => {
  it('kills a run that outlives its timeout and reports it in CloudBase words', async () => {
    const runner = makeRunner(createClock())
    const result = await runner.invoke('sleepy', {})
    expect(result.status).toBe('timeout')
    if (result.status !== 'timeout') return
    expect(result.errorMessage).toBe('Task timed out after 1 seconds')
    expect(result.logs).toContain('sleepy starts')
    const pidLine = result.logs.find((l) => l.startsWith('sleepy pid '))
    expect(pidLine).toBeDefined()
    await runner.close()
    expect(() => process.kill(Number(pidLine?.slice('sleepy pid '.length)), 0)).toThrow()
  })

  it('reports an error thrown by main with its type and message', async () => {
    const result = await makeRunner(createClock()).invoke('broken', { roomId: 42 })
    expect(result).toMatchObject({ status: 'error', errorType: 'RangeError', errorMessage: 'room 42 is gone' })
  })

  it('reports a module without main', async () => {
    const result = await makeRunner(createClock()).invoke('nomain', {})
    expect(result.status).toBe('error')
    if (result.status === 'error') {
      expect(result.errorType).toBe('HandlerNotFound')
      expect(result.errorMessage).toContain('does not export main')
    }
  })

  it('reports a result JSON cannot carry', async () => {
    const result = await makeRunner(createClock()).invoke('circular', {})
    expect(result).toMatchObject({ status: 'error', errorType: 'ResultNotSerializable' })
  })

  it('tells the developer to build when index.js is missing', async () => {
    const ghost: FunctionSpec = { name: 'ghost', dir: join(FIXTURES, 'ghost'), permissions: { openapi: [] }, timeoutSec: 3, memoryMb: 256, envVariables: {} }
    const result = await makeRunner(createClock(), undefined, false, [ghost]).invoke('ghost', {})
    expect(result.status).toBe('error')
    if (result.status === 'error') {
      expect(result.errorType).toBe('FunctionNotBuilt')
      expect(result.errorMessage).toContain('run npm run build')
    }
  })

  it('names unknown functions', async () => {
    const result = await makeRunner(createClock()).invoke('nope', {})
    expect(result).toMatchObject({ status: 'error', errorType: 'FunctionNotFound' })
  })
})

describe('FunctionRunner: cold and warm processes', () => {
  it('cold (default): module state never survives between runs', async () => {
    const runner = makeRunner(createClock())
    const first = ok(await runner.invoke('echo', {}))
    expect(first.invocations).toBe(1)
    // No user behind the call: a server calling through the HTTP API, as far as getWXContext can tell.
    expect(first.wxContext).toEqual({ APPID: APPID, ENV: ENV_ID, SOURCE: 'wx_http' })
    expect(ok(await runner.invoke('echo', {})).invocations).toBe(1)
  })

  it("warm: reuses the process but never leaks the previous caller's identity", async () => {
    const runner = makeRunner(createClock(), undefined, true)
    const first = ok(await runner.invoke('echo', {}, { openid: 'o-first' }))
    const second = ok(await runner.invoke('echo', undefined, { trigger: 'timer' }))
    expect(first.invocations).toBe(1)
    expect(second.invocations).toBe(2)
    expect(second.wxContext.OPENID).toBeUndefined()
    expect(second.wxContext.SOURCE).toBe('wx_trigger')
    expect(second.env).toMatchObject({ TRIGGER_SRC: 'timer', hasApiToken: false, hasTriggerToken: true })
    const third = ok(await runner.invoke('echo', {}, { openid: 'o-third' }))
    expect(third.wxContext.OPENID).toBe('o-third')
    expect(third.wxContext.SOURCE).toBe('wx_client')
    expect(third.env.TRIGGER_SRC).toBeNull()
  })
})

describe('FunctionRunner: recent runs', () => {
  it('remembers the last runs per function, newest first, with event, caller, outcome, duration and logs', async () => {
    const clock = createClock()
    clock.freeze()
    clock.set(1_767_225_600)
    const runner = makeRunner(clock, undefined, true, [], 2)
    await runner.invoke('echo', { first: true }, { openid: 'o-dropped' })
    await runner.invoke('echo', undefined, { trigger: 'timer' })
    clock.advance(60)
    await runner.invoke('echo', { roomId: 7 })
    await runner.invoke('no-such-function', {})

    const runs = runner.recentRuns('echo')
    expect(runs.map((r) => r.trigger)).toEqual(['call', 'timer'])
    expect(runs[0]).toMatchObject({
      caller: { source: 'wx_http', openid: null },
      startedAt: '2026-01-01T00:01:00.000Z',
      event: { roomId: 7 },
      status: 'ok',
      logLinesDropped: 0,
    })
    expect(runs[0].logs).toContain('echo says hello')
    expect(runs[0].durationMs).toBeGreaterThanOrEqual(50) // echo waits 50 ms
    expect((runs[0].result as { event: unknown }).event).toEqual({ roomId: 7 })
    expect(runs[1]).toMatchObject({
      caller: { source: 'wx_trigger', openid: null },
      event: { Type: 'Timer', TriggerName: 'everyTenMinutes', Time: '2026-01-01T00:00:00Z', Message: '' },
    })
    expect(runner.recentRuns('no-such-function')).toEqual([])
  })

  it('bounds what it keeps of a run: the last log lines, long lines cut, big values as a preview', () => {
    const lines = Array.from({ length: RECORDED_LOG_LINES + 5 }, (_, i) => `line ${i}`)
    lines.push('x'.repeat(RECORDED_LINE_CHARS + 10))
    const big = { blob: 'y'.repeat(RECORDED_VALUE_CHARS) }
    const record = runRecord(
      { status: 'error', errorType: 'Error', errorMessage: 'boom', requestId: 'r1', durationMs: 12, logs: lines },
      { trigger: 'call', startedAt: '2026-01-01T00:00:00.000Z', event: big, openid: 'o-1' },
    )
    expect(record.logs).toHaveLength(RECORDED_LOG_LINES)
    expect(record.logLinesDropped).toBe(6)
    expect(record.logs[0]).toBe('line 6')
    expect(record.logs.at(-1)).toMatch(new RegExp(`… \\(${RECORDED_LINE_CHARS + 10} chars\\)$`))
    expect(record.event).toMatchObject({ truncated: true, chars: JSON.stringify(big).length })
    expect(record).toMatchObject({ caller: { source: 'wx_client', openid: 'o-1' }, errorType: 'Error', errorMessage: 'boom' })
    expect(record.result).toBeUndefined()
  })
})
