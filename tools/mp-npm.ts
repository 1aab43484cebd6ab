/**
 * The mini-program npm build, as DevTools' 构建 npm does it for packages published for mini-programs: each
 * dependency of a package.json is copied from its `miniprogram` folder into `miniprogram_npm/<name>` beside that
 * package.json, where WeChat looks packages up (https://developers.weixin.qq.com/miniprogram/dev/devtools/npm.html).
 * Packages without a `miniprogram` folder would need DevTools to bundle their entry; none is used, so they are refused.
 * The merchant subpackage has its own package.json so its components ship in the subpackage, never in the main one.
 * Run: npm run mp:npm
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join, posix, relative, resolve, sep } from 'node:path'
import { MERCHANT_ROOT } from './miniprogram-pages'
import { allFiles } from './mp-package'

const ROOT = resolve(__dirname, '..')
export const MINIPROGRAM_ROOT = join(ROOT, 'miniprogram')
/** Every package.json whose dependencies are built, relative to miniprogram/ (also project.config.json's packNpmRelationList). */
export const NPM_PACKAGE_DIRS = [MERCHANT_ROOT] as const

interface PackageJson {
  name?: string
  version?: string
  miniprogram?: string
  dependencies?: Record<string, string>
}

function readPackage(file: string): PackageJson {
  const value = JSON.parse(readFileSync(file, 'utf8')) as unknown
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${file}: must be a JSON object`)
  return value as PackageJson
}

export interface BuiltPackage {
  name: string
  version: string
  files: number
}

/**
 * Builds the dependencies of `<sourceDir>/package.json` into `<outDir>/miniprogram_npm`, taking each from the
 * project's node_modules, whose version must be the one declared (exact versions only: what is tested ships).
 */
export function buildMiniprogramNpm(sourceDir: string, outDir: string, nodeModules = join(ROOT, 'node_modules')): BuiltPackage[] {
  const manifest = join(sourceDir, 'package.json')
  const deps = readPackage(manifest).dependencies ?? {}
  const built: BuiltPackage[] = []
  for (const [name, wanted] of Object.entries(deps)) {
    const pkgDir = join(nodeModules, ...name.split('/'))
    if (!existsSync(join(pkgDir, 'package.json'))) throw new Error(`${manifest}: ${name} is not installed; run npm install at the project root`)
    const pkg = readPackage(join(pkgDir, 'package.json'))
    if (pkg.version !== wanted) {
      throw new Error(`${manifest}: ${name} must be exactly the installed version ${pkg.version} (the root package.json pins it), found ${wanted}`)
    }
    const dist = join(pkgDir, pkg.miniprogram ?? 'miniprogram_dist')
    if (!existsSync(dist) || !statSync(dist).isDirectory()) {
      throw new Error(`${name}: has no miniprogram folder; DevTools would bundle its entry instead, which this build does not do`)
    }
    const target = join(outDir, 'miniprogram_npm', ...name.split('/'))
    rmSync(target, { recursive: true, force: true })
    mkdirSync(dirname(target), { recursive: true })
    cpSync(dist, target, { recursive: true })
    built.push({ name, version: wanted, files: allFiles(target).length })
  }
  return built
}

/**
 * Where WeChat finds `spec` (a package path such as `tdesign-miniprogram/button/button` or `tslib`) asked for
 * from `fromDir`: the nearest `miniprogram_npm` in that folder or a parent one, up to the mini-program root.
 * The resolved path without extension, or null. `exts` are the files that make a hit (`.js` for a module,
 * `.json` for a component); a folder hit falls back to its index.
 */
export function resolveMiniprogramNpm(root: string, fromDir: string, spec: string, exts: readonly string[]): string | null {
  const top = resolve(root)
  let dir = resolve(fromDir)
  for (;;) {
    const base = join(dir, 'miniprogram_npm', ...spec.split('/'))
    for (const candidate of [base, join(base, 'index')]) {
      if (exts.some((ext) => existsSync(candidate + ext))) return candidate
    }
    const up = dirname(dir)
    if (dir === top || up === dir || !up.startsWith(top)) return null
    dir = up
  }
}

/** `target` as a path relative to `fromDir` in the form require() and usingComponents take (`./x`, `../x`). */
export function relativeSpec(fromDir: string, target: string): string {
  const rel = relative(fromDir, target).split(sep).join(posix.sep)
  return rel.startsWith('.') ? rel : `./${rel}`
}

if (require.main === module) {
  try {
    for (const dir of NPM_PACKAGE_DIRS) {
      const source = join(MINIPROGRAM_ROOT, dir)
      for (const b of buildMiniprogramNpm(source, source)) {
        console.log(`[mp:npm] ${relative(ROOT, join(source, 'miniprogram_npm', b.name))}: ${b.name}@${b.version}, ${b.files} files`)
      }
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  }
}
