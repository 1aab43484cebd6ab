/**
 * The project's import graph, read with the TypeScript API (static, type-only and dynamic imports and require
 * calls alike): no file takes part in an import cycle, no two top-level folders depend on each other, and each
 * folder imports only the folders its layer allows.
 */
import { readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '..')

/**
 * What each top-level folder may import (besides itself and packages): the one home of the layering. src/ is pure
 * and shipped inside functions; tools/ reads the project's own files (function and database config, the Live setup
 * checked by src's own schema, the build); the emulator's wx shim may use the device's own pure utilities (it stands in
 * for WeChat under the device code);
 * emulator/ and scripts/ use both and never each other; only tests and benchmarks reach into the emulator.
 */
const ALLOWED: Record<string, readonly string[]> = {
  src: [],
  tools: ['src'],
  cloudfunctions: ['src'],
  emulator: ['src', 'tools', 'miniprogram'],
  scripts: ['src', 'tools'],
  bench: ['src', 'tools', 'emulator'],
  miniprogram: [],
  test: ['src', 'tools', 'emulator', 'scripts', 'bench', 'cloudfunctions', 'miniprogram'],
}

/**
 * Folders a folder may import types from, though not code: WeChat uploads only miniprogram/, and a type-only
 * import leaves nothing behind once DevTools compiles the TypeScript.
 */
const TYPES_ALLOWED: Record<string, readonly string[]> = {
  miniprogram: ['src'],
}

type Graph = Map<string, Set<string>>

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return []
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(c|m)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

interface Imports {
  /** Every project file the file imports, whether at run time or for types only. */
  all: Set<string>
  /** The subset that stays in the compiled JavaScript. */
  runtime: Set<string>
}

type ImportGraph = Map<string, Imports>

/** Module names a file refers to, each marked type-only when the compiled JavaScript drops it. */
function moduleReferences(file: string, text: string): Array<{ name: string; typeOnly: boolean }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const refs: Array<{ name: string; typeOnly: boolean }> = []
  const literal = (node: ts.Node | undefined): string | undefined => (node && ts.isStringLiteralLike(node) ? node.text : undefined)
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)))
      refs.push({ name: literal(node.moduleSpecifier)!, typeOnly })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      refs.push({ name: literal(node.moduleSpecifier)!, typeOnly: node.isTypeOnly })
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const name = literal(node.moduleReference.expression)
      if (name) refs.push({ name, typeOnly: node.isTypeOnly })
    } else if (ts.isImportTypeNode(node)) {
      const name = ts.isLiteralTypeNode(node.argument) ? literal(node.argument.literal) : undefined
      if (name) refs.push({ name, typeOnly: true })
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const name = literal(node.arguments[0])
      if (name) refs.push({ name, typeOnly: false })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return refs
}

/** Imports between the given folders' files (repository-relative paths); imports of packages are left out. */
function importGraph(root: string, folders: readonly string[]): ImportGraph {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, resolveJsonModule: true, allowJs: true }
  const graph: ImportGraph = new Map()
  for (const file of folders.flatMap((f) => sourceFiles(join(root, f)))) {
    const imports: Imports = { all: new Set(), runtime: new Set() }
    for (const ref of moduleReferences(file, ts.sys.readFile(file) ?? '')) {
      const resolved = ts.resolveModuleName(ref.name, file, options, ts.sys).resolvedModule
      if (!resolved || resolved.isExternalLibraryImport) continue
      const to = relative(root, resolved.resolvedFileName)
      if (to.startsWith('..') || to.includes('node_modules')) continue
      imports.all.add(to)
      if (!ref.typeOnly) imports.runtime.add(to)
    }
    graph.set(relative(root, file), imports)
  }
  return graph
}

const edges = (graph: ImportGraph, kind: keyof Imports): Graph => new Map([...graph].map(([file, imports]) => [file, imports[kind]]))

/** Strongly connected components with more than one member, or a member importing itself (Tarjan). */
function cycles(graph: Graph): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string): void => {
    index.set(node, counter)
    low.set(node, counter++)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort())
  }
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node)
  return found
}

const topFolder = (file: string): string => file.split(/[\\/]/)[0]

/** Folder-level graph, each edge labelled with one file-level import that makes it. */
function folderGraph(graph: Graph): { graph: Graph; witness: Map<string, string> } {
  const folders: Graph = new Map()
  const witness = new Map<string, string>()
  for (const [from, targets] of graph) {
    const a = topFolder(from)
    if (!folders.has(a)) folders.set(a, new Set())
    for (const to of targets) {
      const b = topFolder(to)
      if (a === b) continue
      folders.get(a)!.add(b)
      if (!witness.has(`${a}>${b}`)) witness.set(`${a}>${b}`, `${from} → ${to}`)
    }
  }
  return { graph: folders, witness }
}

