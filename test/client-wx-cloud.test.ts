import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClock } from '../emulator/clock'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import type { DatabaseEngine } from '../emulator/db/types'
import { ClientChannel } from '../emulator/client/channel'
import { RuleSet } from '../emulator/client/rules'
import { createClientHttpHandler } from '../emulator/server/client-http'
import { createWxCloud, type WxCloudError, type WxSnapshot } from '../emulator/client/wx-cloud'

const clock = createClock(() => Date.UTC(2026, 10, 22, 4))
clock.freeze()
let engine: DatabaseEngine
let activeWatchers = 0
let server: Server
let url: string

beforeAll(async () => {
  engine = createMemoryEngine({ clock })
  // count live change subscriptions, to see a closed watch unsubscribe on the server
  const subscribe = engine.onChange.bind(engine)
  engine.onChange = (listener) => {
    activeWatchers++
    const off = subscribe(listener)
    return () => {
      activeWatchers--
      off()
    }
  }
  const rules = RuleSet.fromObject({
    rooms: { read: true, write: false },
    notes: { read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' },
  })
  const handler = createClientHttpHandler({ channel: new ClientChannel({ engine, rules, clock }), clock })
  server = createServer((req, res) => void handler(req, res, new URL(req.url ?? '/', 'http://emulator.local')))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  engine.reset()
  engine.createCollection('rooms')
  engine.createCollection('notes')
  engine.insert(
    'rooms',
    Array.from({ length: 25 }, (_, i) => ({ _id: `r${String(i).padStart(2, '0')}`, roomid: i, live: i < 3, startTime: new Date(Date.UTC(2026, 10, 22, i)) })),
  )
})

async function rejection(p: Promise<unknown>): Promise<WxCloudError> {
  try {
    await p
  } catch (e) {
    return e as WxCloudError
  }
  throw new Error('expected the promise to reject')
}

/** Collects snapshots and lets a test await the n-th one (resolves on arrival; the test timeout bounds it). */
function snapshotQueue() {
  const got: WxSnapshot[] = []
  const waiters: Array<{ n: number; resolve: (s: WxSnapshot) => void }> = []
  return {
    got,
    push(s: WxSnapshot) {
      got.push(s)
      for (const w of waiters.filter((w) => w.n < got.length)) w.resolve(got[w.n])
    },
    nth(n: number): Promise<WxSnapshot> {
      return n < got.length ? Promise.resolve(got[n]) : new Promise((resolve) => waiters.push({ n, resolve }))
    },
  }
}

describe('wx.cloud shim over HTTP', () => {
  it('collection.get: mini-program shape, real query builder, 20-row cap, Dates back as Dates', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    const _ = db.command
    const res = await db.collection('rooms').where({ roomid: _.gte(5) }).orderBy('roomid', 'desc').limit(3).get()
    expect(res.errMsg).toBe('collection.get:ok')
    expect(res.data.map((d) => d.roomid)).toEqual([24, 23, 22])
    expect(res.data[0].startTime).toBeInstanceOf(Date)
    expect((await db.collection('rooms').get()).data).toHaveLength(20)
    expect((await db.collection('rooms').limit(100).get()).data).toHaveLength(20)
  })

  it('doc(id).get returns ONE object; a missing doc rejects saying it does not exist', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    const res = await db.collection('rooms').doc('r07').get()
    expect(res).toMatchObject({ data: { _id: 'r07', roomid: 7 }, errMsg: 'document.get:ok' })
    const e = await rejection(db.collection('rooms').doc('nope').get())
    expect(e.errMsg).toBe('document.get:fail document with _id nope does not exist')
  })

  it('count, add (stamped _openid, serverDate), update and remove have the wx shapes', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    expect(await db.collection('rooms').where({ live: true }).count()).toEqual({ total: 3, errMsg: 'collection.count:ok' })

    const added = await db.collection('notes').add({ data: { text: 'hello', at: db.serverDate() } })
    expect(added.errMsg).toBe('collection.add:ok')
    const stored = engine.find('notes', { _id: added._id as string })[0]
    expect(stored._openid).toBe('o-alice')
    expect((stored.at as Date).getTime()).toBe(clock.nowMs())

    const notes = db.collection('notes')
    const upd = await notes.where({ _id: added._id, _openid: '{openid}' }).update({ data: { text: 'edited' } })
    expect(upd).toEqual({ stats: { updated: 1 }, errMsg: 'collection.update:ok' })
    const mine = await notes.where({ _openid: '{openid}' }).get()
    expect(mine.data.map((d) => d.text)).toEqual(['edited'])
    const set = await notes.doc('n-set').set({ data: { text: 'set' } })
    expect(set).toEqual({ _id: 'n-set', stats: { updated: 0, created: 1 }, errMsg: 'document.set:ok' })
    const rm = await notes.where({ _openid: '{openid}' }).remove()
    expect(rm).toEqual({ stats: { removed: 2 }, errMsg: 'collection.remove:ok' })
  })

  it('a rules denial rejects with errCode -502003 and the wx errMsg', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    const e = await rejection(db.collection('notes').get())
    expect(e.errCode).toBe(-502003)
    expect(e.errMsg).toMatch(/^collection\.get:fail -502003 database permission denied\. .*collection notes/)
    const w = await rejection(db.collection('rooms').add({ data: { x: 1 } }))
    expect(w.errCode).toBe(-502003)
    expect(w.errMsg).toContain('collection.add:fail')
    const missing = await rejection(db.collection('nothing').get())
    expect(missing.errCode).toBe(-502005)
  })

  it('a join from the mini-program rejects with errCode -502002 (invalid database command), reading nothing', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    const agg = db.collection('rooms').aggregate() as unknown as { lookup(o: unknown): { end(): Promise<unknown> } }
    const e = await rejection(agg.lookup({ from: 'notes', localField: '_id', foreignField: '_id', as: 'leak' }).end())
    expect(e.errCode).toBe(-502002)
    expect(e.errMsg).toMatch(/^collection\.aggregate:fail -502002 database invalid command\. stages\[0\]: \$lookup reads another collection/)
  })

  it('callback style calls success/complete instead of returning a promise', async () => {
    const db = createWxCloud({ url }).database()
    const outcome = await new Promise<string>((resolve) => {
      void db.collection('rooms').doc('r01').get({ success: (r) => resolve(`ok ${String(r.data.roomid)}`), fail: (e) => resolve(e.errMsg) })
    })
    expect(outcome).toBe('ok 1')
  })

  it('setOpenid switches the viewer', async () => {
    const cloud = createWxCloud({ url, openid: 'o-alice' })
    const db = cloud.database()
    await db.collection('notes').add({ data: { text: 'a' } })
    cloud.setOpenid('o-bob')
    expect((await db.collection('notes').where({ _openid: '{openid}' }).count()).total).toBe(0)
  })

  it('watch with orderBy: init snapshot (all matches), then an update when the engine changes; close unsubscribes', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    const q = snapshotQueue()
    const errors: WxCloudError[] = []
    const listener = db
      .collection('rooms')
      .where({ roomid: db.command.lt(22) })
      .orderBy('roomid', 'asc')
      .watch({ onChange: (s) => q.push(s), onError: (e) => errors.push(e) })

    const init = await q.nth(0)
    expect(init.type).toBe('init')
    expect(init.docs).toHaveLength(22) // not capped at 20
    expect(init.docChanges[0]).toMatchObject({ dataType: 'init', queueType: 'init', docId: 'r00' })

    engine.update('rooms', { _id: 'r05' }, { $set: { live: true } }, { multi: false, upsert: false, merge: true })
    const next = await q.nth(1)
    expect(next.type).toBeUndefined()
    expect(next.docChanges).toEqual([expect.objectContaining({ dataType: 'update', queueType: 'update', docId: 'r05' })])
    expect(next.docChanges[0].doc.live).toBe(true)
    expect(next.docs).toHaveLength(22)

    engine.remove('rooms', { _id: 'r00' }, { multi: false })
    const third = await q.nth(2)
    expect(third.docChanges[0]).toMatchObject({ dataType: 'remove', queueType: 'dequeue', docId: 'r00' })
    expect(third.docs[0]._id).toBe('r01')

    expect(activeWatchers).toBe(1)
    await listener.close()
    // the server notices the closed request on a later turn of the event loop
    while (activeWatchers > 0) await new Promise((resolve) => setImmediate(resolve))
    expect(activeWatchers).toBe(0)
    expect(errors).toEqual([])
  })

  it('doc(id).watch follows one document', async () => {
    const db = createWxCloud({ url }).database()
    const q = snapshotQueue()
    const listener = db.collection('rooms').doc('r02').watch({ onChange: (s) => q.push(s), onError: () => undefined })
    expect((await q.nth(0)).docs.map((d) => d._id)).toEqual(['r02'])
    engine.update('rooms', { _id: 'r02' }, { $set: { title: 'new title' } }, { multi: false, upsert: false, merge: true })
    expect((await q.nth(1)).docs[0].title).toBe('new title')
    await listener.close()
  })

  it('a watch the rules deny reports onError with errCode -502003 and never calls onChange', async () => {
    const db = createWxCloud({ url, openid: 'o-alice' }).database()
    const changes: WxSnapshot[] = []
    const err = await new Promise<WxCloudError>((resolve) => {
      db.collection('notes').watch({ onChange: (s) => changes.push(s), onError: resolve })
    })
    expect(err.errCode).toBe(-502003)
    expect(err.errMsg).toContain('collection.watch:fail -502003')
    expect(changes).toEqual([])
  })

  it("keeps its own Db.reqClass: node-sdk's @cloudbase/database copy is a different module", async () => {
    const nodeSdkCopy = (await import('@cloudbase/database')) as { Db: { reqClass: unknown } }
    const before = nodeSdkCopy.Db.reqClass
    const db = createWxCloud({ url }).database()
    expect(nodeSdkCopy.Db.reqClass).toBe(before)
    expect((await db.collection('rooms').where({ roomid: 1 }).get()).data).toHaveLength(1)
  })

  it('watch needs both onChange and onError, as wx does', () => {
    const db = createWxCloud({ url }).database()
    expect(() => db.collection('rooms').watch({ onChange: () => undefined } as never)).toThrow(/onChange and onError/)
  })
})
