/**
 * npm run doctor: on the repository as cloned it lists every placeholder, on a filled-in copy nothing, and each
 * check speaks up on its own broken input (and only it).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_FINDER_USER_NAME, LIVE_PLUGIN } from '../src/setup/live-setup'
import { DEMO_OWNER_OPENID } from '../src/admin/store'
import { FUNCTION_CLOUD_CALLS } from '../src/setup/function-calls'
import { CONFIGURED_FILES, PROJECT_ROOT, configure } from '../tools/configure'
import { doctor, findingLine, type Finding } from '../tools/doctor'

const ENV_ID = 'shop-prod-8g3k2m1x0a'
const OWNER = 'oX1b2C3d4E5f6G7h8I9j0K1l2M3n'
const APPSECRET = '0123456789abcdef0123456789abcdef'
const FINDER = 'sphShop2024Ab'

const temps: string[] = []
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}
const copyInto = (dir: string, rel: string): void => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true })
  cpSync(join(PROJECT_ROOT, rel), join(dir, rel))
}
const where = (findings: Finding[]): string[] => findings.map((f) => `${f.file} ${f.field}`).sort()
const edit = (dir: string, rel: string, change: (text: string) => string): void => writeFileSync(join(dir, rel), change(readFileSync(join(dir, rel), 'utf8')))
const editJson = (dir: string, rel: string, change: (json: Record<string, any>) => void): void =>
  edit(dir, rel, (text) => {
    const json = JSON.parse(text)
    change(json)
    return JSON.stringify(json, null, 2) + '\n'
  })
const writeEnv = (dir: string, env: Record<string, string>): void =>
  writeFileSync(join(dir, '.env.local'), Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''))
const FILLED_ENV = { LIVE_OWNER_OPENIDS: OWNER, WX_APPSECRET: APPSECRET, TCB_ENV_ID: ENV_ID }

/** What a merchant changes after cloning: appid, env ids, owners, secret, Channels id, then configure. */
function fillIn(dir: string): void {
  editJson(dir, 'project.config.json', (j) => (j.appid = 'wx0123456789abcdef'))
  edit(dir, 'miniprogram/config.ts', (t) => t.replace("CLOUD_ENV = 'your-env-id'", `CLOUD_ENV = '${ENV_ID}'`))
  writeEnv(dir, FILLED_ENV)
  writeFileSync(join(dir, 'live.config.json'), JSON.stringify({ miniProgramLive: true, channels: { finderUserName: FINDER } }, null, 2) + '\n')
  configure(dir)
}

/** A filled-in project holding only the files the doctor reads. */
function filledProject(): string {
  const dir = tempDir('doctor-case-')
  const rels = ['project.config.json', 'live.config.json', 'cloudbaserc.json', 'miniprogram/config.ts', ...Object.values(CONFIGURED_FILES).map((f) => f.slice(PROJECT_ROOT.length + 1))]
  for (const name of readdirSync(join(PROJECT_ROOT, 'cloudfunctions'))) rels.push(`cloudfunctions/${name}/config.json`)
  for (const rel of rels) copyInto(dir, rel)
  fillIn(dir)
  return dir
}

/** Typed in the folder above the copy, with the copy's relative name, as a merchant would. */
const runCli = (dir: string) => spawnSync('npm', ['--prefix', PROJECT_ROOT, 'run', '-s', 'doctor', '--', '--dir', basename(dir)], { cwd: dirname(dir), encoding: 'utf8' })

