/** Messages between the FunctionRunner (parent) and a function worker process (child), over the fork IPC channel. */

export interface LoadMessage {
  type: 'load'
  /** Absolute path of the built index.js. */
  file: string
  clockOffsetMs: number
}

export interface InvokeContextFields {
  function_name: string
  function_version: string
  request_id: string
  namespace: string
  memory_limit_in_mb: number
  time_limit_in_ms: number
  /** JSON of the emulator env layer, as the real runtime passes it (node-sdk's parseContext reads it). */
  environment: string
}

export interface InvokeMessage {
  type: 'invoke'
  event: unknown
  context: InvokeContextFields
  /** Wall-clock ms (unshifted) at which the parent kills the run; the child derives getRemainingTimeInMillis from it. */
  deadlineWallMs: number
  clockOffsetMs: number
  /** Per-run variables (token, openid, trigger) applied to process.env before main runs; warm workers change them. */
  runEnv: Record<string, string>
  /** Per-run keys removed before `runEnv` is applied, so a warm worker never leaks the previous caller's openid. */
  clearEnv: string[]
}

export type ParentMessage = LoadMessage | InvokeMessage

export type ChildMessage =
  | { type: 'loaded' }
  | { type: 'load-error'; errorType: string; errorMessage: string }
  | { type: 'log'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; ok: true; json: string }
  | { type: 'result'; ok: false; errorType: string; errorMessage: string; stack?: string }
