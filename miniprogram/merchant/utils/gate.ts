/**
 * Every merchant page opens behind the gate: it asks liveAdmin who the user is and shows the page only to an
 * admin (or only to an owner), a plain refusal to anyone else. The server still checks every action; this only
 * spares a viewer a page of buttons that would all be refused. A Live page (`need` 'live') also needs Mini Program
 * Live on: the setup comes from the same whoami answer, so the page agrees with what liveAdmin will run (it refuses
 * those actions with `live_off` while Live is off), and the words come from the function's one home for them.
 */
import { isAdmin, isOwner, miniProgramLiveOffText, whoAmI, type Me } from '../../services/admin'
import { asAdminError } from '../services/call'

export type GateState = 'checking' | 'allowed' | 'refused' | 'liveOff' | 'error'

/** Who may open a page: an admin, an owner, or an admin while Mini Program Live is on (the Live pages). */
export type GateNeed = 'admin' | 'owner' | 'live'

export interface GateData {
  gate: GateState
  gateText: string
}

export const GATE_CHECKING: GateData = { gate: 'checking', gateText: '' }

/** The refusal a non-admin reads; the openid is what an owner needs to add them. */
export function refusalText(me: Me, need: GateNeed): string {
  const id = me.openid ? `（你的 openid：${me.openid}）` : ''
  return need === 'owner' && isAdmin(me)
    ? '只有店主可以管理管理员。'
    : `这里是本店的商家后台，只对管理员开放。如需使用，请让店主在「管理员」页把你加为管理员${id}。`
}

interface GatedPage {
  setData(data: Partial<GateData>): void
}

/**
 * Opens the page's gate; resolves the user when they may use the page, null otherwise (the page then shows
 * the refusal or the error with a retry, and loads nothing). `fresh` asks again instead of the launch's answer.
 */
export async function openGate(page: GatedPage, need: GateNeed = 'admin', fresh = false): Promise<Me | null> {
  page.setData({ gate: 'checking', gateText: '' })
  let me: Me
  try {
    me = await whoAmI(fresh)
  } catch (e) {
    page.setData({ gate: 'error', gateText: asAdminError(e).text })
    return null
  }
  const allowed = need === 'owner' ? isOwner(me) : isAdmin(me)
  if (!allowed) {
    page.setData({ gate: 'refused', gateText: refusalText(me, need) })
    return null
  }
  const liveOff = need === 'live' ? miniProgramLiveOffText(me) : null
  page.setData(liveOff ? { gate: 'liveOff', gateText: liveOff } : { gate: 'allowed', gateText: '' })
  return liveOff ? null : me
}

interface LoadingPage {
  data: { gate: GateState }
  setData(data: Record<string, unknown>): void
  reload(): Promise<void>
}

/**
 * The life cycle of a merchant page that loads once its gate opens: onLoad opens the gate and loads, the gate's
 * retry asks whoami afresh, pull-down reloads. `opened` keeps what the page needs of the user before it loads.
 */
export function gatedPageMethods(need: GateNeed = 'admin', opened?: (page: LoadingPage, me: Me) => void) {
  async function open(page: LoadingPage, fresh: boolean): Promise<void> {
    const me = await openGate(page, need, fresh)
    if (!me) return
    opened?.(page, me)
    await page.reload()
  }
  return {
    onLoad(this: LoadingPage): Promise<void> {
      return open(this, false)
    },
    onRetry(this: LoadingPage): Promise<void> {
      return open(this, true)
    },
    async onPullDownRefresh(this: LoadingPage): Promise<void> {
      // a closed gate (refused, Live off) loads nothing, as on opening
      if (this.data.gate === 'allowed') await this.reload()
      wx.stopPullDownRefresh()
    },
  }
}
