/**
 * The cloud database as an administrator: collections, their documents (view, add, edit, delete), a query box, and
 * the rules check: whether a viewer (or an anonymous one) may run a query or write, with the rule evaluator's reason.
 */
import { useState } from 'preact/hooks'
import { get, send, seg } from '../api'
import { ActionNote, ErrorNote, Section, useAction, useLoad } from '../components'
import { L } from '../i18n'

interface Collection {
  name: string
  count: number
}
type Doc = Record<string, unknown> & { _id: string }

/** JSON text the emulator accepts: an object, or the reason it is not one. */
function parseObject(text: string, field: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(L(`${field}：不是合法的 JSON（${(e as Error).message}）`, `${field}: not valid JSON (${(e as Error).message})`))
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(L(`${field}：必须是 JSON 对象`, `${field}: must be a JSON object`))
  return value as Record<string, unknown>
}

export function Database() {
  const collections = useLoad(() => get<Collection[]>('/__sandbox/db'), [], 5000)
  const [chosen, setChosen] = useState<string | null>(null)
  return (
    <div class="db-layout">
      <Section title={L('集合', 'Collections')}>
        <ErrorNote error={collections.error} />
        <ul class="plain collections">
          {(collections.data ?? []).map((c) => (
            <li key={c.name}>
              <button class={`link ${c.name === chosen ? 'chosen' : ''}`} onClick={() => setChosen(c.name)} data-testid={`db-collection-${c.name}`}>
                {c.name}
              </button>{' '}
              <span class="muted">{c.count}</span>
            </li>
          ))}
        </ul>
      </Section>
      <div class="db-main">
        {chosen ? (
          <>
            <Documents key={chosen} collection={chosen} onChange={collections.reload} />
            <RulesCheck key={`rules-${chosen}`} collection={chosen} />
          </>
        ) : (
          <p class="muted">{L('选择左侧的集合。', 'Choose a collection on the left.')}</p>
        )}
      </div>
    </div>
  )
}

const PAGE = 50

function Documents(props: { collection: string; onChange: () => void }) {
  const [filterText, setFilterText] = useState('{}')
  const [filter, setFilter] = useState('{}')
  const [skip, setSkip] = useState(0)
  const [queryError, setQueryError] = useState<string | null>(null)
  const docs = useLoad(
    () => get<{ total: number; docs: Doc[] }>(`/__sandbox/db/${seg(props.collection)}?filter=${encodeURIComponent(filter)}&limit=${PAGE}&skip=${skip}`),
    [props.collection, filter, skip],
  )
  const changed = () => {
    docs.reload()
    props.onChange()
  }
  const action = useAction(changed)
  const [adding, setAdding] = useState('{\n  \n}')
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null)
  const runQuery = () => {
    try {
      parseObject(filterText, L('查询条件', 'filter'))
      setQueryError(null)
      setSkip(0)
      setFilter(filterText)
      docs.reload()
    } catch (e) {
      setQueryError((e as Error).message)
    }
  }
  const remove = (id: string) => {
    if (confirm(L(`删除文档 ${id}？`, `Delete document ${id}?`))) void action.run(() => send('DELETE', `/__sandbox/db/${seg(props.collection)}/${seg(id)}`))
  }
  const total = docs.data?.total ?? 0
  return (
    <Section title={`${props.collection} · ${L('文档', 'Documents')}`} actions={<button onClick={docs.reload}>{L('刷新', 'Refresh')}</button>}>
      <label class="block">
        {L('查询条件（JSON，数据库查询语法；日期写作 {"$date": "…"}）', 'Filter (JSON in the database query language; dates as {"$date": "…"})')}
        <textarea class="short" value={filterText} onInput={(e) => setFilterText(e.currentTarget.value)} data-testid="db-query" />
      </label>
      <div class="row">
        <button class="primary" onClick={runQuery} data-testid="db-query-run">
          {L('查询', 'Run query')}
        </button>
        <span class="muted">
          {L(`共 ${total} 条`, `${total} in all`)}
          {total > PAGE && ` · ${skip + 1}–${Math.min(skip + PAGE, total)}`}
        </span>
        {skip > 0 && <button onClick={() => setSkip(Math.max(0, skip - PAGE))}>{L('上一页', 'Previous')}</button>}
        {skip + PAGE < total && <button onClick={() => setSkip(skip + PAGE)}>{L('下一页', 'Next')}</button>}
      </div>
      <ErrorNote error={queryError ?? docs.error} />
      <ActionNote action={action} />
      <div data-testid="db-docs" class="docs">
        {(docs.data?.docs ?? []).map((d) => (
          <div class="doc" key={d._id} data-testid={`db-doc-${d._id}`}>
            <div class="row">
              <code>{d._id}</code>
              <button onClick={() => setEditing({ id: d._id, text: JSON.stringify(d, null, 2) })} data-testid={`db-doc-${d._id}-edit`}>
                {L('编辑', 'Edit')}
              </button>
              <button class="danger" onClick={() => remove(d._id)} data-testid={`db-doc-${d._id}-delete`}>
                {L('删除', 'Delete')}
              </button>
            </div>
            {editing?.id === d._id ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault()
                  void action.run(async () => {
                    await send('PUT', `/__sandbox/db/${seg(props.collection)}/${seg(d._id)}`, { doc: parseObject(editing.text, L('文档', 'document')) })
                    setEditing(null)
                  })
                }}
              >
                <textarea class="tall" value={editing.text} onInput={(e) => setEditing({ id: d._id, text: e.currentTarget.value })} data-testid={`db-doc-${d._id}-text`} />
                <div class="row">
                  <button class="primary" data-testid={`db-doc-${d._id}-save`}>
                    {L('保存（整篇替换）', 'Save (replaces the document)')}
                  </button>
                  <button type="button" onClick={() => setEditing(null)}>
                    {L('取消', 'Cancel')}
                  </button>
                </div>
              </form>
            ) : (
              <pre class="json">{JSON.stringify(d, null, 2)}</pre>
            )}
          </div>
        ))}
        {docs.data && docs.data.docs.length === 0 && <p class="muted">{L('没有匹配的文档', 'No document matches')}</p>}
      </div>
      <h3>{L('添加文档', 'Add a document')}</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void action.run(() => send('POST', `/__sandbox/db/${seg(props.collection)}`, { doc: parseObject(adding, L('文档', 'document')) }))
        }}
      >
        <textarea class="short" value={adding} onInput={(e) => setAdding(e.currentTarget.value)} data-testid="db-add" />
        <button class="primary" data-testid="db-add-submit">
          {L('添加', 'Add')}
        </button>
      </form>
    </Section>
  )
}

