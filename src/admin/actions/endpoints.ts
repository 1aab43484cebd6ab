/**
 * One action per Live endpoint of the catalogue, named by the endpoint id, with the catalogue's request schema
 * as its params: a merchant's script can reach every operation the platform has. Domain modules (rooms, goods…)
 * replace an entry when the operation needs more than the bare call (images from cloud storage, write-through,
 * the goods mirror); the bare entry stays the fallback for everything else.
 */
import { catalogue, type EndpointId } from '../../live/catalogue'
import { defineAction, type ActionDef } from '../types'

/** Endpoints that only read: not recorded in the audit log. */
export const READ_ONLY_ENDPOINTS: ReadonlySet<EndpointId> = new Set<EndpointId>([
  'getLiveInfo',
  'getPushUrl',
  'getSharedCode',
  'getAssistantList',
  'getSubAnchor',
  'goodsVideo',
  'getGoodsKey',
  'goodsInfo',
  'goodsList',
  'getRoleList',
  'getFollowers',
])

/** The bare action of one endpoint: validated params straight to the Live client. */
export function endpointAction(id: EndpointId): ActionDef {
  const endpoint = catalogue[id]
  return defineAction({
    name: id,
    who: 'admin',
    mutates: !READ_ONLY_ENDPOINTS.has(id),
    summary: { zh: `直播接口 ${endpoint.docName}`, en: `Live API ${endpoint.docName}` },
    params: endpoint.request,
    reply: `the ${endpoint.docName} reply, camelCase (see ${endpoint.doc})`,
    calls: [id],
    run: (ctx, params) => ctx.ports.live.call(id, params as Record<string, unknown>),
  })
}

export const endpointActions: Readonly<Record<EndpointId, ActionDef>> = Object.fromEntries(
  (Object.keys(catalogue) as EndpointId[]).map((id) => [id, endpointAction(id)]),
) as Record<EndpointId, ActionDef>
