/** The main package: every declared page and component exists, and the built package stays well under 2 MB. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { describe, expect, inject, it } from 'vitest'

const MAIN_PACKAGE_LIMIT = 2 * 1024 * 1024
/** Our own budget: a quarter of the limit leaves room for merchant pages and images. */
const BUDGET = 512 * 1024
const SHIPPED = /\.(js|json|wxml|wxss|wxs|png|jpg|svg)$/

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

describe('mini-program package', () => {
  it('measures the built main package and keeps it under budget', () => {
    const out = inject('mpOut')
    const shipped = files(out).filter((f) => SHIPPED.test(f))
    const bytes = shipped.reduce((n, f) => n + statSync(f).size, 0)
    console.log(`[package] main package: ${shipped.length} files, ${(bytes / 1024).toFixed(1)} KiB of ${MAIN_PACKAGE_LIMIT / 1024} KiB`)
    expect(bytes).toBeGreaterThan(0)
    expect(bytes).toBeLessThan(BUDGET)
  })

  it('has every page of app.json with its four files, and every component it uses', () => {
    const out = inject('mpOut')
    const app = JSON.parse(readFileSync(join(out, 'app.json'), 'utf8')) as { pages: string[] }
    const seen = new Set<string>()
    const check = (base: string): void => {
      if (seen.has(base)) return
      seen.add(base)
      for (const ext of ['.js', '.json', '.wxml', '.wxss']) expect(existsSync(join(out, base + ext)), base + ext).toBe(true)
      const json = JSON.parse(readFileSync(join(out, base + '.json'), 'utf8')) as { usingComponents?: Record<string, string> }
      for (const target of Object.values(json.usingComponents ?? {})) {
        if (target.startsWith('plugin-private://')) continue
        check(target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(base), target))
      }
    }
    for (const page of app.pages) check(page)
    expect(seen.has('components/room-card/index')).toBe(true)
  })

  // Run only where it was verified: miniprogram-compiler's linux x86-64 wcc/wcsc; elsewhere DevTools remains the check.
  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('compiles every template and style with WeChat’s wcc/wcsc', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const compiler = require('miniprogram-compiler') as { wxmlToJs(root: string): string; wxssToJs(root: string): string }
    const root = join(__dirname, '..', '..', 'miniprogram')
    expect(compiler.wxmlToJs(root)).toContain('pages/home/index.wxml')
    expect(compiler.wxssToJs(root).length).toBeGreaterThan(0)
  })
})
