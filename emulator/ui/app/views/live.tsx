/**
 * The Live sandbox: rooms with their status and the life-cycle events allowed now, a room created from a form,
 * goods and their audit, members, followers and pushed messages, queued faults, and each API's calls today
 * against its quota. Every state and rule comes from the sandbox's replies; the page only shows and sends.
 */
import { useEffect, useState } from 'preact/hooks'
import { get, send, seg } from '../api'
import { ActionNote, ErrorNote, Section, Table, When, useAction, useLoad } from '../components'
import { L } from '../i18n'
import { LIVE_STATUS_TEXT, type LiveStatusName } from '../../../../src/live/status'
import type { ListedGoods, ListedMember, ListedRoom } from '../../../sandbox/control'
import type { FaultSnapshot } from '../../../sandbox/snapshot'
import type { PushedMessage, RoomEvent } from '../../../sandbox/model'
import type { QuotaUsage } from '../../../sandbox/sandbox'

const EVENT_LABEL: Record<RoomEvent, [string, string]> = {
  start: ['开播', 'Start'],
  pause: ['暂停', 'Pause'],
  resume: ['继续', 'Resume'],
  abnormal: ['异常中断', 'Go abnormal'],
  recover: ['恢复', 'Recover'],
  end: ['结束', 'End'],
  ban: ['禁播', 'Ban'],
}

function StatusBadge({ status }: { status: string }) {
  const text = LIVE_STATUS_TEXT[status as LiveStatusName]
  const tone = status === 'live' ? 'good' : status === 'banned' || status === 'abnormal' ? 'bad' : status === 'paused' ? 'warn' : ''
  return <span class={`badge ${tone}`}>{text ? L(text.zh, text.en) : status}</span>
}

export function Live() {
  const rooms = useLoad(() => get<ListedRoom[]>('/__sandbox/rooms'), [], 5000)
  return (
    <>
      <CreateRoom onCreated={rooms.reload} />
      <Rooms rooms={rooms.data} error={rooms.error} reload={rooms.reload} />
      <Goods />
      <div class="grid-2">
        <Faults />
        <People />
      </div>
      <Calls />
    </>
  )
}

