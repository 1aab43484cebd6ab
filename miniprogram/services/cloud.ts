/**
 * The only module that touches wx.cloud. Services take the database from here; pages never do.
 * Tests and local development swap `wx.cloud` itself (a shim that talks to the emulator), not this code.
 */
import { CLOUD_ENV } from '../config'

let initialised = false

/** Call once from App.onLaunch: the env id is configured in config.ts only. */
export function initCloud(): void {
  if (initialised) return
  wx.cloud.init({ env: CLOUD_ENV, traceUser: true })
  initialised = true
}

export function database(): DB.Database {
  return wx.cloud.database()
}
