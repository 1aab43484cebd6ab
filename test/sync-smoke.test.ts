import { it, expect } from 'vitest'
import { makeHarness, cacheVsTruth } from './sync-helpers'
it('smoke', async () => {
  const h = makeHarness()
  const now = h.clock.nowSeconds()
  for (let i = 0; i < 5; i++) h.room({ in: 3600 * (i + 1) })
  const past = h.room({ in: -86400 * 3, history: [{ event: 'start', at: now - 86400 * 3 + 10 }, { event: 'end', at: now - 86400 * 3 + 3600 }] })
  const out = await h.run()
  console.log(out, h.rooms().length)
  console.log(cacheVsTruth(h))
  const out2 = await h.run()
  console.log(out2)
  h.clock.advance(60)
  console.log(await h.run())
  console.log(h.engine.find('live_sync_status', {}), h.engine.find('live_api_ledger', {}), h.engine.find('live_replays', {}))
})
