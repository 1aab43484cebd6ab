/**
 * Channels live (视频号直播) accounts the emulator answers the client APIs from: the latest live, earlier lives,
 * the notice and its reservations, injected errcodes; with the control actions to change them.
 */
import { useState } from 'preact/hooks'
import { get, send, seg } from '../api'
import { ActionNote, ErrorNote, Json, Section, Table, When, useAction, useLoad } from '../components'
import { L } from '../i18n'
import { CHANNELS_LIVE_STATUS, type ChannelsLiveStatusName } from '../../../../src/channels/client-api'
import type { ChannelsAccountView } from '../../../channels/state'

const LIVE_STATUSES = (Object.keys(CHANNELS_LIVE_STATUS) as ChannelsLiveStatusName[]).filter((s) => s !== 'never')

export function Channels() {
  const accounts = useLoad(() => get<{ accounts: ChannelsAccountView[] }>('/__sandbox/channels'), [], 5000)
  const action = useAction(accounts.reload)
  const [status, setStatus] = useState<Record<string, ChannelsLiveStatusName>>({})
  const setLive = (a: ChannelsAccountView) =>
    action.run(() => send('PUT', `/__sandbox/channels/${seg(a.finderUserName)}/live`, { ...(a.live ?? {}), status: status[a.finderUserName] ?? a.live?.status ?? 'live' }))
  return (
    <Section title={L('视频号直播账号', 'Channels live accounts')} actions={<button onClick={accounts.reload}>{L('刷新', 'Refresh')}</button>}>
      <p class="muted">{L('小程序端 wx.getChannelsLiveInfo 等接口按这里的状态回答。', "wx.getChannelsLiveInfo and the other client APIs answer from these accounts.")}</p>
      <ErrorNote error={accounts.error} />
      <ActionNote action={action} />
      <Table
        rows={accounts.data?.accounts ?? []}
        rowKey={(a) => a.finderUserName}
        testId="channels-table"
        empty={L('没有视频号账号（npm start 会放入演示账号）', 'No Channels account (npm start seeds a demo one)')}
        columns={[
          {
            title: L('账号', 'Account'),
            cell: (a) => (
              <>
                <strong>{a.nickname || a.finderUserName}</strong>
                <br />
                <code>{a.finderUserName}</code>
              </>
            ),
          },
          {
            title: L('最近一场直播', 'Latest live'),
            cell: (a) =>
              a.live ? (
                <>
                  <span class={`badge ${a.live.status === 'live' ? 'good' : ''}`}>{a.live.status}</span> {a.live.description} · <When at={a.live.startedAt} />
                  <br />
                  <span class="muted">
                    {L('回放', 'replay')}: {a.live.replayStatus} · {L(`更早 ${a.earlierLives.length} 场`, `${a.earlierLives.length} earlier`)}
                  </span>
                </>
              ) : (
                <span class="muted">{L('从未开播', 'never live')}</span>
              ),
          },
          {
            title: L('预告', 'Notice'),
            cell: (a) =>
              a.notice ? (
                <>
                  {a.notice.status} · <When at={a.notice.startTime} />
                  <br />
                  <span class="muted">{L(`${Object.values(a.reservations).flat().length} 人预约`, `${Object.values(a.reservations).flat().length} reserved`)}</span>
                </>
              ) : (
                <span class="muted">{L('无', 'none')}</span>
              ),
          },
          { title: L('注入的错误', 'Injected errors'), cell: (a) => (Object.keys(a.faults).length ? <Json value={a.faults} /> : <span class="muted">{L('无', 'none')}</span>) },
          {
            title: L('操作', 'Actions'),
            cell: (a) => (
              <div class="row">
                <select value={status[a.finderUserName] ?? a.live?.status ?? 'live'} onChange={(e) => setStatus({ ...status, [a.finderUserName]: e.currentTarget.value as ChannelsLiveStatusName })} data-testid={`channels-${a.finderUserName}-status`}>
                  {LIVE_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
                <button class="primary" disabled={action.busy} onClick={() => void setLive(a)} data-testid={`channels-${a.finderUserName}-set-live`}>
                  {L('设为此直播状态', 'Set live status')}
                </button>
                {a.notice && (
                  <button disabled={action.busy} onClick={() => void action.run(() => send('DELETE', `/__sandbox/channels/${seg(a.finderUserName)}/notice`))}>
                    {L('撤下预告', 'Remove notice')}
                  </button>
                )}
                {Object.keys(a.faults).length > 0 && (
                  <button disabled={action.busy} onClick={() => void action.run(() => send('DELETE', `/__sandbox/channels/${seg(a.finderUserName)}/faults`))}>
                    {L('清除错误', 'Clear errors')}
                  </button>
                )}
              </div>
            ),
          },
        ]}
      />
    </Section>
  )
}
