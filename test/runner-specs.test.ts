/**
 * Function discovery (config.json + cloudbaserc.json) and the SDK environment, checked against the real
 * @cloudbase/node-sdk code that reads it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { FunctionConfigError, loadFunctionSpecs } from '../tools/function-config'
import { adminSdkConfig, sdkEnv, silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { thrown } from './thrown'

const FIXTURES = resolve(__dirname, 'fixtures/functions')
const temps: string[] = []
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })))

function tempRoot(functions: Record<string, string | null>): string {
  const root = mkdtempSync(join(tmpdir(), 'specs-'))
  temps.push(root)
  for (const [name, config] of Object.entries(functions)) {
    mkdirSync(join(root, name))
    if (config === null) writeFileSync(join(root, name, 'index.ts'), 'export const main = async () => 1\n')
    else writeFileSync(join(root, name, 'config.json'), config)
  }
  return root
}

const configError = (fn: () => unknown): FunctionConfigError => thrown(FunctionConfigError, fn)

describe('loadFunctionSpecs', () => {
  it('reads permissions and the timer trigger, with CloudBase defaults', () => {
    const specs = loadFunctionSpecs(FIXTURES)
    // Other suites keep fixtures here too; only ours are asserted, in name order.
    const names = specs.map((s) => s.name)
    expect(names).toEqual([...names].sort())
    expect(names).toEqual(expect.arrayContaining(['broken', 'circular', 'dbping', 'echo', 'nomain', 'sleepy']))
    expect(specs.find((s) => s.name === 'echo')).toEqual({
      name: 'echo',
      dir: join(FIXTURES, 'echo'),
      permissions: { openapi: ['liveBroadcast.getLiveInfo'] },
      trigger: { name: 'everyTenMinutes', type: 'timer', config: '0 */10 * * * * *' },
      timeoutSec: 3,
      memoryMb: 256,
      envVariables: {},
    })
    expect(specs.find((s) => s.name === 'broken')).toMatchObject({ permissions: { openapi: [] }, trigger: undefined })
  })

  it('takes timeout, memory and envVariables from cloudbaserc.json', () => {
    const root = tempRoot({ syncRooms: '{}', plain: null })
    const rc = join(root, 'cloudbaserc.json')
    writeFileSync(rc, JSON.stringify({ functions: [{ name: 'syncRooms', timeout: 20, memorySize: 512, envVariables: { TZ: 'Asia/Shanghai' } }] }))
    const specs = loadFunctionSpecs(root, { cloudbaserc: rc })
    expect(specs.map((s) => [s.name, s.timeoutSec, s.memoryMb, s.envVariables])).toEqual([
      ['plain', 3, 256, {}],
      ['syncRooms', 20, 512, { TZ: 'Asia/Shanghai' }],
    ])
  })

  it('names the file and field of a bad entry', () => {
    const root = tempRoot({ syncRooms: '{}' })
    const rc = join(root, 'cloudbaserc.json')
    writeFileSync(rc, JSON.stringify({ functions: [{ name: 'syncRooms', timeout: 1000 }] }))
    const err = configError(() => loadFunctionSpecs(root, { cloudbaserc: rc }))
    expect(err.file).toBe(rc)
    expect(err.field).toBe('functions[0].timeout')

    const bad = tempRoot({ syncRooms: JSON.stringify({ triggers: [{ name: 'every', type: 'cos', config: '0 * * * * * *' }] }) })
    const typeErr = configError(() => loadFunctionSpecs(bad))
    expect(typeErr.file).toBe(join(bad, 'syncRooms', 'config.json'))
    expect(typeErr.field).toBe('triggers[0].type')
    expect(typeErr.message).toContain('only "timer"')
  })

  it('rejects a function folder name the platform would refuse', () => {
    const err = configError(() => loadFunctionSpecs(tempRoot({ '9lives': '{}' })))
    expect(err.field).toBe('name')
  })
})

