/**
 * Keeps the Live sandbox in one JSON file so `npm start` finds its rooms again after a restart, in step with
 * the database files. Loading is strict (a bad file stops the start, naming the file and the field): silently
 * starting empty would leave the cache holding rooms the sandbox no longer knows. Saves are batched (one write
 * per `delayMs` however many calls) and atomic (temp file + rename), so a crash leaves the previous file.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { LiveSandbox } from './sandbox'

export interface SandboxPersistenceOptions {
  /** Longest a change waits before it is written. Default 200 ms. */
  delayMs?: number
  /** Where failed background saves are reported (the next `flush()` rejects with the error too). Default console.error. */
  onError?: (error: Error) => void
}

export interface SandboxPersistence {
  /** Writes pending changes now; resolves once they are on disk, rejects if a save failed since the last flush. */
  flush(): Promise<void>
  /** Stops watching the sandbox; changes not yet flushed are not written. */
  detach(): void
}

/** Reads `file` into the sandbox when it exists, then saves the sandbox there after every change. */
export function attachSandboxPersistence(
  sandbox: LiveSandbox,
  file: string,
  options: SandboxPersistenceOptions = {},
): SandboxPersistence {
  const delayMs = options.delayMs ?? 200
  const onError = options.onError ?? ((e: Error) => console.error(e.message))
  loadInto(sandbox, file)

  let dirty = false
  let timer: NodeJS.Timeout | null = null
  /** Saves run one after another, so an older snapshot never renames over a newer one. */
  let writing: Promise<void> = Promise.resolve()
  let failure: Error | null = null

  function save(): Promise<void> {
    writing = writing.then(async () => {
      if (!dirty) return
      dirty = false
      // Snapshot when the write starts, not when it was scheduled: it then includes every change so far.
      const text = JSON.stringify(sandbox.snapshot())
      try {
        await writeAtomically(file, text)
      } catch (e) {
        dirty = true
        failure = new Error(`live sandbox file ${file}: save failed (${(e as Error).message})`)
        onError(failure)
      }
    })
    return writing
  }

  const unsubscribe = sandbox.onChange(() => {
    dirty = true
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      void save()
    }, delayMs)
    // A pending save must not keep a finished process alive; stop() flushes explicitly.
    timer.unref()
  })

  return {
    async flush() {
      if (timer) {
        clearTimeout(timer)
        timer = null
      }
      await save()
      if (failure) {
        const e = failure
        failure = null
        throw e
      }
    },
    detach() {
      unsubscribe()
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}

function loadInto(sandbox: LiveSandbox, file: string): void {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new Error(`live sandbox file ${file}: cannot read (${(e as Error).message})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    throw new Error(`live sandbox file ${file}: not valid JSON (${(e as Error).message}); fix or delete it, or start with --reset`)
  }
  try {
    sandbox.restore(parsed)
  } catch (e) {
    throw new Error(`live sandbox file ${file}: ${(e as Error).message}; fix or delete it, or start with --reset`)
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = dirname(file)
  mkdirSync(dir, { recursive: true })
  // Dot-prefixed and in the same directory: rename stays on one file system, and the database loader skips it.
  // Wall time only makes the temp name unique; no business time is read here.
  const temp = join(dir, `.${basename(file)}.${process.pid}.${Date.now()}.tmp`)
  try {
    await writeFile(temp, text)
    await rename(temp, file)
  } catch (e) {
    await unlink(temp).catch(() => undefined)
    throw e
  }
}
