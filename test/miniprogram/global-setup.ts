/**
 * Builds the mini-program once for the page tests (tools/mp-build.ts), and the functions the merchant page tests
 * run. The output dirs reach tests through inject('mpOut') and the other provided names.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { buildFunctions } from '../../tools/build-functions'
import { buildMiniprogram } from '../../tools/mp-build'
import { compileWorker } from '../../emulator/functions/runner'

declare module 'vitest' {
  export interface ProvidedContext {
    mpOut: string
    /** liveAdmin and track built for the page tests that run them (their jsdom realm cannot run esbuild). */
    mpAdminBuilt: string
    /** liveAdmin built with Mini Program Live off (the merchant pages' "off" state). */
    mpAdminBuiltLiveOff: string
  }
}

const FUNCTIONS = join(__dirname, '..', '..', 'cloudfunctions')

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
