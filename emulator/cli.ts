/**
 * `npm start`            build, start the emulator with a persistent data directory, seed the demo merchant into an
 *                        empty one (and the demo Channels account at every start: it is not kept), fire the timers,
 *                        and print what happens. Ctrl-C stops it cleanly.
 * `npm run emulator --`  start only the emulator and sandbox, in memory, for scripts and tools.
 * Flags (both commands unless said): `--port N` (default 8787, 0 = any free port), `--data-dir DIR` (start only),
 * `--reset` (start only), `--empty` and `--timers` (emulator only), and the sandbox options of
 * emulator/sandbox/tunables.ts (`--list-page-cap 50`, `--quota getLiveInfo=1000`, `--auto-audit-seconds 30`, …).
 */
import { parseArgs } from 'node:util'
import { createServer } from 'node:net'
import { existsSync, readdirSync, rmSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { buildFunctions, staleFunctions } from '../tools/build-functions'
import { dotenvValues } from '../tools/function-config'
import { DEMO_OWNER_OPENID, OWNER_ENV } from '../src/admin/store'
import { buildUi, UI_BUILD_DIR } from '../tools/build-ui'
import { UI_PREFIX } from './server/ui-http'
import { startEmulator, type Emulator } from './emulator'
import { createClock, type Clock } from './clock'
import { logStamp } from './log-stamp'
import type { DemoSeed } from './sandbox/seed'
import type { SandboxOptions } from './sandbox/sandbox'
import { patchToOptions, tunableFlagSpecs, tunablesFromFlags } from './sandbox/tunables'

const ROOT = path.resolve(__dirname, '..')
const FUNCTIONS = path.join(ROOT, 'cloudfunctions')
const CLOUDBASERC = path.join(ROOT, 'cloudbaserc.json')
const DATABASE = path.join(ROOT, 'database')
const HOST = '127.0.0.1'
const DEFAULT_PORT = 8787

export { DEMO_OWNER_OPENID }

/**
 * Demo mode only: cloudbaserc.json gives liveAdmin its owners from `{{env.LIVE_OWNER_OPENIDS}}`, and without a
 * value every run would fail, so a fresh clone gets the demo owner instead, with one line saying how to be the
 * owner yourself. A value in .env or .env.local always wins.
 */
export function demoOwnerDefaults(projectDir: string): { defaults: Record<string, string>; notice: string | null } {
  if (dotenvValues(projectDir)[OWNER_ENV] !== undefined) return { defaults: {}, notice: null }
  return {
    defaults: { [OWNER_ENV]: DEMO_OWNER_OPENID },
    notice:
      `liveAdmin: ${OWNER_ENV} is not set in .env or .env.local, so the demo owner ${DEMO_OWNER_OPENID} owns the back office; ` +
      `to own it yourself, call the whoami action as yourself and put ${OWNER_ENV}=<your openid> in .env.local.`,
  }
}

/** How a person starts each command, for advice in error messages. */
const COMMAND_LINE: Record<string, string> = { start: 'npm start --', emulator: 'npm run emulator --' }

async function main(): Promise<void> {
  const [command = 'start', ...rest] = process.argv.slice(2)
  if (!(command in COMMAND_LINE)) throw new Error(`unknown command ${command}: use start or emulator`)
  const { values } = parseArgs({
    args: rest,
    options: {
      port: { type: 'string' },
      empty: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      timers: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      ...tunableFlagSpecs(),
    },
    strict: true,
  })
  const port = parsePort(values.port)
  const sandbox = patchToOptions(tunablesFromFlags(values))

  if (command === 'start') {
    if (values.empty || values.timers) throw new Error('--empty and --timers: only for npm run emulator (npm start always seeds an empty data directory and fires timers)')
    return start(port, values['data-dir'] ?? path.join(ROOT, '.emulator-data'), values.reset!, sandbox)
  }
  if (values['data-dir'] !== undefined || values.reset) throw new Error('--data-dir and --reset: only for npm start (npm run emulator keeps everything in memory)')
  return emulatorOnly(port, values.empty!, values.timers!, sandbox)
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new Error(`--port: must be an integer from 0 to 65535 (0 picks a free port), got ${JSON.stringify(text)}`)
  return Number(text)
}

/**
 * A taken port is the most common reason the emulator cannot start (a second `npm start`, another program on
 * 8787), so say what to do rather than print node's `listen EADDRINUSE`. Null for errors that are not the listen's.
 */
export function listenErrorMessage(e: unknown, command: string, port: number): string | null {
  const err = e as NodeJS.ErrnoException | null
  if (err?.syscall !== 'listen') return null
  const again = `${COMMAND_LINE[command] ?? 'npm start --'} --port ${port === DEFAULT_PORT ? DEFAULT_PORT + 1 : DEFAULT_PORT}`
  if (err.code === 'EADDRINUSE') {
    return (
      `port ${port} on ${HOST} is already in use, by another emulator or another program. ` +
      `Stop that process (lsof -i :${port} or ss -ltnp shows which one), or start on another port: ${again} ` +
      `(--port 0 picks any free port; the URL is printed once ready).`
    )
  }
  if (err.code === 'EACCES') return `port ${port} on ${HOST}: permission denied (ports below 1024 need privileges); use ${again}, or --port 0 for any free port.`
  return null
}

function explainListenError(command: string, port: number): (e: unknown) => never {
  return (e) => {
    const advice = listenErrorMessage(e, command, port)
    throw advice ? new Error(advice) : e
  }
}

/** Fails before the build when the port is taken; a process that takes it in between is reported the same way. */
function checkPortFree(command: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(port, HOST, () => probe.close(() => resolve()))
  }).catch(explainListenError(command, port))
}

