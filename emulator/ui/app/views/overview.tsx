/** Services and env id, the emulator clock (set or advance it; due timers fire), and every timer with its last runs. */
import { useState } from 'preact/hooks'
import { get, send, seg } from '../api'
import { ActionNote, ErrorNote, Section, Table, When, useAction, useLoad } from '../components'
import { L } from '../i18n'
import type { FunctionListing, Info, RunRecord } from '../types'

export function Overview() {
  const info = useLoad(() => get<Info>('/__sandbox/info'))
  const clock = useLoad(() => get<{ now: number }>('/__sandbox/clock'), [], 5000)
  const functions = useLoad(() => get<FunctionListing[]>('/__sandbox/functions'), [], 3000)
  const refresh = () => {
    clock.reload()
    functions.reload()
  }
  return (
    <>
      <div class="grid-2">
        <Section title={L('服务', 'Services')} testId="services">
          <ErrorNote error={info.error} />
          {info.data && (
            <>
              <p>
                {L('环境 ID', 'Env id')}: <code data-testid="env-id">{info.data.envId}</code> · AppID: <code>{info.data.appid}</code>
              </p>
              <Table rows={info.data.services} rowKey={(s) => s.name} columns={[{ title: L('服务', 'Service'), cell: (s) => <strong>{s.name}</strong> }, { title: L('说明', 'Details'), cell: (s) => <code>{s.description}</code> }]} />
            </>
          )}
        </Section>
        <ClockCard now={clock.data?.now ?? null} error={clock.error} onChange={refresh} />
      </div>
      <Section title={L('定时触发器', 'Timers')} testId="timers" actions={<button onClick={functions.reload}>{L('刷新', 'Refresh')}</button>}>
        <ErrorNote error={functions.error} />
        {functions.data && <Timers functions={functions.data.filter((f) => f.trigger)} onFired={refresh} />}
      </Section>
    </>
  )
}

function ClockCard(props: { now: number | null; error: string | null; onChange: () => void }) {
  const action = useAction(props.onChange)
  const [advance, setAdvance] = useState('3600')
  const [at, setAt] = useState('')
  return (
    <Section title={L('模拟器时钟', 'Emulator clock')} testId="clock">
      <ErrorNote error={props.error} />
      <p>
        {L('现在', 'Now')}: <strong data-testid="clock-now"><When at={props.now} /></strong> {props.now !== null && <code>({props.now})</code>}
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault()
          void action.run(() => send('POST', '/__sandbox/clock', { advance: Number(advance) }))
        }}
      >
        <label>
          {L('快进（秒）', 'Advance (seconds)')}
          <input type="number" min="0" step="1" value={advance} onInput={(e) => setAdvance(e.currentTarget.value)} data-testid="clock-advance" />
        </label>
        <button class="primary" disabled={action.busy}>
          {L('快进', 'Advance')}
        </button>
      </form>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault()
          const ms = Date.parse(at)
          void action.run(() => send('POST', '/__sandbox/clock', { now: Number.isFinite(ms) ? Math.floor(ms / 1000) : Number(at) }))
        }}
      >
        <label>
          {L('设为', 'Set to')}
          <input type="datetime-local" value={at} onInput={(e) => setAt(e.currentTarget.value)} data-testid="clock-set" />
        </label>
        <button disabled={action.busy || at === ''}>{L('设定', 'Set')}</button>
      </form>
      <p class="muted">{L('到期的定时触发器会在时钟前进时运行。', 'Timers that fall due run as the clock moves.')}</p>
      <ActionNote action={action} />
    </Section>
  )
}

function Timers(props: { functions: FunctionListing[]; onFired: () => void }) {
  const action = useAction(props.onFired)
  const [firing, setFiring] = useState<string | null>(null)
  const fire = (name: string) => {
    setFiring(name)
    void action.run(() => send('POST', `/__sandbox/timers/${seg(name)}/fire`)).finally(() => setFiring(null))
  }
  return (
    <>
      <ActionNote action={action} />
      <Table
        rows={props.functions}
        rowKey={(f) => f.name}
        empty={L('没有带定时触发器的云函数', 'No function has a timer trigger')}
        testId="timers-table"
        columns={[
          { title: L('云函数', 'Function'), cell: (f) => <strong>{f.name}</strong> },
          { title: L('触发器', 'Trigger'), cell: (f) => <code>{`${f.trigger!.name} ${f.trigger!.config}`}</code> },
          { title: L('最近运行', 'Last runs'), cell: (f) => <LastRuns runs={f.recentRuns.filter((r) => r.trigger === 'timer').slice(0, 3)} /> },
          {
            title: '',
            cell: (f) => (
              <button class="primary" disabled={action.busy} onClick={() => fire(f.name)} data-testid={`fire-${f.name}`}>
                {firing === f.name ? L('运行中…', 'Running…') : L('立即触发', 'Fire now')}
              </button>
            ),
          },
        ]}
      />
    </>
  )
}

function LastRuns({ runs }: { runs: RunRecord[] }) {
  if (runs.length === 0) return <span class="muted">{L('尚未运行', 'Not run yet')}</span>
  return (
    <ul class="plain">
      {runs.map((r) => (
        <li key={r.requestId}>
          <span class={`badge ${r.status === 'ok' ? 'good' : 'bad'}`}>{r.status}</span> <When at={r.startedAt} /> · {r.durationMs} ms
          {r.errorMessage && <span class="error"> {r.errorMessage}</span>}
        </li>
      ))}
    </ul>
  )
}
