/**
 * The three Live endpoints without a cloud call (goods/delete, goods/setkey, goods/getkey) go over HTTPS with an
 * access_token, which needs the mini-program's AppSecret. It comes from a function environment variable (set in
 * the CloudBase console, or cloudbaserc.json envVariables from .env.local), never from the repository.
 */
import type { LiveTransport } from '../live/client'
import type { EndpointDef } from '../live/endpoint'
import { AdminFailure } from './reply'

export const APPSECRET_ENV = 'WX_APPSECRET'
/** Where the HTTPS endpoints live; the emulator sets it to itself, deployed functions leave it unset. */
export const API_BASE_ENV = 'LIVE_API_BASE_URL'

/** Stands in for the HTTPS transport when no AppSecret is set: every call answers not_configured, naming the variable. */
export function notConfiguredTransport(): LiveTransport {
  return {
    call(endpoint: EndpointDef): Promise<unknown> {
      return Promise.reject(
        new AdminFailure({
          code: 'not_configured',
          zh: `${endpoint.id} 没有云调用，须经 HTTPS 调用并使用小程序的 AppSecret：请在云函数 liveAdmin 的环境变量中设置 ${APPSECRET_ENV}（控制台，或 .env.local 经 cloudbaserc.json）`,
          en: `${endpoint.id} has no cloud call and goes over HTTPS with the mini-program's AppSecret: set ${APPSECRET_ENV} in liveAdmin's environment variables (console, or .env.local through cloudbaserc.json)`,
          env: APPSECRET_ENV,
        }),
      )
    },
  }
}
