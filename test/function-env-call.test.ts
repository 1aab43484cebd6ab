/**
 * Function environment variables (cloudbaserc.json `envVariables` with `{{env.NAME}}` from .env / .env.local, and
 * the control route that replaces them) and `wx.cloud.callFunction` through the client channel, end to end: a built
 * fixture function run by the emulator's runner reports the OPENID, SOURCE and variables it sees.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFunctions } from '../tools/build-functions'
import { ENV_VARS_MAX_BYTES, loadFunctionSpecs, parseDotenv } from '../tools/function-config'
import { startEmulator, type Emulator } from '../emulator/emulator'
import { silenceSdkPlatformProbe } from '../emulator/sdk-env'
import { FunctionRunner, type InvokeResult } from '../emulator/functions/runner'
import { createClock } from '../emulator/clock'
import { IdentityRegistry } from '../emulator/identity'
import { createWxCloud, type WxCloudError } from '../emulator/client/wx-cloud'

const FIXTURES = path.resolve(__dirname, 'fixtures/env-functions')
const TMP = path.resolve(__dirname, '../node_modules/.cache/emulator', `env-call-${randomUUID().slice(0, 8)}`)
const OUT = path.join(TMP, 'built')

let emu: Emulator

/** A project folder holding cloudbaserc.json and the given dotenv files; returns the cloudbaserc path. */
function project(name: string, envVariables: Record<string, string>, dotenv: Record<string, string>): string {
  const dir = path.join(TMP, name)
  mkdirSync(dir, { recursive: true })
  const rc = path.join(dir, 'cloudbaserc.json')
  writeFileSync(rc, JSON.stringify({ version: '2.0', functions: [{ name: 'whoami', envVariables }] }))
  for (const [file, text] of Object.entries(dotenv)) writeFileSync(path.join(dir, file), text)
  return rc
}

