/**
 * Cloud call where it exists, HTTPS for the rest: goods/delete, goods/setkey and goods/getkey have no cloud
 * call, so a merchant function that needs them routes those three over HTTPS.
 */
import type { EndpointDef } from '../live/endpoint'
import type { LiveTransport } from '../live/client'

export function createRoutingTransport(cloudCall: LiveTransport, https: LiveTransport): LiveTransport {
  return {
    call(endpoint: EndpointDef, params: Record<string, unknown>): Promise<unknown> {
      return endpoint.cloud === null ? https.call(endpoint, params) : cloudCall.call(endpoint, params)
    },
  }
}
