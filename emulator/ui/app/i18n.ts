/**
 * Labels in Chinese and English, written side by side where they are used: `L('房间', 'Rooms')`. The chosen
 * language lives here and in localStorage; the app re-renders everything when it changes.
 */
export type Lang = 'zh' | 'en'

const STORAGE_KEY = 'live-emulator-lang'

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved === 'zh' || saved === 'en') return saved
  } catch {
    // storage can be off (private windows); the default serves
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

let current: Lang = typeof localStorage === 'undefined' ? 'zh' : initialLang()

export function lang(): Lang {
  return current
}

export function setLang(next: Lang): void {
  current = next
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en'
  try {
    localStorage.setItem(STORAGE_KEY, next)
  } catch {
    // not kept; the choice still holds for this page
  }
}

/** The label in the chosen language. */
export function L(zh: string, en: string): string {
  return current === 'zh' ? zh : en
}
