/**
 * The Live sandbox contract as the emulator's HTTP layer sees it. The sandbox is free of HTTP: routes
 * decode requests (cloud call protobuf or HTTPS JSON/query) into a `LiveCall` and encode the `LiveReply`.
 */
export interface LiveCall {
  /** Catalogue endpoint id (see src/live/catalogue.ts). */
  endpointId: string
  /** Params as received, in whatever casing the caller used (cloud call arrives snake_case). */
  params: Record<string, unknown>
  /** How it arrived: the cloud-call path (wx.openApi) or HTTPS with an access_token. */
  via: 'cloud' | 'https'
}

export interface LiveReply {
  /** HTTP status to answer with; 200 for every WeChat reply, including errcode ≠ 0 ones. */
  httpStatus: number
  /**
   * The WeChat JSON reply in the HTTPS wire casing (e.g. `room_info`, `live_status`, `errcode`, `errmsg`).
   * Ignored when `rawBody` is set.
   */
  body: Record<string, unknown>
  /** A literal body to send instead of JSON (used by the `malformed` fault). */
  rawBody?: string
  /** A binary success reply instead of JSON (the code image of `wxacode.getUnlimited`). */
  image?: { contentType: string; bytes: Buffer }
}

export interface MediaUpload {
  /** `image`, `voice`, `video`, `thumb`. */
  type: string
  bytes: Buffer
  /** Multipart parsers may not report one. */
  filename?: string
  contentType?: string
}
