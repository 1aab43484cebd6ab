/**
 * Security rules as viewers meet them: every collection in database/, as an anonymous viewer and as another
 * viewer, through the same wx.cloud shim the pages use. Nobody can write; private collections cannot be read;
 * the public sync status is readable only as the document 'public'.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/emulator'
import { createWxCloud, type WxCloudShim } from '../../emulator/client/wx-cloud'

const collections: string[] = JSON.parse(readFileSync(join(__dirname, '../../database/collections.json'), 'utf8')).collections.map(
  (c: { name: string }) => c.name,
)
const PUBLIC = new Set(['live_rooms', 'live_replays'])
const OWNER = 'o-owner'

let emu: Emulator
const viewers: Array<[string, () => WxCloudShim]> = [
  ['anonymous viewer', () => createWxCloud({ url: emu.url, openid: null })],
  ['another viewer', () => createWxCloud({ url: emu.url, openid: 'o-someone-else' })],
]

beforeAll(async () => {
  emu = await startEmulator({ port: 0 })
  for (const name of collections) {
    // Documents stamped with an owner openid, so "it is someone's own" cannot be why a read passes.
    emu.engine.insert(name, [{ _id: 'public', _openid: OWNER, v: 1 }, { _id: 'secret', _openid: OWNER, v: 2 }])
  }
})
afterAll(async () => {
  await emu.stop()
})

async function denied(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toMatchObject({ errMsg: expect.stringMatching(/fail/) })
}

describe.each(viewers)('as %s', (_who, make) => {
  it.each(collections)('%s: cannot create, update, replace or remove', async (name) => {
    const db = make().database()
    const coll = db.collection(name)
    await denied(coll.add({ data: { v: 9 } }))
    await denied(coll.doc('public').update({ data: { v: 9 } }))
    await denied(coll.doc('secret').set({ data: { v: 9 } }))
    await denied(coll.doc('public').remove())
    await denied(coll.where({ _id: 'public' }).update({ data: { v: 9 } }))
    await denied(coll.where({ _id: 'secret' }).remove())
    const left = emu.engine.find(name, {}, {})
    expect(left.map((d) => d.v).sort()).toEqual([1, 2])
  })

  it.each(collections)('%s: reads only what is public', async (name) => {
    const coll = make().database().collection(name)
    if (PUBLIC.has(name)) {
      expect((await coll.where({}).get()).data).toHaveLength(2)
    } else if (name === 'live_sync_status') {
      expect((await coll.where({ _id: 'public' }).get()).data.map((d) => d._id)).toEqual(['public'])
      expect((await coll.doc('public').get()).data._id).toBe('public')
      await denied(coll.doc('secret').get())
      await denied(coll.where({}).get())
      await denied(coll.count())
    } else {
      await denied(coll.where({}).get())
      await denied(coll.doc('public').get())
      await denied(coll.where({ _openid: OWNER }).get())
      await denied(coll.count())
    }
  })
})
