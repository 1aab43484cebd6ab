/**
 * The only place the mini-program calls the merchant function (liveAdmin). It sits in the main package because
 * the home page asks `whoAmI` to show the merchant entry; the merchant subpackage builds its services on
 * `callAdmin` (merchant/services/call.ts). The server decides who may do what; this only reads its answers.
 * Reply contract: docs/ADMIN-API.md.
 */
export const ADMIN_FUNCTION = 'liveAdmin'

export type AdminReply = { ok: true; data: unknown } | { ok: false; error: unknown }

/** Runs an action of liveAdmin and resolves its reply as sent; rejects only when the call did not reach it. */
export async function callAdmin(action: string, params: Record<string, unknown> = {}): Promise<AdminReply> {
  const res = await wx.cloud.callFunction({ name: ADMIN_FUNCTION, data: { action, params } })
  return res.result as AdminReply
}

export interface Me {
  openid: string | null
  roles: ('owner' | 'admin')[]
}

let me: Promise<Me> | null = null

/** Who the user is to liveAdmin, asked once per launch unless `fresh`; a failed ask is not kept. */
export function whoAmI(fresh = false): Promise<Me> {
  if (fresh || !me) {
    const asked = callAdmin('whoami').then((r) => {
      if (r && r.ok === true && Array.isArray((r.data as Me).roles)) return r.data as Me
      throw r && r.ok === false ? r.error : new Error('whoami: unexpected reply')
    })
    me = asked
    asked.catch(() => {
      if (me === asked) me = null
    })
  }
  return me
}

export const isAdmin = (m: Me): boolean => m.roles.length > 0
export const isOwner = (m: Me): boolean => m.roles.includes('owner')
