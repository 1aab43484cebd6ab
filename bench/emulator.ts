/**
 * `npm run bench:emulator [-- --watches 100] [--docs 1000] [--updates 1000]`
 *
 * What an open watch costs the emulator. A collection of `docs` room documents spread over 10 sections, as the
 * mini-program's home page reads them; `updates` single-document updates (a new sortKey, one in ten also a new
 * section) sent over HTTP to `/admin`, first with no watch open, then with `watches` open watches of the shape the
 * mini-program uses (one section ordered by sortKey; every other one limited to 20), held by a separate
 * process over `/__client/watch` so their reading costs the emulator nothing it would not pay for a real viewer.
 * Prints the update latency p50/p95 in both phases, this process's peak memory, and its memory once the watches
 * are closed, each beside its target. A warm-up round (with and without watches) comes first, so code compiled on
 * first use is not counted as memory the watches kept. Figures only: nothing here passes or fails.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startEmulator } from '../emulator/emulator'
import { seededRandom } from './random'

const TARGET_P95_RATIO = 2
const TARGET_MEMORY_RATIO = 1.1
const SECTIONS = Array.from({ length: 10 }, (_, i) => `section-${i}`)
const COLLECTION = 'live_rooms'

function args(): { watches: number; docs: number; updates: number } {
  const { values } = parseArgs({
    options: { watches: { type: 'string', default: '100' }, docs: { type: 'string', default: '1000' }, updates: { type: 'string', default: '1000' } },
    strict: true,
  })
  const count = (name: 'watches' | 'docs' | 'updates') => {
    const n = Number(values[name])
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--${name}: must be an integer from 1 to 100000, got ${values[name]}`)
    return n
  }
  return { watches: count('watches'), docs: count('docs'), updates: count('updates') }
}

const ejson = (v: unknown) => JSON.stringify(v)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

interface Memory {
  heapMb: number
  rssMb: number
}

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const m = process.memoryUsage()
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 }
}

/** Sends `count` updates one after another and returns each one's round trip in ms, sorted. */
async function updates(url: string, docs: number, count: number, seed: number, onSample: () => void): Promise<number[]> {
  const next = seededRandom(seed)
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const id = `room-${Math.floor(next() * docs)}`
    const data: Record<string, unknown> = { sortKey: Math.floor(next() * 1e9) }
    if (next() < 0.1) data.section = SECTIONS[Math.floor(next() * SECTIONS.length)]
    const body = JSON.stringify({
      action: 'database.modifyDocument',
      collectionName: COLLECTION,
      queryType: 'DOC',
      query: ejson({ _id: id }),
      data: ejson({ $set: data }),
      multi: false,
      merge: true,
      upsert: false,
    })
    const started = performance.now()
    const res = await fetch(`${url}/admin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const reply = (await res.json()) as { code?: string; message?: string }
    times.push(performance.now() - started)
    if (reply.code) throw new Error(`update ${i}: ${reply.code} ${reply.message}`)
    if (i % 50 === 0) onSample()
  }
  return times.sort((a, b) => a - b)
}

/** The watching viewers, in their own process: prints `ready` once every watch has its first snapshot. */
const WATCHER = `
const http = require('node:http')
const [url, count] = [process.argv[1], Number(process.argv[2])]
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
let ready = 0, snapshots = 0
const requests = []
for (let i = 0; i < count; i++) {
  const q = new URLSearchParams({ openid: 'o-bench-' + i, collectionName: '${COLLECTION}', query: JSON.stringify({ section: 'section-' + (i % 10) }), order: JSON.stringify({ sortKey: 1 }) })
  if (i % 2) q.set('limit', '20')
  const req = http.get(url + '/__client/watch?' + q, { agent }, (res) => {
    let first = true
    res.setEncoding('utf8')
    res.on('data', (chunk) => {
      const n = chunk.split('event: snapshot').length - 1
      snapshots += n
      if (first && n > 0) { first = false; if (++ready === count) process.stdout.write('ready\\n') }
    })
  })
  requests.push(req)
}
process.stdin.on('data', () => process.stdout.write('snapshots ' + snapshots + '\\n'))
process.stdin.on('end', () => { for (const r of requests) r.destroy(); process.exit(0) })
`

/** Starts the watching process and waits until every watch has its first snapshot. */
async function openWatchers(url: string, watches: number): Promise<{ snapshots(): Promise<number>; close(): Promise<void> }> {
  const watcher = spawn(process.execPath, ['-e', WATCHER, url, String(watches)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines: string[] = []
  let buffered = ''
  watcher.stdout.setEncoding('utf8')
  watcher.stdout.on('data', (chunk: string) => {
    buffered += chunk
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    lines.push(...parts)
  })
  const waitFor = async (prefix: string) => {
    for (let i = 0; i < 6000; i++) {
      const line = lines.find((l) => l.startsWith(prefix))
      if (line) return line
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`the watching process did not say "${prefix}"`)
  }
  await waitFor('ready')
  return {
    async snapshots() {
      watcher.stdin.write('count\n')
      return Number((await waitFor('snapshots')).split(' ')[1])
    },
    async close() {
      watcher.stdin.end()
      await new Promise((r) => watcher.once('exit', r))
    },
  }
}

async function main(): Promise<void> {
  const { watches, docs, updates: count } = args()
  const emu = await startEmulator({ port: 0, databaseDir: path.resolve(__dirname, '../database') })
  const seed = seededRandom(7)
  emu.engine.insert(
    COLLECTION,
    Array.from({ length: docs }, (_, i) => ({
      _id: `room-${i}`,
      roomId: i,
      section: SECTIONS[i % SECTIONS.length],
      sortKey: Math.floor(seed() * 1e9),
      name: `直播间 ${i}`,
      coverImg: `https://example.invalid/cover/${i}.jpg`,
      anchorName: '主播',
      startTime: 1_800_000_000 + i * 60,
    })),
  )
  let peak = memory()
  const sample = () => {
    const m = process.memoryUsage()
    peak = { heapMb: Math.max(peak.heapMb, m.heapUsed / 2 ** 20), rssMb: Math.max(peak.rssMb, m.rss / 2 ** 20) }
  }

  // warm-up with and without watches, so one-time costs (compiled code, sockets) are not counted as watch memory
  const warm = await openWatchers(emu.url, watches)
  await updates(emu.url, docs, 200, 1, sample)
  await warm.close()
  await updates(emu.url, docs, 200, 1, sample)
  const without = await updates(emu.url, docs, count, 2, sample)
  const start = memory()
  peak = { ...start }

  const watchers = await openWatchers(emu.url, watches)
  sample()
  const withWatches = await updates(emu.url, docs, count, 2, sample)
  await new Promise((r) => setTimeout(r, 200))
  const delivered = (await watchers.snapshots()) - watches
  sample()
  await watchers.close()
  // the server notices each closed stream and unsubscribes its watch in its own time: settle for up to 10 s
  let after = memory()
  for (let i = 0; i < 50 && after.heapMb > start.heapMb * TARGET_MEMORY_RATIO; i++) {
    await new Promise((r) => setTimeout(r, 200))
    const m = memory()
    if (m.heapMb < after.heapMb) after = m
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  await emu.stop()

  const p = (t: number[]) => [percentile(t, 50), percentile(t, 95)]
  const [p50a, p95a] = p(without)
  const [p50b, p95b] = p(withWatches)
  const ratio = p95b / p95a
  const heapRatio = after.heapMb / start.heapMb
  const f = (n: number) => n.toFixed(2)
  const gcNote = (globalThis as { gc?: () => void }).gc ? '' : '  (run with node --expose-gc for settled heap figures)'
  console.log(
    [
      `Watch cost: ${docs} documents in ${COLLECTION}, ${count} single-document updates over HTTP /admin, ${watches} watches over /__client/watch`,
      `(one section each, ordered by sortKey, every other one limited to 20; ${delivered} change snapshots delivered to the watchers)`,
      '',
      'update latency (ms)            p50      p95',
      `  no watch open            ${f(p50a).padStart(7)}  ${f(p95a).padStart(7)}`,
      `  ${String(watches).padStart(3)} watches open        ${f(p50b).padStart(7)}  ${f(p95b).padStart(7)}`,
      `  p95 ratio ${f(ratio)}  (target ≤ ${TARGET_P95_RATIO}: ${ratio <= TARGET_P95_RATIO ? 'met' : 'NOT met'})`,
      '',
      'memory of this process (MB)   heap      rss',
      `  before the watches      ${f(start.heapMb).padStart(7)}  ${f(start.rssMb).padStart(7)}`,
      `  peak with the watches   ${f(peak.heapMb).padStart(7)}  ${f(Math.max(peak.rssMb, peakRssMb)).padStart(7)}`,
      `  after they closed       ${f(after.heapMb).padStart(7)}  ${f(after.rssMb).padStart(7)}`,
      `  heap after/before ${f(heapRatio)}  (target ≤ ${TARGET_MEMORY_RATIO}: ${heapRatio <= TARGET_MEMORY_RATIO ? 'met' : 'NOT met'})${gcNote}`,
    ].join('\n'),
  )
}

main().catch((e: Error) => {
  console.error(e.message)
  process.exit(1)
})
