/**
 * The admin function's one path: check the event's bounds and shape, find the action, learn the caller's roles
 * from the platform's OPENID (never from the event), refuse whoever may not run it before any Live call or write,
 * refuse what needs Mini Program Live while the setup turns it off, check the params, run the use case, and record in the audit log what changed or was refused. Always resolves a
 * reply; never throws.
 */
import { callerOf } from '../auth/caller'
import { FORM_RULES, checkForm, checkSchemaParams, isFormAction } from './form-rules'
import { INPUT_LIMITS, checkBounds, jsonBytes } from './input'
import { liveOffError, needsMiniProgramLive } from './live-gate'
import { type AdminErrorBody, type AdminReply, toErrorBody } from './reply'
import { type AdminStore, createAdminStore, ownersFromEnv } from './store'
import type { ActionDef, AdminCaller, AdminPorts, AdminRole } from './types'

export type ActionTable = Readonly<Record<string, ActionDef>>

/** Keys a callFunction event may carry: ours, and `userInfo` that the mini-program SDK adds by itself. */
const EVENT_KEYS = new Set(['action', 'params', 'userInfo'])

const invalid = (field: string, zh: string, en: string): AdminErrorBody => ({ code: 'invalid_argument', field, zh: `${field}：${zh}`, en: `${field}: ${en}` })

/** Roles of an openid: owner when listed in the environment or stored as owner; admin when stored as admin. */
export async function rolesOf(openid: string | null, ports: AdminPorts, store: AdminStore): Promise<AdminRole[]> {
  if (openid === null) return []
  if (ownersFromEnv(ports.env).includes(openid)) return ['owner', 'admin']
  const rec = await store.getAdmin(openid)
  if (!rec || rec.removedAt !== null) return []
  return rec.role === 'owner' ? ['owner', 'admin'] : ['admin']
}

function allowed(def: ActionDef, caller: AdminCaller): boolean {
  if (def.who === 'anyone') return true
  if (def.who === 'owner') return caller.roles.includes('owner')
  return caller.roles.includes('admin')
}

const REFUSED = {
  anonymous: { zh: '此操作须由小程序里的商家管理员发起（未识别到微信用户）', en: 'This action must come from a merchant admin in the mini-program (no WeChat user on this call)' },
  admin: { zh: '只有商家管理员可以执行此操作；请让店主在“管理员”中添加你', en: 'Only merchant admins may do this; ask an owner to add you as an admin' },
  owner: { zh: '只有店主可以执行此操作', en: 'Only an owner may do this' },
} as const

const AUDIT_STRING_MAX = 200
const AUDIT_ARRAY_MAX = 20

/** Params as the audit log keeps them: secrets replaced, long strings and arrays shortened. */
export function auditParams(value: unknown, secret: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value === 'string') return value.length > AUDIT_STRING_MAX ? `${value.slice(0, AUDIT_STRING_MAX)}… (${value.length} chars)` : value
  if (Array.isArray(value)) {
    const kept = value.slice(0, AUDIT_ARRAY_MAX).map((v) => auditParams(v, secret, depth + 1))
    return value.length > AUDIT_ARRAY_MAX ? [...kept, `… (${value.length} items)`] : kept
  }
  if (typeof value === 'object' && value !== null) {
    if (depth > INPUT_LIMITS.maxDepth) return '…'
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = secret.has(k) ? '(secret)' : auditParams(v, secret, depth + 1)
    return out
  }
  return value
}

/**
 * An action's params checked as the dispatcher checks them (unknown keys at any depth, then the schema): the
 * batch import validates each row with this before anything is submitted.
 */
export function checkActionParams(def: ActionDef, raw: unknown, nowSeconds: number): { ok: true; data: unknown } | { ok: false; error: AdminErrorBody } {
  const checked = isFormAction(def.name) && FORM_RULES[def.name].params === def.params ? checkForm(def.name, raw, nowSeconds) : checkSchemaParams(def.params, raw)
  return checked.ok ? checked : { ok: false, error: { code: 'invalid_argument', ...checked.problem } }
}

/** The action's audit detail of its data; a detail that cannot be made is left out rather than failing the reply. */
function okDetailOf(def: ActionDef, data: unknown): Record<string, unknown> | null {
  try {
    return def.auditDetail?.(data) ?? null
  } catch {
    return null
  }
}

export interface DispatchOptions {
  /** Defaults to the store over `ports.docs`. */
  store?: AdminStore
  /** Called with what went to the audit log when writing it failed (the reply is unchanged). */
  onAuditError?: (e: unknown) => void
}