describe('sdkEnv', () => {
  it('gives a user-triggered run the SDK redirect, dummy keys and its WX context', () => {
    const env = sdkEnv({ url: 'http://127.0.0.1:8787/', envId: 'env-1', functionName: 'syncRooms', openid: 'o-1', appid: 'wxabc', apiToken: 'tok' })
    expect(env).toMatchObject({
      TENCENTCLOUD_RUNENV: 'SCF',
      SCF_NAMESPACE: 'env-1',
      TCB_CONTEXT_CNFG: '{"URL":"http://127.0.0.1:8787/admin"}',
      SCF_FUNCTIONNAME: 'syncRooms',
      SCF_FUNCTIONVERSION: '$LATEST',
      WX_API_TOKEN: 'tok',
      WX_OPENID: 'o-1',
      WX_APPID: 'wxabc',
      WX_CONTEXT_KEYS: 'WX_API_TOKEN,WX_OPENID,WX_APPID',
      TCB_SOURCE: 'wx_client',
      TCB_CONTEXT_KEYS: 'TCB_SOURCE',
    })
    expect(env.TENCENTCLOUD_SECRETID).toBeTruthy()
    expect(env.TENCENTCLOUD_SECRETKEY).toBeTruthy()
    expect(env.TENCENTCLOUD_REGION).toBeTruthy()
    expect(env.TRIGGER_SRC).toBeUndefined()
  })

  it('gives a timer run TRIGGER_SRC=timer and the trigger token instead of WX_API_TOKEN', () => {
    const env = sdkEnv({ url: 'http://127.0.0.1:8787', envId: 'env-1', appid: 'wxabc', apiToken: 'tok', trigger: 'timer' })
    expect(env).toMatchObject({
      TRIGGER_SRC: 'timer',
      WX_TRIGGER_API_TOKEN_V0: 'tok',
      WX_CONTEXT_KEYS: 'WX_TRIGGER_API_TOKEN_V0,WX_APPID',
      TCB_SOURCE: 'wx_trigger',
    })
    expect(env.WX_API_TOKEN).toBeUndefined()
  })

  it('rejects URLs node-sdk would mangle', () => {
    expect(() => sdkEnv({ url: 'http://127.0.0.1:8787/?x=1', envId: 'e' })).toThrow(/query/)
    expect(() => sdkEnv({ url: '127.0.0.1:8787', envId: 'e' })).toThrow(/url/)
    expect(() => sdkEnv({ url: 'http://127.0.0.1:8787', envId: '' })).toThrow(/envId/)
  })

  it('adminSdkConfig points serviceUrl at /admin with dummy keys and no token', () => {
    expect(adminSdkConfig({ url: 'http://localhost:9000', envId: 'env-1' })).toEqual({
      env: 'env-1',
      serviceUrl: 'http://localhost:9000/admin',
      secretId: expect.any(String),
      secretKey: expect.any(String),
    })
  })
})

/* The modules node-sdk itself uses to read its environment (plain CJS, no typings for deep paths). */
interface NodeSdkInternals {
  tcbcontext: { getCloudbaseContext(): Record<string, string | undefined> }
  endpoint: { buildUrl(o: { envId?: string; seqId?: string; serviceUrl?: string; isInternal?: boolean }): string }
  token: { getWxCloudToken(): { wxCloudApiToken: string } }
  platform: { checkIsInternal(): boolean; checkIsInternalAsync(): Promise<boolean> }
}
const sdkDist = (m: string): unknown => require(`@cloudbase/node-sdk/dist/utils/${m}`)
const sdk: NodeSdkInternals = {
  tcbcontext: sdkDist('tcbcontext') as NodeSdkInternals['tcbcontext'],
  endpoint: sdkDist('tcbapiendpoint') as NodeSdkInternals['endpoint'],
  token: sdkDist('wxCloudToken') as NodeSdkInternals['token'],
  platform: sdkDist('cloudplatform') as NodeSdkInternals['platform'],
}

describe('node-sdk 3.17.2 reads the variables as intended', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  })

  it('a function run: URL, env, token and no platform probe', async () => {
    Object.assign(process.env, sdkEnv({ url: 'http://127.0.0.1:8787', envId: 'env-1', appid: 'wxabc', openid: 'o-1', apiToken: 'tok-call' }))
    expect(sdk.endpoint.buildUrl({ envId: 'env-1', seqId: 's1', isInternal: true })).toBe('http://127.0.0.1:8787/admin?env=env-1&seqId=s1')
    expect(sdk.tcbcontext.getCloudbaseContext()).toMatchObject({ SCF_NAMESPACE: 'env-1', WX_API_TOKEN: 'tok-call', WX_OPENID: 'o-1', TCB_SOURCE: 'wx_client' })
    expect(sdk.token.getWxCloudToken().wxCloudApiToken).toBe('tok-call')
    expect(sdk.platform.checkIsInternal()).toBe(true) // synchronous answer: metadata host never asked
  })

  it('a timer run sends the trigger token', () => {
    Object.assign(process.env, sdkEnv({ url: 'http://127.0.0.1:8787', envId: 'env-1', appid: 'wxabc', apiToken: 'tok-timer', trigger: 'timer' }))
    expect(sdk.token.getWxCloudToken().wxCloudApiToken).toBe('tok-timer')
  })

  it('an admin process: serviceUrl wins, no token, probe silenced', async () => {
    delete process.env.TCB_CONTEXT_CNFG
    delete process.env.WX_API_TOKEN
    delete process.env.TENCENTCLOUD_RUNENV
    const config = adminSdkConfig({ url: 'http://127.0.0.1:8787', envId: 'env-1' })
    expect(sdk.endpoint.buildUrl({ envId: 'env-1', seqId: 's1', serviceUrl: config.serviceUrl })).toBe('http://127.0.0.1:8787/admin?env=env-1&seqId=s1')
    expect(sdk.token.getWxCloudToken().wxCloudApiToken).toBe('')
    silenceSdkPlatformProbe()
    expect(process.env.TENCENTCLOUD).toBe('true')
    await expect(sdk.platform.checkIsInternalAsync()).resolves.toBe(true)
  })
})
