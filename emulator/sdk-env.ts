/**
 * The ONE place that turns a running emulator into SDK configuration.
 *
 * wx-server-sdk 4.0.2 hands everything to @cloudbase/node-sdk 3.17.2, which reads (checked in
 * node_modules/@cloudbase/node-sdk/src/utils/{tcbcontext,cloudplatform,tcbapiendpoint,wxCloudToken}.ts):
 * - `TCB_CONTEXT_CNFG` JSON `{URL}`: request URL when `cloud.init` has no `serviceUrl` (tcbapiendpoint.buildUrl);
 * - `SCF_NAMESPACE`: what `cloud.DYNAMIC_CURRENT_ENV` resolves to, per request;
 * - `TENCENTCLOUD_RUNENV=SCF`: "inside SCF", which skips the metadata probe to http://metadata.tencentyun.com
 *   (cloudplatform.checkIsInternal) and turns off keep-alive; the URL still comes from TCB_CONTEXT_CNFG;
 * - `TENCENTCLOUD_SECRETID/SECRETKEY`: must exist or the SDK dies in an unawaited promise; values are not checked here;
 * - `TENCENTCLOUD_REGION`: only chooses a default host (never used, the URL is injected) and a header;
 * - `WX_CONTEXT_KEYS`: the comma list that makes node-sdk pick up `WX_API_TOKEN` / `WX_OPENID` / `WX_APPID`
 *   (tcbcontext.getCloudbaseContext) and that wx-server-sdk's `getWXContext()` walks;
 * - `TRIGGER_SRC=timer` + `WX_TRIGGER_API_TOKEN_V0`: the token a timer run sends as `wxCloudApiToken` (wxCloudToken.ts);
 * - `TCB_SOURCE` (listed in `TCB_CONTEXT_KEYS`): what started the run, returned by `getWXContext().SOURCE`.
 * Ours: `LIVE_API_BASE_URL` (src/admin/https-config.ts) points a function's HTTPS Live transport at the emulator.
 */
import { CALL_SOURCES } from '../src/auth/caller'
import { API_BASE_ENV } from '../src/admin/https-config'

export interface SdkEnvOptions {
  /** Emulator base URL, e.g. `http://127.0.0.1:8787` (no path, no query). */
  url: string
  envId: string
  functionName?: string
  openid?: string
  appid?: string
  /** Per-run token from `IdentityRegistry.issue`; absent → the SDK sends no token (admin). */
  apiToken?: string
  trigger?: 'call' | 'timer'
  /** SOURCE of the run that called this one through `cloud.callFunction`, when a function called it. */
  via?: string
  timeoutMs?: number
  memoryMb?: number
}

export const EMULATOR_REGION = 'ap-shanghai'
/** Dummy keys: node-sdk signs with them (TC3-HMAC); the emulator ignores the signature. */
export const DUMMY_SECRET_ID = 'AKIDemulatorLocalOnly'
export const DUMMY_SECRET_KEY = 'emulator-local-only-not-a-secret'
export const FUNCTION_RUNTIME = 'Nodejs18.15'

