/**
 * Builds every cloud function `<root>/<name>/index.ts` into `<root>/<name>/index.js`: one CommonJS file for the
 * CloudBase Nodejs18.15 runtime, with shared `src/` code bundled in and wx-server-sdk left as a `require` so
 * "云端安装依赖" installs it from the folder's package.json. One esbuild run for all functions keeps it fast.
 * `npm run build` (scripts/build-functions.ts) and the emulator's CLI both build through here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import * as esbuild from 'esbuild'
import ts from 'typescript'
import { isFunctionFolder, parseFunctionConfig, readStrictJson, shownPath } from './function-config'
import { APP_JSON, miniProgramPages, PAGES_DEFINE } from './miniprogram-pages'
import { LIVE_SETUP_PATH, readLiveSetup } from './live-setup'
import { LIVE_SETUP_DEFINE, type LiveSetup } from '../src/setup/live-setup'

export interface BuildOptions {
  /** Folder of function folders (default `cloudfunctions`). */
  root?: string
  /** Only these functions (default: every folder with an index.ts). */
  names?: string[]
  /** Where `<name>/index.js` goes (default: beside the source, in `root`). */
  outRoot?: string
  /** Smallest variant (names mangled and not restored), for the cold-start bench's comparison only. */
  minify?: boolean
  /** The Live setup to bake in (default: the project's live.config.json); tests build other setups with it. */
  liveSetup?: LiveSetup
}

export interface BuildResult {
  name: string
  outFile: string
  bytes: number
}

export class BuildError extends Error {
  constructor(readonly problems: string[]) {
    super(`cloud function build failed:\n  - ${problems.join('\n  - ')}`)
    this.name = 'BuildError'
  }
}

/** Packages the runtime installs from package.json; never bundled (wx-server-sdk and what its bundle requires). */
export const EXTERNAL_PACKAGES = ['wx-server-sdk', '@cloudbase/node-sdk', 'protobufjs', 'protobufjs/*', 'json-bigint', 'tslib']

/** Size target for one built function: cold start grows with the code loaded before main runs. */
export const MAX_BUNDLE_BYTES = 200 * 1024

const PROJECT_ROOT = resolve(__dirname, '..')

/** The action table's fields that only document an action (docs/ADMIN-API.md is generated from src, not the bundle). */
export const DOC_ONLY_ACTION_FIELDS = ['summary', 'reply'] as const
const ACTION_FILES = /[\\/]src[\\/]admin[\\/]actions[\\/][^\\/]+\.ts$/

/**
 * `source` without the documentation-only properties of each `defineAction({...})` literal: no running code reads
 * them, and in liveAdmin they are some 15 KB of bilingual text. Found with TypeScript's own parser, so any
 * formatting of the literal is handled.
 */
export function withoutActionDocs(source: string, fileName: string): string {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const cuts: Array<[number, number]> = []
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'defineAction') {
      const arg = node.arguments[0]
      if (arg && ts.isObjectLiteralExpression(arg)) {
        for (const prop of arg.properties) {
          const name = prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) ? prop.name.text : null
          if (ts.isPropertyAssignment(prop) && name !== null && (DOC_ONLY_ACTION_FIELDS as readonly string[]).includes(name)) {
            const after = source.slice(prop.end).match(/^\s*,/)
            cuts.push([prop.getStart(file), prop.end + (after ? after[0].length : 0)])
          }
        }
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  let out = source
  for (const [from, to] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, from) + out.slice(to)
  return out
}

const dropActionDocs: esbuild.Plugin = {
  name: 'drop-action-docs',
  setup(build) {
    build.onLoad({ filter: ACTION_FILES }, (args) => ({ contents: withoutActionDocs(readFileSync(args.path, 'utf8'), args.path), loader: 'ts' }))
  },
}

function rootSdkVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const version = pkg.dependencies?.['wx-server-sdk']
  if (!version) throw new BuildError(['package.json (project root) must list wx-server-sdk in dependencies'])
  return version
}

