/**
 * `npm run bench:admin [-- --calls N] [--runs N] [--json FILE]`
 *
 * In one run against the emulator (built functions, warm processes, the Live sandbox seeded with the demo
 * merchant):
 * - each liveAdmin action's added cost over the bare cloud call it wraps: the action through liveAdmin, called as
 *   an owner, beside a bare wx-server-sdk function (bench/fixtures/bare-openapi) that only calls the same
 *   `cloud.openapi` method with the same params. Calls are interleaved (bare, action, bare, action…) after a
 *   warm-up; figures are medians of `--calls` (default 50) wall times of the whole run as the runner sees it, and
 *   the ratio is the median of the per-pair ratios. Actions the bench has no repeatable params for are listed
 *   as not measured, never left out silently.
 * - liveAdmin's cold start against a bare wx-server-sdk function (bench/coldstart.ts, `--runs` rounds, default 15)
 *   and its bundle size, with PASS/FAIL against the targets.
 * - a batch of 500 goods (wall time, runs and Live calls), the job of bench/batch.ts with an instant platform.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import type { DemoSeed } from '../emulator/sandbox/seed'
import { catalogue, isEndpointId, type EndpointId } from '../src/live/catalogue'
import { actionTable } from '../src/admin/actions'
import type { CallId } from '../src/admin/types'
import type { ActionTable } from '../src/admin/dispatch'
import { benchCli, runColdstart, TARGETS, type ColdstartReport } from './coldstart'
import { liveAdminTimeoutMs, runBatchJob } from './batch'

const PROJECT_ROOT = resolve(__dirname, '..')
const BARE_OPENAPI = join(__dirname, 'fixtures', 'bare-openapi')
const OWNER = 'oBenchOwner00000000000000001'

export interface Args {
  calls: number
  runs: number
  /** Goods in the batch import job measured (the figure the target names is 500). */
  batchRows: number
  json?: string
}

