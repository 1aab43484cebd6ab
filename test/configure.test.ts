/**
 * npm run configure: the committed files are what it writes for the repository's live.config.json, the plugin and
 * its subscribe button follow the Mini Program Live switch with every other key kept in place, and a broken setup
 * writes nothing.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { LIVE_PLUGIN, type LiveSetup } from '../src/setup/live-setup'
import { CONFIGURED_FILES, PROJECT_ROOT, SUBSCRIBE_COMPONENT, appJsonFor, configure, configuredFiles, configuredPaths, roomCardJsonFor } from '../tools/configure'
import { readLiveSetup } from '../tools/live-setup'

const ON: LiveSetup = { miniProgramLive: true, channels: null }
const OFF: LiveSetup = { miniProgramLive: false, channels: { finderUserName: 'sphShop2024Ab' } }
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
const committedApp = readJson(CONFIGURED_FILES.appJson)
const committedCard = readJson(CONFIGURED_FILES.roomCardJson)

const temps: string[] = []
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

/** A folder holding only what configure reads and writes, copied from the repository. */
function configurableCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'configure-'))
  temps.push(dir)
  for (const file of [...Object.values(CONFIGURED_FILES), join(PROJECT_ROOT, 'live.config.json')]) {
    const target = join(dir, relative(PROJECT_ROOT, file))
    mkdirSync(dirname(target), { recursive: true })
    cpSync(file, target)
  }
  return dir
}

describe('npm run configure', () => {
  it('has committed exactly what it writes for the repository’s live.config.json', () => {
    const fresh = configuredFiles(readLiveSetup())
    for (const key of Object.keys(fresh) as (keyof typeof fresh)[]) {
      expect(readFileSync(CONFIGURED_FILES[key], 'utf8'), `${relative(PROJECT_ROOT, CONFIGURED_FILES[key])} is stale: run npm run configure`).toBe(fresh[key])
    }
  })

  it('drops the plugin with Mini Program Live off and keeps every other key of app.json in its place', () => {
    const off = JSON.parse(appJsonFor(OFF, committedApp)) as Record<string, unknown>
    expect(off.plugins).toBeUndefined()
    expect(Object.keys(off)).toEqual(Object.keys(committedApp).filter((k) => k !== 'plugins'))
    for (const key of Object.keys(off)) expect(off[key], key).toEqual(committedApp[key])
  })

  it('declares exactly live-player-plugin with Live on, after the window settings when app.json had no plugins', () => {
    const off = JSON.parse(appJsonFor(OFF, committedApp)) as Record<string, unknown>
    const on = JSON.parse(appJsonFor(ON, off)) as Record<string, unknown>
    expect(on.plugins).toEqual({ [LIVE_PLUGIN.name]: { version: LIVE_PLUGIN.version, provider: LIVE_PLUGIN.provider } })
    const keys = Object.keys(on)
    expect(keys.indexOf('plugins')).toBe(keys.indexOf('window') + 1)
    expect(appJsonFor(ON, off)).toBe(appJsonFor(ON, committedApp))
  })

  it('keeps a merchant’s other plugins either way, and corrects a stale plugin version', () => {
    const other = { version: '2.0.1', provider: 'wx0123456789abcdef' }
    const app = { ...committedApp, plugins: { myPlugin: other, [LIVE_PLUGIN.name]: { version: '1.0.0', provider: LIVE_PLUGIN.provider } } }
    expect(JSON.parse(appJsonFor(OFF, app)).plugins).toEqual({ myPlugin: other })
    expect(JSON.parse(appJsonFor(ON, app)).plugins).toEqual({ myPlugin: other, [LIVE_PLUGIN.name]: { version: LIVE_PLUGIN.version, provider: LIVE_PLUGIN.provider } })
  })

  it('uses the plugin’s subscribe button in the room card only with Live on, keeping its other components', () => {
    const card = { ...committedCard, usingComponents: { badge: '../badge/index', ...(committedCard.usingComponents as object) } }
    const off = JSON.parse(roomCardJsonFor(OFF, card)) as { component: boolean; usingComponents: Record<string, string> }
    expect(off.usingComponents).toEqual({ badge: '../badge/index' })
    expect(off.component).toBe(true)
    const on = JSON.parse(roomCardJsonFor(ON, off)) as { usingComponents: Record<string, string> }
    expect(on.usingComponents).toEqual({ badge: '../badge/index', subscribe: SUBSCRIBE_COMPONENT })
    expect(SUBSCRIBE_COMPONENT).toBe(`plugin-private://${LIVE_PLUGIN.provider}/components/subscribe/subscribe`)
  })

  it('writes all three files for the setup of the folder it is given', () => {
    const dir = configurableCopy()
    writeFileSync(join(dir, 'live.config.json'), JSON.stringify(OFF))
    expect(configure(dir)).toEqual(OFF)
    const paths = configuredPaths(dir)
    expect(readJson(paths.appJson).plugins).toBeUndefined()
    expect(readJson(paths.roomCardJson).usingComponents).toEqual({})
    expect(readFileSync(paths.deviceSetup, 'utf8')).toContain(JSON.stringify(OFF))
  })

  it('refuses a broken live.config.json naming the file, the field and the rule, exits non-zero and writes nothing', () => {
    const dir = configurableCopy()
    writeFileSync(join(dir, 'live.config.json'), JSON.stringify({ miniProgramLive: false, channels: { finderUserName: 'gh_1234' } }))
    const before = Object.values(configuredPaths(dir)).map((f) => readFileSync(f, 'utf8'))
    const run = spawnSync('npm', ['run', '-s', 'configure', '--', '--dir', dir], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain(join(dir, 'live.config.json'))
    expect(run.stderr).toMatch(/channels\.finderUserName: .*sph/)
    expect(run.stderr).toContain('nothing written')
    expect(Object.values(configuredPaths(dir)).map((f) => readFileSync(f, 'utf8'))).toEqual(before)
  })
})
