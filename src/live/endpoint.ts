/**
 * The shape of one entry of the Live endpoint catalogue. One record per endpoint is the single source of
 * truth for the typed client, both transports, the sandbox's routing and validation, the errcode messages
 * and the catalogue tests. Adding an endpoint is adding one record.
 */
import type * as z from './zod'

export type HttpMethod = 'GET' | 'POST'

/**
 * Casing of an endpoint's keys on the HTTPS wire, request and reply alike. The LiveApi client always takes
 * camelCase params (as wx-server-sdk users write them); the HTTPS transport converts to snake_case for the few
 * endpoints whose documented wire keys are snake_case (`room_id`, `goods_ids`, `user_openid`, `page_break`),
 * and the sandbox answers those endpoints in snake_case (`room_info`, `live_status`).
 */
export type WireCase = 'camel' | 'snake'

export interface EndpointDef<Req extends z.ZodMiniType = z.ZodMiniType, Res extends z.ZodMiniType = z.ZodMiniType> {
  /** Stable id used by the client (`api.createRoom(...)`), the sandbox and the ledger. camelCase. */
  id: string
  /** Name in the official docs, for people searching them. */
  docName: string
  method: HttpMethod
  /** Path under https://api.weixin.qq.com, without the query string. */
  path: string
  /** `liveBroadcast.x` as used by `cloud.openapi` and listed in config.json `permissions.openapi`; null when no cloud call exists. */
  cloud: string | null
  /** Casing of the request and reply keys on the HTTPS wire. */
  wireCase: WireCase
  /** Reply keys the docs show in camelCase inside a snake_case reply (getgoodswarehouse's `thirdPartyAppid`). */
  camelOnWire?: readonly string[]
  /**
   * Request params as the client takes them (camelCase keys, the way wx-server-sdk users write them).
   * The sandbox validates with the same schema after normalising either casing to camelCase.
   */
  request: Req
  /**
   * Successful reply, camelCase keys (what wx-server-sdk returns after its snake→camel conversion, and what
   * the HTTPS transport produces with the same conversion), without errcode/errmsg.
   */
  response: Res
  /** Calls allowed per appid per Asia/Shanghai day. */
  dailyQuota: number
  /** When several endpoints share one quota (goods add + audit share the review budget), the shared bucket name. */
  quotaBucket?: string
  /** Errcodes this endpoint is documented (or observed) to return, besides the common ones. */
  errcodes: readonly number[]
  /** Official doc page. */
  doc: string
}

export type RequestOf<E extends EndpointDef> = z.input<E['request']>
export type ResponseOf<E extends EndpointDef> = z.output<E['response']>
