/**
 * The `/admin` database wire protocol, spoken by the REAL SDKs: wx-server-sdk 4.0.2 (as cloud functions use it)
 * and @cloudbase/node-sdk 3.17.2, both pointed at the emulator with `serviceUrl`.
 */
import { createRequire } from 'node:module'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type AdminHarness, setDummySecrets, startAdminServer } from './admin-wire-harness'

setDummySecrets()
const load = createRequire(__filename)

// SDK boundary: the SDKs' typings do not describe the query builder chain we drive here, so we hold them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any

let h: AdminHarness
let cloud: Loose
let wxDb: Loose
let tcbDb: Loose

beforeAll(async () => {
  h = await startAdminServer()
  cloud = load('wx-server-sdk')
  // wx-server-sdk is a singleton: initialised once for this file
  cloud.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' })
  wxDb = cloud.database()
  const tcb = load('@cloudbase/node-sdk')
  tcbDb = tcb.init({ env: 'test-env', serviceUrl: h.serviceUrl, secretId: 'x', secretKey: 'y' }).database()
})

afterAll(async () => {
  await h?.close()
})

beforeEach(() => {
  h.engine.reset()
  h.clock.unfreeze()
})

async function rejection(promise: Promise<unknown>): Promise<{ errCode?: number; errMsg?: string; code?: string; message?: string }> {
  try {
    await promise
  } catch (e) {
    return e as { errCode?: number }
  }
  throw new Error('expected the call to fail')
}

