/**
 * cloudbaserc.json (CLI deploys) and each function's config.json (DevTools deploys) must describe the same
 * functions and triggers, and every permission must name a real cloud call.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { TRACK_TIMEOUT_S } from '../src/stats/events'
import { FUNCTION_CLOUD_CALLS, KNOWN_CLOUD_CALLS } from '../src/setup/function-calls'

const root = path.resolve(__dirname, '..')
const functionsDir = path.join(root, 'cloudfunctions')
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'))

const rc = readJson(path.join(root, 'cloudbaserc.json')) as {
  functionRoot: string
  functions: { name: string; runtime: string; handler: string; timeout: number; memorySize: number; triggers?: unknown[] }[]
}
const folders = readdirSync(functionsDir).filter((n) => existsSync(path.join(functionsDir, n, 'index.ts')))
const rootPkg = readJson(path.join(root, 'package.json'))

describe('deployment config', () => {
  it('has at least one deployable function and cloudbaserc points at the same folder DevTools uses', () => {
    expect(folders.length).toBeGreaterThan(0)
    expect(path.resolve(root, rc.functionRoot)).toBe(functionsDir)
    expect(readJson(path.join(root, 'project.config.json')).cloudfunctionRoot).toBe('cloudfunctions/')
  })

  it('lists exactly the function folders in cloudbaserc.json', () => {
    expect(rc.functions.map((f) => f.name).sort()).toEqual([...folders].sort())
  })

  it('gives track the timeout the statistics fold waits behind', () => {
    expect(rc.functions.find((f) => f.name === 'track')?.timeout).toBe(TRACK_TIMEOUT_S)
  })

  for (const name of folders) {
    describe(name, () => {
      const config = readJson(path.join(functionsDir, name, 'config.json'))
      const entry = rc.functions.find((f) => f.name === name)!
      const pkg = readJson(path.join(functionsDir, name, 'package.json'))

      it('has the same triggers in config.json and cloudbaserc.json', () => {
        expect(entry.triggers ?? []).toEqual(config.triggers ?? [])
        expect((config.triggers ?? []).length).toBeLessThanOrEqual(1)
      })

      it('runs on Nodejs18.15 with index.main and a timeout/memory CloudBase accepts', () => {
        expect(entry.runtime).toBe('Nodejs18.15')
        expect(entry.handler).toBe('index.main')
        expect(entry.timeout).toBeGreaterThanOrEqual(1)
        expect(entry.timeout).toBeLessThanOrEqual(900)
        expect([128, 256, 512, 1024, 2048]).toContain(entry.memorySize)
      })

      it('asks only for cloud calls that exist', () => {
        const wanted: string[] = config.permissions?.openapi ?? []
        expect(wanted.filter((api) => !KNOWN_CLOUD_CALLS.has(api))).toEqual([])
        expect(new Set(wanted).size).toBe(wanted.length)
      })

      it('asks for exactly the cloud calls its code makes', () => {
        expect(FUNCTION_CLOUD_CALLS[name], `${name} has no entry in src/setup/function-calls.ts`).toBeDefined()
        expect([...(config.permissions?.openapi ?? [])].sort()).toEqual(FUNCTION_CLOUD_CALLS[name])
      })

      it('depends on the same wx-server-sdk as the project', () => {
        expect(pkg.dependencies['wx-server-sdk']).toBe(rootPkg.dependencies['wx-server-sdk'])
      })
    })
  }
})
