/**
 * What a running emulator offers its callers (the CLI, the control routes, tests). Apart from emulator.ts, which
 * builds it, so that the control routes can take it without importing the module that imports them.
 */
import type { Preview } from './preview/preview'
import type { ClientChannel } from './client/channel'
import type { Clock } from './clock'
import type { DatabaseEngine } from './db/types'
import type { IdentityRegistry } from './identity'
import type { LiveSandbox } from './sandbox/sandbox'
import type { SandboxControl } from './sandbox/control'
import type { InvokeResult, RunRecord } from './functions/runner'
import type { FunctionSpec } from '../tools/function-config'
import type { LoadProblem } from './durable'
import type { CloudStorage } from './storage/store'
import type { ChannelsState } from './channels/state'

export interface ServiceInfo {
  name: string
  description: string
}

/** A declared function as `GET /__sandbox/functions` lists it (environment variables left out: they may hold secrets). */
export interface FunctionListing {
  name: string
  trigger: { name: string; config: string } | null
  timeoutSec: number
  memoryMb: number
  openapi: string[]
  /** Newest first, at most RECENT_RUNS_PER_FUNCTION. */
  recentRuns: RunRecord[]
}

/** What `GET /__sandbox/functions/{name}/env` answers. */
export interface FunctionEnv {
  name: string
  envVariables: Record<string, string>
  /** cloudbaserc.json (with .env / .env.local substituted) until the control route sets them. */
  source: 'cloudbaserc' | 'control'
  /** Why the function cannot run with them (a `{{env.NAME}}` with no value); null when it can. */
  problem: string | null
}

export interface Emulator {
  readonly url: string
  readonly port: number
  readonly envId: string
  readonly appid: string
  readonly clock: Clock
  readonly engine: DatabaseEngine
  readonly sandbox: LiveSandbox
  readonly control: SandboxControl
  /** Cloud storage: files by fileID, with size, type, owner and upload time. */
  readonly storage: CloudStorage
  /** Channels live accounts: live, notice, reservations, reserve-dialog choices, injected errcodes (in memory). */
  readonly channels: ChannelsState
  readonly identities: IdentityRegistry
  /** The mini-program client channel (rules enforced): `explain` tells whether a viewer may do something, and why. */
  readonly client: ClientChannel
  /** The viewer preview: mini-program pages rendered by their own code against the cache (GET /__sandbox/preview/{page}). */
  readonly preview: Preview
  readonly functions: FunctionSpec[]
  /** Data files (or parts) that could not be loaded from `dataDir`: each was moved aside and the start went on. */
  readonly loadProblems: readonly LoadProblem[]
  invokeFunction(name: string, event: Record<string, unknown>, opts?: { openid?: string }): Promise<InvokeResult>
  fireTimer(name: string): Promise<InvokeResult>
  /** A function's environment variables for its next run (null: no such function). */
  functionEnv(name: string): FunctionEnv | null
  /** Replaces a function's environment variables (already validated) from its next run on, until the emulator stops. */
  setFunctionEnv(name: string, vars: Record<string, string>): FunctionEnv
  listFunctions(): FunctionListing[]
  /** Sandbox state, Channels accounts, clock, quotas, the database and storage back to empty (collections from database/ re-created). */
  reset(): Promise<void>
  info(): { url: string; envId: string; appid: string; services: ServiceInfo[]; functions: string[] }
  stop(): Promise<void>
}