async function http(method: string, route: string, body?: unknown) {
  const res = await fetch(`${emu.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as any }
}

beforeAll(async () => {
  await buildFunctions({ root: FIXTURES, outRoot: OUT })
  const rc = project('app', { SHOP_OWNER: '{{env.SHOP_OWNER}}', GREETING: 'hi {{ env.WHO }}!' }, {
    '.env': 'SHOP_OWNER=from-dotenv\nWHO=everyone\n',
    '.env.local': '# secrets, not committed\nSHOP_OWNER="owner-openid-1"\n',
  })
  emu = await startEmulator({ port: 0, functionsRoot: FIXTURES, builtRoot: OUT, cloudbaserc: rc, databaseDir: path.resolve(__dirname, '../database') })
  silenceSdkPlatformProbe()
})

afterAll(async () => {
  await emu?.stop()
  rmSync(TMP, { recursive: true, force: true })
})

describe('cloudbaserc envVariables with {{env.NAME}}', () => {
  it('reads .env then .env.local (the later file wins), with comments, quotes and export', () => {
    expect(parseDotenv('# c\nexport A=1\nB = "two words"\nC=three # note\nD=\'x#y\'\nnot a line\n')).toEqual({ A: '1', B: 'two words', C: 'three', D: 'x#y' })
    const [spec] = loadFunctionSpecs(FIXTURES, {
      cloudbaserc: project('layers', { OWNER: '{{env.OWNER}}' }, { '.env': 'OWNER=shared\n', '.env.local': 'OWNER=private\n' }),
    })
    expect(spec.envVariables).toEqual({ OWNER: 'private' })
    expect(spec.envProblem).toBeUndefined()
  })

  it('a variable missing from the dotenv files is an error naming the function, the variable and the file, never ""', async () => {
    const [spec] = loadFunctionSpecs(FIXTURES, { cloudbaserc: project('missing', { OWNER: '{{env.LIVE_OWNER}}', OK: 'x' }, { '.env.local': 'OTHER=1\n' }) })
    expect(spec.envVariables).toEqual({})
    expect(spec.envProblem).toMatch(/function whoami: environment variable OWNER uses \{\{env\.LIVE_OWNER\}\}, but LIVE_OWNER is not set in .*missing\/\.env\.local/)
    const runner = new FunctionRunner({ root: OUT, clock: createClock(), identities: new IdentityRegistry(), url: emu.url, envId: 'env-1', appid: 'wx1', specs: [spec] })
    const run = await runner.invoke('whoami', {}, { openid: 'viewer-a' })
    expect(run).toMatchObject({ status: 'error', errorType: 'EnvVariableMissing', errorMessage: spec.envProblem })
    await runner.close()
    const [none] = loadFunctionSpecs(FIXTURES, { cloudbaserc: project('nofile', { OWNER: '{{env.LIVE_OWNER}}' }, {}) })
    expect(none.envProblem).toMatch(/LIVE_OWNER is not set in \.env\.local \(no such file beside cloudbaserc\.json\)/)
  })

  it('a substituted value over the 4 KB limit is refused naming the rule', () => {
    const big = 'v'.repeat(ENV_VARS_MAX_BYTES)
    const [spec] = loadFunctionSpecs(FIXTURES, { cloudbaserc: project('big', { BIG: '{{env.BIG}}' }, { '.env.local': `BIG=${big}\n` }) })
    expect(spec.envProblem).toMatch(/environment variable \(all\): names and values together are 4099 bytes; at most 4096/)
    expect(() => loadFunctionSpecs(FIXTURES, { cloudbaserc: project('reserved', { SCF_X: '1' }, {}) })).toThrow(
      /cloudbaserc\.json: functions\[0\]\.envVariables\.SCF_X: names starting with SCF_ are reserved by the platform/,
    )
  })
})

describe('wx.cloud.callFunction through the client channel', () => {
  it('runs the function as the chosen viewer, with its cloudbaserc variables', async () => {
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-a' })
    const res = await wx.callFunction({ name: 'whoami', data: { page: 'home' } })
    expect(res.errMsg).toBe('cloud.callFunction:ok')
    expect(res.requestID).toMatch(/^[0-9a-f-]{36}$/)
    const out = res.result as any
    expect(out.event).toEqual({ page: 'home' })
    expect(out.wx).toMatchObject({ OPENID: 'viewer-a', APPID: emu.appid, SOURCE: 'wx_client' })
    expect(out.env).toEqual({ SHOP_OWNER: 'owner-openid-1', GREETING: 'hi everyone!' })
    const recorded = emu.listFunctions().find((f) => f.name === 'whoami')!.recentRuns[0]
    expect(recorded.caller).toEqual({ source: 'wx_client', openid: 'viewer-a' })

    wx.setOpenid('viewer-b')
    const again = await wx.callFunction({ name: 'whoami' })
    expect((again.result as any).wx.OPENID).toBe('viewer-b')
    expect((again.result as any).event).toEqual({})
  })

  it('callback style reports through success and complete', async () => {
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-c' })
    const outcome = await new Promise<unknown>((resolve, reject) => {
      void wx.callFunction({ name: 'whoami', data: {}, success: (r) => resolve(r), fail: reject })
    })
    expect((outcome as any).result.wx.OPENID).toBe('viewer-c')
  })

  it('a function that throws, an unknown function and no viewer reject as wx does, with errCode', async () => {
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-a' })
    const thrown = (await wx.callFunction({ name: 'whoami', data: { fail: 'stock ran out' } }).catch((e: unknown) => e)) as WxCloudError
    expect(thrown.errCode).toBe(-404011)
    expect(thrown.errMsg).toMatch(/^cloud\.callFunction:fail -404011 cloud function execution error\. Error: stock ran out$/)
    const missing = (await wx.callFunction({ name: 'nosuch' }).catch((e: unknown) => e)) as WxCloudError
    expect(missing.errCode).toBe(-501000)
    expect(missing.errMsg).toMatch(/no cloud function named nosuch/)
    wx.setOpenid(null)
    const anonymous = (await wx.callFunction({ name: 'whoami' }).catch((e: unknown) => e)) as WxCloudError
    expect(anonymous.errCode).toBe(-501007)
    expect(anonymous.errMsg).toMatch(/openid: required/)
  })

  it('the HTTP route refuses malformed calls with 4xx naming the field, and never runs the function', async () => {
    const before = emu.listFunctions().find((f) => f.name === 'whoami')!.recentRuns.length
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/__client/functions/whoami', { openid: 'v', data: [1] }, 400, /^data: must be an object/],
      ['POST', '/__client/functions/whoami', { openid: 'v', event: {} }, 400, /^event: not a field of a call/],
      ['POST', '/__client/functions/whoami', { openid: 'has space' }, 400, /^openid: required/],
      ['POST', '/__client/functions/whoami', '{"openid":"v","data":{"__proto__":{"polluted":1}}}', 400, /__proto__/],
      ['POST', '/__client/functions/whoami', '{"openid":', 400, /^body: not valid JSON/],
      ['POST', '/__client/functions/9bad', { openid: 'v' }, 400, /^name: "9bad" is not a function name/],
      ['POST', '/__client/functions/%E0%A4%A', { openid: 'v' }, 400, /not valid percent-encoding/],
      ['GET', '/__client/functions/whoami', undefined, 405, /takes POST/],
    ]
    for (const [method, route, body, status, message] of cases) {
      const res = await fetch(`${emu.url}${route}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
      })
      expect({ route, body, status: res.status }).toEqual({ route, body, status })
      expect(((await res.json()) as { message: string }).message).toMatch(message)
    }
    const plain = await fetch(`${emu.url}/__client/functions/whoami`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })
    expect(plain.status).toBe(415)
    expect(emu.listFunctions().find((f) => f.name === 'whoami')!.recentRuns.length).toBe(before)
  })
})

