/**
 * Who is calling the emulator. On CloudBase, a function's requests carry an API token that tells the
 * platform which function (and which WeChat user, for user-triggered runs) is calling; the platform uses it
 * to enforce the function's `permissions.openapi`. The emulator does the same: the function runner issues
 * one token per run and puts it in `WX_API_TOKEN` / `WX_TRIGGER_API_TOKEN_V0`; wx-server-sdk sends it as
 * `wxCloudApiToken` with every request.
 *
 * A request with no token (a script or test using the SDK with the emulator's URL and dummy keys) is an
 * unrestricted administrator, like the console or a server holding the env's secret keys.
 */
import { randomBytes } from 'node:crypto'

export interface FunctionIdentity {
  kind: 'function'
  functionName: string
  /** Exactly the `permissions.openapi` list from the function's config.json. */
  openapi: readonly string[]
  openid?: string
  appid: string
  trigger: 'call' | 'timer'
  /** The run's `getWXContext().SOURCE`, which a function it calls extends by one hop; derived from trigger and openid when absent. */
  source?: string
  /** The run this token was issued for, so the cloud calls it makes can be listed with the run. */
  requestId?: string
}

export interface AdminIdentity {
  kind: 'admin'
}

export type Caller = FunctionIdentity | AdminIdentity

export const ADMIN: AdminIdentity = { kind: 'admin' }

export class IdentityRegistry {
  private readonly tokens = new Map<string, FunctionIdentity>()

  issue(identity: Omit<FunctionIdentity, 'kind'>): string {
    const token = 'emu-fn-' + randomBytes(12).toString('hex')
    this.tokens.set(token, { kind: 'function', ...identity })
    return token
  }

  revoke(token: string): void {
    this.tokens.delete(token)
  }

  /** Empty or missing token → admin. An unknown non-empty token is treated as admin too, but flagged. */
  resolve(token: string | undefined | null): Caller {
    if (!token) return ADMIN
    return this.tokens.get(token) ?? ADMIN
  }

  isKnown(token: string): boolean {
    return this.tokens.has(token)
  }
}
