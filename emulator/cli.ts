/**
 * `npm start`            build, start the emulator with a persistent data directory, seed the demo merchant into an
 *                        empty one, fire the timers, and print what happens. Ctrl-C stops it cleanly.
 * `npm run emulator --`  start only the emulator and sandbox, in memory, for scripts and tools:
 *                        `--port N` (default 8787), `--empty` (no demo data), `--timers` (fire timers too).
 */
import { parseArgs } from 'node:util'
import { existsSync, readdirSync, rmSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { buildFunctions, staleFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator } from './emulator'
import type { DemoSeed } from './sandbox/seed'

const ROOT = path.resolve(__dirname, '..')
const FUNCTIONS = path.join(ROOT, 'cloudfunctions')
const CLOUDBASERC = path.join(ROOT, 'cloudbaserc.json')
const DATABASE = path.join(ROOT, 'database')

async function main(): Promise<void> {
  const [command = 'start', ...rest] = process.argv.slice(2)
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: 'string', default: '8787' },
      empty: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      timers: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: path.join(ROOT, '.emulator-data') },
    },
    strict: true,
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: must be an integer 0–65535, got ${values.port}`)

  if (command === 'start') return start(port, values['data-dir']!, values.reset!)
  if (command === 'emulator') return emulatorOnly(port, values.empty!, values.timers!)
  throw new Error(`unknown command ${command}: use start or emulator`)
}

async function start(port: number, dataDir: string, reset: boolean): Promise<void> {
  await build(true)
  if (reset && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  const fresh = readdirSync(dataDir).length === 0
  const emu = await startEmulator({
    port,
    dataDir,
    functionsRoot: FUNCTIONS,
    cloudbaserc: CLOUDBASERC,
    databaseDir: DATABASE,
    timers: true,
    watchRules: true,
    log: (line) => console.log(`[${time()}] ${line}`),
  })
  if (fresh) {
    const seeded = emu.control.seedDemo()
    console.log(`Seeded the demo merchant: ${describeSeed(seeded)}`)
  } else {
    console.log(`Kept the data in ${shownDir(dataDir)} (npm start -- --reset starts over)`)
  }
  console.log(`Emulator:    ${emu.url}  (wx-server-sdk: TCB_CONTEXT_CNFG='{"URL":"${emu.url}/admin"}')`)
  console.log(`Control API: ${emu.url}/__sandbox/  (docs/EMULATOR.md)`)
  console.log(`Functions:   ${emu.functions.map((f) => `${f.name}${f.trigger ? ` (timer ${f.trigger.config})` : ''}`).join(', ') || 'none'}`)
  for (const f of emu.functions) if (f.trigger) void emu.fireTimer(f.name).catch((e: Error) => console.error(e.message))
  console.log('Ctrl-C stops.')
  stopOnSignal(emu)
}

async function emulatorOnly(port: number, empty: boolean, timers: boolean): Promise<void> {
  await build(false)
  const emu = await startEmulator({
    port,
    functionsRoot: FUNCTIONS,
    cloudbaserc: CLOUDBASERC,
    databaseDir: DATABASE,
    timers,
    log: (line) => console.log(line),
  })
  if (!empty) emu.control.seedDemo()
  console.log(`emulator ready at ${emu.url}${empty ? ' (empty)' : ' (demo merchant)'}`)
  stopOnSignal(emu)
}

/**
 * Functions must be built before the runner can load them; `npm start` always rebuilds, `emulator` only when an
 * index.js is missing or older than its sources (so an edited function is never served stale).
 */
async function build(always: boolean): Promise<void> {
  if (!existsSync(FUNCTIONS)) return
  if (!always && staleFunctions(FUNCTIONS).length === 0) return
  const results = await buildFunctions({ root: FUNCTIONS })
  if (always) console.log(`Built ${results.length} cloud function(s).`)
}

/** A data directory inside the project is shown relative to it, any other one as given (absolute). */
function shownDir(dir: string): string {
  const rel = path.relative(ROOT, path.resolve(dir))
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(dir)
}

function describeSeed(seed: DemoSeed): string {
  const goods = 4 + seed.goods.approved.length
  return `${Object.keys(seed.rooms).length} rooms (live, upcoming, paused, ended with replays, replay off, expired, banned), ${goods} goods in every audit state, ${seed.anchors.length} anchors, ${seed.followers} followers`
}

function stopOnSignal(emu: Emulator): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    console.log('Stopping…')
    emu.stop().then(
      () => process.exit(0),
      (e: Error) => {
        console.error(e.message)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

function time(): string {
  return new Date().toISOString().slice(11, 19)
}

main().catch((e: Error) => {
  console.error(e.message)
  process.exit(1)
})
