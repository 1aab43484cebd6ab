/**
 * Runs BUILT cloud functions (`<root>/<name>/index.js`) the way CloudBase does: each in its own Node process,
 * with the platform's env vars, the function's timeout, and an API token that carries its openapi permissions.
 *
 * Cold (default): one fresh process per invocation, so module-level state never survives between runs: the
 *   strictest assumption, and what a function must tolerate anyway.
 * Warm (`warm: true`): an idle process of the same function is reused, as CloudBase may do within minutes, so
 *   module-level caches and `cloud.init` survive; concurrent invocations still get separate processes.
 *
 * Env layers, later wins: platform (PATH, TZ=UTC…) → function's `envVariables` (cloudbaserc) → emulator (`sdkEnv`).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Clock } from '../clock'
import type { IdentityRegistry } from '../identity'
import { callSource, sdkEnv } from '../sdk-env'
import { shownPath, type FunctionSpec } from '../../tools/function-config'
import type { ChildMessage, InvokeContextFields, ParentMessage } from './protocol'

export interface InvokeOptions {
  openid?: string
  trigger?: 'call' | 'timer'
  /** Timer runs: defaults to the function's own trigger name. */
  triggerName?: string
  /** SOURCE of the calling run when another function called this one (`cloud.callFunction` inside a function). */
  via?: string
}

interface InvokeBase {
  requestId: string
  durationMs: number
  /** Console output of this run, one entry per line, stdout and stderr interleaved in order. */
  logs: string[]
}
export type InvokeResult =
  | (InvokeBase & { status: 'ok'; result: unknown })
  | (InvokeBase & { status: 'error'; errorMessage: string; errorType: string })
  | (InvokeBase & { status: 'timeout'; errorMessage: string; errorType: 'Timeout' })

/** Runs kept per function for `GET /__sandbox/functions` by default (oldest dropped first). */
export const RECENT_RUNS_PER_FUNCTION = 20
/** A recorded run keeps at most this many log lines (the last ones: where a failure shows). */
export const RECORDED_LOG_LINES = 200
/** A recorded log line longer than this is cut, saying how long it was. */
export const RECORDED_LINE_CHARS = 2000
/** Event and result are kept whole up to this many characters of JSON, else as a truncated preview. */
export const RECORDED_VALUE_CHARS = 4096
/** A recorded run keeps at most this many Live calls (the first ones), counting the rest. */
export const RECORDED_LIVE_CALLS = 200

/** One cloud call to the Live platform (or a link API, the text check, media) a run made through `cloud.openapi`. */
export interface LiveCallRecord {
  /** The cloud name the function called, e.g. `liveBroadcast.getLiveInfo`. */
  api: string
  /** The reply's errcode (0 for success), or null when the platform answered with no WeChat body (see platformError). */
  errcode: number | null
  /** The cloud gateway's own error code, when the call failed before WeChat answered (no permission, system error). */
  platformError?: number
  durationMs: number
}

/** One run as `GET /__sandbox/functions` shows it. */
export interface RunRecord {
  requestId: string
  /** Order of recording across all functions (1, 2, …): newest is highest, whatever the emulator clock did. */
  seq: number
  trigger: 'call' | 'timer'
  /** Who started it, as `getWXContext()` told the function: SOURCE and OPENID (null without a user). */
  caller: { source: string; openid: string | null }
  /** Emulator clock time the run started (ISO). */
  startedAt: string
  event: unknown
  status: InvokeResult['status']
  durationMs: number
  result?: unknown
  errorType?: string
  errorMessage?: string
  logs: string[]
  /** Earlier log lines left out to keep the record bounded. */
  logLinesDropped: number
  /** The Live calls the run made through cloud.openapi, in order (HTTPS calls with an access token are not tied to a run). */
  liveCalls: LiveCallRecord[]
  /** Live calls left out past RECORDED_LIVE_CALLS. */
  liveCallsDropped: number
}

export interface TimerEvent {
  Type: 'Timer'
  TriggerName: string
  Time: string
  Message: string
}

export interface FunctionRunnerOptions {
  /** Folder holding `<name>/index.js` (the built output). */
  root: string
  clock: Clock
  identities: IdentityRegistry
  /** Emulator base URL the function's SDK talks to. */
  url: string
  envId: string
  appid: string
  specs: readonly FunctionSpec[]
  warm?: boolean
  /** Receives every output line of every run, prefixed with function name and request id. */
  log?: (line: string) => void
  /** Limit for loading index.js (module top level), separate from the run timeout as on SCF. Default 30 s. */
  initTimeoutMs?: number
  /** Runs remembered per function; default RECENT_RUNS_PER_FUNCTION. */
  runsKept?: number
}