/** Problems with one function folder's package.json and config.json, as sentences naming file and field. */
function checkFolder(dir: string, sdkVersion: string): string[] {
  const problems: string[] = []
  const pkgFile = join(dir, 'package.json')
  const shown = shownPath(dir)
  if (!existsSync(pkgFile)) {
    problems.push(`${shown}/package.json is missing: it must list "wx-server-sdk": "${sdkVersion}" in dependencies`)
  } else {
    try {
      const pkg = readStrictJson(pkgFile) as { dependencies?: Record<string, unknown> }
      const listed = pkg.dependencies?.['wx-server-sdk']
      if (listed !== sdkVersion) {
        problems.push(
          `${shown}/package.json: dependencies.wx-server-sdk must be "${sdkVersion}" (the root package.json version), found ${listed === undefined ? 'nothing' : JSON.stringify(listed)}`,
        )
      }
    } catch (err) {
      problems.push((err as Error).message)
    }
  }
  try {
    parseFunctionConfig(join(dir, 'config.json'))
  } catch (err) {
    problems.push((err as Error).message)
  }
  return problems
}

/** Newest modification time (ms) of the .ts files under a folder (or of one file), node_modules aside; 0 when there are none. */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0
  if (statSync(dir).isFile()) return statSync(dir).mtimeMs
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue
    const file = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file))
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs)
  }
  return newest
}

/**
 * The functions under `root` whose built index.js is missing or older than their own .ts files or the shared code
 * (`sharedDirs`, default the project's `src/`, miniprogram/app.json and live.config.json, which are built in): what must be
 * rebuilt before the runner serves them.
 */
export function staleFunctions(root: string, sharedDirs: string[] = [join(PROJECT_ROOT, 'src'), APP_JSON, LIVE_SETUP_PATH]): string[] {
  if (!existsSync(root)) return []
  const shared = Math.max(0, ...sharedDirs.map(newestSource))
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'index.ts')))
    .filter((name) => {
      const built = join(root, name, 'index.js')
      if (!existsSync(built)) return true
      return statSync(built).mtimeMs < Math.max(shared, newestSource(join(root, name)))
    })
    .sort()
}

export async function buildFunctions(options: BuildOptions = {}): Promise<BuildResult[]> {
  const root = resolve(options.root ?? 'cloudfunctions')
  const outRoot = resolve(options.outRoot ?? root)
  if (!existsSync(root)) throw new BuildError([`functions root ${root} does not exist`])
  const available = readdirSync(root)
    .filter((name) => isFunctionFolder(join(root, name)) && existsSync(join(root, name, 'index.ts')))
    .sort()
  const names = options.names ?? available
  const unknown = names.filter((n) => !available.includes(n))
  if (unknown.length > 0) throw new BuildError(unknown.map((n) => `no ${n}/index.ts under ${root}`))
  if (names.length === 0) return []

  const sdkVersion = rootSdkVersion()
  const problems = names.flatMap((name) => checkFolder(join(root, name), sdkVersion))
  if (problems.length > 0) throw new BuildError(problems)

  let pages: string[]
  let liveSetup: LiveSetup
  try {
    pages = miniProgramPages()
    liveSetup = options.liveSetup ?? readLiveSetup()
  } catch (err) {
    throw new BuildError([(err as Error).message])
  }

  let result: esbuild.BuildResult<{ metafile: true }>
  try {
    result = await esbuild.build({
      entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, join(root, name, 'index.ts')])),
      plugins: [dropActionDocs],
      outdir: outRoot,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node18', // CloudBase runtime Nodejs18.15
      external: EXTERNAL_PACKAGES,
      sourcemap: false,
      // Minified, but every function's name is restored (keepNames sets each `name`, which V8 prints in stack
      // traces), so a stack trace in the function log still names the function that failed.
      minify: true,
      keepNames: options.minify !== true,
      charset: 'utf8',
      metafile: true,
      // The mini-program's pages, for code that checks a page path (src/admin/goods-pages.ts), and the Live setup.
      define: { [PAGES_DEFINE]: JSON.stringify(pages), [LIVE_SETUP_DEFINE]: JSON.stringify(liveSetup) },
      logLevel: 'silent',
      banner: { js: '// Generated by npm run build from index.ts. Do not edit: change index.ts and run npm run build.' },
    })
  } catch (err) {
    const failure = err as esbuild.BuildFailure
    if (!Array.isArray(failure.errors)) throw err
    const text = await esbuild.formatMessages(failure.errors, { kind: 'error', color: false })
    throw new BuildError(text.map((t) => t.trim()))
  }

  return names.map((name) => {
    const outFile = join(outRoot, name, 'index.js')
    const key = relative(process.cwd(), outFile).split('\\').join('/')
    const bytes = result.metafile.outputs[key]?.bytes ?? readFileSync(outFile).length
    return { name, outFile, bytes }
  })
}
