/**
 * Cloud functions: every run as it is recorded (polled), who or what started it, its outcome and duration; a run's
 * event, result or error, logs and the Live calls it made; and invoking a function as a chosen viewer.
 */
import { useState } from 'preact/hooks'
import { get, send, seg } from '../api'
import { ErrorNote, Json, Section, Table, When, useLoad } from '../components'
import { L } from '../i18n'
import type { FunctionListing, InvokeResult, RunRecord } from '../types'

type ListedRun = RunRecord & { function: string }

/** New runs show within this long of being recorded. */
const POLL_MS = 1500

function Outcome({ status }: { status: string }) {
  return <span class={`badge ${status === 'ok' ? 'good' : 'bad'}`}>{status}</span>
}

function startedBy(run: RunRecord): string {
  if (run.trigger === 'timer') return L('定时触发', 'timer')
  return run.caller.openid ? `${run.caller.source} · ${run.caller.openid}` : `${run.caller.source} · ${L('无用户', 'no user')}`
}

export function Functions() {
  const runs = useLoad(() => get<ListedRun[]>('/__sandbox/runs'), [], POLL_MS)
  const [only, setOnly] = useState('')
  const [open, setOpen] = useState<string | null>(null)
  const rows = (runs.data ?? []).filter((r) => only === '' || r.function === only)
  const names = [...new Set((runs.data ?? []).map((r) => r.function))].sort()
  const chosen = (runs.data ?? []).find((r) => r.requestId === open) ?? null
  return (
    <>
      <Invoke onDone={runs.reload} />
      <Section
        title={L('运行记录', 'Runs')}
        actions={
          <label>
            {L('云函数', 'Function')}
            <select value={only} onChange={(e) => setOnly(e.currentTarget.value)}>
              <option value="">{L('全部', 'All')}</option>
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <p class="muted">{L('每个云函数保留最近的运行；新的运行会自动出现。', 'The recent runs of each function; new runs appear by themselves.')}</p>
        <ErrorNote error={runs.error} />
        <Table
          rows={rows}
          rowKey={(r) => r.requestId}
          testId="runs-table"
          empty={L('还没有运行', 'No runs yet')}
          columns={[
            {
              title: L('云函数', 'Function'),
              cell: (r) => (
                <button class="link" onClick={() => setOpen(r.requestId === open ? null : r.requestId)} data-testid={`run-${r.requestId}`}>
                  {r.function}
                </button>
              ),
            },
            { title: L('触发', 'Started by'), cell: (r) => startedBy(r) },
            { title: L('开始（模拟器时间）', 'Started (emulator time)'), cell: (r) => <When at={r.startedAt} /> },
            { title: L('结果', 'Outcome'), cell: (r) => <Outcome status={r.status} /> },
            { title: L('耗时', 'Duration'), cell: (r) => `${r.durationMs} ms` },
            { title: L('直播接口调用', 'Live calls'), cell: (r) => r.liveCalls.length + r.liveCallsDropped },
            { title: L('摘要', 'Summary'), cell: (r) => <code>{r.errorMessage ?? summary(r.result)}</code> },
          ]}
        />
      </Section>
      {chosen && <RunDetail run={chosen} />}
    </>
  )
}

/** The result's top-level scalars, enough to tell runs apart in the list. */
function summary(result: unknown): string {
  if (result === null || typeof result !== 'object') return result === undefined ? '' : JSON.stringify(result)
  return Object.entries(result as Record<string, unknown>)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
}

function RunDetail({ run }: { run: ListedRun }) {
  return (
    <Section title={`${run.function} · ${run.requestId}`} testId="run-detail">
      <div class="grid-2">
        <div>
          <h3>{L('事件', 'Event')}</h3>
          <Json value={run.event} />
          <h3>{run.status === 'ok' ? L('返回值', 'Result') : L('错误', 'Error')}</h3>
          {run.status === 'ok' ? <Json value={run.result} /> : <p class="error">{`${run.errorType}: ${run.errorMessage}`}</p>}
        </div>
        <div>
          <h3>
            {L('日志', 'Logs')}
            {run.logLinesDropped > 0 && <span class="muted"> ({L(`前 ${run.logLinesDropped} 行未保留`, `${run.logLinesDropped} earlier lines not kept`)})</span>}
          </h3>
          <pre class="json" data-testid="run-logs">
            {run.logs.join('\n') || L('（没有日志）', '(no logs)')}
          </pre>
          <h3>{L('直播接口调用', 'Live calls')}</h3>
          <Table
            rows={run.liveCalls}
            testId="run-live-calls"
            empty={L('这次运行没有调用直播接口', 'This run made no Live call')}
            columns={[
              { title: 'API', cell: (c) => <code>{c.api}</code> },
              { title: 'errcode', cell: (c) => (c.platformError !== undefined ? `${L('平台错误', 'platform error')} ${c.platformError}` : c.errcode === null ? L('无法解析的回复', 'unreadable reply') : c.errcode) },
              { title: L('耗时', 'Duration'), cell: (c) => `${c.durationMs} ms` },
            ]}
          />
          {run.liveCallsDropped > 0 && <p class="muted">{L(`另有 ${run.liveCallsDropped} 次调用未列出`, `${run.liveCallsDropped} more calls not listed`)}</p>}
        </div>
      </div>
    </Section>
  )
}

function Invoke(props: { onDone: () => void }) {
  const functions = useLoad(() => get<FunctionListing[]>('/__sandbox/functions'))
  const [name, setName] = useState('')
  const [openid, setOpenid] = useState('')
  const [event, setEvent] = useState('{}')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<InvokeResult | null>(null)
  const target = name || functions.data?.[0]?.name || ''
  const invoke = async () => {
    setError(null)
    setResult(null)
    let parsed: unknown
    try {
      parsed = JSON.parse(event)
    } catch (e) {
      setError(L(`事件不是合法的 JSON：${(e as Error).message}`, `event: not valid JSON (${(e as Error).message})`))
      return
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setError(L('事件必须是 JSON 对象', 'event: must be a JSON object'))
      return
    }
    setBusy(true)
    try {
      setResult(await send<InvokeResult>('POST', `/__sandbox/functions/${seg(target)}/invoke`, openid.trim() ? { event: parsed, openid: openid.trim() } : { event: parsed }))
      props.onDone()
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Section title={L('调用云函数', 'Invoke a function')}>
      <ErrorNote error={functions.error} />
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void invoke()
        }}
      >
        <div class="row">
          <label>
            {L('云函数', 'Function')}
            <select value={target} onChange={(e) => setName(e.currentTarget.value)} data-testid="invoke-function">
              {(functions.data ?? []).map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            OPENID
            <input value={openid} onInput={(e) => setOpenid(e.currentTarget.value)} placeholder={L('留空：不带用户', 'empty: no user')} data-testid="invoke-openid" />
          </label>
          <button class="primary" disabled={busy || target === ''} data-testid="invoke-submit">
            {busy ? L('运行中…', 'Running…') : L('调用', 'Invoke')}
          </button>
        </div>
        <label style="display: block">
          {L('事件（JSON）', 'Event (JSON)')}
          <textarea value={event} onInput={(e) => setEvent(e.currentTarget.value)} data-testid="invoke-event" />
        </label>
      </form>
      <div data-testid="invoke-result">
        <ErrorNote error={error} />
        {result && (
          <>
            <p>
              <Outcome status={result.status} /> {result.durationMs} ms · <code>{result.requestId}</code>
            </p>
            {result.status === 'ok' ? <Json value={result.result} /> : <p class="error">{`${result.errorType}: ${result.errorMessage}`}</p>}
          </>
        )}
      </div>
    </Section>
  )
}
