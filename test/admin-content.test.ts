/**
 * The content check: admins edit the merchant's sensitive-word list through the built liveAdmin, `checkContent`
 * names every field and word a text hits, the platform's text check (security.msgSecCheck, on through the
 * function's LIVE_TEXT_CHECK) refuses what the emulator's word list holds and lets texts through when it fails,
 * and the emulator's text-check route refuses bad input and keeps its list with the sandbox.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { OWNER, VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'
import { TEXT_CHECK_ENV, WORD_LIMITS, WORDS_DOC, checkTexts, inspectTexts } from '../src/admin/content'
import { ADMIN_COLLECTIONS } from '../src/admin/store'
import type { ActionContext, AdminPorts, TextCheckPort } from '../src/admin/types'
import type { DocDriver } from '../src/sync/driver'
import { TEXT_CHECK_API, TEXT_CHECK_MAX_CHARS, createCloudTextCheck } from '../src/cloud/text-check'
import { WxApiError } from '../src/live/errors'
import { AdminFailure } from '../src/admin/reply'
import { LiveSandbox } from '../emulator/sandbox/sandbox'
import { createControl } from '../emulator/sandbox/control'
import { attachSandboxPersistence } from '../emulator/sandbox/persist'
import { makeSandbox } from '../emulator/sandbox/testing'
import { TEXT_CHECK_WORD_LIMITS } from '../emulator/sandbox/text-check'

const ADMIN = 'admin-openid-content-000001'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness()
  expect(await h.call('addAdmin', { openid: ADMIN })).toMatchObject({ ok: true })
})

afterAll(async () => {
  await h?.stop()
})

/** Calls of security.msgSecCheck the sandbox has counted, all days. */
function platformChecks(): number {
  return Object.values(h.emu.control.calls()).reduce((n, perApi) => n + (perApi[TEXT_CHECK_API] ?? 0), 0)
}

