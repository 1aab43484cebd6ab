/** Small pieces every view shares: loading with refresh or polling, actions with their error, tables, JSON. */
import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { L } from './i18n'

export interface Loaded<T> {
  data: T | null
  error: string | null
  loading: boolean
  reload: () => void
}

/** Runs `load` now, whenever `deps` change, on `reload()`, and every `everyMs` when given (live views). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = [], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: true })
  const [tick, setTick] = useState(0)
  const latest = useRef(0)
  useEffect(() => {
    const id = ++latest.current
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => id === latest.current && setState({ data, error: null, loading: false }),
      (e: unknown) => id === latest.current && setState((s) => ({ data: s.data, error: e instanceof Error ? e.message : String(e), loading: false })),
    )
  }, [...deps, tick])
  useEffect(() => {
    if (!everyMs) return
    const timer = setInterval(() => setTick((t) => t + 1), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { ...state, reload }
}

export interface Action {
  run: (work: () => Promise<unknown>) => Promise<boolean>
  busy: boolean
  error: string | null
  done: string | null
}

/** Runs one action at a time and keeps its error (the emulator's sentence) or a short note of success. */
export function useAction(onDone?: () => void): Action {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      await work()
      setDone(L('完成', 'Done'))
      onDone?.()
      return true
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
      return false
    } finally {
      setBusy(false)
    }
  }
  return { run, busy, error, done }
}

export function ErrorNote({ error }: { error: string | null | undefined }) {
  if (!error) return null
  return (
    <p class="error" role="alert">
      {error}
    </p>
  )
}

export function ActionNote({ action }: { action: Action }) {
  if (action.error) return <ErrorNote error={action.error} />
  if (action.done) return <span class="ok">{action.done}</span>
  return null
}

export function Section(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; testId?: string }) {
  return (
    <section class="card" data-testid={props.testId}>
      <header class="card-head">
        <h2>{props.title}</h2>
        <div class="card-actions">{props.actions}</div>
      </header>
      {props.children}
    </section>
  )
}

export interface Column<T> {
  title: string
  cell: (row: T) => ComponentChildren
}

export function Table<T>(props: { columns: Column<T>[]; rows: T[]; empty?: string; rowKey?: (row: T, index: number) => string | number; testId?: string }) {
  if (props.rows.length === 0) return <p class="muted">{props.empty ?? L('暂无', 'Nothing yet')}</p>
  return (
    <div class="table-wrap">
      <table data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.title}>{c.title}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => (
            <tr key={props.rowKey ? props.rowKey(row, i) : i}>
              {props.columns.map((c) => (
                <td key={c.title}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function Json({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre class="json" data-testid={testId}>
      {JSON.stringify(value, null, 2)}
    </pre>
  )
}

/** Unix seconds or milliseconds (or an ISO string) as a local date and time. */
export function When({ at }: { at: number | string | null | undefined }) {
  if (at === null || at === undefined || at === '') return <span class="muted">—</span>
  const ms = typeof at === 'number' ? (at < 1e12 ? at * 1000 : at) : Date.parse(at)
  if (!Number.isFinite(ms)) return <span>{String(at)}</span>
  return <time dateTime={new Date(ms).toISOString()}>{new Date(ms).toLocaleString(L('zh-CN', 'en-GB'), { hour12: false })}</time>
}
