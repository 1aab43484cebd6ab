/**
 * Builds the emulator UI into static files: one esbuild bundle of the Preact app, its stylesheet, index.html, and
 * the Noto Sans SC web font (regular weight, WOFF2 only) split by Unicode range, so Chinese renders in any browser
 * (a headless one without CJK fonts included) and the browser fetches only the ranges a page uses. Nothing is
 * fetched from the network at run time.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as esbuild from 'esbuild'

const APP_DIR = path.join(__dirname, '..', 'emulator', 'ui', 'app')
/** Where `npm run build`, `npm start` and `npm run emulator` put the UI; the emulator serves it under /ui/. */
export const UI_BUILD_DIR = path.join(__dirname, '..', '.build', 'ui')
const FONT_PACKAGE = path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json'))

export interface UiBuildResult {
  dir: string
  /** Bytes of app.js and app.css, the part every page load needs. */
  appBytes: number
  fontFiles: number
}

/**
 * The font's @font-face rules with WOFF2 sources only (every browser the UI targets reads WOFF2), pointing into
 * `fonts/`, and the files they name.
 */
export function fontFaces(css: string): { css: string; files: string[] } {
  const files: string[] = []
  const rewritten = css.replace(/src:\s*url\(\.\/files\/([\w.-]+\.woff2)\)\s*format\('woff2'\)[^;]*;/g, (_m, file: string) => {
    files.push(file)
    return `src: url(fonts/${file}) format('woff2');`
  })
  if (files.length === 0) throw new Error('emulator UI build: the font stylesheet names no WOFF2 file; its format has changed')
  return { css: rewritten, files }
}

export async function buildUi(outDir: string): Promise<UiBuildResult> {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(path.join(outDir, 'fonts'), { recursive: true })
  const result = await esbuild.build({
    entryPoints: { app: path.join(APP_DIR, 'main.tsx') },
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    outdir: outDir,
    logLevel: 'silent',
    metafile: true,
  })
  const fonts = fontFaces(readFileSync(path.join(FONT_PACKAGE, '400.css'), 'utf8'))
  for (const file of fonts.files) copyFileSync(path.join(FONT_PACKAGE, 'files', file), path.join(outDir, 'fonts', file))
  writeFileSync(path.join(outDir, 'fonts.css'), fonts.css)
  const style = readFileSync(path.join(APP_DIR, 'style.css'), 'utf8')
  writeFileSync(path.join(outDir, 'app.css'), style)
  writeFileSync(path.join(outDir, 'index.html'), readFileSync(path.join(APP_DIR, 'index.html'), 'utf8'))
  const appBytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0) + Buffer.byteLength(style)
  return { dir: outDir, appBytes, fontFiles: fonts.files.length }
}
