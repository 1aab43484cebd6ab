/**
 * Hostile and malformed requests against a started emulator, through its real HTTP endpoints. One table: each row is
 * a request and the answer it must get (status, and the error it names). To cover a new case, add a row.
 * After the whole table the process must be unharmed: no prototype polluted, the same query answering the same.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EJSON } from 'bson'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { SANDBOX_APPID, SANDBOX_SECRET } from '../emulator/sandbox/sandbox'
import { encodeCommApiData } from '../emulator/server/openapi-wire'

const ej = (v: unknown) => EJSON.stringify(v, { relaxed: false })
const JSON_TYPE = { 'content-type': 'application/json' }

interface Ctx {
  token: string
}

interface Row {
  name: string
  method: string
  path: string | ((ctx: Ctx) => string)
  headers?: Record<string, string>
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown
  status: number
  /** Fields the JSON reply must have (`message` as a RegExp is matched against the reply's message/error/errmsg). */
  reply?: { code?: string; errcode?: number; message?: RegExp }
  allow?: string
  /** Matched against the raw reply text (for event streams). */
  text?: RegExp
}

const admin = (body: Record<string, unknown>) => ({ method: 'POST', path: '/admin?env=local-dev-env', headers: JSON_TYPE, body })
const client = (body: Record<string, unknown>) => ({ method: 'POST', path: '/__client/db', headers: JSON_TYPE, body })
const aggregate = (send: typeof admin, stages: Record<string, unknown>[]) =>
  send({
    action: 'database.aggregateDocuments',
    collectionName: 'live_rooms',
    stages: stages.map((s) => ({ stageKey: Object.keys(s)[0], stageValue: ej(Object.values(s)[0]) })),
  })
const find = (send: typeof admin, extra: Record<string, unknown>) =>
  send({ action: 'database.getDocument', collectionName: 'live_rooms', queryType: 'WHERE', ...extra })
const insert = (doc: string) => admin({ action: 'database.insertDocument', collectionName: 'live_rooms', data: [doc] })

function nested(levels: number): Record<string, unknown> {
  let inner: Record<string, unknown> = { leaf: 1 }
  for (let i = 0; i < levels; i++) inner = { n: inner }
  return inner
}

