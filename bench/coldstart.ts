/**
 * `npm run bench:coldstart [-- --runs N] [--minify] [--json FILE]`
 *
 * Cold start of every built cloud function beside a bare wx-server-sdk function (bench/fixtures/bare-function),
 * each run as a fresh `node` child of this process: the child loads the file, whose top level requires
 * wx-server-sdk and calls cloud.init (plus the function's own top-level work), then reports its CPU time and
 * peak memory (`process.resourceUsage()`); this process measures the child's whole-process wall time, spawn to
 * exit. Runs are interleaved (one of each subject per round, order rotating) so machine noise hits every subject
 * alike, after one discarded warm-up round. Figures are medians; a ratio is the median over rounds of function ÷
 * bare within the round (paired, so a slow stretch of the machine cancels out); the targets are printed beside
 * them. `--minify` builds the minified variant, to compare its size and start time with the readable one.
 */
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildFunctions, MAX_BUNDLE_BYTES } from '../tools/build-functions'

const PROJECT_ROOT = resolve(__dirname, '..')
const PROBE = join(__dirname, 'fixtures', 'coldstart-probe.cjs')
const BARE = join(__dirname, 'fixtures', 'bare-function')
export const BARE_NAME = 'bare wx-server-sdk'

/** The targets a built function is held to (printed beside the figures; the size one is also a test). */
export const TARGETS = { maxRatio: 1.1, maxBytes: MAX_BUNDLE_BYTES }