describe('new variables and warm processes', () => {
  it('a warm runner never reuses a process started with the old variables, idle or busy when they changed', async () => {
    const [spec] = loadFunctionSpecs(FIXTURES, { cloudbaserc: project('warm', { GREETING: 'one' }, {}) })
    const runner = new FunctionRunner({ root: OUT, clock: createClock(), identities: new IdentityRegistry(), url: emu.url, envId: 'env-1', appid: 'wx1', specs: [spec], warm: true })
    const greeting = async (p: Promise<InvokeResult>) => {
      const r = await p
      if (r.status !== 'ok') throw new Error(`${r.status}: ${r.errorMessage}`)
      return (r.result as any).env.GREETING as string
    }
    try {
      expect(await greeting(runner.invoke('whoami', {}, { openid: 'v' }))).toBe('one')
      runner.setEnvVariables('whoami', { GREETING: 'two' })
      expect(await greeting(runner.invoke('whoami', {}, { openid: 'v' }))).toBe('two')
      const busy = runner.invoke('whoami', {}, { openid: 'v' })
      runner.setEnvVariables('whoami', { GREETING: 'three' })
      expect(await greeting(busy)).toBe('two')
      expect(await greeting(runner.invoke('whoami', {}, { openid: 'v' }))).toBe('three')
    } finally {
      await runner.close()
    }
  })
})

describe('/__sandbox/functions/{name}/env', () => {
  it('is listed in the control index with GET, PUT and POST', async () => {
    const { body } = await http('GET', '/__sandbox/')
    const methods = (body.routes as { method: string; path: string }[]).filter((r) => r.path === '/__sandbox/functions/{name}/env').map((r) => r.method)
    expect(methods.sort()).toEqual(['GET', 'POST', 'PUT'])
  })

  it('shows the variables and their source, and a PUT replaces them from the next run on', async () => {
    const initial = await http('GET', '/__sandbox/functions/whoami/env')
    expect(initial).toEqual({
      status: 200,
      body: { name: 'whoami', envVariables: { SHOP_OWNER: 'owner-openid-1', GREETING: 'hi everyone!' }, source: 'cloudbaserc', problem: null },
    })
    const put = await http('PUT', '/__sandbox/functions/whoami/env', { envVariables: { SHOP_OWNER: 'owner-2' } })
    expect(put.body).toEqual({ name: 'whoami', envVariables: { SHOP_OWNER: 'owner-2' }, source: 'control', problem: null })
    const wx = createWxCloud({ url: emu.url, openid: 'viewer-a' })
    expect(((await wx.callFunction({ name: 'whoami' })).result as any).env).toEqual({ SHOP_OWNER: 'owner-2', GREETING: null })
    const post = await http('POST', '/__sandbox/functions/whoami/env', { envVariables: { SHOP_OWNER: 'owner-3', GREETING: '你好' } })
    expect(post.status).toBe(200)
    expect(((await wx.callFunction({ name: 'whoami' })).result as any).env).toEqual({ SHOP_OWNER: 'owner-3', GREETING: '你好' })
  })

  it('refuses names and sizes CloudBase refuses, naming the variable and the rule, and keeps the old set', async () => {
    const before = (await http('GET', '/__sandbox/functions/whoami/env')).body
    const cases: [unknown, RegExp][] = [
      [{ envVariables: { '1ST': 'x' } }, /^env: envVariables\.1ST: a name starts with a letter and has only letters, digits and _$/],
      [{ envVariables: { 'A-B': 'x' } }, /^env: envVariables\.A-B: a name starts with a letter/],
      [{ envVariables: { SCF_RUNTIME: 'x' } }, /^env: envVariables\.SCF_RUNTIME: names starting with SCF_ are reserved by the platform$/],
      [{ envVariables: { tencentcloud_secretid: 'x' } }, /names starting with TENCENTCLOUD_ are reserved/],
      [{ envVariables: { QCLOUD_APPID: 'x' } }, /names starting with QCLOUD_ are reserved/],
      [{ envVariables: { N: 5 } }, /^env: envVariables\.N: the value must be a string$/],
      [{ envVariables: { BIG: '界'.repeat(1400) } }, /^env: envVariables: names and values together are 4203 bytes; at most 4096/],
      [{ envVariables: 'A=1' }, /^env: envVariables: /],
      [{}, /^env: envVariables: /],
      [{ envVariables: {}, extra: 1 }, /^env: /],
    ]
    for (const [body, message] of cases) {
      const res = await http('PUT', '/__sandbox/functions/whoami/env', body)
      expect({ body, status: res.status }).toEqual({ body, status: 400 })
      expect(res.body.error).toMatch(message)
    }
    expect((await http('GET', '/__sandbox/functions/whoami/env')).body).toEqual(before)
    expect((await http('GET', '/__sandbox/functions/nosuch/env')).status).toBe(404)
    expect((await http('PUT', '/__sandbox/functions/nosuch/env', { envVariables: {} })).status).toBe(404)
    expect((await http('DELETE', '/__sandbox/functions/whoami/env')).status).toBe(405)
  })
})
