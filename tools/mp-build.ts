/**
 * Builds miniprogram/ as WeChat DevTools would for running it outside WeChat: each .ts compiled on its own to
 * CommonJS (types stripped, no bundling), every .wxml/.wxss/.json/.js copied beside it; then the npm build
 * (tools/mp-npm.ts) and what DevTools' compiler does to it: ES modules to CommonJS, and package paths (in require()
 * and in usingComponents) resolved through miniprogram_npm as WeChat resolves them, since miniprogram-simulate only
 * follows relative and absolute paths. The page tests and the emulator's viewer preview both load this output.
 * Runs in plain Node (esbuild fails its own TextEncoder check inside jsdom's realm).
 */
import { cpSync, existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { readFile } from 'node:fs/promises'
import { transform } from 'esbuild'
import { allFiles } from './mp-package'
import { NPM_PACKAGE_DIRS, buildMiniprogramNpm, relativeSpec, resolveMiniprogramNpm } from './mp-npm'

/** The mini-program's sources. */
export const MINIPROGRAM_SOURCE = join(__dirname, '..', 'miniprogram')
const SOURCE = MINIPROGRAM_SOURCE
const COPIED = new Set(['.wxml', '.wxss', '.json', '.wxs', '.js', '.png', '.jpg', '.svg'])

function walk(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'miniprogram_npm') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...walk(path))
    else out.push(path)
  }
  return out
}

/** Compiles the mini-program into `outDir`. */
export async function buildMiniprogram(outDir: string): Promise<void> {
  for (const file of walk(SOURCE)) {
    const rel = relative(SOURCE, file)
    const dot = rel.lastIndexOf('.')
    const ext = dot >= 0 ? rel.slice(dot) : ''
    if (rel === 'tsconfig.json' || rel.endsWith('package.json')) continue
    if (ext === '.ts' && !rel.endsWith('.d.ts')) {
      const result = await transform(await readFile(file, 'utf8'), {
        loader: 'ts',
        format: 'cjs',
        platform: 'neutral',
        target: 'es2018',
        sourcefile: rel,
      })
      const target = join(outDir, rel.slice(0, -3) + '.js')
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, result.code)
    } else if (COPIED.has(ext)) {
      const target = join(outDir, rel)
      mkdirSync(dirname(target), { recursive: true })
      cpSync(file, target)
    }
  }
  await compileNpm(outDir)
}

/** A package path in usingComponents or require(): neither relative, absolute, nor a plugin's. */
const isPackagePath = (spec: string): boolean => !/^(\.|\/|plugin:|plugin-private:)/.test(spec)

/** DevTools' part of the npm build: ES modules become CommonJS and package paths point into miniprogram_npm. */
async function compileNpm(outDir: string): Promise<void> {
  for (const dir of NPM_PACKAGE_DIRS) buildMiniprogramNpm(join(SOURCE, dir), join(outDir, dir))
  const files = allFiles(outDir)
  await Promise.all(
    files
      .filter((f) => f.endsWith('.js') && f.includes(`miniprogram_npm`))
      .map(async (file) => {
        const { code } = await transform(await readFile(file, 'utf8'), { loader: 'js', format: 'cjs', target: 'es2018', sourcefile: file })
        const fixed = code.replace(/require\("([^"]+)"\)/g, (whole, spec: string) => {
          if (!isPackagePath(spec)) return whole
          // a bare name of a file beside the module is that file, as WeChat's require reads `require('common.js')`
          // (https://developers.weixin.qq.com/miniprogram/dev/reference/api/require.html); uCharts imports 'u-charts.js' so
          if (existsSync(join(dirname(file), spec)) && statSync(join(dirname(file), spec)).isFile()) return `require(${JSON.stringify(`./${spec}`)})`
          const hit = resolveMiniprogramNpm(outDir, dirname(file), spec, ['.js'])
          if (!hit) throw new Error(`${relative(outDir, file)}: cannot resolve ${spec} in miniprogram_npm`)
          return `require(${JSON.stringify(relativeSpec(dirname(file), hit))})`
        })
        writeFileSync(file, fixed)
      }),
  )
  for (const file of files.filter((f) => f.endsWith('.json') && !f.endsWith('package.json'))) {
    const json = JSON.parse(await readFile(file, 'utf8')) as { usingComponents?: Record<string, string> }
    if (!json.usingComponents) continue
    let changed = false
    for (const [tag, spec] of Object.entries(json.usingComponents)) {
      if (!isPackagePath(spec)) continue
      // as in require(): a bare name of a component beside this one is that component (uCharts' "qiun-error": "error")
      if (existsSync(join(dirname(file), spec + '.json'))) {
        json.usingComponents[tag] = `./${spec}`
        changed = true
        continue
      }
      const hit = resolveMiniprogramNpm(outDir, dirname(file), spec, ['.json'])
      if (!hit) throw new Error(`${relative(outDir, file)}: component ${tag} (${spec}) is not in any miniprogram_npm`)
      json.usingComponents[tag] = '/' + relative(outDir, hit).split('\\').join('/')
      changed = true
    }
    if (changed) writeFileSync(file, JSON.stringify(json))
  }
}