async function control(method: string, route: string, body?: unknown) {
  const res = await fetch(`${h.emu.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, allow: res.headers.get('allow'), body: (await res.json()) as any }
}

describe('the merchant word list', () => {
  beforeEach(async () => {
    expect(await h.call('setSensitiveWords', { words: [] })).toMatchObject({ ok: true })
  })

  it('an owner replaces it: words trimmed, repeats ignoring case dropped, stored for the next read', async () => {
    const set = await h.call('setSensitiveWords', { words: [' 最低价 ', '假货', 'FAKE', 'fake', '假货'] }, OWNER)
    expect(set).toEqual({ ok: true, data: { words: ['最低价', '假货', 'FAKE'], count: 3, maxWords: WORD_LIMITS.maxWords, maxWordLength: WORD_LIMITS.maxWordLength, changed: true } })
    const got = await h.call('getSensitiveWords', {}, ADMIN)
    expect(got).toMatchObject({ ok: true, data: { words: ['最低价', '假货', 'FAKE'], count: 3, updatedBy: OWNER, platformCheck: 'off' } })
    const again = await h.call('setSensitiveWords', { words: ['最低价', '假货', 'FAKE'] }, OWNER)
    expect(again).toMatchObject({ ok: true, data: { changed: false } })
  })

  it('an admin adds and removes words; words already there or absent change nothing', async () => {
    await h.call('setSensitiveWords', { words: ['假货'] }, ADMIN)
    expect(await h.call('addSensitiveWords', { words: ['全网最低', '假货', ' 特效药 '] }, ADMIN)).toMatchObject({ ok: true, data: { words: ['假货', '全网最低', '特效药'], changed: true } })
    expect(await h.call('addSensitiveWords', { words: ['全网最低'] }, ADMIN)).toMatchObject({ ok: true, data: { changed: false } })
    expect(await h.call('removeSensitiveWords', { words: ['假货', '不在表里'] }, ADMIN)).toMatchObject({ ok: true, data: { words: ['全网最低', '特效药'], changed: true } })
    const audit = h.audit().slice(0, 3).map((e) => [e.action, e.outcome, e.openid])
    expect(audit).toEqual([
      ['removeSensitiveWords', 'ok', ADMIN],
      ['addSensitiveWords', 'ok', ADMIN],
      ['addSensitiveWords', 'ok', ADMIN],
    ])
  })

  it('refuses an empty word by its index, an over-long word, and a list past the limit, keeping the old list', async () => {
    await h.call('setSensitiveWords', { words: ['假货'] })
    const empty = await h.call('setSensitiveWords', { words: ['好词', '  '] })
    expect(empty).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'words.1' } })
    expect(!empty.ok && empty.error.zh).toBe('words.1：不能为空')
    const long = await h.call('addSensitiveWords', { words: ['x'.repeat(WORD_LIMITS.maxWordLength + 1)] })
    expect(long).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'words.0' } })
    expect(await h.call('addSensitiveWords', { words: [] })).toMatchObject({ ok: false, error: { field: 'words' } })
    const full = Array.from({ length: WORD_LIMITS.maxWords }, (_, i) => `词${i}`)
    expect(await h.call('setSensitiveWords', { words: full })).toMatchObject({ ok: true, data: { count: WORD_LIMITS.maxWords } })
    expect(await h.call('addSensitiveWords', { words: ['再多一个'] })).toMatchObject({ ok: false, error: { code: 'resource_exhausted', field: 'words' } })
    expect(await h.call('setSensitiveWords', { words: ['假货'] })).toMatchObject({ ok: true, data: { count: 1 } })
  })

  it('a viewer may neither read nor change it, and nothing is written but the refusal', async () => {
    const docs = h.documentCount()
    expect(await h.call('getSensitiveWords', {}, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(await h.call('setSensitiveWords', { words: ['x'] }, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(await h.call('checkContent', { texts: [{ field: 'name', text: 'x' }] }, null)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
    expect(h.documentCount()).toBe(docs + 3)
  })
})

describe('checkContent with the merchant list', () => {
  beforeAll(async () => {
    await h.call('setSensitiveWords', { words: ['全网最低', '假一赔十', 'Fake'] })
  })

  it('names every field and the words each hits, ignoring case, and never asks the platform while it is off', async () => {
    const before = platformChecks()
    const reply = await h.call('checkContent', {
      texts: [
        { field: 'name', text: '春茶专场 全网最低 假一赔十' },
        { field: 'anchorName', text: '小美老师' },
        { field: 'goodsInfo.name', text: 'not FAKE tea' },
        { field: 'feedsText', text: '' },
      ],
    })
    expect(reply).toMatchObject({
      ok: true,
      data: {
        pass: false,
        hits: [
          { field: 'name', source: 'merchant', word: '全网最低', words: ['全网最低', '假一赔十'] },
          { field: 'goodsInfo.name', source: 'merchant', word: 'Fake', words: ['Fake'] },
        ],
        textCheck: { platform: 'off' },
      },
    })
    expect(reply.ok && reply.data.hits[0].zh).toBe('name：含有敏感词“全网最低”（商家敏感词表），请修改后再提交')
    expect(reply.ok && reply.data.hits[0].en).toMatch(/^name: contains the sensitive word "全网最低"/)
    expect(await h.call('checkContent', { texts: [{ field: 'name', text: '春茶上新' }] })).toMatchObject({ ok: true, data: { pass: true, hits: [] } })
    expect(platformChecks()).toBe(before)
  })

  it('refuses texts past the platform limit and field names that are not names', async () => {
    expect(await h.call('checkContent', { texts: [] })).toMatchObject({ ok: false, error: { field: 'texts' } })
    expect(await h.call('checkContent', { texts: [{ field: 'name', text: 'x'.repeat(TEXT_CHECK_MAX_CHARS + 1) }] })).toMatchObject({ ok: false, error: { field: 'texts.0.text' } })
    expect(await h.call('checkContent', { texts: [{ field: '1; drop', text: 'x' }] })).toMatchObject({ ok: false, error: { field: 'texts.0.field' } })
  })
})

describe('the platform text check, on', () => {
  beforeAll(async () => {
    h.emu.setFunctionEnv('liveAdmin', { LIVE_OWNER_OPENIDS: OWNER, [TEXT_CHECK_ENV]: 'on' })
    await h.call('setSensitiveWords', { words: ['全网最低'] })
    h.emu.control.setTextCheckWords({ words: ['赌博', { word: '代开发票', label: 20008, suggest: 'review' }] })
  })
  afterAll(() => {
    h.emu.setFunctionEnv('liveAdmin', { LIVE_OWNER_OPENIDS: OWNER })
    h.emu.control.setTextCheckWords({ words: [] })
  })

  it('refuses what the emulator word list holds, naming the field, word, label and suggestion; passes the rest', async () => {
    const before = platformChecks()
    const reply = await h.call('checkContent', {
      texts: [
        { field: 'name', text: '今晚赌博专场' },
        { field: 'anchorName', text: '可代开发票' },
        { field: 'goodsInfo.name', text: '明前龙井' },
        { field: 'shareTitle', text: '全网最低价' },
      ],
    })
    expect(reply).toMatchObject({
      ok: true,
      data: {
        pass: false,
        hits: [
          { field: 'shareTitle', source: 'merchant', word: '全网最低' },
          { field: 'name', source: 'platform', word: '赌博', suggest: 'risky', label: 21000 },
          { field: 'anchorName', source: 'platform', word: '代开发票', suggest: 'review', label: 20008 },
        ],
        textCheck: { platform: 'refused' },
      },
    })
    expect(reply.ok && reply.data.hits[2].zh).toBe('anchorName：微信内容安全检测认为疑似违规（“代开发票”，欺诈），请修改后再提交')
    // The text the merchant list already refused is not sent; the other three are.
    expect(platformChecks()).toBe(before + 3)
    expect(await h.call('checkContent', { texts: [{ field: 'name', text: '明前龙井' }] })).toMatchObject({ ok: true, data: { pass: true, textCheck: { platform: 'passed' } } })
    expect(await h.call('getSensitiveWords')).toMatchObject({ ok: true, data: { platformCheck: 'on' } })
  })

  it('lets the text through, saying so, when the platform answers an error or a broken reply', async () => {
    h.emu.sandbox.addFault({ api: TEXT_CHECK_API, times: 1, errcode: -1 })
    const busy = await h.call('checkContent', { texts: [{ field: 'name', text: '明前龙井' }] })
    expect(busy).toMatchObject({ ok: true, data: { pass: true, hits: [], textCheck: { platform: 'unavailable', errcode: -1 } } })
    expect(busy.ok && busy.data.textCheck.zh).toMatch(/^微信内容安全检测暂不可用（系统繁忙/)
    h.emu.sandbox.addFault({ api: TEXT_CHECK_API, times: 1, malformed: true })
    expect(await h.call('checkContent', { texts: [{ field: 'name', text: '明前龙井' }] })).toMatchObject({ ok: true, data: { pass: true, textCheck: { platform: 'unavailable' } } })
    // A refusal by a check that did answer still stands beside an outage of another.
    h.emu.sandbox.addFault({ api: TEXT_CHECK_API, times: 1, httpStatus: 502 })
    const mixed = await h.call('checkContent', { texts: [{ field: 'a', text: '龙井' }, { field: 'b', text: '赌博' }] })
    expect(mixed).toMatchObject({ ok: true, data: { pass: false, hits: [{ field: 'b', source: 'platform' }], textCheck: { platform: 'refused' } } })
    expect(h.emu.control.faults()).toEqual([])
  })
})

describe('the emulator text-check route', () => {
  afterAll(() => h.emu.control.setTextCheckWords({ words: [] }))

  it('replaces and lists the words, strings taking label 21000 and risky', async () => {
    const put = await control('PUT', '/__sandbox/text-check', { words: ['赌博', { word: '刷单', label: 10001 }, { word: '代购', suggest: 'review' }] })
    expect(put).toMatchObject({ status: 200 })
    const words = [
      { word: '赌博', label: 21000, suggest: 'risky' },
      { word: '刷单', label: 10001, suggest: 'risky' },
      { word: '代购', label: 21000, suggest: 'review' },
    ]
    expect(put.body).toEqual({ words })
    expect((await control('GET', '/__sandbox/text-check')).body).toEqual({ words })
  })

  const hostile: [what: string, body: unknown, field: RegExp][] = [
    ['a body that is not an object', '[1]', /body: must be a JSON object/],
    ['not JSON', '{"words": [', /not valid JSON/],
    ['no words', {}, /textCheck: words: /],
    ['words not a list', { words: '赌博' }, /textCheck: words: /],
    ['an empty word', { words: ['ok', ' '] }, /textCheck: words\.1\.word: must not be empty/],
    ['a word past the length limit', { words: ['x'.repeat(TEXT_CHECK_WORD_LIMITS.maxWordLength + 1)] }, /textCheck: words\.0\.word: must be at most/],
    ['the normal label', { words: [{ word: 'x', label: 100 }] }, /words\.0\.label: must be one of the documented labels/],
    ['an unknown label', { words: [{ word: 'x', label: 12345 }] }, /words\.0\.label: /],
    ['a label that is text', { words: [{ word: 'x', label: 'porn' }] }, /words\.0\.label: /],
    ['a suggestion of pass', { words: [{ word: 'x', suggest: 'pass' }] }, /words\.0\.suggest: /],
    ['an unknown key in a word', { words: [{ word: 'x', level: 9 }] }, /words\.0: /],
    ['an unknown key in the body', { words: [], extra: 1 }, /textCheck: /],
    ['a word listed twice ignoring case', { words: ['Fake', 'fake'] }, /words\.1: "fake" is already listed/],
    ['a prototype key', '{"words": [], "__proto__": {"polluted": 1}}', /__proto__/],
    ['too many words', { words: Array.from({ length: TEXT_CHECK_WORD_LIMITS.maxWords + 1 }, (_, i) => `w${i}`) }, /textCheck: words: must hold at most/],
  ]
  for (const [what, body, message] of hostile) {
    it(`refuses ${what} with a 400 naming the field, keeping the list`, async () => {
      await control('PUT', '/__sandbox/text-check', { words: ['赌博'] })
      const res = await control('PUT', '/__sandbox/text-check', body)
      expect(res.status).toBe(400)
      expect(res.body.error).toMatch(message)
      expect((await control('GET', '/__sandbox/text-check')).body.words.map((w: { word: string }) => w.word)).toEqual(['赌博'])
    })
  }

  it('answers another method with 405 and the methods it takes', async () => {
    const res = await control('DELETE', '/__sandbox/text-check')
    expect(res.status).toBe(405)
    expect(res.allow).toBe('GET, PUT')
  })
})

describe('the sandbox answering security.msgSecCheck', () => {
  const good = { content: '明前龙井', version: 2, scene: 1, openid: 'oUser_12345678' }

  it('refuses malformed requests with the platform errcodes, counting each call', async () => {
    const kit = makeSandbox()
    const cases: [Record<string, unknown>, number][] = [
      [{ ...good, content: undefined }, 44002],
      [{ ...good, content: '' }, 44002],
      [{ ...good, content: 42 }, 47001],
      [{ ...good, content: '字'.repeat(TEXT_CHECK_MAX_CHARS + 1) }, 47001],
      [{ ...good, version: 1 }, 47001],
      [{ ...good, version: { v: 2 } }, 47001],
      [{ ...good, scene: 5 }, 40129],
      [{ ...good, scene: '1' }, 40129],
      [{ ...good, openid: 'short' }, 40003],
      [{ ...good, openid: 7 }, 40003],
      [{ ...good, title: 3 }, 47001],
    ]
    for (const [params, errcode] of cases) expect((await kit.sandbox.checkText(params)).body.errcode, JSON.stringify(params).slice(0, 80)).toBe(errcode)
    expect(Object.values(kit.sandbox.calls())[0][TEXT_CHECK_API]).toBe(cases.length)
  })

  it('answers the documented shape, which the cloud adapter reads as a verdict naming the keyword', async () => {
    const kit = makeSandbox()
    kit.control.setTextCheckWords({ words: [{ word: 'Casino', label: 20006 }] })
    const body = (await kit.sandbox.checkText({ ...good, content: 'big casino night', title: 'x' })).body
    expect(body).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      trace_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
      result: { suggest: 'risky', label: 20006 },
      detail: [
        { strategy: 'content_model', errcode: 0, suggest: 'pass', label: 100 },
        { strategy: 'keyword', errcode: 0, suggest: 'risky', label: 20006, keyword: 'Casino' },
      ],
    })
    // What wx-server-sdk hands the adapter: errcode/errmsg removed, keys camelCased, errCode/errMsg added.
    const { errcode: _c, errmsg: _m, trace_id: traceId, ...rest } = body
    const check = createCloudTextCheck({ openapi: { security: { msgSecCheck: async () => ({ ...rest, traceId, errCode: 0, errMsg: 'openapi.security.msgSecCheck:ok' }) } } })
    expect(await check.check('big casino night', good.openid)).toEqual({ suggest: 'risky', label: 20006, keyword: 'Casino', traceId })
    const pass = (await kit.sandbox.checkText(good)).body
    expect(pass).toMatchObject({ result: { suggest: 'pass', label: 100 }, detail: [{ strategy: 'content_model' }, { strategy: 'keyword', errcode: 0 }] })
  })

  it('the cloud adapter turns a thrown errCode into the errcode and a wrong reply into a failure', async () => {
    const thrower = createCloudTextCheck({ openapi: { security: { msgSecCheck: async () => Promise.reject({ errCode: 61010, errMsg: 'user not visited' }) } } })
    const e = await thrower.check('x', good.openid).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(WxApiError)
    expect(e).toMatchObject({ errcode: 61010, endpointId: TEXT_CHECK_API })
    const wrong = createCloudTextCheck({ openapi: { security: { msgSecCheck: async () => ({ result: { suggest: 'maybe', label: 100 } }) } } })
    await expect(wrong.check('x', good.openid)).rejects.toThrow(/result\.suggest/)
  })

  it('keeps the list with the sandbox across a restart, and loads a snapshot written before the list existed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'text-check-persist-'))
    try {
      const file = join(dir, 'live-sandbox.json')
      const first = makeSandbox()
      const p1 = attachSandboxPersistence(first.sandbox, file)
      first.control.setTextCheckWords({ words: ['赌博', { word: '刷单', suggest: 'review', label: 10001 }] })
      p1.detach()
      const second = new LiveSandbox({ clock: first.clock })
      const p2 = attachSandboxPersistence(second, file)
      expect(createControl(second).textCheckWords().words).toEqual([
        { word: '赌博', label: 21000, suggest: 'risky' },
        { word: '刷单', label: 10001, suggest: 'review' },
      ])
      p2.detach()
      const { textCheckWords: _w, ...older } = second.snapshot()
      writeFileSync(join(dir, 'old.json'), JSON.stringify(older))
      const third = new LiveSandbox({ clock: first.clock })
      const problems: unknown[] = []
      const p3 = attachSandboxPersistence(third, join(dir, 'old.json'), { onLoadProblem: (p) => problems.push(p) })
      expect(problems).toEqual([])
      expect(third.state.textCheckWords).toEqual([])
      p3.detach()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('checkTexts as the room and goods actions use it (in process)', () => {
  const noDocs: DocDriver = {
    find: async () => [],
    count: async () => 0,
    set: async () => undefined,
    update: async () => 0,
    insert: async () => 'ok',
    remove: async () => 0,
  }
  function ctx(textCheck: TextCheckPort | null, env: Record<string, string>, openid: string | null = OWNER, deadlineInMs = 20_000, docs = noDocs): ActionContext {
    const now = Date.now()
    const ports = { docs, textCheck, env, nowMs: () => Date.now(), deadlineMs: now + deadlineInMs } as unknown as AdminPorts
    return { caller: { openid, roles: ['admin'] }, ports }
  }
  const never: TextCheckPort = { check: () => new Promise(() => undefined) }
  const risky: TextCheckPort = { check: async () => ({ suggest: 'risky', label: 20002 }) }

  it('throws invalid_argument naming the first field and word on a hit of the merchant list', async () => {
    const docs: DocDriver = { ...noDocs, find: async (c, where) => (c === ADMIN_COLLECTIONS.settings && where._id === WORDS_DOC ? [{ _id: WORDS_DOC, words: ['假货'] }] : []) }
    const e = await checkTexts(ctx(risky, { [TEXT_CHECK_ENV]: 'on' }, OWNER, 20_000, docs), [{ field: 'name', text: '正品' }, { field: 'anchorName', text: '不卖假货' }]).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(AdminFailure)
    expect((e as AdminFailure).body).toMatchObject({ code: 'invalid_argument', field: 'anchorName', word: '假货', source: 'merchant' })
  })

  it('refuses on the platform verdict, and resolves what the platform layer did otherwise', async () => {
    await expect(checkTexts(ctx(risky, { [TEXT_CHECK_ENV]: 'ON ' }), [{ field: 'name', text: 'x' }])).rejects.toMatchObject({ body: { field: 'name', source: 'platform', label: 20002, suggest: 'risky' } })
    expect(await checkTexts(ctx(risky, {}), [{ field: 'name', text: 'x' }])).toMatchObject({ platform: 'off' })
    expect(await checkTexts(ctx(risky, { [TEXT_CHECK_ENV]: 'on' }, null), [{ field: 'name', text: 'x' }])).toMatchObject({ platform: 'no_user' })
  })

  it('counts a check that does not answer in time as unavailable, within the run deadline', async () => {
    const { hits, report } = await inspectTexts(ctx(never, { [TEXT_CHECK_ENV]: 'on' }, OWNER, 1_150), [{ field: 'name', text: 'x' }])
    expect(hits).toEqual([])
    expect(report).toMatchObject({ platform: 'unavailable', en: expect.stringContaining('timed out') })
  })

  it('refuses an LIVE_TEXT_CHECK value that is neither on nor off, naming the variable', async () => {
    await expect(checkTexts(ctx(risky, { [TEXT_CHECK_ENV]: 'yes' }), [{ field: 'name', text: 'x' }])).rejects.toMatchObject({ body: { code: 'not_configured', field: TEXT_CHECK_ENV } })
  })
})
