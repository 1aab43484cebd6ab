/**
 * The `wx.openApi` wire format: wx-server-sdk wraps each top-level param of `cloud.openapi.<ns>.<method>()` in a
 * protobuf `CommApiData`, posts it as multipart form data, and expects a protobuf `CommOpenApiResp` back.
 * The schema was reconstructed from the field numbers in wx-server-sdk's bundled encoder
 * (node_modules/wx-server-sdk/index.js). Pure functions: no HTTP objects, no engine.
 */
import Busboy from 'busboy'
import protobuf from 'protobufjs'
import { FORBIDDEN_FIELD_NAMES } from '../db/limits'

const SCHEMA = `
syntax = "proto3";
message KeyValuePair { string key = 1; bytes value = 2; string contenttype = 3; string filename = 4; }
message OpenApiData { repeated KeyValuePair pairs = 1; }
message CommApiData {
  enum ApiType { OPEN_API = 0; INNER_API = 1; SVRKIT_API = 2; TOKEN_API = 3; }
  ApiType apiType = 1;
  OpenApiData openapiData = 2;
  string appid = 6;
}
message HttpHeader { string key = 1; string value = 2; }
message CommOpenApiResp {
  bytes respData = 1;
  string contentType = 2;
  int32 errorCode = 3;
  uint32 httpCode = 4;
  repeated HttpHeader headers = 5;
  int32 svrkitErrorCode = 6;
}
`

const root = protobuf.parse(SCHEMA, { keepCase: true }).root
const CommApiData = root.lookupType('CommApiData')
const CommOpenApiResp = root.lookupType('CommOpenApiResp')

export interface KeyValuePair {
  key: string
  value: Buffer
  contenttype: string
  filename: string
}

export interface OpenApiRequestData {
  /** 0 = OPEN_API, the only kind `cloud.openapi` sends. */
  apiType: number
  pairs: KeyValuePair[]
  appid: string
}

/** A binary param (e.g. `media` of `customerServiceMessage.uploadTempMedia`). */
export interface OpenApiMedia {
  filename: string
  /** Often empty: the SDK drops the content type on the way. */
  contentType: string
  bytes: Buffer
}

export interface OpenApiResponse {
  respData?: Buffer
  contentType?: string
  /** Platform error such as -604101 (no permission); the SDK throws it as errCode. */
  errorCode?: number
  httpCode?: number
}

export class WireFormatError extends Error {}

export function decodeCommApiData(bytes: Buffer): OpenApiRequestData {
  let message: protobuf.Message
  try {
    message = CommApiData.decode(bytes)
  } catch (e) {
    throw new WireFormatError(`requestData: not a CommApiData protobuf (${(e as Error).message})`)
  }
  const plain = CommApiData.toObject(message, { defaults: true, enums: Number }) as {
    apiType: number
    openapiData?: { pairs?: { key: string; value: Uint8Array; contenttype: string; filename: string }[] }
    appid: string
  }
  const pairs = (plain.openapiData?.pairs ?? []).map((p) => ({
    key: p.key,
    value: Buffer.from(p.value),
    contenttype: p.contenttype,
    filename: p.filename,
  }))
  return { apiType: plain.apiType, pairs, appid: plain.appid }
}

export function encodeCommApiData(data: { pairs: KeyValuePair[]; appid?: string; apiType?: number }): Buffer {
  const message = CommApiData.fromObject({
    apiType: data.apiType ?? 0,
    openapiData: { pairs: data.pairs },
    appid: data.appid ?? '',
  })
  return Buffer.from(CommApiData.encode(message).finish())
}

export function encodeCommOpenApiResp(resp: OpenApiResponse): Buffer {
  const message = CommOpenApiResp.fromObject({
    respData: resp.respData ?? Buffer.alloc(0),
    contentType: resp.contentType ?? '',
    errorCode: resp.errorCode ?? 0,
    httpCode: resp.httpCode ?? 0,
  })
  return Buffer.from(CommOpenApiResp.encode(message).finish())
}

export function decodeCommOpenApiResp(bytes: Buffer): Required<OpenApiResponse> {
  const plain = CommOpenApiResp.toObject(CommOpenApiResp.decode(bytes), { defaults: true }) as {
    respData: Uint8Array
    contentType: string
    errorCode: number
    httpCode: number
  }
  return { ...plain, respData: Buffer.from(plain.respData) }
}

/**
 * Turns the pairs into call params: JSON pairs are `JSON.parse`d (the SDK sends `JSON.stringify` of each value),
 * pairs with a `filename` are binary media. Throws naming the pair when a JSON value does not parse.
 */
export function pairsToParams(pairs: KeyValuePair[]): {
  params: Record<string, unknown>
  media: Record<string, OpenApiMedia>
} {
  const params: Record<string, unknown> = {}
  const media: Record<string, OpenApiMedia> = {}
  for (const pair of pairs) {
    if (!pair.key) throw new WireFormatError('requestData: a param pair has an empty key')
    if (FORBIDDEN_FIELD_NAMES.has(pair.key)) throw new WireFormatError(`requestData: "${pair.key}" cannot be a param name`)
    if (pair.filename) {
      media[pair.key] = { filename: pair.filename, contentType: pair.contenttype, bytes: pair.value }
      continue
    }
    try {
      params[pair.key] = JSON.parse(pair.value.toString('utf8'))
    } catch {
      throw new WireFormatError(`requestData: param "${pair.key}" is not valid JSON`)
    }
  }
  return { params, media }
}

export interface MultipartForm {
  fields: Record<string, string>
  files: Record<string, { filename: string; contentType: string; bytes: Buffer }>
}

/** Parses a buffered multipart/form-data body. `application/octet-stream` parts arrive as files (busboy's rule). */
export function parseMultipart(contentType: string, body: Buffer): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy
    try {
      parser = Busboy({
        headers: { 'content-type': contentType },
        limits: { fieldSize: 16 * 1024 * 1024, fileSize: 64 * 1024 * 1024 },
      })
    } catch (e) {
      reject(new WireFormatError(`body: not multipart form data (${(e as Error).message})`))
      return
    }
    const form: MultipartForm = { fields: {}, files: {} }
    parser.on('field', (name, value) => {
      form.fields[name] = value
    })
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = []
      // a truncated part errors the file stream too; unheard, that error would end the process
      stream.on('error', (e: Error) => reject(new WireFormatError(`body: bad multipart form data (${e.message})`)))
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        form.files[name] = {
          filename: info.filename ?? '',
          contentType: info.mimeType,
          bytes: Buffer.concat(chunks),
        }
      })
    })
    parser.on('error', (e: Error) => reject(new WireFormatError(`body: bad multipart form data (${e.message})`)))
    parser.on('close', () => resolve(form))
    parser.end(body)
  })
}
