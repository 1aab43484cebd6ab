/**
 * What a viewer sees: the mini-program's home, room or replay page rendered by its own code against the emulator's
 * cache now (GET /__sandbox/preview/{page}), shown in a phone-sized frame with no script, refreshed on demand.
 */
import { useState } from 'preact/hooks'
import { ApiError, get, seg } from '../api'
import { ErrorNote, Section } from '../components'
import { L } from '../i18n'
import { PREVIEW_PAGES, type PreviewPage } from '../../../preview/pages'

interface RoomRow {
  roomId: number
  name: string
}

async function fetchPage(page: PreviewPage, roomId: string): Promise<string> {
  const query = PREVIEW_PAGES[page].needsRoom ? `?roomId=${seg(roomId)}` : ''
  const res = await fetch(`/__sandbox/preview/${seg(page)}${query}`)
  const text = await res.text()
  if (!res.ok) {
    let message = `HTTP ${res.status}`
    try {
      message = (JSON.parse(text) as { error: string }).error
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(res.status, message)
  }
  return text
}

export function Preview() {
  const [page, setPage] = useState<PreviewPage>('home')
  const [roomId, setRoomId] = useState('')
  const [rooms, setRooms] = useState<RoomRow[] | null>(null)
  const [html, setHtml] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [renderedAt, setRenderedAt] = useState<Date | null>(null)

  const loadRooms = () => {
    if (rooms) return
    get<RoomRow[]>('/__sandbox/rooms').then(setRooms, () => setRooms([]))
  }
  const refresh = async () => {
    setBusy(true)
    setError(null)
    // the old snapshot goes at once, so nothing on screen can be mistaken for the new one
    setHtml(null)
    try {
      setHtml(await fetchPage(page, roomId))
      setRenderedAt(new Date())
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  const needsRoom = PREVIEW_PAGES[page].needsRoom
  return (
    <Section
      title={L('观众预览', 'Viewer preview')}
      actions={renderedAt && <span class="muted">{L('渲染于', 'Rendered at')} {renderedAt.toLocaleTimeString()}</span>}
    >
      <p class="muted">
        {L(
          '用小程序自己的页面代码、按当前缓存渲染的静态快照（与页面测试相同的工具），不运行脚本；改动数据后点“刷新”。',
          "A static snapshot drawn by the mini-program's own page code from the cache as it is now (the page tests' tooling), with no script running; press Refresh after a change.",
        )}
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault()
          void refresh()
        }}
      >
        <label>
          {L('页面', 'Page')}
          <select value={page} onChange={(e) => setPage(e.currentTarget.value as PreviewPage)} data-testid="preview-page">
            {(Object.keys(PREVIEW_PAGES) as PreviewPage[]).map((p) => (
              <option key={p} value={p}>
                {L(PREVIEW_PAGES[p].zh, PREVIEW_PAGES[p].en)}
              </option>
            ))}
          </select>
        </label>
        {needsRoom && (
          <label>
            {L('房间号', 'Room id')}
            <input list="preview-rooms" inputMode="numeric" value={roomId} onFocus={loadRooms} onInput={(e) => setRoomId(e.currentTarget.value.trim())} data-testid="preview-room" />
            <datalist id="preview-rooms">
              {(rooms ?? []).map((r) => (
                <option key={r.roomId} value={String(r.roomId)}>
                  {r.name}
                </option>
              ))}
            </datalist>
          </label>
        )}
        <button class="primary" disabled={busy} data-testid="preview-refresh">
          {busy ? L('渲染中…', 'Rendering…') : L('刷新', 'Refresh')}
        </button>
      </form>
      <div data-testid="preview-error">
        <ErrorNote error={error} />
      </div>
      {html !== null && (
        <div class="phone">
          <iframe title={L('观众看到的页面', 'The page a viewer sees')} sandbox="allow-same-origin" srcDoc={html} data-testid="preview-frame" />
        </div>
      )}
    </Section>
  )
}
