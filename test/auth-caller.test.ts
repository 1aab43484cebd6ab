/**
 * Who may start the sync: decided from getWXContext() (SOURCE and OPENID, which the platform injects), never from
 * the event. Each row is a call context a run could see; add a row when a new kind of caller appears.
 */
import { describe, expect, it } from 'vitest'
import { callerOf, decideSyncCall, decideTimerCall } from '../src/auth/caller'

const APPID = 'wxsandboxlive0001'

const cases: { what: string; wx: unknown; kind: string; allowed: boolean; reason?: RegExp }[] = [
  { what: 'its own timer trigger', wx: { APPID, ENV: 'env-1', SOURCE: 'wx_trigger' }, kind: 'timer', allowed: true },
  {
    what: 'a viewer calling from the mini-program',
    wx: { OPENID: 'o-viewer', APPID, ENV: 'env-1', SOURCE: 'wx_client' },
    kind: 'viewer',
    allowed: false,
    reason: /mini-program user may not start it \(SOURCE: wx_client\)/,
  },
  {
    what: 'a viewer whose context claims the timer source (never seen on the platform)',
    wx: { OPENID: 'o-viewer', SOURCE: 'wx_trigger' },
    kind: 'viewer',
    allowed: false,
    reason: /mini-program user/,
  },
  { what: 'WeChat DevTools', wx: { OPENID: 'o-dev', SOURCE: 'wx_devtools' }, kind: 'viewer', allowed: false },
  { what: 'the HTTP API (invokecloudfunction)', wx: { APPID, SOURCE: 'wx_http' }, kind: 'other', allowed: false, reason: /SOURCE: wx_http/ },
  {
    what: 'another function started by a viewer',
    wx: { SOURCE: 'wx_client,scf' },
    kind: 'function',
    allowed: false,
    reason: /another cloud function may not start it \(SOURCE: wx_client,scf\)/,
  },
  { what: 'another function started by its own timer', wx: { SOURCE: 'wx_trigger,scf' }, kind: 'function', allowed: false },
  { what: 'a run with no context at all', wx: {}, kind: 'other', allowed: false, reason: /SOURCE: none/ },
  { what: 'getWXContext returning nothing usable', wx: null, kind: 'other', allowed: false },
  { what: 'a SOURCE of the wrong type', wx: { SOURCE: ['wx_trigger'] }, kind: 'other', allowed: false },
  { what: 'an unknown source', wx: { SOURCE: 'wx_paycallback' }, kind: 'other', allowed: false },
  { what: 'the timer source with stray spaces in the chain', wx: { SOURCE: ' wx_trigger ' }, kind: 'timer', allowed: true },
]

describe('decideSyncCall', () => {
  for (const c of cases) {
    it(`${c.allowed ? 'allows' : 'refuses'} ${c.what}`, () => {
      const decision = decideSyncCall(c.wx)
      expect(decision.caller.kind).toBe(c.kind)
      expect(decision.allowed).toBe(c.allowed)
      if (!decision.allowed) {
        expect(decision.reason).toMatch(/^liveSync runs only on its timer trigger/)
        if (c.reason) expect(decision.reason).toMatch(c.reason)
      }
    })
  }

  it('reads the chain first hop first and ignores an empty OPENID', () => {
    expect(callerOf({ SOURCE: 'wx_client,scf', OPENID: '' })).toEqual({ kind: 'function', chain: ['wx_client', 'scf'], openid: null })
  })
})

describe('decideTimerCall', () => {
  it('decides for any timed function as for the sync, and names that function in its refusal', () => {
    for (const c of cases) {
      const decision = decideTimerCall('liveStats', c.wx)
      expect(decision.allowed, c.what).toBe(c.allowed)
      if (!decision.allowed) expect(decision.reason, c.what).toMatch(/^liveStats runs only on its timer trigger/)
    }
  })
})
