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

interface Sentence {
  zh: string
  en: string
}

/** What liveAdmin was built with (live.config.json), as whoami answers it: src/admin/live-gate.ts `setupView`. */
export interface LiveSetupView {
  miniProgramLive: boolean
  finderUserName: string | null
  kinds: Array<{ kind: string; zh: string; en: string }>
  /** Why the Live pages are closed and how to turn Live on; null while Mini Program Live is on. */
  miniProgramLiveOff: { reason: Sentence; turnOn: Sentence } | null
}

export interface Me {
  openid: string | null
  roles: ('owner' | 'admin')[]
  /** Absent from a liveAdmin deployed before it answered the setup, which ran every Live action: read as on. */
  setup?: LiveSetupView
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
/** Why Mini Program Live is off for liveAdmin, in the merchant's words (reason, then how to turn it on); null while on. */
export function miniProgramLiveOffText(m: Me): string | null {
  const off = m.setup && m.setup.miniProgramLive === false ? m.setup.miniProgramLiveOff : null
  return off ? `${off.reason.zh}。${off.turnOn.zh}。` : null
}
