/**
 * Builds miniprogram/ once for the page tests: each .ts compiled on its own to CommonJS (as DevTools does,
 * types stripped, no bundling), every .wxml/.wxss/.json copied beside it. Runs in plain Node because esbuild
 * fails its own TextEncoder check inside jsdom's realm. The output dir reaches tests through inject('mpOut').
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { transform } from 'esbuild'
import { readFile } from 'node:fs/promises'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    mpOut: string
  }
}

const SOURCE = join(__dirname, '..', '..', 'miniprogram')
const COPIED = new Set(['.wxml', '.wxss', '.json', '.wxs', '.png', '.jpg', '.svg'])

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
    if (rel === 'tsconfig.json') continue
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
}

export default async function setup(project: TestProject): Promise<() => void> {
  const out = mkdtempSync(join(tmpdir(), 'mp-build-'))
  await buildMiniprogram(out)
  project.provide('mpOut', out)
  return () => rmSync(out, { recursive: true, force: true })
}