/** Base URL without a trailing slash; rejects a query string because node-sdk glues `env=…` on without `&`. */
export function normaliseEmulatorUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TypeError(`sdkEnv: url must be an absolute http(s) URL, got ${JSON.stringify(url)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`sdkEnv: url must use http or https, got ${parsed.protocol}`)
  }
  if (parsed.search || parsed.hash) {
    throw new TypeError('sdkEnv: url must not carry a query or hash (node-sdk appends "?env=…" itself)')
  }
  return url.replace(/\/+$/, '')
}

function requireEnvId(envId: string): string {
  if (typeof envId !== 'string' || envId.trim() === '') throw new TypeError('sdkEnv: envId must be a non-empty string')
  return envId
}

/**
 * `getWXContext().SOURCE` of a run: a timer trigger, a mini-program user (`wx_client`), or, with no user behind
 * it, a server calling through the HTTP API (`wx_http`), as the invokecloudfunction API does.
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/utils/Cloud.getWXContext.html
 */
export function callSource(trigger: 'call' | 'timer', openid: string | undefined, via?: string): string {
  // A function called by another function: the caller's chain, then one `scf` hop (the docs' wx_client,scf).
  if (via) return `${via},${CALL_SOURCES.functionHop}`
  if (trigger === 'timer') return CALL_SOURCES.timer
  return openid ? CALL_SOURCES.miniProgram : CALL_SOURCES.httpApi
}

/** Environment variables for one function process (the "emulator" layer: applied last, over user envVariables). */
export function sdkEnv(options: SdkEnvOptions): Record<string, string> {
  const base = normaliseEmulatorUrl(options.url)
  const envId = requireEnvId(options.envId)
  const trigger = options.trigger ?? 'call'
  const env: Record<string, string> = {
    TENCENTCLOUD_RUNENV: 'SCF',
    SCF_NAMESPACE: envId,
    TENCENTCLOUD_REGION: EMULATOR_REGION,
    TENCENTCLOUD_SECRETID: DUMMY_SECRET_ID,
    TENCENTCLOUD_SECRETKEY: DUMMY_SECRET_KEY,
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${base}/admin` }),
    SCF_FUNCTIONVERSION: '$LATEST',
    SCF_RUNTIME: FUNCTION_RUNTIME,
    SCF_FUNCTION_HANDLER: 'index.main',
    TCB_SOURCE: callSource(trigger, options.openid, options.via),
    TCB_CONTEXT_KEYS: 'TCB_SOURCE',
    // The HTTPS-only Live endpoints (goods/delete, goods key) reach the emulator's own /wxaapi routes.
    [API_BASE_ENV]: base,
  }
  if (options.functionName) env.SCF_FUNCTIONNAME = options.functionName
  // Emulator-only names (the real limits reach code through `context`); kept for scripts that inspect a run.
  if (options.timeoutMs !== undefined) env.EMULATOR_FUNCTION_TIMEOUT_MS = String(options.timeoutMs)
  if (options.memoryMb !== undefined) env.EMULATOR_FUNCTION_MEMORY_MB = String(options.memoryMb)

  // Only keys with a value go in the list, so getWXContext() shows exactly what this run has.
  const contextKeys: string[] = []
  if (trigger === 'timer') {
    // Timer runs carry the trigger token; the SDK prefers it over WX_API_TOKEN when TRIGGER_SRC=timer.
    env.TRIGGER_SRC = 'timer'
    if (options.apiToken) {
      env.WX_TRIGGER_API_TOKEN_V0 = options.apiToken
      contextKeys.push('WX_TRIGGER_API_TOKEN_V0')
    }
  } else if (options.apiToken) {
    env.WX_API_TOKEN = options.apiToken
    contextKeys.push('WX_API_TOKEN')
  }
  if (options.openid) {
    env.WX_OPENID = options.openid
    contextKeys.push('WX_OPENID')
  }
  if (options.appid) {
    env.WX_APPID = options.appid
    contextKeys.push('WX_APPID')
  }
  if (contextKeys.length > 0) env.WX_CONTEXT_KEYS = contextKeys.join(',')
  return env
}

export interface AdminSdkConfig {
  env: string
  serviceUrl: string
  secretId: string
  secretKey: string
}

/**
 * `cloud.init(...)` / `tcb.init(...)` options for a script or test acting as administrator (no token).
 * `serviceUrl` wins over every env var, so this works in any process. Call `silenceSdkPlatformProbe()` once in
 * that process too, or node-sdk probes http://metadata.tencentyun.com on init.
 */
export function adminSdkConfig(options: { url: string; envId: string }): AdminSdkConfig {
  return {
    env: requireEnvId(options.envId),
    serviceUrl: `${normaliseEmulatorUrl(options.url)}/admin`,
    secretId: DUMMY_SECRET_ID,
    secretKey: DUMMY_SECRET_KEY,
  }
}

/**
 * Stops node-sdk's platform probe (a GET to the Tencent metadata host on every `init`) in an admin process.
 * `TENCENTCLOUD=true` answers "on Tencent Cloud" without a request; with `serviceUrl` set it changes nothing
 * else that reaches the emulator (only the default host, which is never used).
 */
export function silenceSdkPlatformProbe(env: NodeJS.ProcessEnv = process.env): void {
  if (env.TENCENTCLOUD_RUNENV !== 'SCF') env.TENCENTCLOUD = 'true'
}