export async function handleAdminEvent(
  event: unknown,
  wxContext: unknown,
  ports: AdminPorts,
  table: ActionTable,
  opts: DispatchOptions = {},
): Promise<AdminReply> {
  const started = ports.nowMs()
  const store = opts.store ?? createAdminStore(ports.docs)
  const openid = callerOf(wxContext).openid
  let actionName = '(none)'
  let auditedParams: unknown = null

  const audit = async (outcome: 'ok' | AdminErrorBody, okDetail: Record<string, unknown> | null = null): Promise<void> => {
    try {
      await store.appendAudit({
        at: new Date(ports.nowMs()),
        openid,
        action: actionName,
        params: auditedParams,
        outcome: outcome === 'ok' ? 'ok' : outcome.code,
        errcode: outcome === 'ok' ? null : (outcome.errcode ?? null),
        detail: outcome === 'ok' ? okDetail : outcome.en.slice(0, AUDIT_STRING_MAX),
        ms: Math.max(0, ports.nowMs() - started),
      })
    } catch (e) {
      opts.onAuditError?.(e)
    }
  }

  try {
    // ---- the event's shape and bounds, before anything else reads it
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return { ok: false, error: invalid('(event)', '须为对象 {action, params}', 'must be an object {action, params}') }
    }
    const bytes = jsonBytes(event)
    if (bytes > INPUT_LIMITS.maxBytes) {
      return { ok: false, error: invalid('(event)', `超过 ${INPUT_LIMITS.maxBytes} 字节`, `larger than ${INPUT_LIMITS.maxBytes} bytes`) }
    }
    const e = event as Record<string, unknown>
    const extra = Object.keys(e).find((k) => !EVENT_KEYS.has(k))
    if (extra !== undefined) return { ok: false, error: invalid(extra, '未知字段（事件只含 action 与 params）', 'unknown field (an event has action and params only)') }
    if (typeof e.action !== 'string' || e.action === '') {
      return { ok: false, error: invalid('action', '须为非空字符串', 'must be a non-empty string') }
    }
    const def = Object.prototype.hasOwnProperty.call(table, e.action) ? table[e.action] : undefined
    if (!def) {
      return { ok: false, error: invalid('action', `没有名为 ${e.action.slice(0, 64)} 的操作（whoami 之外的操作见 docs/ADMIN-API.md）`, `no action named ${e.action.slice(0, 64)} (see docs/ADMIN-API.md)`) }
    }
    actionName = def.name
    const rawParams = e.params === undefined ? {} : e.params
    if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) {
      return { ok: false, error: invalid('params', '须为对象', 'must be an object') }
    }
    const bound = checkBounds(rawParams, ['params'])
    if (bound) return { ok: false, error: { code: 'invalid_argument', ...bound } }
    auditedParams = auditParams(rawParams, new Set(def.secretParams ?? []))

    // ---- who is calling, and may they
    const caller: AdminCaller = { openid, roles: await rolesOf(openid, ports, store) }
    if (!allowed(def, caller)) {
      const text = openid === null ? REFUSED.anonymous : def.who === 'owner' ? REFUSED.owner : REFUSED.admin
      const error: AdminErrorBody = { code: 'permission_denied', zh: text.zh, en: text.en }
      await audit(error)
      return { ok: false, error }
    }

    // ---- the account's setup: nothing reaches a Live platform the account does not have
    if (!ports.setup.miniProgramLive && needsMiniProgramLive(def)) {
      const error = liveOffError()
      if (def.mutates) await audit(error)
      return { ok: false, error }
    }

    // ---- the params, against the action's schema
    const checked = checkActionParams(def, rawParams, Math.floor(ports.nowMs() / 1000))
    if (!checked.ok) {
      if (def.mutates) await audit(checked.error)
      return checked
    }

    // ---- the use case
    let reply: AdminReply
    try {
      reply = { ok: true, data: await def.run({ caller, ports }, checked.data) }
    } catch (err) {
      reply = { ok: false, error: toErrorBody(err) }
    }
    if (def.mutates) await audit(reply.ok ? 'ok' : reply.error, reply.ok && def.auditDetail ? okDetailOf(def, reply.data) : null)
    return reply
  } catch (err) {
    // Reading roles (the database) failed, or something no use case caught: still a reply, never a stack.
    return { ok: false, error: toErrorBody(err) }
  }
}