interface Decision {
  allowed: boolean
  reason: string
  rule: string | boolean
  viewer: string | null
  op: string
}

function RulesCheck(props: { collection: string }) {
  const [openid, setOpenid] = useState('o-viewer-1')
  const [anonymous, setAnonymous] = useState(false)
  const [op, setOp] = useState<'read' | 'create' | 'update' | 'delete'>('read')
  const [text, setText] = useState('{}')
  const [result, setResult] = useState<Decision | null>(null)
  const action = useAction()
  const check = () =>
    action.run(async () => {
      setResult(null)
      const value = parseObject(text, op === 'create' ? L('新文档', 'new document') : L('查询条件', 'filter'))
      const part = op === 'create' ? { doc: value } : { filter: value }
      setResult(await send<Decision>('POST', `/__sandbox/db/${seg(props.collection)}/rules-check`, { openid: anonymous ? null : openid, op, ...part }))
    })
  return (
    <Section title={L('安全规则检查', 'Rules check')} testId="rules-check">
      <p class="muted">
        {L(
          '用模拟器自己的规则求值器回答：这位用户（或未登录用户）在小程序端发起这个操作会被允许吗？为什么？规则来自 database/*.rules.json。',
          "Answered by the emulator's own rule evaluator: would this viewer (or an anonymous one) be allowed this request from the mini-program, and why? Rules come from database/*.rules.json.",
        )}
      </p>
      <div class="row">
        <label>
          OPENID
          <input value={openid} disabled={anonymous} onInput={(e) => setOpenid(e.currentTarget.value)} data-testid="rules-openid" />
        </label>
        <label>
          <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.currentTarget.checked)} data-testid="rules-anonymous" />
          {L('未登录用户', 'anonymous viewer')}
        </label>
        <label>
          {L('操作', 'Operation')}
          <select value={op} onChange={(e) => setOp(e.currentTarget.value as typeof op)} data-testid="rules-op">
            <option value="read">read</option>
            <option value="create">create</option>
            <option value="update">update</option>
            <option value="delete">delete</option>
          </select>
        </label>
      </div>
      <label class="block">
        {op === 'create' ? L('新文档（JSON）', 'New document (JSON)') : L('查询条件（JSON，可用 "{openid}"）', 'Filter (JSON; "{openid}" allowed)')}
        <textarea class="short" value={text} onInput={(e) => setText(e.currentTarget.value)} data-testid="rules-query" />
      </label>
      <button class="primary" disabled={action.busy} onClick={() => void check()} data-testid="rules-check-run">
        {L('检查', 'Check')}
      </button>
      <div data-testid="rules-result">
        <ErrorNote error={action.error} />
        {result && (
          <div class="decision">
            <p>
              <span class={`badge ${result.allowed ? 'good' : 'bad'}`}>{result.allowed ? L('允许', 'allowed') : L('拒绝', 'denied')}</span>{' '}
              {result.viewer ? `OPENID ${result.viewer}` : L('未登录用户', 'anonymous viewer')} · {result.op}
            </p>
            <p>
              {L('规则', 'Rule')}: <code>{JSON.stringify(result.rule)}</code>
            </p>
            {result.reason && (
              <p>
                {L('原因', 'Reason')}: {result.reason}
              </p>
            )}
          </div>
        )}
      </div>
    </Section>
  )
}
