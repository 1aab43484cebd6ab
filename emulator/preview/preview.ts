/**
 * The viewer preview: a page of the mini-program rendered by its real code against the emulator's current cache
 * (render-worker.ts, one child process per render), wrapped into a self-contained HTML document: the page's WXSS as
 * CSS at a phone's width, WeChat's built-in components given their display, the UI's web font, and no script.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { PREVIEW_PAGES, type PreviewJob, type PreviewPage } from './pages'

/** A render that takes longer is stopped and reported. */
export const PREVIEW_TIMEOUT_MS = 30_000
/** The viewer the preview acts as: a signed-in visitor with no history. */
export const PREVIEW_OPENID = 'o-preview-viewer'

export class PreviewError extends Error {
  constructor(
    readonly status: 400 | 404 | 502 | 504,
    message: string,
  ) {
    super(message)
  }
}

/** Newest modification time of the mini-program's sources (its npm output left out), to rebuild after an edit. */
function newestSource(dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'miniprogram_npm') continue
    const full = path.join(dir, name)
    const stat = statSync(full)
    newest = Math.max(newest, stat.isDirectory() ? newestSource(full) : stat.mtimeMs)
  }
  return newest
}

export interface Preview {
  render(page: string, roomId: string | null): Promise<string>
  close(): void
}

/** miniprogram/, where the preview's pages come from. */
const MINIPROGRAM_SOURCE = path.resolve(__dirname, '..', '..', 'miniprogram')

export function createPreview(options: { emulatorUrl: () => string; source?: string }): Preview {
  const source = options.source ?? MINIPROGRAM_SOURCE
  let built: { dir: string; sourceTime: number } | null = null
  let building: Promise<string> | null = null

  async function builtMiniprogram(): Promise<string> {
    const sourceTime = newestSource(source)
    if (built && built.sourceTime >= sourceTime) return built.dir
    building ??= (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'emulator-preview-mp-'))
      // loaded on first use: esbuild cannot load inside the page tests' jsdom realm, where emulators also start
      const { buildMiniprogram } = await import('../../tools/mp-build')
      await buildMiniprogram(dir)
      if (built) rmSync(built.dir, { recursive: true, force: true })
      built = { dir, sourceTime }
      return dir
    })().finally(() => {
      building = null
    })
    return building
  }

  function runWorker(job: PreviewJob): Promise<{ html: string; styles: string }> {
    const loader = pathToFileURL(require.resolve('tsx')).href
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', loader, path.join(__dirname, 'render-worker.ts'), JSON.stringify(job)],
        { timeout: PREVIEW_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, cwd: path.resolve(__dirname, '..', '..') },
        (error, stdout, stderr) => {
          if (error && (error as { killed?: boolean }).killed) {
            return reject(new PreviewError(504, `preview: the ${job.page} page did not finish rendering within ${PREVIEW_TIMEOUT_MS / 1000} s`))
          }
          const out = parseAnswer(stdout)
          if (!out) return reject(new PreviewError(502, `preview: the render stopped without an answer: ${(stderr || String(error)).trim().split('\n').slice(-3).join(' ')}`))
          if (out.error !== undefined) return reject(new PreviewError(502, `preview: the ${job.page} page failed to render: ${out.error}`))
          resolve({ html: out.html ?? '', styles: out.styles ?? '' })
        },
      )
    })
  }

  return {
    async render(page, roomId) {
      if (!(page in PREVIEW_PAGES)) throw new PreviewError(404, `page ${JSON.stringify(page)}: not a viewer page (use ${Object.keys(PREVIEW_PAGES).join(', ')})`)
      const spec = PREVIEW_PAGES[page as PreviewPage]
      const query: Record<string, string> = {}
      if (spec.needsRoom) {
        if (roomId === null || !/^[1-9]\d{0,15}$/.test(roomId)) {
          throw new PreviewError(400, `roomId: the ${page} page needs a room id, a positive integer (got ${JSON.stringify(roomId ?? '')})`)
        }
        query.roomId = roomId
      }
      const mpDir = await builtMiniprogram()
      const out = await runWorker({ mpDir, emulatorUrl: options.emulatorUrl(), page: page as PreviewPage, query, openid: PREVIEW_OPENID })
      return document(spec.zh, out.styles, out.html)
    },
    close() {
      if (built) rmSync(built.dir, { recursive: true, force: true })
      built = null
    },
  }
}

type WorkerAnswer = { html?: string; styles?: string; error?: string }

function parseAnswer(stdout: string): WorkerAnswer | null {
  try {
    const value: unknown = JSON.parse(stdout)
    return value && typeof value === 'object' ? (value as WorkerAnswer) : null
  } catch {
    return null
  }
}

/**
 * WeChat lays a page out in rpx (750 to the screen's width); the render keeps rpx as px at 750 wide, so the frame
 * shows it at half size: a 375-pixel phone.
 */
const PHONE_CSS = `
html, body { margin: 0; background: #f5f5f5; }
body { width: 750px; zoom: 0.5; font-family: 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif; font-size: 32px; color: #333; }
wx-view, wx-scroll-view, wx-swiper, wx-swiper-item, wx-form, wx-block, wx-navigator, wx-live-player, wx-video, wx-channel-live { display: block; }
wx-text, wx-label { display: inline; }
wx-button { display: block; text-align: center; border-radius: 10px; padding: 16px; background: #f8f8f8; border: 1px solid #ddd; }
img { display: inline-block; max-width: 100%; object-fit: cover; }
`

function document(title: string, styles: string, body: string): string {
  // the page's own markup goes in as the render produced it: jsdom serialized it, so it is well-formed HTML
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="stylesheet" href="/ui/fonts.css">
<style>${PHONE_CSS}</style>
<style>${styles.replace(/<\/style/gi, '<\\/style')}</style>
</head>
<body>${body}</body>
</html>`
}
