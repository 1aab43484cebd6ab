/**
 * `POST /__client/channels/{api}`: the four Channels client APIs as a viewer's WeChat calls them, used by the
 * test-side wx shim (emulator/client/wx-channels.ts). Body `{openid, ...options}` (the API's own fields, no
 * callbacks). Reply HTTP 200 `{result}` (the documented success fields with `errMsg: '<api>:ok'`) or HTTP 200
 * `{errCode, errMsg: '<api>:fail …'}` as WeChat fails; a request the shim would never send (not JSON, no openid,
 * a field the API does not take) is a 400 `{error}` naming the field, an unknown API a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CHANNELS_APIS, type ChannelsApi } from '../../src/channels/client-api'
import { CHANNELS_API_FIELDS, type ChannelsState } from '../channels/state'
import { OPENID_RULE } from './client-http'
import { HttpError, hasContentType, parseJsonObject, readBody, sendJson, sendMethodNotAllowed } from './http-util'

export const CLIENT_CHANNELS_PREFIX = '/__client/channels/'
/** Options of one call are a few short strings and numbers. */
const CHANNELS_BODY_MAX_BYTES = 16 * 1024

const isApi = (name: string): name is ChannelsApi => (CHANNELS_APIS as readonly string[]).includes(name)

export async function handleClientChannels(channels: ChannelsState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    const api = url.pathname.slice(CLIENT_CHANNELS_PREFIX.length)
    if (!isApi(api)) throw new HttpError(404, `no Channels API ${JSON.stringify(api)} (known: ${CHANNELS_APIS.join(', ')})`)
    if (req.method !== 'POST') return sendMethodNotAllowed(res, ['POST'], { error: `method ${req.method}: ${url.pathname} takes POST` })
    if (!hasContentType(req, 'application/json')) {
      throw new HttpError(415, `content-type ${JSON.stringify(req.headers['content-type'] ?? '')}: ${url.pathname} takes application/json`)
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > CHANNELS_BODY_MAX_BYTES) {
      // answered before reading: the rest of an oversized body is not worth reading
      res.setHeader('connection', 'close')
      throw new HttpError(413, `body: ${declared} bytes; a Channels call takes at most ${CHANNELS_BODY_MAX_BYTES}`)
    }
    const { openid, ...options } = parseJsonObject(await readBody(req, CHANNELS_BODY_MAX_BYTES), { allowEmpty: false })
    if (typeof openid !== 'string' || !OPENID_RULE.test(openid)) {
      throw new HttpError(400, 'openid: required, 1 to 128 of [A-Za-z0-9_-]: a Channels API is called by a signed-in viewer')
    }
    const allowed = CHANNELS_API_FIELDS[api]
    const extra = Object.keys(options).find((k) => !allowed.includes(k))
    if (extra !== undefined) throw new HttpError(400, `${extra}: not an option of ${api} (options: ${allowed.join(', ')})`)
    const answer = channels.answer(api, openid, options)
    sendJson(res, 200, answer.ok ? { result: answer.result } : { errCode: answer.errCode, errMsg: answer.errMsg })
  } catch (e) {
    if (e instanceof HttpError) return sendJson(res, e.status, { error: e.message })
    throw e
  }
}
