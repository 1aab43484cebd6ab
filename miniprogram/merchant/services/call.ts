/**
 * The merchant services' way to run a liveAdmin action: through the main package's `callAdmin` (the one place
 * that calls the function), turning a refusal into an AdminError that keeps the whole error body.
 */
import { callAdmin } from '../../services/admin'

/** What the function refused with: `zh` for the merchant, `errcode` for support, details (qrcodeUrl…) kept. */
export interface AdminErrorBody {
  code: string
  field?: string
  errcode?: number
  zh: string
  en: string
  [detail: string]: unknown
}

/** A refusal from liveAdmin, or a call that never reached it (`code: 'network'`). */
export class AdminError extends Error {
  readonly body: AdminErrorBody

  constructor(body: AdminErrorBody) {
    super(body.en)
    this.name = 'AdminError'
    this.body = body
  }

  get code(): string {
    return this.body.code
  }
  get field(): string | undefined {
    return this.body.field
  }
  get errcode(): number | undefined {
    return this.body.errcode
  }
  get zh(): string {
    return this.body.zh
  }
  /** The sentence a merchant sees: what to change, with WeChat's errcode kept for support. */
  get text(): string {
    return this.errcode === undefined ? this.zh : `${this.zh}（错误码 ${this.errcode}）`
  }
}

export function isErrorBody(v: unknown): v is AdminErrorBody {
  const b = v as AdminErrorBody | null
  return typeof b === 'object' && b !== null && typeof b.code === 'string' && typeof b.zh === 'string' && typeof b.en === 'string'
}

/** An error of any kind as an AdminError (what whoAmI or the network rejected with included). */
export function asAdminError(e: unknown): AdminError {
  if (e instanceof AdminError) return e
  if (isErrorBody(e)) return new AdminError(e)
  const errMsg = (e as { errMsg?: string; message?: string } | null)?.errMsg ?? (e as Error | null)?.message ?? String(e)
  return new AdminError({ code: 'network', zh: `没有连上云函数，请检查网络后重试（${errMsg}）`, en: `the cloud function was not reached: ${errMsg}` })
}

/** Runs an action; resolves its `data`, rejects with an AdminError. */
export async function runAdmin<T>(action: string, params: Record<string, unknown> = {}): Promise<T> {
  let reply: Awaited<ReturnType<typeof callAdmin>>
  try {
    reply = await callAdmin(action, params)
  } catch (e) {
    throw asAdminError(e)
  }
  if (reply && reply.ok === true) return reply.data as T
  if (reply && reply.ok === false && isErrorBody(reply.error)) throw new AdminError(reply.error)
  throw new AdminError({ code: 'upstream', zh: '云函数的回复无法识别，请确认 liveAdmin 已部署为最新版本', en: 'the cloud function answered something unexpected; is liveAdmin deployed at its latest version?' })
}
