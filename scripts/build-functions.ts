/**
 * `npm run build [-- --root dir] [--out dir] [name ...]`: builds the cloud functions (tools/build-functions.ts)
 * and prints each bundle's size beside the size target.
 */
import { relative } from 'node:path'
import { BuildError, buildFunctions, MAX_BUNDLE_BYTES, type BuildOptions } from '../tools/build-functions'

function parseArgs(argv: string[]): BuildOptions {
  const options: BuildOptions = {}
  const names: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--root' || arg === '--out') {
      const value = argv[++i]
      if (!value) throw new BuildError([`${arg} needs a folder`])
      if (arg === '--root') options.root = value
      else options.outRoot = value
    } else if (arg.startsWith('--')) {
      throw new BuildError([`unknown option ${arg} (use --root dir, --out dir, names)`])
    } else {
      names.push(arg)
    }
  }
  if (names.length > 0) options.names = names
  return options
}

async function cli(): Promise<void> {
  try {
    const results = await buildFunctions(parseArgs(process.argv.slice(2)))
    if (results.length === 0) console.log('no cloud functions to build')
    for (const r of results) {
      const over = r.bytes > MAX_BUNDLE_BYTES ? `  over the ${MAX_BUNDLE_BYTES / 1024} KB target` : ''
      console.log(`${r.name.padEnd(24)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KB  ${relative(process.cwd(), r.outFile)}${over}`)
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  }
}

void cli()
