/**
 * The local CloudBase + Live emulator: one HTTP server, one port, serving
 *   /admin          the CloudBase wire protocol wx-server-sdk and @cloudbase/node-sdk speak (database + wx.openApi)
 *   /__client/...   the mini-program's channel (as a viewer): database with security rules, watch feed, callFunction
 *   /cgi-bin/..., /wxaapi/..., /wxa/business/...   the Live platform over HTTPS with access tokens
 *   /__storage/...  cloud storage's upload and temporary download URLs (and /__client/storage/... for viewers)
 *   /__client/channels/...  the Channels live client APIs (wx.getChannelsLiveInfo and co.) as a viewer
 *   /__sandbox/...  the control API (GET /__sandbox/ lists its routes: state listings, clock, options, faults, functions)
 * plus the function runner and the timer scheduler. The port opens once the database, sandbox and function specs are
 * ready; the runner and scheduler need its URL, and are built in the same synchronous step, before any request runs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { createClock, type Clock } from './clock'
import { IdentityRegistry } from './identity'
import { createMemoryEngine } from './db/memory-engine'
import { calledAs, createAdminHandler, type FunctionCallCallback, type OpenApiCallback } from './server/admin'
import { createOpenApiRouter, liveCallOf } from './server/openapi-route'
import { handleLiveHttps, isLiveHttpsPath } from './server/live-https'
import { handleControl } from './server/control-http'
import { HttpError, readBody, sendJson } from './server/http-util'
import { LiveSandbox, type LiveSandboxOptions } from './sandbox/sandbox'
import { createControl } from './sandbox/control'
import { attachSandboxPersistence } from './sandbox/persist'
import { attachScenario } from './scenario'
import { type LoadProblem, describeLoadProblem } from './durable'
import { loadRules, watchRules } from './client/rules'
import { ClientChannel } from './client/channel'
import { createClientHttpHandler } from './server/client-http'
import { CLIENT_CHANNELS_PREFIX, handleClientChannels } from './server/channels-http'
import { createUiHandler, UI_PREFIX } from './server/ui-http'
import { foreignRequestProblem } from './server/local-only'
import { createPreview } from './preview/preview'
import { ChannelsState } from './channels/state'
import { CloudStorage } from './storage/store'
import { UrlSigner } from './storage/signing'
import { CLIENT_STORAGE_PREFIX, STORAGE_ROUTE_PREFIX, createStorageHttp } from './storage/http'
import { loadFunctionSpecs } from '../tools/function-config'
import { FunctionRunner } from './functions/runner'
import { TimerScheduler } from './functions/scheduler'
import { readDatabaseDir } from '../tools/database-config'
import type { Emulator } from './types'

export type { Emulator, FunctionListing, ServiceInfo } from './types'

export const DEFAULT_ENV_ID = 'local-dev-env'
export const DEFAULT_APPID = 'wxsandboxlive0001'

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number
  host?: string
  /** Keep data here across restarts; in memory when absent. */
  dataDir?: string
  envId?: string
  appid?: string
  /** Folder of deployable cloud functions (config.json per function; built index.js beside it unless builtRoot says). */
  functionsRoot?: string
  /** Where the built `<name>/index.js` files are, when not beside their config.json (tests build to a cache dir). */
  builtRoot?: string
  /** cloudbaserc.json with each function's timeout and memory. */
  cloudbaserc?: string
  /** Values for cloudbaserc's `{{env.NAME}}` that neither .env nor .env.local defines. */
  dotenvDefaults?: Readonly<Record<string, string>>
  /** Folder with collections.json and <collection>.rules.json. */
  databaseDir?: string
  /** Fire timer triggers on the emulator clock. */
  timers?: boolean
  /** Reload database/*.rules.json when they change (npm start); a broken edit keeps the old rules and is logged. */
  watchRules?: boolean
  /** Reuse one process per function between runs (CloudBase may keep instances warm); default cold. */
  warmFunctions?: boolean
  sandbox?: LiveSandboxOptions
  clock?: Clock
  /** One line per notable event (function runs, timer fires). */
  log?: (line: string) => void
  /** The built emulator UI (emulator/ui/build.ts) to serve under /ui/; without it /ui/ says how to build it. */
  uiDir?: string
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const log = options.log ?? (() => {})
  const envId = options.envId ?? DEFAULT_ENV_ID
  const appid = options.appid ?? DEFAULT_APPID
  const databaseDir = options.databaseDir ?? path.resolve('database')
  const clock = options.clock ?? createClock()
  const identities = new IdentityRegistry()
  const loadProblems: LoadProblem[] = []
  const onLoadProblem = (p: LoadProblem) => {
    loadProblems.push(p)
    log(`data not loaded: ${describeLoadProblem(p)}`)
  }

  // 0. the clock and timer progress of the scenario kept in dataDir (first, so everything starts at its time)
  const scenario = options.dataDir ? attachScenario(path.join(options.dataDir, 'emulator', 'scenario.json'), clock, onLoadProblem) : null

  // 1. database
  const engine = createMemoryEngine({ clock, dataDir: options.dataDir, onLoadProblem })
  const collections = declaredCollections(databaseDir)
  const ensureCollections = () => {
    for (const name of collections) if (!engine.hasCollection(name)) engine.createCollection(name)
  }
  ensureCollections()
  const rules = loadRules(databaseDir)
  const stopWatchingRules = options.watchRules
    ? watchRules(rules, databaseDir, (error) => log(error ? `rules not reloaded: ${error.message}` : 'rules reloaded'))
    : () => {}
  const channel = new ClientChannel({ engine, rules, clock })

  // 2. Live sandbox
  const sandbox = new LiveSandbox({ clock, options: { appid, ...options.sandbox } })
  const control = createControl(sandbox)
  // In a subfolder: the database loads every top-level *.json of dataDir as a collection.
  const sandboxStore = options.dataDir
    ? attachSandboxPersistence(sandbox, path.join(options.dataDir, 'sandbox', 'live-sandbox.json'), { onLoadProblem })
    : null

  // 2b. cloud storage (in <dataDir>/storage/, a subfolder for the same reason)
  const storage = new CloudStorage({ envId, clock, dataDir: options.dataDir, onLoadProblem })
  const storageHttp = createStorageHttp({ storage, signer: UrlSigner.open(storage.dir, onLoadProblem), clock, baseUrl: () => url })

  // 2c. Channels live accounts (in memory only)
  const channels = new ChannelsState({ clock })

  // 3. functions
  const functionsRoot = options.functionsRoot
  const functions = functionsRoot ? loadFunctionSpecs(functionsRoot, { cloudbaserc: options.cloudbaserc, dotenvDefaults: options.dotenvDefaults }) : []

  // 4. HTTP
  // cloud.callFunction from a function (or a script): the callee runs as calledAs says.
  const callFunction: FunctionCallCallback = (caller, name, event) => {
    if (!runner || !functions.some((f) => f.name === name)) return null
    return invoke(name, event, { trigger: 'call', ...calledAs(caller, name) })
  }
  const openapiRoute = createOpenApiRouter(sandbox)
  // Each call a run makes is listed with the run (its token names it), for the run's record and the UI.
  const openapi: OpenApiCallback = async (caller, apiName, params, media) => {
    const started = performance.now()
    const outcome = await openapiRoute(caller, apiName, params, media)
    if (caller.kind === 'function' && caller.requestId) runner?.noteLiveCall(caller.requestId, liveCallOf(apiName, outcome, Math.round(performance.now() - started)))
    return outcome
  }
  const admin = createAdminHandler({ engine, clock, identities, openapi, storage: storageHttp.adminAction, functions: callFunction })
  // `runner` is assigned once the port is open, before any request can arrive.
  const client = createClientHttpHandler({
    channel,
    clock,
    invokeFunction: (name, data, openid) => (runner && functions.some((f) => f.name === name) ? invoke(name, data, { openid, trigger: 'call' }) : null),
  })
  let emu: Emulator
  const server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, e instanceof HttpError ? e.status : 500, { error: e instanceof Error ? e.message : String(e) })
      else res.destroy()
    })
  })
  // An idle keep-alive connection is left for the client to close: when the server closed it at Node's 5 s default
  // while a client (undici's fetch) reused it at that moment, the request failed ("fetch failed"), which a busy
  // machine made likely. Clients close idle sockets after a few seconds themselves.
  server.keepAliveTimeout = 65_000
  const ui = createUiHandler(options.uiDir ?? null)
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.local')
    const p = url.pathname
    const foreign = foreignRequestProblem(req)
    if (foreign) return sendJson(res, 403, { error: foreign })
    if (p === UI_PREFIX || p.startsWith(`${UI_PREFIX}/`)) return ui(req, res, url)
    // storage reads its own bodies, under its own size limit
    if (p.startsWith(CLIENT_STORAGE_PREFIX)) return storageHttp.client(req, res, url)
    if (p.startsWith(CLIENT_CHANNELS_PREFIX)) return handleClientChannels(channels, req, res, url)
    if (p.startsWith('/__client/')) return client(req, res, url)
    if (p.startsWith(STORAGE_ROUTE_PREFIX)) return storageHttp.serveFile(req, res, url)
    const body = await readBody(req)
    if (p === '/admin' || p.startsWith('/admin/')) return admin(req, res, body)
    if (p === '/__sandbox' || p.startsWith('/__sandbox/')) return handleControl(emu, req, res, url, body)
    if (isLiveHttpsPath(p)) return handleLiveHttps(sandbox, req, res, url, body)
    sendJson(res, 404, { error: `nothing is served at ${p}` })
  }

  const port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`

  const preview = createPreview({ emulatorUrl: () => url })
  const runner = functionsRoot
    ? new FunctionRunner({ root: options.builtRoot ?? functionsRoot, clock, identities, url, envId, appid, specs: functions, warm: options.warmFunctions ?? false, log })
    : null
  const invoke = async (name: string, event: Record<string, unknown> | undefined, opts: { openid?: string; trigger?: 'call' | 'timer'; triggerName?: string; via?: string }) => {
    if (!runner || !functions.some((f) => f.name === name)) throw Object.assign(new Error(`no function named ${name}`), { status: 404 })
    const result = await runner.invoke(name, event, opts)
    const detail = result.status === 'ok' ? summarize(result.result) : result.errorMessage
    log(`${opts.trigger === 'timer' ? 'timer' : 'call'} ${name} → ${result.status} in ${result.durationMs} ms${detail ? `: ${detail}` : ''}`)
    return result
  }
  const fireTimer = (name: string) => {
    const spec = functions.find((f) => f.name === name)
    const trigger = spec?.trigger
    if (!spec || !trigger) throw Object.assign(new Error(`function ${name} has no timer trigger`), { status: 404 })
    // No event: the runner builds the timer event {Type:'Timer', TriggerName, Time, Message} as SCF does.
    return invoke(name, undefined, { trigger: 'timer', triggerName: trigger.name })
  }
  const scheduler =
    options.timers && runner
      ? new TimerScheduler({
          clock,
          specs: functions,
          fire: async (name) => {
            // progress first: a run the process dies in is not fired again by the restarted emulator
            if (scheduler) scenario?.save(scheduler.progress())
            await fireTimer(name)
          },
        })
      : null
  scheduler?.start(scenario?.timers)

  emu = {
    url,
    port,
    envId,
    appid,
    clock,
    engine,
    sandbox,
    control,
    storage,
    channels,
    identities,
    client: channel,
    preview,
    functions,
    loadProblems,
    invokeFunction: (name, event, opts = {}) => invoke(name, event, { openid: opts.openid, trigger: 'call' }),
    fireTimer,
    functionEnv: (name) => {
      const env = runner?.envVariables(name)
      return env ? { name, ...env } : null
    },
    setFunctionEnv: (name, vars) => {
      if (!runner || !functions.some((f) => f.name === name)) throw Object.assign(new Error(`no function named ${name}`), { status: 404 })
      runner.setEnvVariables(name, vars)
      return { name, ...runner.envVariables(name)! }
    },
    listFunctions: () =>
      functions.map((f) => ({
        name: f.name,
        trigger: f.trigger ? { name: f.trigger.name, config: f.trigger.config } : null,
        timeoutSec: f.timeoutSec,
        memoryMb: f.memoryMb,
        openapi: [...f.permissions.openapi],
        recentRuns: runner?.recentRuns(f.name) ?? [],
      })),
    async reset() {
      control.reset()
      channels.reset()
      engine.reset()
      storage.reset()
      ensureCollections()
      clock.reset()
    },
    info: () => ({
      url,
      envId,
      appid,
      functions: functions.map((f) => f.name),
      services: [
        { name: 'database', description: `${url}/admin (wx-server-sdk / @cloudbase/node-sdk wire protocol)` },
        { name: 'client', description: `${url}/__client/ (mini-program database channel, rules enforced)` },
        { name: 'live', description: `${url}/wxaapi/..., /wxa/business/..., /cgi-bin/... (Live HTTPS)` },
        { name: 'channels', description: `${url}/__client/channels/{api} (Channels live client APIs; accounts in GET ${url}/__sandbox/channels)` },
        { name: 'storage', description: `${url}/__storage/ (cloud storage: upload and temporary URLs; files in GET ${url}/__sandbox/storage)` },
        { name: 'control', description: `${url}/__sandbox/ (control API)` },
        { name: 'ui', description: options.uiDir ? `${url}${UI_PREFIX}/ (emulator UI in the browser)` : 'not built' },
        { name: 'functions', description: runner ? `${functions.length} function(s) from ${functionsRoot}` : 'none loaded' },
        { name: 'timers', description: scheduler ? 'firing timer triggers on the emulator clock' : 'off' },
      ],
    }),
    async stop() {
      scheduler?.stop()
      stopWatchingRules()
      preview.close()
      await runner?.close()
      // Watch streams stay open; end them or close() would wait for them forever.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
      await engine.flush()
      await sandboxStore?.flush()
      storage.close()
      sandboxStore?.detach()
      scenario?.save(scheduler?.progress() ?? scenario.timers)
      scenario?.detach()
    },
  }
  return emu
}

/**
 * One readable line from whatever a function returned: its top-level numbers, strings and booleans, and the sum
 * of a flat object of numbers (e.g. calls per API). Enough to follow runs in `npm start` without dumping JSON.
 */
export function summarize(result: unknown): string {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return result === undefined ? '' : String(result)
  const parts: string[] = []
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.length <= 40)) {
      parts.push(`${key}=${value}`)
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const numbers = Object.values(value as Record<string, unknown>)
      if (numbers.length > 0 && numbers.every((n) => typeof n === 'number')) {
        parts.push(`${key}=${(numbers as number[]).reduce((a, b) => a + b, 0)}`)
      }
    }
  }
  return parts.slice(0, 10).join(' ')
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** The collections database/ declares (validated by the same reader `npm run db:apply` uses); none without a list. */
function declaredCollections(databaseDir: string): string[] {
  if (!existsSync(path.join(databaseDir, 'collections.json'))) return []
  return readDatabaseDir(databaseDir).map((c) => c.name)
}
