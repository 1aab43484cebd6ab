/**
 * The built liveAdmin function run by the emulator's runner (real wx-server-sdk, its own process) against the
 * Live sandbox, with one owner set through the function's environment, as a merchant's `.env.local` would.
 * Test files call `startAdminHarness()` in beforeAll and `stop()` in afterAll.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import type { AdminReply } from '../src/admin/reply'
import type { LiveSetup } from '../src/setup/live-setup'

export const OWNER = 'owner-openid-000000000000001'
export const VIEWER = 'viewer-openid-00000000000001'

const ROOT = path.resolve(__dirname, '../cloudfunctions')

export interface AdminHarness {
  emu: Emulator
  /** Runs liveAdmin with `{action, params}` as `openid` (null: no WeChat user); the function's reply. */
  call(action: string, params?: unknown, openid?: string | null): Promise<AdminReply<any>>
  /** Runs liveAdmin with any event (the fuzz and shape tests). */
  raw(event: unknown, openid?: string | null): Promise<AdminReply<any>>
  /** Live calls the sandbox counted so far today, all APIs. */
  liveCalls(): number
  /** Documents in every collection. */
  documentCount(): number
  /** Audit entries, newest first. */
  audit(): Record<string, unknown>[]
  stop(): Promise<void>
}

/**
 * `env`: liveAdmin's variables besides the owner; `alsoBuild`: other functions the test runs (liveSync);
 * `prebuilt`: functions built already (by a global setup: esbuild cannot run inside jsdom's realm), kept on stop;
 * `liveSetup`: the setup baked into the functions built here (live.config.json's when not given).
 */
export async function startAdminHarness(
  opts: Partial<EmulatorOptions> & { env?: Record<string, string>; alsoBuild?: string[]; prebuilt?: string; liveSetup?: LiveSetup } = {},
): Promise<AdminHarness> {
  const { env, alsoBuild = [], prebuilt, liveSetup, ...emuOpts } = opts
  const out = prebuilt ?? path.resolve(__dirname, '../node_modules/.cache/emulator', `admin-${randomUUID().slice(0, 8)}`)
  if (!prebuilt) {
    const { buildFunctions } = await import('../tools/build-functions')
    await buildFunctions({ root: ROOT, names: ['liveAdmin', ...alsoBuild], outRoot: out, liveSetup })
  }
  const emu = await startEmulator({
    port: 0,
    functionsRoot: ROOT,
    builtRoot: out,
    cloudbaserc: path.resolve(__dirname, '../cloudbaserc.json'),
    databaseDir: path.resolve(__dirname, '../database'),
    // one process reused between runs, as CloudBase keeps instances warm: a test makes many calls
    warmFunctions: true,
    ...emuOpts,
  })
  silenceSdkPlatformProbe()
  emu.setFunctionEnv('liveAdmin', { LIVE_OWNER_OPENIDS: OWNER, ...env })

  async function raw(event: unknown, openid: string | null = OWNER): Promise<AdminReply<any>> {
    const run = await emu.invokeFunction('liveAdmin', event as Record<string, unknown>, openid === null ? {} : { openid })
    if (!run || run.status !== 'ok') throw new Error(`liveAdmin run failed: ${JSON.stringify(run)}`)
    return run.result as AdminReply<any>
  }

  return {
    emu,
    raw,
    call: (action, params, openid) => raw(params === undefined ? { action } : { action, params }, openid),
    liveCalls: () => Object.values(emu.control.calls()).reduce((n, perApi) => n + Object.values(perApi).reduce((a, b) => a + b, 0), 0),
    documentCount: () => emu.engine.listCollections().reduce((n, c) => n + emu.engine.count(c, {}), 0),
    audit: () => (emu.engine.find('live_admin_audit', {}) as Record<string, unknown>[]).sort((a, b) => String(b._id).localeCompare(String(a._id))),
    stop: async () => {
      await emu.stop()
      if (!prebuilt) rmSync(out, { recursive: true, force: true })
    },
  }
}
