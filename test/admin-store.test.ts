/** The admin store's audit log ids: the order of the log is the order of its entries. */
import { describe, expect, it } from 'vitest'
import { createMapDriver } from '../bench/sync-map-driver'
import { createAdminStore } from '../src/admin/store'

describe('audit log ids', () => {
  it('sort in append order even for many entries within one millisecond', async () => {
    const store = createAdminStore(createMapDriver())
    const at = new Date(1_790_000_000_000)
    for (let i = 0; i < 60; i++) {
      await store.appendAudit({ at, openid: null, action: `a${i}`, params: null, outcome: 'ok', errcode: null, detail: null, ms: 0 })
    }
    const page = await store.listAudit({ limit: 100 })
    expect(page.map((e) => e.action)).toEqual(Array.from({ length: 60 }, (_, i) => `a${59 - i}`))
  })
})
