/**
 * Before any test file runs: builds the emulator UI once (tests reach it through inject('uiOut')) and unpacks the
 * browser once, so browser test files running side by side never unpack it over each other.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { buildUi } from '../../tools/build-ui'
import { browserExecutable } from './browser'

declare module 'vitest' {
  export interface ProvidedContext {
    uiOut: string
    browserPath: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const out = mkdtempSync(join(tmpdir(), 'emulator-ui-'))
  await buildUi(out)
  project.provide('uiOut', out)
  project.provide('browserPath', await browserExecutable())
  return () => rmSync(out, { recursive: true, force: true })
}
