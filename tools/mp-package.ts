/**
 * What a built mini-program ships, package by package: the main package is every file outside the subpackage
 * roots (DevTools uploads them all), a subpackage is what its pages reach (usingComponents, require(), WXML
 * import/include/wxs, WXSS @import), since uploads leave out files nothing uses (project.config.json
 * `ignoreUploadUnusedFiles`). Sizes are checked against WeChat's limits by the package test.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/subpackages.html
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, posix, relative, sep } from 'node:path'

/** WeChat's cap for the main package and for each subpackage. */
export const PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024
/** WeChat's cap for all packages together. */
export const TOTAL_LIMIT_BYTES = 20 * 1024 * 1024
export const SHIPPED = /\.(js|json|wxml|wxss|wxs|png|jpg|jpeg|gif|svg|webp)$/

export interface PackageReport {
  name: string
  root: string
  files: string[]
  bytes: number
}

interface AppJson {
  pages: string[]
  subpackages?: { root: string; name?: string; pages: string[] }[]
  subPackages?: { root: string; name?: string; pages: string[] }[]
}

const toPosix = (p: string): string => p.split(sep).join(posix.sep)

/** Every file under `dir`, depth first. */
export function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? allFiles(path) : [path]
  })
}

/** A path written in `from` (relative, or absolute from the mini-program root) as a file under root, if it exists. */
function resolveRef(root: string, from: string, ref: string, exts: readonly string[]): string | null {
  const base = ref.startsWith('/') ? join(root, ref) : join(dirname(from), ref)
  for (const candidate of [base, ...exts.map((e) => base + e), ...exts.map((e) => join(base, 'index' + e))]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return null
}

/** The files a file uses directly. Throws naming the file when a reference leads nowhere: it would fail in WeChat. */
function usesOf(root: string, file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  const need = (ref: string, exts: readonly string[]): void => {
    const hit = resolveRef(root, file, ref, exts)
    if (!hit) throw new Error(`${toPosix(relative(root, file))}: ${ref} does not exist`)
    out.push(hit)
  }
  if (file.endsWith('.js') || file.endsWith('.wxs')) {
    for (const m of text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)) need(m[1], ['.js', file.endsWith('.wxs') ? '.wxs' : '.js'])
  } else if (file.endsWith('.wxml')) {
    for (const m of text.matchAll(/<(?:import|include|wxs)\b[^>]*\bsrc\s*=\s*["']([^"'{}]+)["']/g)) need(m[1], ['.wxml', '.wxs'])
  } else if (file.endsWith('.wxss')) {
    for (const m of text.matchAll(/@import\s+["']([^"']+)["']/g)) need(m[1], ['.wxss'])
  } else if (file.endsWith('.json')) {
    const json = JSON.parse(text) as { usingComponents?: Record<string, string>; componentGenerics?: Record<string, { default?: string }> }
    const comps = [...Object.values(json.usingComponents ?? {}), ...Object.values(json.componentGenerics ?? {}).flatMap((g) => (g.default ? [g.default] : []))]
    for (const ref of comps) {
      if (/^plugin(-private)?:/.test(ref)) continue
      for (const ext of ['.js', '.json', '.wxml', '.wxss']) {
        const hit = resolveRef(root, file, ref, [ext])
        if (hit) out.push(hit)
        else if (ext === '.json' || ext === '.js') throw new Error(`${toPosix(relative(root, file))}: component ${ref} has no ${ext}`)
      }
    }
  }
  return out
}

/** Every file reachable from `entries` (page or component bases, without extension). */
export function reachable(root: string, entries: readonly string[]): Set<string> {
  const seen = new Set<string>()
  const queue: string[] = []
  for (const base of entries) {
    for (const ext of ['.js', '.json', '.wxml', '.wxss']) {
      const f = join(root, base + ext)
      if (existsSync(f)) queue.push(f)
    }
  }
  while (queue.length) {
    const f = queue.pop()!
    if (seen.has(f)) continue
    seen.add(f)
    queue.push(...usesOf(root, f))
  }
  return seen
}

/** The packages of the built mini-program at `root`: main first, then each subpackage in app.json's order. */
export function measurePackages(root: string): PackageReport[] {
  const app = JSON.parse(readFileSync(join(root, 'app.json'), 'utf8')) as AppJson
  const subs = app.subpackages ?? app.subPackages ?? []
  const inSub = (rel: string): boolean => subs.some((s) => rel.startsWith(s.root.replace(/\/?$/, '/')))
  const size = (files: string[]): number => files.reduce((n, f) => n + statSync(f).size, 0)
  const main = allFiles(root).filter((f) => SHIPPED.test(f) && !inSub(toPosix(relative(root, f))))
  const reports: PackageReport[] = [{ name: 'main', root: '', files: main, bytes: size(main) }]
  for (const sub of subs) {
    const prefix = sub.root.replace(/\/?$/, '/')
    const used = [...reachable(root, sub.pages.map((p) => prefix + p))]
    // what a subpackage reaches outside its root must be the main package's (WeChat forbids one subpackage using another's files)
    const foreign = used.map((f) => toPosix(relative(root, f))).find((rel) => !rel.startsWith(prefix) && inSub(rel))
    if (foreign) throw new Error(`${sub.root}: uses ${foreign}, a file of another subpackage`)
    const own = used.filter((f) => toPosix(relative(root, f)).startsWith(prefix) && SHIPPED.test(f))
    reports.push({ name: sub.name ?? sub.root, root: sub.root, files: own, bytes: size(own) })
  }
  // the main package's pages must not reach into a subpackage (it is downloaded only when one of its pages opens)
  const mainUsed = reachable(root, ['app', ...app.pages])
  const leak = [...mainUsed].map((f) => toPosix(relative(root, f))).find(inSub)
  if (leak) throw new Error(`the main package uses ${leak}, a subpackage file`)
  return reports
}

/** Files of a package by kind, for the template and style compilers (paths relative to root, extension kept). */
export function filesOfKind(root: string, files: readonly string[], ext: '.wxml' | '.wxss'): string[] {
  return files.filter((f) => f.endsWith(ext)).map((f) => toPosix(relative(root, f)))
}
