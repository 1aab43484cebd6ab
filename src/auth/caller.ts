/**
 * Who started a cloud function run, decided only from what the platform vouches for, never from the event.
 *
 * The event body is whatever the caller sent: a viewer calling a function from the mini-program can send
 * `{Type: 'Timer'}` as easily as a real timer trigger. What the caller cannot choose is the call context the
 * platform injects and `cloud.getWXContext()` returns: `SOURCE` (what triggered this run: `wx_trigger` for a
 * timer trigger, `wx_client` for the mini-program, `wx_http` for the HTTP API, `scf` appended per function hop)
 * and `OPENID` (present exactly when a WeChat user is behind the call).
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/utils/Cloud.getWXContext.html
 *
 * Pure: the entry passes `cloud.getWXContext()` in; nothing here imports an SDK.
 */

/** The `SOURCE` values this module tells apart (the documented enumeration has more; all others are "other"). */
export const CALL_SOURCES = {
  timer: 'wx_trigger',
  miniProgram: 'wx_client',
  devtools: 'wx_devtools',
  httpApi: 'wx_http',
  functionHop: 'scf',
} as const

export type CallerKind = 'timer' | 'viewer' | 'function' | 'other'

export interface Caller {
  kind: CallerKind
  /** The call chain as the platform reports it, first hop first (`['wx_client', 'scf']`); empty when absent. */
  chain: string[]
  /** The WeChat user behind the call, when there is one. */
  openid: string | null
}

/**
 * Reads the fields of `getWXContext()` that identify the caller. Anything malformed counts as absent, which can
 * only make a caller less trusted: a run without a recognisable `SOURCE` is never a timer.
 */
export function callerOf(wxContext: unknown): Caller {
  const ctx = typeof wxContext === 'object' && wxContext !== null ? (wxContext as Record<string, unknown>) : {}
  const source = typeof ctx.SOURCE === 'string' ? ctx.SOURCE : ''
  const chain = source === '' ? [] : source.split(',').map((s) => s.trim())
  const openid = typeof ctx.OPENID === 'string' && ctx.OPENID !== '' ? ctx.OPENID : null
  return { kind: kindOf(chain, openid), chain, openid }
}

function kindOf(chain: readonly string[], openid: string | null): CallerKind {
  if (openid !== null) return 'viewer'
  // A timer run is the first and only hop; a timer that reaches us through another function is that function's call.
  if (chain.length === 1 && chain[0] === CALL_SOURCES.timer) return 'timer'
  if (chain.length > 1 && chain[chain.length - 1] === CALL_SOURCES.functionHop) return 'function'
  return 'other'
}

export type SyncCallDecision = { allowed: true; caller: Caller } | { allowed: false; caller: Caller; reason: string }

/** What a refused run returns to its caller: data, not a thrown stack, so the mini-program can show it. */
export interface RefusedRun {
  status: 'refused'
  reason: string
}

/** Sentence of a refusal, one per kind of caller, so the refused party learns what to do instead. */
function refusal(functionName: string, kind: Exclude<CallerKind, 'timer'>): string {
  const only = `${functionName} runs only on its timer trigger`
  if (kind === 'viewer') return `${only}; a mini-program user may not start it`
  if (kind === 'function') return `${only}; another cloud function may not start it`
  return `${only} (getWXContext().SOURCE must be ${CALL_SOURCES.timer})`
}

/** For a function that only its own timer may start: the decision, with a refusal that names the function. */
export function decideTimerCall(functionName: string, wxContext: unknown): SyncCallDecision {
  const caller = callerOf(wxContext)
  if (caller.kind === 'timer') return { allowed: true, caller }
  const seen = caller.chain.length ? caller.chain.join(',') : 'none'
  return { allowed: false, caller, reason: `${refusal(functionName, caller.kind)} (SOURCE: ${seen})` }
}

/**
 * The sync spends the account's Live quota and rewrites the public cache, so only its own timer may start it.
 * (When merchant admins exist they get a second allowed path here, decided from OPENID against the admin list.)
 */
export function decideSyncCall(wxContext: unknown): SyncCallDecision {
  return decideTimerCall('liveSync', wxContext)
}
