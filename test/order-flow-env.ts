/**
 * An emulator whose one environment holds built project functions beside the fixture order flow (a merchant's own
 * function that reports orders to `track` with `cloud.callFunction`), as a deployed environment would.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { buildFunctions } from '../tools/build-functions'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'

const REPO = path.resolve(__dirname, '..')
const FIXTURES = path.join(__dirname, 'fixtures/order-functions')

export interface OrderFlowEnv {
  emu: Emulator
  /** Runs a function as the platform would (as `openid` when given) and resolves its result; a failed run throws. */
  run(name: string, event: Record<string, unknown>, openid?: string): Promise<any>
  stop(): Promise<void>
}

export async function startOrderFlowEnv(functions: string[], options: Partial<EmulatorOptions> = {}): Promise<OrderFlowEnv> {
  const tmp = path.resolve(REPO, 'node_modules/.cache/emulator', `orders-${randomUUID().slice(0, 8)}`)
  const built = path.join(tmp, 'built')
  const sources = path.join(tmp, 'functions')
  await buildFunctions({ root: path.join(REPO, 'cloudfunctions'), names: functions, outRoot: built })
  await buildFunctions({ root: FIXTURES, names: ['orderFlow'], outRoot: built })
  mkdirSync(sources, { recursive: true })
  for (const name of functions) symlinkSync(path.join(REPO, 'cloudfunctions', name), path.join(sources, name))
  symlinkSync(path.join(FIXTURES, 'orderFlow'), path.join(sources, 'orderFlow'))
  const emu = await startEmulator({
    port: 0,
    functionsRoot: sources,
    builtRoot: built,
    cloudbaserc: path.join(REPO, 'cloudbaserc.json'),
    databaseDir: path.join(REPO, 'database'),
    warmFunctions: true,
    ...options,
  })
  silenceSdkPlatformProbe()
  return {
    emu,
    async run(name, event, openid) {
      const result = await emu.invokeFunction(name, event, openid ? { openid } : {})
      if (result.status !== 'ok') throw new Error(`${name} run failed: ${JSON.stringify(result)}`)
      return result.result
    },
    async stop() {
      await emu.stop()
      rmSync(tmp, { recursive: true, force: true })
    },
  }
}
