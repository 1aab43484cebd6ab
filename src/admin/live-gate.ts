/**
 * Which actions need Mini Program Live, and the refusal while live.config.json turns it off: every action that
 * calls a Live endpoint, and those marked `needsMiniProgramLive` (they act on Live rooms or goods without a call).
 * The dispatcher refuses them before any call or write; everything else (roles, words, statistics, Channels) runs.
 */
import { isEndpointId } from '../live/catalogue'
import { ADMIN_LIVE_OFF, MINI_PROGRAM_LIVE_OFF, TURN_ON_MINI_PROGRAM_LIVE, type Sentence } from '../setup/live-off'
import { LIVE_KIND_NAMES, liveKinds, type LiveKind, type LiveSetup } from '../setup/live-setup'
import type { AdminErrorBody } from './reply'
import type { ActionDef } from './types'

export function needsMiniProgramLive(def: ActionDef): boolean {
  return def.needsMiniProgramLive === true || def.calls.some((id) => isEndpointId(id))
}

/** The reply's error for such an action while Mini Program Live is off. */
export function liveOffError(): AdminErrorBody {
  return { code: 'live_off', zh: ADMIN_LIVE_OFF.zh, en: ADMIN_LIVE_OFF.en }
}

/** The setup as whoami answers it, so the merchant pages show what this function will run. */
export interface SetupView {
  miniProgramLive: boolean
  /** The Channels account's `sph…` id, or null. */
  finderUserName: string | null
  /** The kinds on, with their names. */
  kinds: Array<{ kind: LiveKind; zh: string; en: string }>
  /** Why the Live pages are closed and how to turn Live on; null while Mini Program Live is on. */
  miniProgramLiveOff: { reason: Sentence; turnOn: Sentence } | null
}

export function setupView(setup: LiveSetup): SetupView {
  return {
    miniProgramLive: setup.miniProgramLive,
    finderUserName: setup.channels?.finderUserName ?? null,
    kinds: liveKinds(setup).map((kind) => ({ kind, ...LIVE_KIND_NAMES[kind] })),
    miniProgramLiveOff: setup.miniProgramLive ? null : { reason: { ...MINI_PROGRAM_LIVE_OFF }, turnOn: { ...TURN_ON_MINI_PROGRAM_LIVE } },
  }
}
