/** The viewer pages the preview can render, and what one render is given. */
export const PREVIEW_PAGES = {
  home: { path: 'pages/home/index', needsRoom: false, zh: '首页', en: 'Home' },
  room: { path: 'pages/room/index', needsRoom: true, zh: '直播间', en: 'Room' },
  replay: { path: 'pages/replay/index', needsRoom: true, zh: '回放', en: 'Replay' },
} as const

export type PreviewPage = keyof typeof PREVIEW_PAGES

export interface PreviewJob {
  /** The built mini-program (tools/mp-build.ts). */
  mpDir: string
  emulatorUrl: string
  page: PreviewPage
  /** The page's onLoad query, e.g. {roomId: '3'}. */
  query: Record<string, string>
  /** The viewer the page acts as. */
  openid: string
}