export interface Args {
  runs: number
  minify: boolean
  json?: string
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 15, minify: false }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    if (flag === '--runs') {
      const value = argv[++i]
      const n = Number(value)
      if (value === undefined || !Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--runs: must be an integer from 1 to 1000, got ${value ?? 'nothing'}`)
      args.runs = n
    } else if (flag === '--minify') args.minify = true
    else if (flag === '--json') {
      const value = argv[++i]
      if (!value) throw new Error('--json: needs a file name')
      args.json = value
    } else throw new Error(`unknown option ${flag} (use --runs N, --minify, --json FILE)`)
  }
  return args
}

export interface Sample {
  wallMs: number
  cpuMs: number
  loadMs: number
  maxRssKb: number
}

export interface SubjectFigures {
  name: string
  /** Bundle size in bytes; undefined for the bare function (it is not built). */
  bytes?: number
  runs: number
  /** Medians over the runs. */
  wallMs: number
  cpuMs: number
  loadMs: number
  /** Largest peak resident set over the runs. */
  maxRssKb: number
}

export interface ColdstartReport {
  node: string
  /** The machine's 1-minute load average when the runs ended, beside its core count: wall time suffers first. */
  load: { average: number; cores: number }
  runs: number
  minify: boolean
  bare: SubjectFigures
  /** Ratios are medians of the per-round ratios to the bare function. */
  functions: Array<SubjectFigures & { wallRatio: number; cpuRatio: number; meetsTargets: boolean }>
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** One cold start: a fresh node process loads `file` through the probe; resolves with its figures. */
function coldStart(file: string): Promise<Sample> {
  // NODE_OPTIONS would make the child load whatever this process was started with (a TypeScript loader, say).
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return new Promise((resolveSample, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [PROBE, file], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      const wallMs = performance.now() - started
      const line = out.split('\n').find((l) => l.startsWith('coldstart-probe '))
      if (code !== 0 || line === undefined) {
        reject(new Error(`cold start of ${file} failed (exit ${code}): ${(err || out).trim().slice(0, 2000)}`))
        return
      }
      const figures = JSON.parse(line.slice('coldstart-probe '.length)) as Omit<Sample, 'wallMs'>
      resolveSample({ wallMs, ...figures })
    })
  })
}

function summarise(name: string, samples: Sample[], bytes?: number): SubjectFigures {
  return {
    name,
    bytes,
    runs: samples.length,
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    loadMs: median(samples.map((s) => s.loadMs)),
    maxRssKb: Math.max(...samples.map((s) => s.maxRssKb)),
  }
}

export async function runColdstart(args: Args): Promise<ColdstartReport> {
  // Built into node_modules/.cache so `require('wx-server-sdk')` resolves to the project's copy, from the same
  // depth for every subject, and a bench run never rewrites the cloudfunctions/*/index.js a developer deploys.
  const outRoot = join(PROJECT_ROOT, 'node_modules', '.cache', 'bench-coldstart', `${process.pid}-${Date.now()}`)
  mkdirSync(outRoot, { recursive: true })
  try {
    const built = await buildFunctions({ root: join(PROJECT_ROOT, 'cloudfunctions'), outRoot, minify: args.minify })
    cpSync(BARE, join(outRoot, 'bare'), { recursive: true })
    const subjects = [{ name: BARE_NAME, file: join(outRoot, 'bare', 'index.js') }, ...built.map((b) => ({ name: b.name, file: b.outFile }))]
    const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]))
    for (const s of subjects) await coldStart(s.file) // warm-up round: the OS file cache, not the figures
    for (let round = 0; round < args.runs; round++) {
      for (let k = 0; k < subjects.length; k++) {
        const s = subjects[(round + k) % subjects.length]
        samples.get(s.name)!.push(await coldStart(s.file))
      }
    }
    const bareSamples = samples.get(BARE_NAME)!
    const bare = summarise(BARE_NAME, bareSamples)
    return {
      node: process.version,
      load: { average: loadavg()[0], cores: cpus().length },
      runs: args.runs,
      minify: args.minify,
      bare,
      functions: built.map((b) => {
        const own = samples.get(b.name)!
        const f = summarise(b.name, own, b.bytes)
        const wallRatio = median(own.map((sample, i) => sample.wallMs / bareSamples[i].wallMs))
        const cpuRatio = median(own.map((sample, i) => sample.cpuMs / bareSamples[i].cpuMs))
        return { ...f, wallRatio, cpuRatio, meetsTargets: wallRatio <= TARGETS.maxRatio && cpuRatio <= TARGETS.maxRatio && b.bytes <= TARGETS.maxBytes }
      }),
    }
  } finally {
    rmSync(outRoot, { recursive: true, force: true })
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const ms = (n: number) => `${n.toFixed(1)} ms`
const ratio = (n: number) => `${n.toFixed(2)}×`

export function formatReport(r: ColdstartReport): string[] {
  const lines = [
    `cold start, median of ${r.runs} interleaved run(s) each, node ${r.node}${r.minify ? ', minified build' : ''}, load average ${r.load.average.toFixed(1)} on ${r.load.cores} cores`,
    `targets: each function ≤ ${ratio(TARGETS.maxRatio)} the bare function's wall and CPU time, bundle ≤ ${kb(TARGETS.maxBytes)}`,
    '',
    `${'subject'.padEnd(20)} ${'bundle'.padStart(10)} ${'wall'.padStart(10)} ${'cpu'.padStart(10)} ${'load+init'.padStart(10)} ${'peak rss'.padStart(10)}  ratio wall / cpu`,
  ]
  const row = (f: SubjectFigures, tail: string) =>
    `${f.name.padEnd(20)} ${(f.bytes === undefined ? '-' : kb(f.bytes)).padStart(10)} ${ms(f.wallMs).padStart(10)} ${ms(f.cpuMs).padStart(10)} ${ms(f.loadMs).padStart(10)} ${`${(f.maxRssKb / 1024).toFixed(1)} MB`.padStart(10)}  ${tail}`
  lines.push(row(r.bare, 'baseline'))
  for (const f of r.functions) {
    lines.push(row(f, `${ratio(f.wallRatio)} / ${ratio(f.cpuRatio)}  ${f.meetsTargets ? 'meets the targets' : 'MISSES the targets'}`))
  }
  return lines
}

/**
 * The command line of a bench: parse the flags, run, print the report's lines, write it as JSON when `--json`
 * names a file; a failure prints its message and sets the exit code (bench:admin uses it too).
 */
export async function benchCli<A extends { json?: string }, R>(parse: (argv: string[]) => A, run: (args: A) => Promise<R>, format: (r: R) => string[]): Promise<void> {
  try {
    const args = parse(process.argv.slice(2))
    const report = await run(args)
    for (const line of format(report)) console.log(line)
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2))
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  }
}

if (require.main === module) void benchCli(parseArgs, runColdstart, formatReport)
