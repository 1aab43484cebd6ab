/**
 * Builds miniprogram/ once for the page tests: each .ts compiled on its own to CommonJS (as DevTools does,
 * types stripped, no bundling), every .wxml/.wxss/.json/.js copied beside it; then the npm build (tools/mp-npm.ts)
 * and what DevTools' compiler does to it: ES modules to CommonJS, and package paths (in require() and in
 * usingComponents) resolved through miniprogram_npm as WeChat resolves them, since miniprogram-simulate only
 * follows relative and absolute paths. Runs in plain Node because esbuild fails its own TextEncoder check inside
 * jsdom's realm. The output dir reaches tests through inject('mpOut').
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { transform } from 'esbuild'
import { readFile } from 'node:fs/promises'
import type { TestProject } from 'vitest/node'
import { buildFunctions } from '../../tools/build-functions'
import { allFiles } from '../../tools/mp-package'
import { compileWorker } from '../../emulator/functions/runner'
import { NPM_PACKAGE_DIRS, buildMiniprogramNpm, relativeSpec, resolveMiniprogramNpm } from '../../tools/mp-npm'

declare module 'vitest' {
  export interface ProvidedContext {
    mpOut: string
    /** liveAdmin and track built for the page tests that run them (their jsdom realm cannot run esbuild). */
    mpAdminBuilt: string
    /** liveAdmin built with Mini Program Live off (the merchant pages' "off" state). */
    mpAdminBuiltLiveOff: string
  }
}

const SOURCE = join(__dirname, '..', '..', 'miniprogram')
const FUNCTIONS = join(__dirname, '..', '..', 'cloudfunctions')
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

/** Compiles the mini-program into `outDir`; exported so the package-size test can reuse it. */
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

export default async function setup(project: TestProject): Promise<() => void> {
  const out = mkdtempSync(join(tmpdir(), 'mp-build-'))
  // inside the project, so the built function finds wx-server-sdk in node_modules as a deployed one finds its own
  const cache = join(__dirname, '..', '..', 'node_modules', '.cache', 'emulator')
  mkdirSync(cache, { recursive: true })
  const admin = mkdtempSync(join(cache, 'mp-admin-'))
  const adminLiveOff = mkdtempSync(join(cache, 'mp-admin-off-'))
  // the function worker is compiled here too: the merchant page tests' jsdom realm cannot load esbuild
  await Promise.all([
    buildMiniprogram(out),
    buildFunctions({ root: FUNCTIONS, names: ['liveAdmin', 'track', 'liveStats'], outRoot: admin }),
    buildFunctions({ root: FUNCTIONS, names: ['liveAdmin'], outRoot: adminLiveOff, liveSetup: { miniProgramLive: false, channels: null } }),
    compileWorker(),
  ])
  project.provide('mpOut', out)
  project.provide('mpAdminBuilt', admin)
  project.provide('mpAdminBuiltLiveOff', adminLiveOff)
  return () => {
    rmSync(out, { recursive: true, force: true })
    rmSync(admin, { recursive: true, force: true })
    rmSync(adminLiveOff, { recursive: true, force: true })
  }
}