async function postRaw(body: Record<string, unknown>, status = 200): Promise<Record<string, unknown>> {
  const res = await fetch(h.serviceUrl + '?env=test-env&seqId=1', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(status)
  return (await res.json()) as Record<string, unknown>
}

describe('database over /admin with wx-server-sdk', () => {
  it('creates a collection, and creating it again fails', async () => {
    const ok = await wxDb.createCollection('rooms')
    expect(ok.errMsg).toBe('createCollection:ok')
    expect(h.engine.hasCollection('rooms')).toBe(true)
    const again = await rejection(wxDb.createCollection('rooms'))
    expect(again.errCode).toBeLessThan(0)
    expect(again.errMsg).toMatch(/already exists/)
  })

  it('adds a document (returns _id) and reads it back with doc().get, Dates as Date', async () => {
    h.engine.createCollection('rooms')
    const startAt = new Date('2024-05-01T12:00:00.000Z')
    const added = await wxDb.collection('rooms').add({ data: { name: '春季上新', roomId: 7, startAt, tags: ['a'], price: 9.9 } })
    expect(added._id).toMatch(/^[0-9a-f]{32}$/)
    const got = await wxDb.collection('rooms').doc(added._id).get()
    expect(got.data).toEqual({ _id: added._id, name: '春季上新', roomId: 7, startAt, tags: ['a'], price: 9.9 })
    expect(got.data.startAt).toBeInstanceOf(Date)
    const missing = await rejection(wxDb.collection('rooms').doc('nope').get())
    expect(String(missing.errMsg)).toMatch(/does not exist/)
  })

  it('runs where/orderBy/skip/limit/field queries (numbers sort desc, Dates compare)', async () => {
    h.engine.createCollection('rooms')
    const _ = wxDb.command
    for (let i = 1; i <= 6; i++) {
      await wxDb.collection('rooms').add({ data: { roomId: i, views: (i * 7) % 5, startAt: new Date(Date.UTC(2024, 0, i)), title: `r${i}` } })
    }
    const res = await wxDb
      .collection('rooms')
      .where({ startAt: _.gte(new Date(Date.UTC(2024, 0, 2))), roomId: _.neq(6) })
      .orderBy('views', 'desc')
      .orderBy('roomId', 'asc')
      .skip(1)
      .limit(3)
      .field({ roomId: true, views: true, startAt: true })
      .get()
    // views by roomId: 1→2, 2→4, 3→1, 4→3, 5→0 ; after skip 1 of [2(4),4(3),3(1),5(0)]
    expect(res.data.map((d: { roomId: number }) => d.roomId)).toEqual([4, 3, 5])
    expect(Object.keys(res.data[0]).sort()).toEqual(['_id', 'roomId', 'startAt', 'views'])
    expect(res.data[0].startAt).toEqual(new Date(Date.UTC(2024, 0, 4)))
    const nested = await wxDb.collection('rooms').where({ title: wxDb.RegExp({ regexp: '^R[12]$', options: 'i' }) }).count()
    expect(nested.total).toBe(2)
  })

  it('defaults to 100 documents and clamps a limit above 1000 to 1000', async () => {
    h.engine.createCollection('many')
    h.engine.insert(
      'many',
      Array.from({ length: 1100 }, (_, i) => ({ n: i })),
    )
    const byDefault = await wxDb.collection('many').get()
    expect(byDefault.data).toHaveLength(100)
    const bySdk = await wxDb.collection('many').limit(5000).get()
    expect(bySdk.data).toHaveLength(1000)
    // a client that does not clamp is clamped by the server
    const raw = await postRaw({ action: 'database.getDocument', collectionName: 'many', queryType: 'WHERE', limit: 5000 })
    expect(((raw.data as { list: string[] }).list).length).toBe(1000)
    const rawDefault = await postRaw({ action: 'database.getDocument', collectionName: 'many', queryType: 'WHERE' })
    expect(((rawDefault.data as { list: string[] }).list).length).toBe(100)
    const count = await wxDb.collection('many').where({ n: wxDb.command.lt(10) }).count()
    expect(count.total).toBe(10)
  })

  it('updates with _.inc, _.push and _.set, by doc and by where', async () => {
    h.engine.createCollection('goods')
    const _ = wxDb.command
    const { _id } = await wxDb.collection('goods').add({ data: { stock: 5, tags: ['new'], spec: { color: 'red', size: 'M' } } })
    const byDoc = await wxDb
      .collection('goods')
      .doc(_id)
      .update({ data: { stock: _.inc(-2), tags: _.push(['hot', 'sale']), spec: _.set({ color: 'blue' }) } })
    expect(byDoc.stats).toEqual({ updated: 1 })
    const got = await wxDb.collection('goods').doc(_id).get()
    expect(got.data).toEqual({ _id, stock: 3, tags: ['new', 'hot', 'sale'], spec: { color: 'blue' } })

    await wxDb.collection('goods').add({ data: { stock: 0 } })
    const byWhere = await wxDb.collection('goods').where({ stock: _.gte(0) }).update({ data: { checked: true } })
    expect(byWhere.stats).toEqual({ updated: 2 })
    const nestedPath = await wxDb.collection('goods').doc(_id).update({ data: { spec: { size: 'L' } } })
    expect(nestedPath.stats.updated).toBe(1)
    expect((await wxDb.collection('goods').doc(_id).get()).data.spec).toEqual({ color: 'blue', size: 'L' })
  })

  it('doc().set creates (upsert) with the given _id, then replaces', async () => {
    h.engine.createCollection('config')
    const created = await wxDb.collection('config').doc('checkpoint').set({ data: { cursor: 0, at: new Date(5) } })
    expect(created._id).toBe('checkpoint')
    expect(created.stats).toEqual({ updated: 0, created: 1 })
    const replaced = await wxDb.collection('config').doc('checkpoint').set({ data: { cursor: 100 } })
    expect(replaced.stats).toEqual({ updated: 1, created: 0 })
    expect((await wxDb.collection('config').doc('checkpoint').get()).data).toEqual({ _id: 'checkpoint', cursor: 100 })
  })

  it('removes by doc and by where', async () => {
    h.engine.createCollection('rooms')
    h.engine.insert('rooms', [{ _id: 'a', s: 1 }, { _id: 'b', s: 2 }, { _id: 'c', s: 2 }])
    expect((await wxDb.collection('rooms').doc('a').remove()).stats).toEqual({ removed: 1 })
    expect((await wxDb.collection('rooms').where({ s: 2 }).remove()).stats).toEqual({ removed: 2 })
    expect(h.engine.count('rooms', {})).toBe(0)
  })

  it('aggregates with match, group and sort', async () => {
    h.engine.createCollection('orders')
    h.engine.insert('orders', [
      { roomId: 1, amount: 10 },
      { roomId: 2, amount: 5 },
      { roomId: 1, amount: 7 },
      { roomId: 3, amount: 1 },
    ])
    const $ = wxDb.command.aggregate
    const res = await wxDb
      .collection('orders')
      .aggregate()
      .match({ amount: wxDb.command.gt(1) })
      .group({ _id: '$roomId', total: $.sum('$amount'), orders: $.sum(1) })
      .sort({ total: -1 })
      .end()
    expect(res.list).toEqual([
      { _id: 1, total: 17, orders: 2 },
      { _id: 2, total: 5, orders: 1 },
    ])
  })

  it('stores db.serverDate() as the emulator clock time (with offset)', async () => {
    h.engine.createCollection('logs')
    h.clock.freeze()
    h.clock.set(1_800_000_000)
    const { _id } = await wxDb.collection('logs').add({ data: { at: wxDb.serverDate(), later: wxDb.serverDate({ offset: 60_000 }) } })
    const [stored] = h.engine.find('logs', { _id })
    expect(stored.at).toEqual(new Date(1_800_000_000_000))
    expect(stored.later).toEqual(new Date(1_800_000_060_000))
    await wxDb.collection('logs').doc(_id).update({ data: { seen: wxDb.serverDate() } })
    expect(h.engine.find('logs', { _id })[0].seen).toEqual(new Date(1_800_000_000_000))
  })

  it('answers errCode -502005 when reading or writing a missing collection', async () => {
    const read = await rejection(wxDb.collection('missing').where({ a: 1 }).get())
    expect(read.errCode).toBe(-502005)
    const write = await rejection(wxDb.collection('missing').add({ data: { a: 1 } }))
    expect(write.errCode).toBe(-502005)
    const count = await rejection(wxDb.collection('missing').count())
    expect(count.errCode).toBe(-502005)
  })
})

describe('database over /admin with @cloudbase/node-sdk', () => {
  it('adds, queries and updates-and-returns', async () => {
    await tcbDb.createCollection('stock')
    const added = await tcbDb.collection('stock').add({ sku: 'A', left: 2 })
    expect(added.id).toMatch(/^[0-9a-f]{32}$/)
    const res = await tcbDb.collection('stock').where({ sku: 'A' }).updateAndReturn({ left: tcbDb.command.inc(-1) })
    expect(res.updated).toBe(1)
    expect(res.doc).toEqual({ _id: added.id, sku: 'A', left: 1 })
    const none = await tcbDb.collection('stock').where({ sku: 'B' }).updateAndReturn({ left: 0 })
    expect(none.updated).toBe(0)
    const list = await tcbDb.collection('stock').where({}).get()
    expect(list.data).toEqual([{ _id: added.id, sku: 'A', left: 1 }])
  })

  it('throws the CloudBase code for a missing collection', async () => {
    const err = await rejection(tcbDb.collection('absent').get())
    expect(err.code).toBe('DATABASE_COLLECTION_NOT_EXIST')
  })
})

describe('raw /admin replies', () => {
  it('names an unsupported action', async () => {
    const reply = await postRaw({ action: 'database.dropEverything' })
    expect(reply.code).toBe('INVALID_PARAM')
    expect(String(reply.message)).toMatch(/^action: unsupported action "database.dropEverything" \(supported: database.getDocument, /)
    expect(typeof reply.requestId).toBe('string')
  })

  it('refuses transactions clearly', async () => {
    const reply = await postRaw({ action: 'database.startTransaction' })
    expect(reply.code).toBe('INVALID_PARAM')
    expect(String(reply.message)).toMatch(/transactions are not supported/)
  })

  it('names a missing field (a database error, HTTP 200) and bad EJSON (unreadable input, HTTP 400)', async () => {
    expect(await postRaw({ action: 'database.getDocument' })).toMatchObject({ code: 'INVALID_PARAM', message: 'collectionName: must be a non-empty string' })
    h.engine.createCollection('c')
    const bad = await postRaw({ action: 'database.getDocument', collectionName: 'c', query: '{oops' }, 400)
    expect(bad.code).toBe('INVALID_PARAM')
    expect(String(bad.message)).toMatch(/^query: not valid EJSON/)
  })

  it('tells the observer who called: an SDK without a token is admin, a function token is that function', async () => {
    h.engine.createCollection('c')
    h.databaseRequests.length = 0
    await wxDb.collection('c').count()
    const token = h.identities.issue({ functionName: 'syncRooms', openapi: [], appid: 'wx1', trigger: 'timer' })
    await postRaw({ action: 'database.calculateDocument', collectionName: 'c', wxCloudApiToken: token })
    expect(h.databaseRequests).toEqual([
      { caller: { kind: 'admin' }, action: 'database.calculateDocument', collectionName: 'c' },
      { caller: expect.objectContaining({ kind: 'function', functionName: 'syncRooms' }), action: 'database.calculateDocument', collectionName: 'c' },
    ])
  })
})
