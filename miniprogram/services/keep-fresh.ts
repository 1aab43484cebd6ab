/**
 * Real-time first, polling as the fallback: follow a list with a watch and, once the watch errors,
 * refresh on a timer instead. Pure over injected ports so the fallback is tested without a network.
 */

export interface WatchHandle {
  close(): void
}

export interface KeepFreshPorts {
  /** Start a watch; call onChange on every change after the initial snapshot, onError when it breaks. */
  watch(onChange: () => void, onError: (err: unknown) => void): WatchHandle
  /** Re-read the list. */
  refresh(): void
  pollMs: number
  setInterval(fn: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export interface Follower {
  /** 'watch' while the watch holds, 'poll' after it failed, 'stopped' after stop(). */
  mode(): 'watch' | 'poll' | 'stopped'
  stop(): void
}

export function keepFresh(ports: KeepFreshPorts): Follower {
  let mode: 'watch' | 'poll' | 'stopped' = 'watch'
  let handle: WatchHandle | null = null
  let timer: unknown = null

  const fallBack = (): void => {
    if (mode !== 'watch') return
    mode = 'poll'
    closeWatch()
    // The list may have changed while the watch was failing: refresh once now, then on the timer.
    ports.refresh()
    timer = ports.setInterval(() => ports.refresh(), ports.pollMs)
  }
  const closeWatch = (): void => {
    const h = handle
    handle = null
    if (h) {
      try {
        h.close()
      } catch {
        // A broken watch may fail to close too; nothing more to release.
      }
    }
  }

  try {
    handle = ports.watch(
      () => {
        if (mode === 'watch') ports.refresh()
      },
      () => fallBack(),
    )
  } catch {
    fallBack()
  }

  return {
    mode: () => mode,
    stop() {
      mode = 'stopped'
      closeWatch()
      if (timer !== null) ports.clearInterval(timer)
      timer = null
    },
  }
}