/** Every log line: the wall time, and the emulator's clock time beside it when the two differ. */
function printer(clock: Clock): (line: string) => void {
  return (line) => console.log(`${logStamp(Date.now(), clock.nowMs())} ${line}`)
}

async function start(port: number, dataDir: string, reset: boolean, sandbox: SandboxOptions): Promise<void> {
  await checkPortFree('start', port)
  await build(true)
  const uiDir = await buildUiForStart()
  if (reset && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  const fresh = readdirSync(dataDir).length === 0
  const clock = createClock()
  const owner = demoOwnerDefaults(ROOT)
  const emu = await startEmulator({
    port,
    host: HOST,
    dataDir,
    functionsRoot: FUNCTIONS,
    cloudbaserc: CLOUDBASERC,
    dotenvDefaults: owner.defaults,
    databaseDir: DATABASE,
    timers: true,
    watchRules: true,
    clock,
    sandbox,
    log: printer(clock),
    uiDir,
  }).catch(explainListenError('start', port))
  if (fresh) {
    const seeded = emu.control.seedDemo()
    console.log(`Seeded the demo merchant: ${describeSeed(seeded)}`)
  } else {
    console.log(`Kept the data in ${shownDir(dataDir)}, clock and timers included (npm start -- --reset starts over)`)
  }
  // Channels accounts live in memory only, so the demo account comes back at every start.
  const demoChannels = emu.channels.seedDemo()
  console.log(`Seeded the demo Channels account ${demoChannels.finderUserName} (live now, with a notice): GET ${emu.url}/__sandbox/channels`)
  if (emu.loadProblems.length > 0) {
    console.log(
      `${emu.loadProblems.length} data file(s) could not be loaded in full (listed above, each with how to recover); ` +
        'the emulator started with everything else.',
    )
  }
  if (owner.notice) console.log(owner.notice)
  console.log(`Emulator:    ${emu.url}  (wx-server-sdk: TCB_CONTEXT_CNFG='{"URL":"${emu.url}/admin"}')`)
  console.log(`Control API: ${emu.url}/__sandbox/  (lists its routes; docs/EMULATOR.md)`)
  console.log(`UI:          ${emu.url}${UI_PREFIX}/  (open in a browser on this machine)`)
  console.log(`Functions:   ${emu.functions.map((f) => `${f.name}${f.trigger ? ` (timer ${f.trigger.config})` : ''}`).join(', ') || 'none'}`)
  // A fresh account gets its cache filled at once; a kept one resumes its timers where they were.
  if (fresh) for (const f of emu.functions) if (f.trigger) void emu.fireTimer(f.name).catch((e: Error) => console.error(e.message))
  console.log('Ctrl-C stops.')
  stopOnSignal(emu)
}

async function emulatorOnly(port: number, empty: boolean, timers: boolean, sandbox: SandboxOptions): Promise<void> {
  await checkPortFree('emulator', port)
  await build(false)
  const uiDir = await buildUiForStart()
  const clock = createClock()
  // The demo owner comes with the demo merchant; --empty is for scripts that set their own.
  const owner = empty ? { defaults: {}, notice: null } : demoOwnerDefaults(ROOT)
  const emu = await startEmulator({
    port,
    host: HOST,
    functionsRoot: FUNCTIONS,
    cloudbaserc: CLOUDBASERC,
    dotenvDefaults: owner.defaults,
    databaseDir: DATABASE,
    timers,
    clock,
    sandbox,
    log: printer(clock),
    uiDir,
  }).catch(explainListenError('emulator', port))
  if (!empty) {
    emu.control.seedDemo()
    emu.channels.seedDemo()
  }
  if (owner.notice) console.log(owner.notice)
  console.log(`emulator ready at ${emu.url}${empty ? ' (empty)' : ' (demo merchant)'}; UI at ${emu.url}${UI_PREFIX}/`)
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

/** The browser UI is rebuilt at every start (about a second) so it always matches the emulator serving it. */
async function buildUiForStart(): Promise<string> {
  return (await buildUi(UI_BUILD_DIR)).dir
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

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message)
    process.exit(1)
  })
}
