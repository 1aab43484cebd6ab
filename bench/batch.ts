/**
 * `npm run bench:batch [-- --rows 500] [--latency-ms 150] [--json FILE]`: a batch of goods through liveAdmin's
 * batch actions, in-process over the Live sandbox and the emulator's database engine (bench/admin-batch-harness.ts).
 * Prints two figures: the real wall time and Live calls of the whole job (validate, start, continue until done)
 * with an instant platform, i.e. the function's own cost per row; and, with each Live call taking `--latency-ms`
 * of the function's time limit (liveAdmin's timeout in cloudbaserc.json), how many runs the job needs and the time
 * they add up to. The review budget is raised to the row count so the job is not stopped by the day's 500.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { makeBatchHarness, type BatchHarness } from './admin-batch-harness'

interface Args {
  rows: number
  latencyMs: number
  json: string | null
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 500, latencyMs: 150, json: null }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]]
    if (flag === '--rows' || flag === '--latency-ms') {
      const n = Number(value)
      if (!Number.isInteger(n) || n < (flag === '--rows' ? 1 : 0) || n > 100_000) throw new Error(`${flag}: a whole number (rows 1–100000, latency 0–100000 ms), got ${value}`)
      if (flag === '--rows') args.rows = n
      else args.latencyMs = n
      i++
    } else if (flag === '--json' && value) {
      args.json = value
      i++
    } else {
      throw new Error(`unknown option ${flag} (use --rows N, --latency-ms N, --json FILE)`)
    }
  }
  return args
}

/** liveAdmin's time limit as deployed (cloudbaserc.json), in ms. */
export function liveAdminTimeoutMs(): number {
  const rc = JSON.parse(readFileSync(path.resolve(__dirname, '../cloudbaserc.json'), 'utf8')) as { functions: { name: string; timeout: number }[] }
  const fn = rc.functions.find((f) => f.name === 'liveAdmin')
  if (!fn) throw new Error('cloudbaserc.json has no liveAdmin')
  return fn.timeout * 1000
}

function goodsFile(h: BatchHarness, rows: number): string {
  const cover = h.image()
  const items = Array.from({ length: rows }, (_, i) => ({ name: `批量商品${i + 1}`, coverImgUrl: cover, priceType: 1, price: 10 + (i % 90), url: `pages/goods/detail?id=${i + 1}` }))
  return h.upload('goods.json', JSON.stringify(items))
}

export async function runBatchJob(rows: number, latencyMs: number, budgetMs: number) {
  const h = makeBatchHarness({ reviewBudget: rows, quotas: { review: rows } })
  h.msPerCall = latencyMs
  const fileId = goodsFile(h, rows)
  const t0 = performance.now()
  const clock0 = h.clock.nowMs()
  const validated = await h.admin('batchValidate', { fileId, kind: 'goods' }, budgetMs)
  if (!validated.ok || validated.data.valid !== rows) throw new Error(`validate: ${JSON.stringify(validated).slice(0, 300)}`)
  const validateMs = performance.now() - t0
  const started = await h.admin('batchStart', { fileId, kind: 'goods' }, budgetMs)
  if (!started.ok) throw new Error(`start: ${JSON.stringify(started.error)}`)
  let runs = 0
  let state = 'running'
  while (state === 'running' && runs < 10_000) {
    const r = await h.admin('batchContinue', { jobId: started.data.jobId }, budgetMs)
    if (!r.ok) throw new Error(`continue: ${JSON.stringify(r.error)}`)
    state = r.data.state
    runs++
  }
  const wallMs = performance.now() - t0
  const goods = h.sandbox.state.goods.size
  if (state !== 'done' || goods !== rows) throw new Error(`job ended ${state} with ${goods} goods of ${rows}`)
  return { runs, wallMs, validateMs, modeledMs: h.clock.nowMs() - clock0, calls: { ...h.calls } }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const budgetMs = liveAdminTimeoutMs()
  const instant = await runBatchJob(args.rows, 0, budgetMs)
  const slow = await runBatchJob(args.rows, args.latencyMs, budgetMs)
  const totalCalls = Object.values(instant.calls).reduce((a, b) => a + b, 0)
  console.log(`batch of ${args.rows} goods (in-process: Live sandbox, emulator database engine)`)
  console.log(`  instant platform: ${instant.wallMs.toFixed(0)} ms wall (${(instant.wallMs / args.rows).toFixed(2)} ms a row; validate ${instant.validateMs.toFixed(0)} ms), ${instant.runs} run(s), ${totalCalls} Live calls ${JSON.stringify(instant.calls)}`)
  console.log(`  ${args.latencyMs} ms a Live call, ${budgetMs / 1000} s a run: ${slow.runs} runs, ${(slow.modeledMs / 1000).toFixed(1)} s of function time (${(slow.modeledMs / args.rows).toFixed(0)} ms a row)`)
  if (args.json) writeFileSync(args.json, JSON.stringify({ rows: args.rows, budgetMs, latencyMs: args.latencyMs, instant, slow }, null, 2))
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
