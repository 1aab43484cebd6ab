/**
 * The process a built cloud function runs in (forked by FunctionRunner; compiled to plain CommonJS on first use).
 * It plays the CloudBase Node runtime: loads index.js, calls `main(event, context)`, sends back the JSON result.
 * It also shifts `Date` by the emulator clock offset, forwards console output, and refuses DNS lookups of real
 * Tencent / WeChat hosts so a misconfigured SDK fails loudly instead of reaching the internet.
 */
import dns from 'node:dns'
import type { ChildMessage, InvokeMessage, LoadMessage, ParentMessage } from './protocol'

const RealDate = Date
let clockOffsetMs = 0
let handler: ((event: unknown, context: unknown) => unknown) | null = null
let running = false

function send(message: ChildMessage): void {
  process.send?.(message)
}

/** `new Date()` and `Date.now()` read the emulator clock; `Date(...)` as a call too; everything else is untouched. */
function installShiftedDate(): void {
  const now = () => RealDate.now() + clockOffsetMs
  const ShiftedDate = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget)
    },
    apply() {
      return new RealDate(now()).toString()
    },
    get(target, prop, receiver) {
      if (prop === 'now') return now
      return Reflect.get(target, prop, receiver)
    },
  })
  globalThis.Date = ShiftedDate
}

function forwardOutput(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  // Replacing write (not the console) also catches libraries that write to the stream directly.
  stream.write = ((chunk: unknown, encodingOrCb?: unknown, cb?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
    send({ type: 'log', stream: name, text })
    const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb
    if (typeof done === 'function') (done as () => void)()
    return true
  }) as typeof stream.write
}

const REAL_HOSTS = /(^|\.)(tencentcloudapi\.com|tencentyun\.com|weixin\.qq\.com|servicewechat\.com|myqcloud\.com|tcloudbase\.com|tcb\.qcloud\.la)$/i

function guardRealHosts(): void {
  const lookup = dns.lookup
  const guarded = (hostname: string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as (err: NodeJS.ErrnoException | null, ...r: unknown[]) => void
    if (REAL_HOSTS.test(hostname)) {
      process.stderr.write(`[emulator] blocked a request to the real host ${hostname}: the SDK is not pointed at the emulator\n`)
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked by the emulator)`)
      err.code = 'ENOTFOUND'
      process.nextTick(() => callback(err))
      return
    }
    return (lookup as (...a: unknown[]) => unknown)(hostname, ...rest)
  }
  dns.lookup = guarded as typeof dns.lookup
}

function describe(err: unknown): { errorType: string; errorMessage: string; stack?: string } {
  if (err instanceof Error) return { errorType: err.name || 'Error', errorMessage: err.message, stack: err.stack }
  return { errorType: 'Error', errorMessage: typeof err === 'string' ? err : safeJson(err) ?? String(err) }
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

function load(message: LoadMessage): void {
  clockOffsetMs = message.clockOffsetMs
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading user code by path is the point
    const mod = require(message.file) as { main?: unknown }
    if (typeof mod.main !== 'function') {
      send({
        type: 'load-error',
        errorType: 'HandlerNotFound',
        errorMessage: `${message.file} does not export main: write "export async function main(event, context)" in index.ts`,
      })
      return
    }
    handler = mod.main as (event: unknown, context: unknown) => unknown
    send({ type: 'loaded' })
  } catch (err) {
    const { errorType, errorMessage } = describe(err)
    send({ type: 'load-error', errorType, errorMessage: `loading ${message.file} failed: ${errorMessage}` })
  }
}

function applyRunEnv(clearEnv: string[], runEnv: Record<string, string>): void {
  for (const key of clearEnv) delete process.env[key]
  Object.assign(process.env, runEnv)
}

async function invoke(message: InvokeMessage): Promise<void> {
  clockOffsetMs = message.clockOffsetMs
  applyRunEnv(message.clearEnv, message.runEnv)
  const context = {
    ...message.context,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineWallMs - RealDate.now()),
    callbackWaitsForEmptyEventLoop: false,
  }
  running = true
  try {
    if (!handler) throw new Error('function not loaded')
    const result = await handler(message.event, context)
    const json = result === undefined ? 'null' : safeJson(result)
    if (json === undefined) {
      send({
        type: 'result',
        ok: false,
        errorType: 'ResultNotSerializable',
        errorMessage: 'main returned a value that is not JSON-serialisable (circular structure or BigInt)',
      })
    } else {
      send({ type: 'result', ok: true, json })
    }
  } catch (err) {
    send({ type: 'result', ok: false, ...describe(err) })
  } finally {
    running = false
  }
}

function reportCrash(err: unknown): void {
  if (!process.connected) process.exit(0)
  // A crash outside main's promise still belongs to the running invocation, as it does on SCF.
  if (running) {
    running = false
    send({ type: 'result', ok: false, ...describe(err) })
  } else {
    const { errorType, errorMessage } = describe(err)
    process.stderr.write(`[emulator] uncaught ${errorType} outside an invocation: ${errorMessage}\n`)
  }
}

installShiftedDate()
forwardOutput(process.stdout, 'stdout')
forwardOutput(process.stderr, 'stderr')
guardRealHosts()
// The emulator that forked this instance is gone (stopped, or its process ended): nobody can call it any more,
// and writing to its closed pipes would only fail again and again, so the instance ends as SCF's would.
process.on('disconnect', () => process.exit(0))
process.on('uncaughtException', reportCrash)
process.on('unhandledRejection', reportCrash)
process.on('message', (message: ParentMessage) => {
  if (message.type === 'load') load(message)
  else if (message.type === 'invoke') void invoke(message)
})