function intFlag(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value)
  if (value === undefined || !Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: must be an integer from ${min} to ${max}, got ${value ?? 'nothing'}`)
  return n
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { calls: 50, runs: 15, batchRows: 500 }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--calls') args.calls = intFlag('--calls', argv[++i], 1, 10_000)
    else if (flag === '--runs') args.runs = intFlag('--runs', argv[++i], 1, 1000)
    else if (flag === '--batch-rows') args.batchRows = intFlag('--batch-rows', argv[++i], 1, 1000)
    else if (flag === '--json') {
      const value = argv[++i]
      if (!value) throw new Error('--json: needs a file name')
      args.json = value
    } else throw new Error(`unknown option ${flag} (use --calls N, --runs N, --batch-rows N, --json FILE)`)
  }
  return args
}

/**
 * Params each endpoint can be called with again and again against the seeded demo merchant, succeeding every
 * time (reads, and changes that set a room to the state it already has). Endpoints missing here cannot be
 * repeated unchanged (creating, deleting, pushing to followers once a day…) and are reported as not measured.
 */
function repeatableParams(seed: DemoSeed): Partial<Record<EndpointId, Record<string, unknown>>> {
  const upcoming = seed.rooms.upcoming
  const goods = seed.goods.approved[0]
  return {
    getLiveInfo: { start: 0, limit: 10 },
    getPushUrl: { roomId: seed.rooms.live },
    getSharedCode: { roomId: upcoming },
    getAssistantList: { roomId: upcoming },
    getSubAnchor: { roomId: upcoming },
    getRoleList: { role: -1, offset: 0, limit: 10 },
    getFollowers: { limit: 20 },
    goodsList: { offset: 0, limit: 10, status: 2 },
    goodsInfo: { goodsIds: [goods] },
    updateFeedPublic: { roomId: upcoming, isFeedsPublic: 1 },
    updateReplay: { roomId: upcoming, closeReplay: 0 },
    updateKF: { roomId: upcoming, closeKf: 0 },
    updateComment: { roomId: upcoming, banComment: 0 },
  }
}

export interface ActionFigures {
  action: string
  /** The endpoint whose bare cloud call the action is compared with. */
  endpoint: string
  calls: number
  bareMs: number
  actionMs: number
  addedMs: number
  ratio: number
}

export interface AdminBenchReport {
  node: string
  calls: number
  measured: ActionFigures[]
  /** Actions with a Live endpoint the bench did not time, and why. */
  notMeasured: { action: string; why: string }[]
  coldstart: { bare: ColdstartReport['bare']; liveAdmin: ColdstartReport['functions'][number] }
  bundle: { bytes: number; maxBytes: number; pass: boolean }
  coldstartPass: boolean
  /** The goods batch (npm run bench:batch's job, no added latency): null when the table has no batch import. */
  batch: { action: string; goods: number; wallMs: number; liveCalls: number; runs: number } | null
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The endpoint an action wraps: the one of its own name when it calls it, else the first it calls. */
function wrappedEndpoint(name: string, callIds: readonly CallId[]): EndpointId | null {
  // link APIs have no bare Live counterpart to time against
  const calls = callIds.filter(isEndpointId)
  if (calls.length === 0) return null
  return isEndpointId(name) && calls.includes(name) ? name : calls[0]
}

async function timed(emu: Emulator, fn: string, event: Record<string, unknown>, openid: string): Promise<{ ms: number; result: unknown }> {
  const started = performance.now()
  const run = await emu.invokeFunction(fn, event, { openid })
  const ms = performance.now() - started
  if (run.status !== 'ok') throw new Error(`${fn} run ${run.status}: ${'errorMessage' in run ? run.errorMessage : ''}`)
  return { ms, result: run.result }
}

const failure = (result: unknown): string | null => {
  const r = result as { ok?: boolean; error?: { code?: string; errcode?: number; en?: string }; errcode?: number; errMsg?: string }
  if (r && r.ok === false) return `${r.error?.code}${r.error?.errcode ? ` ${r.error.errcode}` : ''}: ${r.error?.en}`
  if (r && typeof r.errcode === 'number' && r.errcode !== 0) return `errcode ${r.errcode}`
  if (r && typeof r === 'object' && 'thrown' in r) return `threw: ${String((r as { thrown: unknown }).thrown)}`
  return null
}

export async function runAdminBench(args: Args, table: ActionTable = actionTable): Promise<AdminBenchReport> {
  // Built under node_modules/.cache so both functions resolve the project's wx-server-sdk; never the deployable files.
  const root = join(PROJECT_ROOT, 'node_modules', '.cache', 'bench-admin', `${process.pid}-${Date.now()}`)
  mkdirSync(root, { recursive: true })
  let emu: Emulator | null = null
  try {
    const [built] = await buildFunctions({ root: join(PROJECT_ROOT, 'cloudfunctions'), names: ['liveAdmin'], outRoot: root })
    cpSync(join(PROJECT_ROOT, 'cloudfunctions', 'liveAdmin', 'config.json'), join(root, 'liveAdmin', 'config.json'))
    cpSync(BARE_OPENAPI, join(root, 'bareOpenapi'), { recursive: true })
    // The bare function may call exactly what liveAdmin may.
    cpSync(join(PROJECT_ROOT, 'cloudfunctions', 'liveAdmin', 'config.json'), join(root, 'bareOpenapi', 'config.json'))
    emu = await startEmulator({ port: 0, functionsRoot: root, databaseDir: join(PROJECT_ROOT, 'database'), warmFunctions: true })
    silenceSdkPlatformProbe()
    emu.setFunctionEnv('liveAdmin', { LIVE_OWNER_OPENIDS: OWNER })
    const seed = emu.control.seedDemo()
    const params = repeatableParams(seed)

    const measured: ActionFigures[] = []
    const notMeasured: { action: string; why: string }[] = []
    for (const def of Object.values(table).sort((a, b) => a.name.localeCompare(b.name))) {
      const endpoint = wrappedEndpoint(def.name, def.calls)
      if (endpoint === null) continue
      const cloud = catalogue[endpoint].cloud
      if (cloud === null) {
        notMeasured.push({ action: def.name, why: `${endpoint} has no cloud call to compare with (HTTPS only)` })
        continue
      }
      // A composite action takes its own params, not its first endpoint's: only a same-named action reuses them.
      const p = def.name === endpoint ? params[endpoint] : undefined
      if (!p) {
        const why = def.name === endpoint ? 'no params that succeed when repeated unchanged' : `composite action (calls ${def.calls.join(', ')}): no bare call with the same params`
        notMeasured.push({ action: def.name, why })
        continue
      }
      const adminEvent = { action: def.name, params: p }
      const bareEvent = { method: cloud.split('.')[1], params: p }
      // Warm-up pair, and a check that both succeed with these params before any figure is taken.
      const first = [await timed(emu, 'bareOpenapi', bareEvent, OWNER), await timed(emu, 'liveAdmin', adminEvent, OWNER)]
      const problem = failure(first[0].result) ?? failure(first[1].result)
      if (problem) {
        notMeasured.push({ action: def.name, why: `the call failed: ${problem.slice(0, 160)}` })
        continue
      }
      const bare: number[] = []
      const action: number[] = []
      for (let i = 0; i < args.calls; i++) {
        // Alternating which goes first, so a slow moment of the machine falls on both alike.
        const pair = i % 2 === 0
          ? [await timed(emu, 'bareOpenapi', bareEvent, OWNER), await timed(emu, 'liveAdmin', adminEvent, OWNER)]
          : [await timed(emu, 'liveAdmin', adminEvent, OWNER), await timed(emu, 'bareOpenapi', bareEvent, OWNER)].reverse()
        bare.push(pair[0].ms)
        action.push(pair[1].ms)
      }
      const bareMs = median(bare)
      const actionMs = median(action)
      measured.push({ action: def.name, endpoint, calls: args.calls, bareMs, actionMs, addedMs: actionMs - bareMs, ratio: median(action.map((a, i) => a / bare[i])) })
    }
    await emu.stop()
    emu = null

    const cold = await runColdstart({ runs: args.runs, minify: false })
    const liveAdmin = cold.functions.find((f) => f.name === 'liveAdmin')
    if (!liveAdmin) throw new Error('the cold-start bench did not build liveAdmin')
    return {
      node: process.version,
      calls: args.calls,
      measured,
      notMeasured,
      coldstart: { bare: cold.bare, liveAdmin },
      bundle: { bytes: built.bytes, maxBytes: TARGETS.maxBytes, pass: built.bytes <= TARGETS.maxBytes },
      coldstartPass: liveAdmin.wallRatio <= TARGETS.maxRatio && liveAdmin.cpuRatio <= TARGETS.maxRatio,
      batch: table.batchStart && table.batchContinue ? await batchFigure(args.batchRows) : null,
    }
  } finally {
    if (emu) await emu.stop()
    rmSync(root, { recursive: true, force: true })
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`
const ratio = (n: number) => `${n.toFixed(2)}×`
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL')

export function formatReport(r: AdminBenchReport): string[] {
  const lines = [
    `liveAdmin bench, node ${r.node}: each action against the bare cloud call it wraps, median of ${r.calls} interleaved call(s) each (warm functions, emulator)`,
    '',
    `${'action'.padEnd(20)} ${'endpoint'.padEnd(18)} ${'bare'.padStart(9)} ${'action'.padStart(9)} ${'added'.padStart(9)}  ratio`,
    ...r.measured.map((m) => `${m.action.padEnd(20)} ${m.endpoint.padEnd(18)} ${ms(m.bareMs).padStart(9)} ${ms(m.actionMs).padStart(9)} ${ms(m.addedMs).padStart(9)}  ${ratio(m.ratio)}`),
  ]
  if (r.measured.length) {
    lines.push(`median added cost over ${r.measured.length} action(s): ${ms(median(r.measured.map((m) => m.addedMs)))}, ratio ${ratio(median(r.measured.map((m) => m.ratio)))}`)
  }
  lines.push('', `not measured (${r.notMeasured.length}):`, ...r.notMeasured.map((n) => `  ${n.action}: ${n.why}`))
  const c = r.coldstart
  lines.push(
    '',
    `cold start, median of ${c.liveAdmin.runs} interleaved run(s): bare wx-server-sdk ${ms(c.bare.wallMs)} wall / ${ms(c.bare.cpuMs)} cpu; liveAdmin ${ms(c.liveAdmin.wallMs)} / ${ms(c.liveAdmin.cpuMs)}`,
    `cold start ratio ${ratio(c.liveAdmin.wallRatio)} wall / ${ratio(c.liveAdmin.cpuRatio)} cpu (target ≤ ${ratio(TARGETS.maxRatio)}): ${pass(r.coldstartPass)}`,
    `bundle ${(r.bundle.bytes / 1024).toFixed(1)} KB (target ≤ ${(r.bundle.maxBytes / 1024).toFixed(1)} KB): ${pass(r.bundle.pass)}`,
    r.batch
      ? `batch of ${r.batch.goods} goods (${r.batch.action}): ${ms(r.batch.wallMs)} wall, ${r.batch.runs} run(s), ${r.batch.liveCalls} Live calls`
      : 'batch of goods: not measured (the table has no batchStart/batchContinue)',
  )
  return lines
}

/** The batch job of bench/batch.ts with an instant platform: what the function itself spends, and its Live calls. */
async function batchFigure(rows: number): Promise<NonNullable<AdminBenchReport['batch']>> {
  const job = await runBatchJob(rows, 0, liveAdminTimeoutMs())
  return { action: 'batchValidate, batchStart, batchContinue', goods: rows, wallMs: job.wallMs, liveCalls: Object.values(job.calls).reduce((a, b) => a + b, 0), runs: job.runs }
}

if (require.main === module) void benchCli(parseArgs, (args: Args) => runAdminBench(args), formatReport)