/** SCF timer event; `Time` is the emulator's now in UTC ISO (the function's clock is UTC, cron is UTC+8). */
export function timerEvent(clock: Clock, triggerName: string): TimerEvent {
  return { Type: 'Timer', TriggerName: triggerName, Time: new Date(clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z'), Message: '' }
}

const WORKER_SOURCE = join(__dirname, 'worker.ts')
const CACHE_DIR = resolve(__dirname, '..', '..', 'node_modules', '.cache', 'emulator')
let compiledWorker: Promise<string> | null = null

/** Compiles worker.ts to CommonJS once per source version; children run plain JS with no loader. */
export function compileWorker(): Promise<string> {
  compiledWorker ??= (async () => {
    const hash = createHash('sha256')
      .update(readFileSync(WORKER_SOURCE))
      .update(readFileSync(join(__dirname, 'protocol.ts')))
      .digest('hex')
      .slice(0, 12)
    const outfile = join(CACHE_DIR, `function-worker-${hash}.js`)
    if (existsSync(outfile)) return outfile
    // loaded only when a build is needed: esbuild refuses to load in a jsdom test realm, which reuses a prebuilt worker
    const esbuild = await import('esbuild')
    mkdirSync(CACHE_DIR, { recursive: true })
    // Write then rename, so parallel test files never load a half-written worker.
    const tmp = `${outfile}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`
    await esbuild.build({
      entryPoints: [WORKER_SOURCE],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18',
      logLevel: 'silent',
    })
    renameSync(tmp, outfile)
    return outfile
  })()
  compiledWorker.catch(() => (compiledWorker = null))
  return compiledWorker
}

type WorkerState = 'starting' | 'loading' | 'idle' | 'busy' | 'dead'

interface RunRequest {
  event: unknown
  context: InvokeContextFields
  runEnv: Record<string, string>
  timeoutMs: number
  clockOffsetMs: number
}

type RunOutcome =
  | { status: 'ok'; result: unknown }
  | { status: 'error'; errorMessage: string; errorType: string }
  | { status: 'timeout'; errorMessage: string; errorType: 'Timeout' }

/** One function process. Load once, then run one invocation at a time. */
class FunctionWorker {
  state: WorkerState = 'starting'
  /** The function's variables version this process was started with; a newer one retires it. */
  envVersion = 0
  private readonly child: ChildProcess
  private listener: ((message: ChildMessage) => void) | null = null
  private exitListener: ((description: string) => void) | null = null
  private lineBuffer = ''
  private lines: string[] = []

  constructor(
    workerFile: string,
    readonly functionName: string,
    cwd: string,
    env: Record<string, string>,
    private readonly onLine: (line: string) => void,
  ) {
    this.child = fork(workerFile, [], { cwd, env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' })
    // Anything written below the patched streams (native code, node warnings) still lands in the logs.
    this.child.stdout?.on('data', (chunk: Buffer) => this.capture(chunk.toString('utf8')))
    this.child.stderr?.on('data', (chunk: Buffer) => this.capture(chunk.toString('utf8')))
    this.child.on('message', (message: ChildMessage) => {
      if (message.type === 'log') this.capture(message.text)
      else this.listener?.(message)
    })
    this.child.on('exit', (code, signal) => {
      this.state = 'dead'
      this.exitListener?.(`function process exited (code ${code ?? 'none'}, signal ${signal ?? 'none'}) before returning`)
    })
    this.child.on('error', (err) => {
      this.state = 'dead'
      this.exitListener?.(`function process failed: ${err.message}`)
    })
  }

  private capture(text: string): void {
    this.lineBuffer += text
    const parts = this.lineBuffer.split('\n')
    this.lineBuffer = parts.pop() ?? ''
    for (const line of parts) {
      this.lines.push(line)
      this.onLine(line)
    }
  }

  /** Lines captured since the last call (the partial last line included). */
  takeLines(): string[] {
    if (this.lineBuffer) {
      this.lines.push(this.lineBuffer)
      this.onLine(this.lineBuffer)
      this.lineBuffer = ''
    }
    const out = this.lines
    this.lines = []
    return out
  }

  private send(message: ParentMessage): void {
    this.child.send(message)
  }

  /** Resolves on the first child message matching `accept`, or on exit; `limitMs` kills the process. */
  private exchange<T>(message: ParentMessage, limitMs: number, accept: (m: ChildMessage) => T | undefined, onLimit: () => T, onExit: (d: string) => T): Promise<T> {
    return new Promise<T>((resolvePromise) => {
      let settled = false
      const settle = (value: T) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.listener = null
        this.exitListener = null
        resolvePromise(value)
      }
      const timer = setTimeout(() => {
        this.kill()
        settle(onLimit())
      }, limitMs)
      this.listener = (m) => {
        const value = accept(m)
        if (value !== undefined) settle(value)
      }
      this.exitListener = (d) => settle(onExit(d))
      if (this.state === 'dead') settle(onExit('function process is not running'))
      else this.send(message)
    })
  }

  async load(file: string, clockOffsetMs: number, initTimeoutMs: number): Promise<{ errorType: string; errorMessage: string } | null> {
    this.state = 'loading'
    const outcome = await this.exchange<{ errorType: string; errorMessage: string } | null>(
      { type: 'load', file, clockOffsetMs },
      initTimeoutMs,
      (m) => (m.type === 'loaded' ? null : m.type === 'load-error' ? { errorType: m.errorType, errorMessage: m.errorMessage } : undefined),
      () => ({ errorType: 'InitTimeout', errorMessage: `loading index.js took longer than ${initTimeoutMs / 1000} seconds` }),
      (d) => ({ errorType: 'ProcessExited', errorMessage: d }),
    )
    if (outcome === null) this.state = 'idle'
    else this.kill()
    return outcome
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    this.state = 'busy'
    const outcome = await this.exchange<RunOutcome>(
      {
        type: 'invoke',
        event: request.event,
        context: request.context,
        // A timeout is real elapsed time, whatever the emulator clock says.
        deadlineWallMs: Date.now() + request.timeoutMs,
        clockOffsetMs: request.clockOffsetMs,
        runEnv: request.runEnv,
        clearEnv: PER_RUN_KEYS,
      },
      request.timeoutMs,
      (m) => {
        if (m.type !== 'result') return undefined
        if (m.ok) return { status: 'ok', result: JSON.parse(m.json) as unknown }
        return { status: 'error', errorType: m.errorType, errorMessage: m.errorMessage }
      },
      // CloudBase's wording, with the configured timeout in seconds.
      () => ({ status: 'timeout', errorType: 'Timeout', errorMessage: `Task timed out after ${request.timeoutMs / 1000} seconds` }),
      (d) => ({ status: 'error', errorType: 'ProcessExited', errorMessage: d }),
    )
    if (this.state === 'busy') this.state = 'idle'
    return outcome
  }

  kill(): void {
    if (this.state !== 'dead') {
      this.state = 'dead'
      this.child.kill('SIGKILL')
    }
  }

  /** Resolves once the OS process is gone (after kill). */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve()
    return new Promise((r) => this.child.once('exit', () => r()))
  }
}

export class FunctionRunner {
  private readonly specs: Map<string, FunctionSpec>
  private readonly idle = new Map<string, FunctionWorker[]>()
  private readonly live = new Set<FunctionWorker>()
  private readonly runs = new Map<string, RunRecord[]>()
  private recorded = 0
  /** Live calls of runs still going, by request id; moved into the run's record when it ends. */
  private readonly pendingLiveCalls = new Map<string, { calls: LiveCallRecord[]; dropped: number }>()
  /** Variables set at run time (control route), replacing the function's cloudbaserc set as a redeploy would. */
  private readonly envOverrides = new Map<string, Record<string, string>>()
  private readonly envVersions = new Map<string, number>()

  constructor(private readonly options: FunctionRunnerOptions) {
    this.specs = new Map(options.specs.map((s) => [s.name, s]))
  }

  get warm(): boolean {
    return this.options.warm ?? false
  }

  /** For `trigger: 'timer'` with no event, the runner builds the timer event itself. */
  async invoke(name: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const spec = this.specs.get(name)
    const trigger = options.trigger ?? 'call'
    const runEvent = trigger === 'timer' && event === undefined ? timerEvent(this.options.clock, options.triggerName ?? spec?.trigger?.name ?? 'timer') : event
    const startedAt = new Date(this.options.clock.nowMs()).toISOString()
    const result = await this.run(name, runEvent, options)
    const liveCalls = this.pendingLiveCalls.get(result.requestId) ?? { calls: [], dropped: 0 }
    this.pendingLiveCalls.delete(result.requestId)
    // Only declared functions get a ring, so a caller naming random functions cannot grow this map.
    if (spec) this.record(name, runRecord(result, { trigger, startedAt, event: runEvent, openid: trigger === 'timer' ? undefined : options.openid, via: options.via, liveCalls }))
    return result
  }

  /** A Live call the run `requestId` made; ignored once the run has ended (its token is revoked by then). */
  noteLiveCall(requestId: string, call: LiveCallRecord): void {
    const pending = this.pendingLiveCalls.get(requestId)
    if (!pending) return
    if (pending.calls.length < RECORDED_LIVE_CALLS) pending.calls.push(call)
    else pending.dropped++
  }

  /** The environment variables the function's next run gets, where they came from, and why none can be used. */
  envVariables(name: string): { envVariables: Record<string, string>; source: 'cloudbaserc' | 'control'; problem: string | null } | null {
    const spec = this.specs.get(name)
    if (!spec) return null
    const override = this.envOverrides.get(name)
    if (override) return { envVariables: { ...override }, source: 'control', problem: null }
    return { envVariables: { ...spec.envVariables }, source: 'cloudbaserc', problem: spec.envProblem ?? null }
  }

  /** Replaces a function's variables (validated by the caller); idle warm processes go, so the next run sees them. */
  setEnvVariables(name: string, vars: Record<string, string>): void {
    if (!this.specs.has(name)) throw new Error(`no cloud function named "${name}"`)
    this.envOverrides.set(name, { ...vars })
    this.envVersions.set(name, (this.envVersions.get(name) ?? 0) + 1)
    for (const worker of this.idle.get(name) ?? []) {
      worker.kill()
      void worker.exited().then(() => this.live.delete(worker))
    }
    this.idle.delete(name)
  }

  /** The last runs of a function, newest first. */
  recentRuns(name: string): RunRecord[] {
    return [...(this.runs.get(name) ?? [])].reverse()
  }

  private record(name: string, run: RunRecord): void {
    run.seq = ++this.recorded
    const ring = this.runs.get(name) ?? []
    ring.push(run)
    const keep = this.options.runsKept ?? RECENT_RUNS_PER_FUNCTION
    if (ring.length > keep) ring.splice(0, ring.length - keep)
    this.runs.set(name, ring)
  }

  private async run(name: string, runEvent: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const requestId = randomUUID()
    const started = performance.now()
    const fail = (errorType: string, errorMessage: string, logs: string[] = []): InvokeResult => ({
      status: 'error',
      errorType,
      errorMessage,
      requestId,
      durationMs: Math.round(performance.now() - started),
      logs,
    })
    const spec = this.specs.get(name)
    if (!spec) return fail('FunctionNotFound', `no cloud function named "${name}" (known: ${[...this.specs.keys()].join(', ') || 'none'})`)
    const env = this.envVariables(name)!
    const envVersion = this.envVersions.get(name) ?? 0
    if (env.problem) return fail('EnvVariableMissing', env.problem)
    const file = resolve(this.options.root, name, 'index.js')
    if (!existsSync(file)) {
      return fail('FunctionNotBuilt', `${shownPath(file)} not found: run npm run build`)
    }
    const trigger = options.trigger ?? 'call'
    const timeoutMs = spec.timeoutSec * 1000
    const openid = trigger === 'timer' ? undefined : options.openid

    const via = trigger === 'timer' ? undefined : options.via
    this.pendingLiveCalls.set(requestId, { calls: [], dropped: 0 })
    const token = this.options.identities.issue({
      requestId,
      functionName: name,
      openapi: spec.permissions.openapi,
      openid,
      appid: this.options.appid,
      trigger,
      source: callSource(trigger, openid, via),
    })
    let worker: FunctionWorker | null = null
    try {
      const emulatorLayer = sdkEnv({
        url: this.options.url,
        envId: this.options.envId,
        functionName: name,
        openid,
        appid: this.options.appid,
        apiToken: token,
        trigger,
        via,
        timeoutMs,
        memoryMb: spec.memoryMb,
      })
      const acquired = await this.acquire(spec, file, { vars: env.envVariables, version: envVersion }, emulatorLayer)
      worker = acquired.worker
      if (acquired.loadError) {
        return fail(acquired.loadError.errorType, acquired.loadError.errorMessage, worker.takeLines())
      }
      const outcome = await worker.run({
        event: runEvent,
        context: {
          function_name: name,
          function_version: '$LATEST',
          request_id: requestId,
          namespace: this.options.envId,
          memory_limit_in_mb: spec.memoryMb,
          time_limit_in_ms: timeoutMs,
          environment: JSON.stringify(emulatorLayer),
        },
        runEnv: perRunEnv(emulatorLayer),
        timeoutMs,
        clockOffsetMs: this.options.clock.offsetMs(),
      })
      return { ...outcome, requestId, durationMs: Math.round(performance.now() - started), logs: worker.takeLines() }
    } finally {
      this.options.identities.revoke(token)
      if (worker) this.release(worker)
    }
  }

  /** Kills every process this runner started (warm pool included). */
  async close(): Promise<void> {
    const workers = [...this.live]
    for (const w of workers) w.kill()
    await Promise.all(workers.map((w) => w.exited()))
    this.live.clear()
    this.idle.clear()
  }

  private async acquire(spec: FunctionSpec, file: string, userLayer: { vars: Record<string, string>; version: number }, emulatorLayer: Record<string, string>) {
    if (this.warm) {
      const pool = this.idle.get(spec.name) ?? []
      let reused: FunctionWorker | undefined
      while ((reused = pool.pop())) if (reused.state === 'idle' && reused.envVersion === userLayer.version) return { worker: reused, loadError: null }
    }
    const dir = resolve(this.options.root, spec.name)
    const env = { ...platformLayer(dir), ...userLayer.vars, ...emulatorLayer }
    const workerFile = await compileWorker()
    const prefix = (line: string) => this.options.log?.(`[${spec.name}] ${line}`)
    const worker = new FunctionWorker(workerFile, spec.name, dir, env, prefix)
    worker.envVersion = userLayer.version
    this.live.add(worker)
    const loadError = await worker.load(file, this.options.clock.offsetMs(), this.options.initTimeoutMs ?? 30_000)
    return { worker, loadError }
  }

  private release(worker: FunctionWorker): void {
    if (this.warm && worker.state === 'idle' && worker.envVersion === (this.envVersions.get(worker.functionName) ?? 0)) {
      const pool = this.idle.get(worker.functionName) ?? []
      pool.push(worker)
      this.idle.set(worker.functionName, pool)
      return
    }
    worker.kill()
    void worker.exited().then(() => this.live.delete(worker))
  }
}

/** What the runner remembers of one run: everything a person debugging it needs, each part bounded. */
export function runRecord(
  result: InvokeResult,
  run: {
    trigger: 'call' | 'timer'
    startedAt: string
    event: unknown
    openid: string | undefined
    via?: string
    liveCalls?: { calls: LiveCallRecord[]; dropped: number }
  },
): RunRecord {
  const keptLogs = result.logs
    .slice(-RECORDED_LOG_LINES)
    .map((l) => (l.length > RECORDED_LINE_CHARS ? `${l.slice(0, RECORDED_LINE_CHARS)}… (${l.length} chars)` : l))
  const record: RunRecord = {
    requestId: result.requestId,
    seq: 0,
    trigger: run.trigger,
    caller: { source: callSource(run.trigger, run.openid, run.trigger === 'timer' ? undefined : run.via), openid: run.openid ?? null },
    startedAt: run.startedAt,
    event: bounded(run.event),
    status: result.status,
    durationMs: result.durationMs,
    logs: keptLogs,
    logLinesDropped: result.logs.length - keptLogs.length,
    liveCalls: run.liveCalls?.calls ?? [],
    liveCallsDropped: run.liveCalls?.dropped ?? 0,
  }
  if (result.status === 'ok') record.result = bounded(result.result)
  else {
    record.errorType = result.errorType
    record.errorMessage = result.errorMessage
  }
  return record
}

/** A JSON copy of `value`, or a preview of its JSON when longer than RECORDED_VALUE_CHARS. */
function bounded(value: unknown): unknown {
  if (value === undefined) return null
  let json: string
  try {
    json = JSON.stringify(value) ?? 'null'
  } catch (e) {
    return { unserializable: (e as Error).message }
  }
  if (json.length <= RECORDED_VALUE_CHARS) return JSON.parse(json) as unknown
  return { truncated: true, chars: json.length, preview: json.slice(0, RECORDED_VALUE_CHARS) }
}

/** What a bare SCF Node runtime provides before any user or emulator variable. */
function platformLayer(codeRoot: string): Record<string, string> {
  const layer: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    TZ: 'UTC', // SCF processes run in UTC; a function may override with envVariables.TZ
    LANG: 'C.UTF-8',
    USER_CODE_ROOT: codeRoot,
  }
  if (process.env.SYSTEMROOT) layer.SYSTEMROOT = process.env.SYSTEMROOT
  return layer
}

/** The variables that differ between runs of one process; a warm worker swaps them before each run. */
const PER_RUN_KEYS: string[] = ['WX_API_TOKEN', 'WX_TRIGGER_API_TOKEN_V0', 'WX_OPENID', 'WX_APPID', 'WX_CONTEXT_KEYS', 'TRIGGER_SRC', 'TCB_SOURCE']
function perRunEnv(emulatorLayer: Record<string, string>): Record<string, string> {
  return Object.fromEntries(PER_RUN_KEYS.filter((k) => k in emulatorLayer).map((k) => [k, emulatorLayer[k]]))
}