/** datetime-local's value for Unix seconds, in the browser's time zone. */
function localInput(seconds: number): string {
  const d = new Date(seconds * 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

function CreateRoom(props: { onCreated: () => void }) {
  const action = useAction(props.onCreated)
  const [name, setName] = useState('')
  const [anchorName, setAnchorName] = useState('')
  const [anchorWechat, setAnchorWechat] = useState('')
  const [start, setStart] = useState('')
  const [end, setEnd] = useState('')
  const [created, setCreated] = useState<number | null>(null)
  // Working defaults: an anchor of the account, starting ten minutes from the emulator's now for two hours.
  useEffect(() => {
    void get<{ now: number }>('/__sandbox/clock').then(({ now }) => {
      setStart(localInput(now + 600))
      setEnd(localInput(now + 600 + 2 * 3600))
    })
    void get<ListedMember[]>('/__sandbox/members').then((members) => {
      const anchor = members.find((m) => m.roles.includes('anchor')) ?? members[0]
      setAnchorWechat(anchor?.username ?? 'anchor_demo')
      setAnchorName(anchor?.nickname ?? '主播')
    })
  }, [])
  const submit = () =>
    action.run(async () => {
      const body = {
        name,
        anchorName,
        anchorWechat,
        startTime: Math.floor(Date.parse(start) / 1000),
        endTime: Math.floor(Date.parse(end) / 1000),
      }
      const out = await send<{ roomId: number }>('POST', '/__sandbox/rooms', body)
      setCreated(out.roomId)
    })
  return (
    <Section title={L('创建直播间', 'Create a room')} testId="room-create-card">
      <form
        class="row"
        data-testid="room-create"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <label>
          {L('名称', 'Name')}
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={L('3–17 个汉字', '3–17 Chinese characters')} data-testid="room-name" />
        </label>
        <label>
          {L('主播昵称', 'Anchor name')}
          <input value={anchorName} onInput={(e) => setAnchorName(e.currentTarget.value)} />
        </label>
        <label>
          {L('主播微信号', 'Anchor WeChat id')}
          <input value={anchorWechat} onInput={(e) => setAnchorWechat(e.currentTarget.value)} />
        </label>
        <label>
          {L('开始', 'Start')}
          <input type="datetime-local" value={start} onInput={(e) => setStart(e.currentTarget.value)} />
        </label>
        <label>
          {L('结束', 'End')}
          <input type="datetime-local" value={end} onInput={(e) => setEnd(e.currentTarget.value)} />
        </label>
        <button class="primary" disabled={action.busy} data-testid="room-create-submit">
          {L('创建', 'Create')}
        </button>
      </form>
      <ActionNote action={action} />
      {created !== null && !action.error && (
        <p class="ok">
          {L('已创建房间', 'Created room')} {created}
        </p>
      )}
    </Section>
  )
}

function Rooms(props: { rooms: ListedRoom[] | null; error: string | null; reload: () => void }) {
  const action = useAction(props.reload)
  const event = (roomId: number, e: RoomEvent) => action.run(() => send('POST', `/__sandbox/rooms/${seg(roomId)}/events`, { event: e }))
  const remove = (roomId: number) => {
    if (confirm(L(`删除房间 ${roomId}？`, `Delete room ${roomId}?`))) void action.run(() => send('DELETE', `/__sandbox/rooms/${seg(roomId)}`))
  }
  return (
    <Section title={L('直播间', 'Rooms')} actions={<button onClick={props.reload}>{L('刷新', 'Refresh')}</button>}>
      <ErrorNote error={props.error} />
      <ActionNote action={action} />
      <Table
        rows={props.rooms ?? []}
        rowKey={(r) => r.roomId}
        testId="rooms-table"
        empty={L('还没有直播间', 'No rooms yet')}
        columns={[
          { title: 'ID', cell: (r) => <span data-testid={`room-${r.roomId}`}>{r.roomId} · {r.name}</span> },
          { title: L('状态', 'Status'), cell: (r) => <StatusBadge status={r.status} /> },
          { title: L('主播', 'Anchor'), cell: (r) => `${r.anchorName} (${r.anchorWechat})` },
          {
            title: L('时间', 'Time'),
            cell: (r) => (
              <>
                <When at={r.startTime} /> – <When at={r.endTime} />
              </>
            ),
          },
          { title: L('商品', 'Goods'), cell: (r) => r.goods.length },
          { title: L('回放', 'Replays'), cell: (r) => r.replays.length },
          {
            title: L('操作', 'Actions'),
            cell: (r) => (
              <div class="row">
                {r.events.map((e) => (
                  <button key={e} disabled={action.busy} onClick={() => void event(r.roomId, e)} data-testid={`room-${r.roomId}-event-${e}`}>
                    {L(...EVENT_LABEL[e])}
                  </button>
                ))}
                <button class="danger" disabled={action.busy} onClick={() => remove(r.roomId)}>
                  {L('删除', 'Delete')}
                </button>
              </div>
            ),
          },
        ]}
      />
    </Section>
  )
}

function Goods() {
  const goods = useLoad(() => get<ListedGoods[]>('/__sandbox/goods'), [], 5000)
  const action = useAction(goods.reload)
  const audit = (goodsId: number, result: 'approve' | 'reject') => action.run(() => send('POST', `/__sandbox/goods/${seg(goodsId)}/audit`, { result }))
  return (
    <Section title={L('商品与审核', 'Goods and audit')}>
      <ErrorNote error={goods.error} />
      <ActionNote action={action} />
      <Table
        rows={goods.data ?? []}
        rowKey={(g) => g.goodsId}
        testId="goods-table"
        empty={L('商品库为空', 'The goods warehouse is empty')}
        columns={[
          { title: 'ID', cell: (g) => g.goodsId },
          { title: L('名称', 'Name'), cell: (g) => g.name },
          { title: L('价格', 'Price'), cell: (g) => `¥${g.price}${g.price2 ? ` – ${g.price2}` : ''}` },
          { title: L('审核', 'Audit'), cell: (g) => <span class={`badge ${g.audit === 'approved' ? 'good' : g.audit === 'rejected' ? 'bad' : g.audit === 'underReview' ? 'warn' : ''}`}>{g.audit}</span> },
          {
            title: '',
            cell: (g) =>
              g.audit === 'underReview' && (
                <div class="row">
                  <button class="primary" disabled={action.busy} onClick={() => void audit(g.goodsId, 'approve')} data-testid={`goods-${g.goodsId}-approve`}>
                    {L('通过', 'Approve')}
                  </button>
                  <button class="danger" disabled={action.busy} onClick={() => void audit(g.goodsId, 'reject')} data-testid={`goods-${g.goodsId}-reject`}>
                    {L('驳回', 'Reject')}
                  </button>
                </div>
              ),
          },
        ]}
      />
    </Section>
  )
}

function Faults() {
  const faults = useLoad(() => get<FaultSnapshot[]>('/__sandbox/faults'), [], 3000)
  const apis = useLoad(() => get<QuotaUsage[]>('/__sandbox/quotas'))
  const action = useAction(faults.reload)
  const [api, setApi] = useState('liveBroadcast.getLiveInfo')
  const [times, setTimes] = useState('1')
  const [kind, setKind] = useState<'errcode' | 'httpStatus' | 'delayMs' | 'malformed'>('errcode')
  const [value, setValue] = useState('-1')
  const add = () =>
    action.run(() => {
      const body: Record<string, unknown> = { api, times: Number(times) }
      body[kind] = kind === 'malformed' ? true : Number(value)
      return send('POST', '/__sandbox/faults', body)
    })
  return (
    <Section
      title={L('待触发的故障', 'Pending faults')}
      actions={
        <button class="danger" disabled={action.busy} onClick={() => void action.run(() => send('DELETE', '/__sandbox/faults'))} data-testid="faults-clear">
          {L('全部清除', 'Clear all')}
        </button>
      }
    >
      <form
        class="row"
        data-testid="fault-add"
        onSubmit={(e) => {
          e.preventDefault()
          void add()
        }}
      >
        <select value={api} onChange={(e) => setApi(e.currentTarget.value)} data-testid="fault-api">
          {(apis.data ?? [{ api }]).map((a) => (
            <option key={a.api} value={a.api}>
              {a.api}
            </option>
          ))}
        </select>
        <label>
          {L('次数', 'Times')}
          <input type="number" min="1" value={times} onInput={(e) => setTimes(e.currentTarget.value)} style="width: 5em" data-testid="fault-times" />
        </label>
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
          <option value="errcode">errcode</option>
          <option value="httpStatus">HTTP status</option>
          <option value="delayMs">{L('延迟 (ms)', 'delay (ms)')}</option>
          <option value="malformed">{L('返回非 JSON', 'malformed reply')}</option>
        </select>
        {kind !== 'malformed' && <input type="number" value={value} onInput={(e) => setValue(e.currentTarget.value)} style="width: 7em" data-testid="fault-errcode" />}
        <button class="primary" disabled={action.busy} data-testid="fault-add-submit">
          {L('添加', 'Add')}
        </button>
      </form>
      <ActionNote action={action} />
      <ErrorNote error={faults.error ?? apis.error} />
      <Table
        rows={faults.data ?? []}
        testId="faults-table"
        empty={L('没有待触发的故障', 'No fault queued')}
        columns={[
          { title: 'API', cell: (f) => <code>{f.api}</code> },
          { title: L('故障', 'Fault'), cell: (f) => <code>{JSON.stringify(Object.fromEntries(Object.entries(f).filter(([k]) => !['api', 'times', 'remaining'].includes(k))))}</code> },
          { title: L('剩余', 'Remaining'), cell: (f) => `${f.remaining} / ${f.times}` },
        ]}
      />
    </Section>
  )
}

function People() {
  const members = useLoad(() => get<ListedMember[]>('/__sandbox/members'))
  const followers = useLoad(() => get<{ openid: string; roomId: number; subscribeTime: number }[]>('/__sandbox/followers'), [], 5000)
  const messages = useLoad(() => get<PushedMessage[]>('/__sandbox/messages'), [], 5000)
  const action = useAction(followers.reload)
  const [openid, setOpenid] = useState('')
  const [roomId, setRoomId] = useState('')
  return (
    <Section title={L('成员、订阅者与推送', 'Members, followers and pushes')}>
      <ErrorNote error={members.error ?? followers.error ?? messages.error} />
      <h3>{L('成员与角色', 'Members and roles')}</h3>
      <Table
        rows={members.data ?? []}
        rowKey={(m) => m.username}
        testId="members-table"
        columns={[
          { title: L('微信号', 'WeChat id'), cell: (m) => m.username },
          { title: L('昵称', 'Nickname'), cell: (m) => m.nickname },
          { title: L('角色', 'Roles'), cell: (m) => m.roles.join(', ') },
        ]}
      />
      <h3>{L('长期订阅者', 'Long-term followers')}</h3>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault()
          void action.run(() => send('POST', '/__sandbox/followers', { openid, roomId: Number(roomId) }))
        }}
      >
        <input placeholder="openid" value={openid} onInput={(e) => setOpenid(e.currentTarget.value)} />
        <input placeholder={L('房间号', 'Room id')} inputMode="numeric" value={roomId} onInput={(e) => setRoomId(e.currentTarget.value)} style="width: 7em" />
        <button disabled={action.busy}>{L('添加订阅者', 'Add follower')}</button>
      </form>
      <ActionNote action={action} />
      <Table
        rows={followers.data ?? []}
        testId="followers-table"
        empty={L('暂无订阅者', 'No followers')}
        columns={[
          { title: 'openid', cell: (f) => <code>{f.openid}</code> },
          { title: L('房间', 'Room'), cell: (f) => f.roomId },
          { title: L('订阅时间', 'Subscribed'), cell: (f) => <When at={f.subscribeTime} /> },
        ]}
      />
      <h3>{L('已推送的开播提醒', 'Pushed messages')}</h3>
      <Table
        rows={messages.data ?? []}
        rowKey={(m) => m.messageId}
        testId="messages-table"
        empty={L('还没有推送', 'Nothing pushed yet')}
        columns={[
          { title: 'ID', cell: (m) => m.messageId },
          { title: L('房间', 'Room'), cell: (m) => m.roomId },
          { title: L('人数', 'Recipients'), cell: (m) => m.openids.length },
          { title: L('时间', 'Sent'), cell: (m) => <When at={m.sentAt} /> },
        ]}
      />
    </Section>
  )
}