function multipart(boundary: string, parts: { name: string; value: Buffer | string; filename?: string }[]): Buffer {
  const chunks: Buffer[] = []
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

const openApiBody = (requestData: Buffer) =>
  multipart('b0undary', [
    { name: 'action', value: 'wx.openApi' },
    { name: 'apiName', value: 'liveBroadcast.getLiveInfo' },
    { name: 'requestData', value: requestData, filename: 'requestData' },
  ])
const MULTIPART = { 'content-type': 'multipart/form-data; boundary=b0undary' }

const INVALID_OP = 'DATABASE_INVALID_OPERRATOR'

// ---------------------------------------------------------------------------------------------------------------
// The table. Status 200 with a `code` is a database error as the SDK wire carries it; 4xx is a malformed request.
// ---------------------------------------------------------------------------------------------------------------
const ROWS: Row[] = [
  // /admin: method, content type, unreadable bodies
  { name: 'admin: GET', method: 'GET', path: '/admin', status: 405, allow: 'POST', reply: { message: /accepts POST only/ } },
  { name: 'admin: text/plain body', method: 'POST', path: '/admin', headers: { 'content-type': 'text/plain' }, body: '{}', status: 415, reply: { message: /takes application\/json/ } },
  { name: 'admin: bad JSON', method: 'POST', path: '/admin', headers: JSON_TYPE, body: '{"action":', status: 400, reply: { message: /body: not valid JSON/ } },
  { name: 'admin: JSON array body', method: 'POST', path: '/admin', headers: JSON_TYPE, body: '[]', status: 400, reply: { message: /must be a JSON object/ } },
  { name: 'admin: empty body', method: 'POST', path: '/admin', headers: JSON_TYPE, body: '', status: 400, reply: { message: /body: empty/ } },
  { name: 'admin: JSON nested 100,000 deep', method: 'POST', path: '/admin', headers: JSON_TYPE, body: '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}', status: 400 },
  { name: 'admin: bad EJSON query', ...find(admin, { query: '{oops' }), status: 400, reply: { message: /query: not valid EJSON/ } },
  { name: 'admin: EJSON nested 300 deep', ...find(admin, { query: ej(nested(300)) }), status: 400, reply: { message: /nested deeper than 200 levels/ } },
  { name: 'admin: envelope key __proto__', method: 'POST', path: '/admin', headers: JSON_TYPE, body: '{"action":"database.getDocument","__proto__":{"polluted":1}}', status: 400, reply: { message: /__proto__/ } },
  { name: 'admin: transaction', ...admin({ action: 'database.startTransaction' }), status: 200, reply: { code: 'INVALID_PARAM', message: /transactions are not supported/ } },

  // hostile field names, anywhere a field is named
  { name: 'admin: query key __proto__', ...find(admin, { query: '{"__proto__":{"polluted":1}}' }), status: 200, reply: { code: 'INVALID_PARAM', message: /query\.__proto__: "__proto__" cannot be a field name/ } },
  { name: 'admin: dotted constructor.prototype in a query', ...find(admin, { query: ej({ 'a.constructor.prototype': 1 }) }), status: 200, reply: { code: 'INVALID_PARAM', message: /"constructor" cannot be a field name/ } },
  { name: 'admin: sort key prototype', ...find(admin, { order: ej({ prototype: 1 }) }), status: 200, reply: { code: 'INVALID_PARAM', message: /order\.prototype/ } },
  { name: 'admin: sort (array form) field __proto__', ...find(admin, { order: [{ field: '__proto__', direction: 'asc' }] }), status: 200, reply: { code: 'INVALID_PARAM', message: /__proto__/ } },
  { name: 'admin: projection key constructor', ...find(admin, { projection: ej({ constructor: 1 }) }), status: 200, reply: { code: 'INVALID_PARAM', message: /projection\.constructor/ } },
  { name: 'admin: update $set.__proto__.polluted', ...admin({ action: 'database.modifyDocument', collectionName: 'live_rooms', query: ej({}), data: ej({ $set: { '__proto__.polluted': 1 } }) }), status: 200, reply: { code: 'INVALID_PARAM', message: /data\.\$set\.__proto__\.polluted/ } },
  { name: 'admin: inserted document with __proto__', ...insert('{"__proto__":{"polluted":1},"a":1}'), status: 200, reply: { code: 'INVALID_PARAM', message: /data\[0\]\.__proto__/ } },
  { name: 'admin: pipeline key prototype', ...aggregate(admin, [{ $addFields: { prototype: 1 } }]), status: 200, reply: { code: 'INVALID_PARAM', message: /prototype/ } },

  // size arguments
  { name: 'admin: limit -1', ...find(admin, { limit: -1 }), status: 200, reply: { code: 'INVALID_PARAM', message: /^limit: must be an integer/ } },
  { name: 'admin: limit 1.5', ...find(admin, { limit: 1.5 }), status: 200, reply: { code: 'INVALID_PARAM', message: /^limit: must be an integer/ } },
  { name: 'admin: offset 1e300', ...find(admin, { offset: 1e300 }), status: 200, reply: { code: 'INVALID_PARAM', message: /^offset: must be an integer/ } },
  { name: 'admin: $limit -1', ...aggregate(admin, [{ $limit: -1 }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$limit: must be an integer from 1/ } },
  { name: 'admin: $skip 1.5', ...aggregate(admin, [{ $skip: 1.5 }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$skip: must be an integer from 0/ } },
  { name: 'admin: $sample size 0', ...aggregate(admin, [{ $sample: { size: 0 } }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$sample\.size: must be an integer from 1/ } },
  { name: 'admin: $sample size 1e300', ...aggregate(admin, [{ $sample: { size: 1e300 } }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$sample\.size/ } },
  { name: 'admin: $range of 10^12 elements', ...aggregate(admin, [{ $project: { r: { $range: [0, 1e12] } } }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$range: would build 1000000000000 elements/ } },
  { name: 'admin: $range with a fractional step', ...aggregate(admin, [{ $project: { r: { $range: [0, 10, 0.5] } } }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$range: step must be an integer/ } },
  { name: 'admin: $reduce doubling an array with $concatArrays', ...aggregate(admin, [{ $project: { r: { $reduce: { input: { $range: [0, 40] }, initialValue: [1], in: { $concatArrays: ['$$value', '$$value'] } } } } }]), status: 200, reply: { code: 'INVALID_PARAM', message: /\$concatArrays: would build/ } },

  // documents that cannot be stored
  { name: 'admin: document nested 101 levels', ...insert(ej(nested(100))), status: 200, reply: { code: 'INVALID_PARAM', message: /data\[0\]: nested deeper than 100 levels/ } },
  { name: 'admin: document over 16 MB', ...insert(ej({ big: 'x'.repeat(16 * 1024 * 1024) })), status: 200, reply: { code: 'INVALID_PARAM', message: /over the 16777216-byte \(16 MB\) document limit/ } },
  { name: 'admin: serverDate offset past any date', ...insert('{"at":{"$tcb_server_date":{"offset":1e20}}}'), status: 200, reply: { code: 'INVALID_PARAM', message: /serverDate offset .* outside what a JavaScript date can hold/ } },
  { name: 'admin: EJSON date past any date', ...insert('{"at":{"$date":{"$numberLong":"9000000000000000"}}}'), status: 200, reply: { code: 'INVALID_PARAM', message: /invalid date/ } },
  { name: 'admin: EJSON JavaScript code', ...insert('{"f":{"$code":"while(true){}"}}'), status: 200, reply: { code: 'INVALID_PARAM', message: /data\[0\]\.f: EJSON Code values cannot be stored/ } },
  { name: 'admin: EJSON MinKey', ...insert('{"k":{"$minKey":1}}'), status: 200, reply: { code: 'INVALID_PARAM', message: /MinKey values cannot be stored/ } },
  { name: 'admin: replacement (doc.set) with a regular expression', ...admin({ action: 'database.modifyDocument', collectionName: 'live_rooms', queryType: 'DOC', query: ej({ _id: 'new-doc' }), data: ej({ re: /x/ }), merge: false, upsert: true }), status: 200, reply: { code: 'INVALID_PARAM', message: /RegExp values cannot be stored/ } },

  // wx.openApi: multipart and protobuf
  { name: 'admin: multipart cut off inside a file part', method: 'POST', path: '/admin', headers: MULTIPART, body: '--b0undary\r\ncontent-disposition: form-data; name="requestData"; filename="r"\r\n\r\nabc', status: 400, reply: { message: /bad multipart form data/ } },
  { name: 'admin: multipart without a boundary', method: 'POST', path: '/admin', headers: { 'content-type': 'multipart/form-data' }, body: 'x', status: 400, reply: { message: /not multipart form data/ } },
  { name: 'admin: requestData not protobuf', method: 'POST', path: '/admin', headers: MULTIPART, body: openApiBody(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), status: 400, reply: { message: /requestData: not a CommApiData protobuf/ } },
  { name: 'admin: open-API param named __proto__', method: 'POST', path: '/admin', headers: MULTIPART, body: openApiBody(encodeCommApiData({ pairs: [{ key: '__proto__', value: Buffer.from('{"polluted":1}'), contenttype: '', filename: '' }] })), status: 400, reply: { message: /"__proto__" cannot be a param name/ } },
  { name: 'admin: open-API param holding key constructor', method: 'POST', path: '/admin', headers: MULTIPART, body: openApiBody(encodeCommApiData({ pairs: [{ key: 'start', value: Buffer.from('{"constructor":{"prototype":{"polluted":1}}}'), contenttype: '', filename: '' }] })), status: 400, reply: { message: /constructor/ } },

  // /__client: the mini-program channel
  { name: 'client: GET /__client/db', method: 'GET', path: '/__client/db', status: 405, allow: 'POST' },
  { name: 'client: POST /__client/watch', method: 'POST', path: '/__client/watch', status: 405, allow: 'GET' },
  { name: 'client: form-encoded body', method: 'POST', path: '/__client/db', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1', status: 415 },
  { name: 'client: bad JSON', method: 'POST', path: '/__client/db', headers: JSON_TYPE, body: '{', status: 400, reply: { message: /not valid JSON/ } },
  { name: 'client: watch with bad EJSON', method: 'GET', path: '/__client/watch?collectionName=live_rooms&query=%7Boops', status: 400, reply: { message: /query: not valid EJSON/ } },
  { name: 'client: watch query key __proto__ (an error event, as for any refused watch)', method: 'GET', path: `/__client/watch?collectionName=live_rooms&query=${encodeURIComponent('{"__proto__":{"x":1}}')}`, status: 200, text: /event: error\ndata: \{"code":"INVALID_PARAM","message":"query\.__proto__: / },
  { name: 'client: $lookup', ...aggregate(client, [{ $lookup: { from: 'live_api_ledger', localField: 'a', foreignField: '_id', as: 'leak' } }]), status: 200, reply: { code: INVALID_OP, message: /\$lookup reads another collection/ } },
  { name: 'client: $graphLookup', ...aggregate(client, [{ $graphLookup: { from: 'live_sync_state', startWith: '$a', connectFromField: 'a', connectToField: '_id', as: 'leak' } }]), status: 200, reply: { code: INVALID_OP, message: /\$graphLookup reads another collection/ } },
  { name: 'client: $unionWith', ...aggregate(client, [{ $unionWith: 'live_api_ledger' }]), status: 200, reply: { code: INVALID_OP, message: /\$unionWith reads another collection/ } },
  { name: 'client: $facet holding $lookup', ...aggregate(client, [{ $facet: { leak: [{ $lookup: { from: 'live_api_ledger', localField: 'a', foreignField: '_id', as: 'x' } }] } }]), status: 200, reply: { code: INVALID_OP, message: /\$facet is not an aggregate stage of the mini-program/ } },
  { name: 'client: $out', ...aggregate(client, [{ $out: 'live_rooms_copy' }]), status: 200, reply: { code: INVALID_OP, message: /\$out is not an aggregate stage/ } },
  { name: 'client: $merge', ...aggregate(client, [{ $merge: { into: 'live_api_ledger' } }]), status: 200, reply: { code: INVALID_OP, message: /\$merge is not an aggregate stage/ } },
  { name: 'client: $where in a query', ...find(client, { query: ej({ $where: 'sleep(100000)' }) }), status: 200, reply: { code: INVALID_OP, message: /query\.\$where: \$where is not an operator/ } },
  { name: 'client: $function in $expr', ...find(client, { query: ej({ $expr: { $function: { body: 'x', args: [], lang: 'js' } } }) }), status: 200, reply: { code: INVALID_OP, message: /\$function is not an operator/ } },
  { name: 'client: query key constructor', ...find(client, { query: ej({ constructor: 1 }) }), status: 200, reply: { code: 'INVALID_PARAM', message: /constructor/ } },

  // /__sandbox: control API
  { name: 'control: clock beyond any date', method: 'POST', path: '/__sandbox/clock', headers: JSON_TYPE, body: { now: 9e12 }, status: 400, reply: { message: /outside 0\.\.\d+ Unix seconds/ } },
  { name: 'control: clock advance past any date', method: 'POST', path: '/__sandbox/clock', headers: JSON_TYPE, body: { advance: 1e15 }, status: 400, reply: { message: /advance 1000000000000000 would put the clock outside/ } },
  { name: 'control: invoke event with __proto__', method: 'POST', path: '/__sandbox/functions/none/invoke', headers: JSON_TYPE, body: '{"event":{"__proto__":{"polluted":1}}}', status: 400, reply: { message: /body\.event\.__proto__/ } },
  { name: 'control: room body with constructor', method: 'POST', path: '/__sandbox/rooms', headers: JSON_TYPE, body: '{"constructor":{"prototype":{"polluted":1}}}', status: 400, reply: { message: /body\.constructor/ } },
  { name: 'control: bad percent-encoding in the path', method: 'POST', path: '/__sandbox/users/%E0%A4%A', headers: JSON_TYPE, body: { verified: false }, status: 400, reply: { message: /is not valid percent-encoding/ } },
  { name: 'control: bad JSON', method: 'POST', path: '/__sandbox/faults', headers: JSON_TYPE, body: '{"api":', status: 400, reply: { message: /not valid JSON/ } },

  // Live HTTPS
  { name: 'live: POST /cgi-bin/token', method: 'POST', path: '/cgi-bin/token', status: 405, allow: 'GET', reply: { errcode: 43001 } },
  { name: 'live: GET /cgi-bin/stable_token', method: 'GET', path: '/cgi-bin/stable_token', status: 405, allow: 'POST', reply: { errcode: 43002 } },
  { name: 'live: stable_token bad JSON', method: 'POST', path: '/cgi-bin/stable_token', headers: JSON_TYPE, body: '{grant_type', status: 400, reply: { errcode: 47001, message: /data format error: body: not valid JSON/ } },
  { name: 'live: stable_token empty body', method: 'POST', path: '/cgi-bin/stable_token', headers: JSON_TYPE, body: '', status: 400, reply: { errcode: 44002 } },
  { name: 'live: GET a POST endpoint', method: 'GET', path: (c) => `/wxa/business/getliveinfo?access_token=${c.token}`, status: 405, allow: 'POST', reply: { errcode: 43002 } },
  { name: 'live: endpoint body not JSON', method: 'POST', path: (c) => `/wxa/business/getliveinfo?access_token=${c.token}`, headers: JSON_TYPE, body: 'start=0', status: 400, reply: { errcode: 47001 } },
  { name: 'live: endpoint body with __proto__', method: 'POST', path: (c) => `/wxa/business/getliveinfo?access_token=${c.token}`, headers: JSON_TYPE, body: '{"start":0,"limit":10,"__proto__":{"polluted":1}}', status: 400, reply: { errcode: 47001, message: /__proto__/ } },
  { name: 'live: media upload with broken multipart', method: 'POST', path: (c) => `/cgi-bin/media/upload?type=image&access_token=${c.token}`, headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\ncontent-disposition: form-data; name="media"; filename="a.png"\r\n\r\nabc', status: 400, reply: { errcode: 41005 } },
  { name: 'live: bad percent-encoding in the path', method: 'GET', path: '/cgi-bin/media/%zz%E0', status: 400, reply: { errcode: 40066, message: /bad percent-encoding/ } },
]

let emu: Emulator
const ctx: Ctx = { token: '' }

async function send(row: Pick<Row, 'method' | 'path' | 'headers' | 'body'>): Promise<{ status: number; allow: string | null; text: string }> {
  const target = typeof row.path === 'function' ? row.path(ctx) : row.path
  const body =
    row.body === undefined
      ? undefined
      : typeof row.body === 'string'
        ? row.body
        : Buffer.isBuffer(row.body)
          ? new Uint8Array(row.body)
          : JSON.stringify(row.body)
  const res = await fetch(emu.url + target, { method: row.method, headers: row.headers, body })
  return { status: res.status, allow: res.headers.get('allow'), text: await res.text() }
}

function messageOf(reply: Record<string, unknown>): string {
  return String(reply.message ?? reply.error ?? reply.errmsg ?? '')
}

/** What the reference query answers; compared before and after the table. */
async function referenceQuery(): Promise<unknown> {
  const { text } = await send(find(admin, { query: ej({ kind: 'probe' }), order: ej({ n: 1 }) }))
  return JSON.parse(text).data
}

let before: unknown

beforeAll(async () => {
  emu = await startEmulator({ port: 0, databaseDir: path.resolve(__dirname, '../database') })
  const seeded = await send(
    admin({
      action: 'database.insertDocument',
      collectionName: 'live_rooms',
      data: [ej({ _id: 'probe-1', kind: 'probe', n: 1, s: 'a'.repeat(40) + '!' }), ej({ _id: 'probe-2', kind: 'probe', n: 2, s: 'b' })],
    }),
  )
  expect(seeded.status).toBe(200)
  const token = await fetch(`${emu.url}/cgi-bin/token?grant_type=client_credential&appid=${SANDBOX_APPID}&secret=${SANDBOX_SECRET}`)
  ctx.token = ((await token.json()) as { access_token: string }).access_token
  before = await referenceQuery()
})

afterAll(async () => {
  await emu?.stop()
})

describe('hostile and malformed requests', () => {
  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const { status, allow, text } = await send(row)
    expect(status, text.slice(0, 300)).toBe(row.status)
    if (row.allow) expect(allow).toBe(row.allow)
    if (row.text) expect(text).toMatch(row.text)
    if (!row.reply) return
    const reply = JSON.parse(text) as Record<string, unknown>
    if (row.reply.code) expect(reply.code).toBe(row.reply.code)
    if (row.reply.errcode !== undefined) expect(reply.errcode).toBe(row.reply.errcode)
    if (row.reply.message) expect(messageOf(reply)).toMatch(row.reply.message)
  })

  it('stops a catastrophic regular expression with the timeout error while other requests are still answered', async () => {
    const slow = send(find(admin, { query: ej({ s: /^(a+)+$/ }) }))
    const other = send(find(admin, { query: ej({ _id: 'probe-2' }) }))
    const [slowReply, otherReply] = await Promise.all([slow, other])
    expect(JSON.parse(otherReply.text).data.list).toHaveLength(1)
    expect(slowReply.status).toBe(200)
    expect(JSON.parse(slowReply.text)).toMatchObject({ code: 'SERVER_TIMEOUT' })
    expect(JSON.parse(slowReply.text).message).toMatch(/stopped after 3000 ms \(DATABASE_TIMEOUT\); nothing was changed/)
  })

  it('leaves an interrupted update unapplied', async () => {
    const reply = await send(
      admin({ action: 'database.modifyDocument', collectionName: 'live_rooms', query: ej({ s: /^(a+)+$/ }), data: ej({ $set: { touched: true } }) }),
    )
    expect(JSON.parse(reply.text).code).toBe('SERVER_TIMEOUT')
    const after = await send(find(admin, { query: ej({ touched: true }) }))
    expect(JSON.parse(after.text).data.list).toEqual([])
  })

  it('wrote nothing for refused client stages: $out and $merge created no collection', () => {
    expect(emu.engine.hasCollection('live_rooms_copy')).toBe(false)
    expect(emu.engine.find('live_api_ledger', {})).toEqual([])
  })

  it('is unharmed afterwards: no prototype polluted, the same query answers the same', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.keys(Object.prototype)).toEqual([])
    expect(await referenceQuery()).toEqual(before)
    const info = await fetch(`${emu.url}/__sandbox/info`)
    expect(info.status).toBe(200)
  })
})
