/**
 * The database view and its routes: collections and documents as an administrator (dates round-trip as Extended
 * JSON), add, replace and delete, bad input answered 4xx naming the field, and the rules check giving the client
 * channel's own decision and reason for a viewer or an anonymous one.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator } from '../../emulator/emulator'
import { screenshot } from './browser'
import { openZhPage, startUiEmulator } from './harness'

let emu: Emulator
let browser: Browser
let page: Page

beforeAll(async () => {
  ;({ emu } = await startUiEmulator())
  emu.engine.insert('live_rooms', [
    { _id: 'room-1', roomId: 1, name: '春茶上新直播专场', startTime: new Date('2026-11-28T08:00:00Z') },
    { _id: 'room-2', roomId: 2, name: '老张的午后茶话会', startTime: new Date('2026-11-29T08:00:00Z') },
  ])
  emu.engine.insert('live_sync_status', [{ _id: 'public', lastRunAt: new Date('2026-11-28T08:00:00Z') }])
  ;({ browser, page } = await openZhPage())
})

afterAll(async () => {
  await browser?.close()
  await emu?.stop()
})

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${p}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: await res.json() }
}

describe('database routes', () => {
  it('lists collections with counts and documents with dates as Extended JSON, filtered', async () => {
    const cols = (await call('GET', '/__sandbox/db')).body as { name: string; count: number }[]
    expect(cols.find((c) => c.name === 'live_rooms')).toEqual({ name: 'live_rooms', count: 2 })
    const filter = encodeURIComponent(JSON.stringify({ startTime: { $gt: { $date: '2026-11-28T12:00:00Z' } } }))
    const { body } = await call('GET', `/__sandbox/db/live_rooms?filter=${filter}`)
    expect(body.total).toBe(1)
    expect(body.docs).toEqual([{ _id: 'room-2', roomId: 2, name: '老张的午后茶话会', startTime: { $date: '2026-11-29T08:00:00Z' } }])
  })

  it('adds, replaces and deletes a document, keeping dates as dates', async () => {
    const added = await call('POST', '/__sandbox/db/live_rooms', { doc: { _id: 'room-9', name: '临时', at: { $date: '2026-12-01T00:00:00Z' } } })
    expect(added).toEqual({ status: 200, body: { _id: 'room-9' } })
    expect(emu.engine.find('live_rooms', { _id: 'room-9' })[0].at).toEqual(new Date('2026-12-01T00:00:00Z'))
    expect((await call('PUT', '/__sandbox/db/live_rooms/room-9', { doc: { _id: 'room-9', name: '改名' } })).body).toEqual({ updated: 1 })
    expect(emu.engine.find('live_rooms', { _id: 'room-9' })[0]).toEqual({ _id: 'room-9', name: '改名' })
    expect((await call('DELETE', '/__sandbox/db/live_rooms/room-9')).body).toEqual({ removed: 1 })
    expect(emu.engine.count('live_rooms', { _id: 'room-9' })).toBe(0)
  })

  it.each([
    ['GET', '/__sandbox/db/nope', undefined, 404, 'no collection nope'],
    ['GET', '/__sandbox/db/live_rooms?filter=%7Bbad', undefined, 400, 'filter'],
    ['GET', '/__sandbox/db/live_rooms?limit=5000', undefined, 400, 'limit: must be an integer from 0 to 1000'],
    ['GET', '/__sandbox/db/live_rooms?filter=%7B%22%24where%22%3A%221%22%7D', undefined, 400, '$where'],
    ['POST', '/__sandbox/db/live_rooms', { doc: 'x' }, 400, 'doc'],
    ['POST', '/__sandbox/db/live_rooms', { doc: { _id: 'room-1' } }, 400, 'room-1'],
    ['POST', '/__sandbox/db/live_rooms', { doc: { when: { $date: 'not a date' } } }, 400, 'doc'],
    ['PUT', '/__sandbox/db/live_rooms/room-1', { doc: { _id: 'room-2' } }, 400, "doc._id: must be the document's own id"],
    ['PUT', '/__sandbox/db/live_rooms/room-404', { doc: { name: 'x' } }, 404, 'no document room-404'],
    ['DELETE', '/__sandbox/db/live_rooms/room-404', undefined, 404, 'no document room-404'],
    ['POST', '/__sandbox/db/live_rooms/rules-check', { op: 'list' }, 400, 'op'],
  ])('%s %s with %j answers %i naming the problem', async (method, p, body, status, named) => {
    const res = await call(method, p, body)
    expect(res.status).toBe(status)
    expect(res.body.error).toContain(named)
  })

  it('answers the rules check with the evaluator decision and reason, as the client channel would enforce it', async () => {
    const denied = await call('POST', '/__sandbox/db/live_sync_status/rules-check', { openid: 'o-1', op: 'read', filter: {} })
    expect(denied.body).toMatchObject({ allowed: false, rule: "doc._id == 'public'", viewer: 'o-1' })
    expect(denied.body.reason).toContain('_id')
    const allowed = await call('POST', '/__sandbox/db/live_sync_status/rules-check', { openid: null, op: 'read', filter: { _id: 'public' } })
    expect(allowed.body).toMatchObject({ allowed: true, viewer: null })
    const write = await call('POST', '/__sandbox/db/live_rooms/rules-check', { openid: 'o-1', op: 'create', doc: { name: 'x' } })
    expect(write.body).toMatchObject({ allowed: false, rule: false })
    // the same decision the channel enforces on a real request
    expect(() => emu.client.execute({ openid: 'o-1' }, { action: 'database.getDocument', collection: 'live_sync_status', filter: {}, queryType: 'WHERE' } as never)).toThrow(denied.body.reason)
  })
})

describe('the database view', () => {
  it('shows a collection, queries it, adds, edits and deletes a document', async () => {
    await page.goto(`${emu.url}/ui/#/database`)
    await page.getByTestId('db-collection-live_rooms').click()
    await expect.poll(() => page.getByTestId('db-docs').textContent()).toContain('春茶上新直播专场')
    await page.getByTestId('db-query').fill('{"roomId": 2}')
    await page.getByTestId('db-query-run').click()
    await expect.poll(() => page.getByTestId('db-docs').textContent()).not.toContain('春茶上新直播专场')
    expect(await page.getByTestId('db-docs').textContent()).toContain('老张的午后茶话会')
    await page.getByTestId('db-query').fill('{}')
    await page.getByTestId('db-query-run').click()
    await page.getByTestId('db-add').fill('{"_id": "room-ui", "name": "界面添加的直播间"}')
    await page.getByTestId('db-add-submit').click()
    await expect.poll(() => emu.engine.count('live_rooms', { _id: 'room-ui' })).toBe(1)
    await page.getByTestId('db-doc-room-ui-edit').click()
    await page.getByTestId('db-doc-room-ui-text').fill('{"_id": "room-ui", "name": "界面改过的直播间"}')
    await page.getByTestId('db-doc-room-ui-save').click()
    await expect.poll(() => emu.engine.find('live_rooms', { _id: 'room-ui' })[0]?.name).toBe('界面改过的直播间')
    await screenshot(page, 'database')
    page.once('dialog', (d) => void d.accept())
    await page.getByTestId('db-doc-room-ui-delete').click()
    await expect.poll(() => emu.engine.count('live_rooms', { _id: 'room-ui' })).toBe(0)
  })

  it("checks a viewer's query against the rules and shows the decision with its reason", async () => {
    await page.getByTestId('db-collection-live_sync_status').click()
    await page.getByTestId('rules-openid').fill('o-viewer-9')
    await page.getByTestId('rules-query').fill('{}')
    await page.getByTestId('rules-check-run').click()
    await expect.poll(() => page.getByTestId('rules-result').textContent()).toContain('拒绝')
    expect(await page.getByTestId('rules-result').textContent()).toContain("doc._id == 'public'")
    await page.getByTestId('rules-anonymous').check()
    await page.getByTestId('rules-query').fill('{"_id": "public"}')
    await page.getByTestId('rules-check-run').click()
    await expect.poll(() => page.getByTestId('rules-result').textContent()).toContain('允许')
    await screenshot(page, 'database-rules')
  })
})
