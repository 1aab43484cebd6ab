/**
 * The three document-driver adapters pass the one conformance suite: wx-server-sdk's database (the real SDK,
 * against a started emulator, as the deployed liveSync uses it), the emulator engine, and the benchmark's maps.
 */
import { createRequire } from 'node:module'
import { afterAll, beforeAll } from 'vitest'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { createEngineDriver } from '../emulator/db/engine-store'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createClock } from '../emulator/clock'
import type { DatabaseEngine } from '../emulator/db/types'
import { createDatabaseDriver, type WxDatabase } from '../src/cloud/database-store'
import { createMapDriver } from '../bench/sync-map-driver'
import { CONFORMANCE_COLLECTIONS, describeDocDriverConformance } from './doc-driver-conformance'
import { setDummySecrets } from './admin-wire-harness'

function emptyCollections(engine: DatabaseEngine): void {
  engine.reset()
  for (const name of CONFORMANCE_COLLECTIONS) engine.createCollection(name)
}

let emu: Emulator | undefined
let wxDatabase: WxDatabase | undefined

beforeAll(async () => {
  emu = await startEmulator({ port: 0 })
  setDummySecrets()
  // wx-server-sdk is a process-wide singleton: initialised once for this file, pointed at the emulator.
  const cloud = createRequire(__filename)('wx-server-sdk') as { init(o: object): void; database(): unknown }
  cloud.init({ env: emu.envId, serviceUrl: `${emu.url}/admin`, secretId: 'x', secretKey: 'y' })
  // wx-server-sdk's Database type is wider than the calls the adapter makes; WxDatabase names exactly those.
  wxDatabase = cloud.database() as WxDatabase
})

afterAll(async () => {
  await emu?.stop()
})

describeDocDriverConformance('wx-server-sdk database against the emulator (src/cloud/database-store.ts)', () => {
  if (!emu || !wxDatabase) throw new Error('the emulator did not start')
  const engine = emu.engine
  return {
    driver: createDatabaseDriver(wxDatabase),
    reset: async () => emptyCollections(engine),
    // Fixtures go straight into the engine: the SDK round trips are spent on the behaviours under test.
    seed: async (collection, docs) => void engine.insert(collection, docs),
  }
})

describeDocDriverConformance('emulator engine (emulator/db/engine-store.ts)', () => {
  const engine = createMemoryEngine({ clock: createClock() })
  return { driver: createEngineDriver(engine), reset: async () => emptyCollections(engine) }
})

describeDocDriverConformance('plain maps (bench/sync-map-driver.ts)', () => {
  const driver = createMapDriver()
  // A fresh map driver holds nothing; its collections spring into being on first write.
  return { driver, reset: async () => undefined }
})

describeDocDriverConformance('plain maps reading through ordered indexes (bench/sync-map-driver.ts)', () => {
  // Reads and removes bounded on n or seqKey walk the index; the answers must not differ from a scan's.
  const [docs, other] = CONFORMANCE_COLLECTIONS
  const driver = createMapDriver({ orderedIndexes: { [docs]: 'n', [other]: 'seqKey' } })
  return { driver, reset: async () => undefined }
})