/** Sentences naming each import that crosses into a folder its layer does not allow. */
function layerViolations(graph: Graph, allowed: Record<string, readonly string[]>, what = 'import'): string[] {
  const problems: string[] = []
  for (const [from, targets] of graph) {
    const a = topFolder(from)
    for (const to of targets) {
      const b = topFolder(to)
      if (a === b) continue
      if (!(a in allowed)) problems.push(`${from}: folder ${a} has no entry in the layer table`)
      else if (!allowed[a].includes(b)) problems.push(`${from} imports ${to}: ${a}/ may ${what} only ${allowed[a].join(', ') || 'itself'}`)
    }
  }
  return problems
}

describe('import graph', () => {
  const graph = importGraph(ROOT, Object.keys(ALLOWED))

  it('reads every source folder and resolves relative, type-only and dynamic imports', () => {
    expect([...new Set([...graph.keys()].map(topFolder))].sort()).toEqual(Object.keys(ALLOWED).sort())
    const entry = graph.get(join('cloudfunctions', 'liveSync', 'index.ts'))!
    expect([...entry.runtime]).toContain(join('src', 'sync', 'sync.ts'))
    const views = graph.get(join('miniprogram', 'services', 'views.ts'))!
    expect([...views.all]).toContain(join('src', 'cache', 'schema.ts'))
    expect([...views.runtime]).not.toContain(join('src', 'cache', 'schema.ts'))
  })

  it('has no import cycle between files, counting type-only imports', () => {
    expect(cycles(edges(graph, 'all')).map((c) => c.join(' ↔ '))).toEqual([])
  })

  it('has no two top-level folders importing each other', () => {
    const { graph: folders, witness } = folderGraph(edges(graph, 'all'))
    const twoWay = cycles(folders).map((component) =>
      component.flatMap((a) => component.filter((b) => folders.get(a)?.has(b)).map((b) => witness.get(`${a}>${b}`))).join('; '),
    )
    expect(twoWay).toEqual([])
  })

  it('keeps every folder to the folders its layer may import', () => {
    const typeOnly: Graph = new Map([...graph].map(([file, i]) => [file, new Set([...i.all].filter((to) => !i.runtime.has(to)))]))
    const typesAllowed = Object.fromEntries(Object.entries(ALLOWED).map(([folder, may]) => [folder, [...may, ...(TYPES_ALLOWED[folder] ?? [])]]))
    expect([...layerViolations(edges(graph, 'runtime'), ALLOWED), ...layerViolations(typeOnly, typesAllowed, 'import types from')]).toEqual([])
  })
})

describe('import graph checks catch what they are for', () => {
  const g = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]))

  it('finds a three-file cycle and a file importing itself', () => {
    const found = cycles(g({ 'a/x.ts': ['a/y.ts'], 'a/y.ts': ['b/z.ts'], 'b/z.ts': ['a/x.ts'], 'c/self.ts': ['c/self.ts'], 'c/ok.ts': ['a/x.ts'] }))
    expect(found).toEqual([['a/x.ts', 'a/y.ts', 'b/z.ts'], ['c/self.ts']])
  })

  it('finds a scripts → emulator → scripts folder dependency even when the files form no cycle', () => {
    const files = g({ 'scripts/build.ts': ['emulator/specs.ts'], 'emulator/cli.ts': ['scripts/build.ts'], 'emulator/specs.ts': [] })
    expect(cycles(files)).toEqual([])
    const { graph: folders, witness } = folderGraph(files)
    expect(cycles(folders)).toEqual([['emulator', 'scripts']])
    expect(witness.get('scripts>emulator')).toBe('scripts/build.ts → emulator/specs.ts')
  })

  it('names an import its layer does not allow', () => {
    const files = g({ 'cloudfunctions/f/index.ts': ['emulator/clock.ts'], 'emulator/clock.ts': [] })
    expect(layerViolations(files, ALLOWED)).toEqual(['cloudfunctions/f/index.ts imports emulator/clock.ts: cloudfunctions/ may import only src'])
  })
})

describe('reading imports', () => {
  it('tells imports that survive compilation from type-only ones', () => {
    const text = [
      "import { a } from './a'",
      "import type { B } from './b'",
      "import { type C } from './c'",
      "import d, { type D } from './d'",
      "export { e } from './e'",
      "export type { F } from './f'",
      "const g = require('./g')",
      "const h = () => import('./h')",
      "let i: import('./i').I",
      "import './j'",
    ].join('\n')
    expect(moduleReferences('x.ts', text)).toEqual([
      { name: './a', typeOnly: false },
      { name: './b', typeOnly: true },
      { name: './c', typeOnly: true },
      { name: './d', typeOnly: false },
      { name: './e', typeOnly: false },
      { name: './f', typeOnly: true },
      { name: './g', typeOnly: false },
      { name: './h', typeOnly: false },
      { name: './i', typeOnly: true },
      { name: './j', typeOnly: false },
    ])
  })
})