function Calls() {
  const usage = useLoad(() => get<QuotaUsage[]>('/__sandbox/quotas'), [], 5000)
  const [all, setAll] = useState(false)
  const rows = (usage.data ?? []).filter((u) => all || u.calls > 0 || u.used > 0)
  return (
    <Section
      title={L('今日调用与配额（北京时间）', "Calls today against quota (Asia/Shanghai day)")}
      actions={
        <label>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> {L('显示全部接口', 'Show every API')}
        </label>
      }
    >
      <ErrorNote error={usage.error} />
      <Table
        rows={rows}
        rowKey={(u) => u.api}
        testId="calls-table"
        empty={L('今天还没有调用', 'No calls today')}
        columns={[
          { title: 'API', cell: (u) => <code>{u.api}</code> },
          { title: L('调用', 'Calls'), cell: (u) => u.calls },
          { title: L('配额桶', 'Quota bucket'), cell: (u) => <code>{u.bucket}</code> },
          {
            title: L('已用 / 上限', 'Used / limit'),
            cell: (u) => (
              <span class={u.used >= u.limit ? 'error' : ''}>
                {u.used} / {u.limit} {u.per === 'minute' ? L('每分钟', 'a minute') : L('每天', 'a day')}
              </span>
            ),
          },
        ]}
      />
    </Section>
  )
}
