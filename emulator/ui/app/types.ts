/**
 * The shapes of the control routes' replies the views read. Types only, imported from the emulator, so a change
 * there fails the UI's type check instead of drifting.
 */
import type { FunctionListing, ServiceInfo } from '../../types'

export type { FunctionListing, ServiceInfo }
export type { InvokeResult, LiveCallRecord, RunRecord } from '../../functions/runner'

/** `GET /__sandbox/info`. */
export interface Info {
  url: string
  envId: string
  appid: string
  functions: string[]
  services: ServiceInfo[]
}
