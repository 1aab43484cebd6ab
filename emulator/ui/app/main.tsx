/** The emulator UI: a header, one tab per view, and the view the hash names (`#/database`). */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { L, lang, setLang, type Lang } from './i18n'
import { VIEWS } from './views'

function currentViewId(): string {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0]
  return VIEWS.some((v) => v.id === id) ? id : VIEWS[0].id
}

function App() {
  const [viewId, setViewId] = useState(currentViewId)
  const [language, setLanguage] = useState<Lang>(lang)
  useEffect(() => {
    const onHash = () => setViewId(currentViewId())
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])
  const view = VIEWS.find((v) => v.id === viewId) ?? VIEWS[0]
  const choose = (next: Lang) => {
    setLang(next)
    setLanguage(next)
  }
  useEffect(() => {
    document.title = `${L('直播模拟器', 'Live emulator')} · ${L(view.zh, view.en)}`
  }, [view, language])
  return (
    <div class="shell" key={language}>
      <header class="top">
        <strong class="brand">{L('直播模拟器', 'Live emulator')}</strong>
        <nav aria-label={L('视图', 'Views')}>
          {VIEWS.map((v) => (
            <a key={v.id} href={`#/${v.id}`} class={v.id === view.id ? 'active' : ''} aria-current={v.id === view.id ? 'page' : undefined} data-testid={`nav-${v.id}`}>
              {L(v.zh, v.en)}
            </a>
          ))}
        </nav>
        <div class="lang" role="group" aria-label="语言 / Language">
          <button type="button" class={language === 'zh' ? 'on' : ''} onClick={() => choose('zh')}>
            中文
          </button>
          <button type="button" class={language === 'en' ? 'on' : ''} onClick={() => choose('en')}>
            EN
          </button>
        </div>
      </header>
      <main data-testid={`view-${view.id}`}>
        <view.component />
      </main>
    </div>
  )
}

setLang(lang())
render(<App />, document.getElementById('app')!)