describe('npm run doctor', () => {
  const clone = tempDir('doctor-clone-')
  for (const rel of execFileSync('git', ['ls-files'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)) copyInto(clone, rel)

  it('lists every placeholder of the repository as cloned, one line each, and exits 1', () => {
    const findings = doctor(clone)
    expect(where(findings)).toEqual(
      [
        'project.config.json appid',
        'miniprogram/config.ts CLOUD_ENV',
        '.env.local LIVE_OWNER_OPENIDS',
        'live.config.json channels.finderUserName',
        '.env.local WX_APPSECRET',
        '.env.local TCB_ENV_ID',
      ].sort(),
    )
    expect(findings.find((f) => f.field === 'channels.finderUserName')?.problem.en).toContain(DEMO_FINDER_USER_NAME)
    const run = runCli(clone)
    expect(run.status).toBe(1)
    expect(run.stdout.trim().split('\n')).toEqual(findings.map(findingLine))
  })

  it('reports nothing on a filled-in copy and exits 0 saying so', () => {
    fillIn(clone)
    expect(doctor(clone)).toEqual([])
    const run = runCli(clone)
    expect(run.status).toBe(0)
    expect(run.stdout.trim()).toBe('doctor: nothing to fix')
  })

  const cases: { name: string; brokenBy: (dir: string) => void; expected: string[]; says?: RegExp }[] = [
    { name: 'the tourist appid', brokenBy: (d) => editJson(d, 'project.config.json', (j) => (j.appid = 'touristappid')), expected: ['project.config.json appid'], says: /tourist/ },
    { name: 'an appid of the wrong shape', brokenBy: (d) => editJson(d, 'project.config.json', (j) => (j.appid = 'wx12345')), expected: ['project.config.json appid'], says: /16 hex/ },
    { name: 'project.config.json that is not strict JSON', brokenBy: (d) => edit(d, 'project.config.json', (t) => t.replace(/\}\s*$/, ',}')), expected: ['project.config.json (file)'] },
    { name: 'the placeholder env id', brokenBy: (d) => edit(d, 'miniprogram/config.ts', (t) => t.replace(ENV_ID, 'your-env-id')), expected: ['miniprogram/config.ts CLOUD_ENV'], says: /placeholder/ },
    { name: 'an env id of the wrong shape', brokenBy: (d) => edit(d, 'miniprogram/config.ts', (t) => t.replace(ENV_ID, 'My_Env')), expected: ['miniprogram/config.ts CLOUD_ENV'], says: /CloudBase env id/ },
    { name: 'no CLOUD_ENV constant', brokenBy: (d) => edit(d, 'miniprogram/config.ts', (t) => t.replace(/export const CLOUD_ENV.*\n/, '')), expected: ['miniprogram/config.ts CLOUD_ENV'] },
    { name: 'no owner', brokenBy: (d) => writeEnv(d, { ...FILLED_ENV, LIVE_OWNER_OPENIDS: ' , ' }), expected: ['.env.local LIVE_OWNER_OPENIDS'], says: /no owner/ },
    { name: 'the demo owner', brokenBy: (d) => writeEnv(d, { ...FILLED_ENV, LIVE_OWNER_OPENIDS: `${OWNER},${DEMO_OWNER_OPENID}` }), expected: ['.env.local LIVE_OWNER_OPENIDS'], says: /demo owner/ },
    { name: 'an owner that is not an openid', brokenBy: (d) => writeEnv(d, { ...FILLED_ENV, LIVE_OWNER_OPENIDS: 'oShort' }), expected: ['.env.local LIVE_OWNER_OPENIDS'], says: /28 letters/ },
    {
      name: 'a live.config.json that breaks a rule',
      brokenBy: (d) => writeFileSync(join(d, 'live.config.json'), JSON.stringify({ miniProgramLive: 'yes', channels: null })),
      expected: ['live.config.json miniProgramLive'],
    },
    { name: 'a live.config.json that is not strict JSON', brokenBy: (d) => writeFileSync(join(d, 'live.config.json'), '{"miniProgramLive": true,}'), expected: ['live.config.json (file)'] },
    {
      name: 'the demo Channels account',
      brokenBy: (d) => {
        writeFileSync(join(d, 'live.config.json'), JSON.stringify({ miniProgramLive: true, channels: { finderUserName: DEMO_FINDER_USER_NAME } }))
        configure(d)
      },
      expected: ['live.config.json channels.finderUserName'],
    },
    {
      name: 'both kinds of Live off',
      brokenBy: (d) => {
        writeFileSync(join(d, 'live.config.json'), JSON.stringify({ miniProgramLive: false, channels: null }))
        configure(d)
      },
      expected: ['live.config.json miniProgramLive'],
      says: /nothing|no live to show/,
    },
    {
      name: 'Mini Program Live switched off without running configure',
      brokenBy: (d) => writeFileSync(join(d, 'live.config.json'), JSON.stringify({ miniProgramLive: false, channels: { finderUserName: FINDER } })),
      expected: ['miniprogram/app.json plugins.live-player-plugin', 'miniprogram/components/room-card/index.json usingComponents.subscribe', 'miniprogram/generated/live-setup.ts (file)'],
      says: /plugin is declared|subscribe button|out of date/,
    },
    {
      name: 'a plugin declared otherwise than LIVE_PLUGIN',
      brokenBy: (d) => editJson(d, 'miniprogram/app.json', (j) => (j.plugins[LIVE_PLUGIN.name].version = '1.0.0')),
      expected: ['miniprogram/app.json plugins.live-player-plugin'],
      says: /declared otherwise/,
    },
    { name: 'the subscribe button removed while Live is on', brokenBy: (d) => editJson(d, 'miniprogram/components/room-card/index.json', (j) => (j.usingComponents = {})), expected: ['miniprogram/components/room-card/index.json usingComponents.subscribe'] },
    { name: 'a hand-edited device setup', brokenBy: (d) => edit(d, 'miniprogram/generated/live-setup.ts', (t) => t.replace('60000', '1000')), expected: ['miniprogram/generated/live-setup.ts (file)'], says: /out of date/ },
    {
      name: 'a cloud call the sync makes missing from its permissions',
      brokenBy: (d) => editJson(d, 'cloudfunctions/liveSync/config.json', (j) => (j.permissions.openapi = ['liveBroadcast.getLiveInfo'])),
      expected: ['cloudfunctions/liveSync/config.json permissions.openapi'],
      says: /liveBroadcast\.goodsInfo.*-604101/,
    },
    {
      name: 'an unknown and an unused cloud call',
      brokenBy: (d) => editJson(d, 'cloudfunctions/track/config.json', (j) => (j.permissions.openapi = ['foo.bar', 'liveBroadcast.getLiveInfo'])),
      expected: ['cloudfunctions/track/config.json permissions.openapi', 'cloudfunctions/track/config.json permissions.openapi'],
      says: /not a known cloud call: foo\.bar|never makes: liveBroadcast\.getLiveInfo/,
    },
    { name: 'no AppSecret with Mini Program Live on', brokenBy: (d) => writeEnv(d, { ...FILLED_ENV, WX_APPSECRET: '' }), expected: ['.env.local WX_APPSECRET'], says: /32 hex/ },
    {
      name: 'an AppSecret written into cloudbaserc.json',
      brokenBy: (d) => editJson(d, 'cloudbaserc.json', (j) => (j.functions.find((f: { name: string }) => f.name === 'liveAdmin').envVariables.WX_APPSECRET = APPSECRET)),
      expected: ['cloudbaserc.json functions.liveAdmin.envVariables.WX_APPSECRET'],
      says: /committed/,
    },
    { name: 'a literal envId in cloudbaserc.json', brokenBy: (d) => editJson(d, 'cloudbaserc.json', (j) => (j.envId = ENV_ID)), expected: ['cloudbaserc.json envId'], says: /\{\{env\.TCB_ENV_ID\}\}/ },
    {
      name: 'no TCB_ENV_ID',
      brokenBy: (d) => writeEnv(d, { LIVE_OWNER_OPENIDS: OWNER, WX_APPSECRET: APPSECRET }),
      expected: ['.env.local TCB_ENV_ID'],
    },
    { name: 'a TCB_ENV_ID other than the mini-program’s', brokenBy: (d) => writeEnv(d, { ...FILLED_ENV, TCB_ENV_ID: 'shop-test-1a2b3c' }), expected: ['.env.local TCB_ENV_ID'], says: /differs/ },
  ]

  for (const c of cases) {
    it(`speaks up on ${c.name}, and on nothing else`, () => {
      const dir = filledProject()
      c.brokenBy(dir)
      const findings = doctor(dir)
      expect(where(findings)).toEqual([...c.expected].sort())
      if (c.says) for (const f of findings) expect(`${f.problem.en} ${f.problem.zh}`).toMatch(c.says)
      for (const f of findings) expect(f.fix.length).toBeGreaterThan(0)
    })
  }

  it('needs no AppSecret with Mini Program Live off, and takes liveAdmin’s Live permissions as harmless then', () => {
    const dir = filledProject()
    writeFileSync(join(dir, 'live.config.json'), JSON.stringify({ miniProgramLive: false, channels: { finderUserName: FINDER } }))
    configure(dir)
    writeEnv(dir, { LIVE_OWNER_OPENIDS: OWNER, TCB_ENV_ID: ENV_ID })
    expect(FUNCTION_CLOUD_CALLS.liveAdmin.some((c) => c.startsWith('liveBroadcast.'))).toBe(true)
    expect(doctor(dir)).toEqual([])
  })
})
