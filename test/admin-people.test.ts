/**
 * Roles, assistants, the sub-anchor and subscribers through the built liveAdmin function against the sandbox:
 * WeChat ID and cap checks before the call, the platform's refusals with their errcodes, the real-name code URL,
 * followers paging, and pushing a live room to its subscribers (chunks, one room a day, the outcome recorded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalogue, PUSH_MESSAGE_MAX_OPENIDS, type EndpointId } from '../src/live/catalogue'
import { ROLE_CAPS } from '../src/live/rules'
import { shanghaiDay } from '../src/live/day'
import { VIEWER, startAdminHarness, type AdminHarness } from './admin-harness'

let h: AdminHarness

beforeAll(async () => {
  h = await startAdminHarness()
})

afterAll(async () => {
  await h?.stop()
})

function callsTo(id: EndpointId): number {
  const key = catalogue[id].cloud ?? catalogue[id].path
  return Object.values(h.emu.control.calls()).reduce((n, perApi) => n + (perApi[key] ?? 0), 0)
}

function newRoom(anchorWechat = 'anchor_xiaomei', inSeconds = 3600): number {
  const now = h.emu.clock.nowSeconds()
  return h.emu.control.createRoom({ name: '春茶上新直播间', startTime: now + inSeconds, endTime: now + inSeconds + 7200, anchorName: '小美老师', anchorWechat }).roomId
}

function liveRoom(): number {
  const roomId = newRoom()
  h.emu.control.roomEvent(roomId, 'start')
  return roomId
}

describe('roles', () => {
  it('adds, lists with paging and removes a role; checks the WeChat ID before the call', async () => {
    const added = await h.call('addRole', { username: 'operator_li', role: 3 })
    expect(added).toEqual({ ok: true, data: { username: 'operator_li', role: 3, roleName: 'operator', holders: 0, codeurl: null } })
    expect(await h.call('addRole', { username: 'operator_li', role: 3 })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 400004, field: 'username' } })
    expect(await h.call('addRole', { username: 'operator_wu', role: 3 })).toMatchObject({ ok: true, data: { holders: 1 } })

    const first = await h.call('getRoleList', { role: 3, limit: 1 })
    expect(first).toMatchObject({ ok: true, data: { total: 2, nextOffset: 1 } })
    const second = await h.call('getRoleList', { role: 3, limit: 1, offset: 1 })
    expect(second).toMatchObject({ ok: true, data: { total: 2, nextOffset: null } })

    const calls = callsTo('addRole') + callsTo('deleteRole')
    expect(await h.call('addRole', { username: '1abc', role: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'username', errcode: 400001 } })
    expect(await h.call('deleteRole', { username: 'has space', role: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'username', errcode: 400001 } })
    expect(await h.call('addRole', { username: 'operator_li', role: 0 })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'role' } })
    expect(callsTo('addRole') + callsTo('deleteRole')).toBe(calls)

    expect(await h.call('deleteRole', { username: 'operator_li', role: 3 })).toEqual({ ok: true, data: { username: 'operator_li', role: 3, roleName: 'operator' } })
    expect(await h.call('deleteRole', { username: 'operator_li', role: 3 })).toMatchObject({ ok: false, error: { errcode: 2003 } })
  })

  it('refuses an admin over the cap of 10 before the addRole call, saying the cap', async () => {
    for (let i = 0; i < ROLE_CAPS[1]; i++) {
      expect(await h.call('addRole', { username: `shop_admin_${i}`, role: 1 })).toMatchObject({ ok: true })
    }
    const calls = callsTo('addRole')
    const over = await h.call('addRole', { username: 'shop_admin_x', role: 1 })
    expect(over).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'role', errcode: 400003, cap: 10, holders: 10 } })
    expect(!over.ok && over.error.zh).toContain('最多 10 人')
    expect(callsTo('addRole')).toBe(calls)
  })

  it('an anchor without real-name verification gets the code URL to scan', async () => {
    h.emu.control.setUserVerified('anchor_noreal', false)
    const reply = await h.call('addRole', { username: 'anchor_noreal', role: 2 })
    expect(reply).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'username', errcode: 400002, codeurl: expect.stringMatching(/^https:\/\//) } })
    expect(!reply.ok && reply.error.zh).toContain('codeurl')
  })

  it('an anchor who still has a room that has not started cannot lose the role (400005)', async () => {
    expect(await h.call('addRole', { username: 'anchor_zhao', role: 2 })).toMatchObject({ ok: true })
    newRoom('anchor_zhao')
    expect(await h.call('deleteRole', { username: 'anchor_zhao', role: 2 })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 400005 } })
  })
})

describe('assistants and sub-anchor', () => {
  it('adds within the room cap, renames and removes an assistant, refusing unknown ones before the call', async () => {
    const roomId = newRoom()
    const users = [{ username: 'helper_a1', nickname: '小A' }, { username: 'helper_b2', nickname: '小B' }]
    expect(await h.call('addAssistant', { roomId, users })).toEqual({ ok: true, data: { roomId, added: ['helper_a1', 'helper_b2'], renamed: [], count: 2, maxCount: 10 } })
    expect(await h.call('addAssistant', { roomId, users: [{ username: 'helper_a1', nickname: '阿A' }] })).toMatchObject({ ok: true, data: { added: [], renamed: ['helper_a1'], count: 2 } })

    const adds = callsTo('addAssistant')
    const nine = Array.from({ length: 9 }, (_, i) => ({ username: `helper_n${i}x`, nickname: `助手${i}` }))
    expect(await h.call('addAssistant', { roomId, users: nine })).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'users', maxCount: 10, count: 2 } })
    expect(await h.call('addAssistant', { roomId, users: [users[0], users[0]] })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'users.1.username' } })
    expect(await h.call('addAssistant', { roomId, users: [{ username: 'x', nickname: 'n' }] })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'users.0.username', errcode: 200002 } })
    expect(await h.call('addAssistant', { roomId, users: Array.from({ length: 11 }, (_, i) => ({ username: `helper_m${i}x`, nickname: 'n' })) })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'users' } })
    expect(callsTo('addAssistant')).toBe(adds)

    const modifies = callsTo('modifyAssistant') + callsTo('removeAssistant')
    expect(await h.call('modifyAssistant', { roomId, username: 'helper_zz', nickname: '无' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'username' } })
    expect(await h.call('removeAssistant', { roomId, username: 'helper_zz' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'username' } })
    expect(callsTo('modifyAssistant') + callsTo('removeAssistant')).toBe(modifies)

    expect(await h.call('modifyAssistant', { roomId, username: 'helper_b2', nickname: '新B' })).toEqual({ ok: true, data: { roomId, username: 'helper_b2', nickname: '新B' } })
    expect(await h.call('removeAssistant', { roomId, username: 'helper_a1' })).toEqual({ ok: true, data: { roomId, username: 'helper_a1' } })
    const list = await h.call('getAssistantList', { roomId })
    expect(list).toMatchObject({ ok: true, data: { count: 1, maxCount: 10, list: [{ alias: 'helper_b2', nickname: '新B' }] } })

    expect(await h.call('getAssistantList', { roomId: 999999 })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300022 } })
    const ended = newRoom()
    h.emu.control.roomEvent(ended, 'start')
    h.emu.control.roomEvent(ended, 'end')
    expect(await h.call('addAssistant', { roomId: ended, users })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 300023 } })
  })

  it('sets, changes, reads and removes the sub-anchor, with the platform refusals', async () => {
    const roomId = newRoom('anchor_xiaomei')
    h.emu.control.setUserVerified('sub_noreal', false)
    expect(await h.call('addSubAnchor', { roomId, username: 'sub_noreal' })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 500002 } })
    expect(await h.call('addSubAnchor', { roomId, username: 'anchor_xiaomei' })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 500005 } })
    const calls = callsTo('addSubAnchor')
    expect(await h.call('addSubAnchor', { roomId, username: '中文名' })).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'username', errcode: 300039 } })
    expect(callsTo('addSubAnchor')).toBe(calls)

    expect(await h.call('getSubAnchor', { roomId })).toEqual({ ok: true, data: { roomId, username: null } })
    expect(await h.call('addSubAnchor', { roomId, username: 'sub_anchor_1' })).toEqual({ ok: true, data: { roomId, username: 'sub_anchor_1' } })
    expect(await h.call('addSubAnchor', { roomId, username: 'sub_anchor_1' })).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 500004 } })
    expect(await h.call('modifySubAnchor', { roomId, username: 'sub_anchor_2' })).toEqual({ ok: true, data: { roomId, username: 'sub_anchor_2' } })
    expect(await h.call('getSubAnchor', { roomId })).toEqual({ ok: true, data: { roomId, username: 'sub_anchor_2' } })
    expect(await h.call('deleteSubAnchor', { roomId })).toEqual({ ok: true, data: { roomId } })
    expect(await h.call('getSubAnchor', { roomId })).toEqual({ ok: true, data: { roomId, username: null } })
    expect(await h.call('deleteSubAnchor', { roomId: 999999 })).toMatchObject({ ok: false, error: { code: 'not_found', errcode: 300022 } })
  })
})

describe('subscribers', () => {
  it('pages followers with pageBreak until there are no more', async () => {
    const roomId = newRoom()
    const before = h.emu.control.followers().length
    for (let i = 0; i < 5; i++) h.emu.control.addFollower({ openid: `o-page-follower-${i}`, roomId })
    const seen: string[] = []
    let pageBreak: number | undefined
    for (let page = 0; page < 10; page++) {
      const reply = await h.call('getFollowers', { limit: 2, ...(pageBreak !== undefined ? { pageBreak } : {}) })
      if (!reply.ok) throw new Error(JSON.stringify(reply.error))
      seen.push(...reply.data.followers.map((f: { openid: string }) => f.openid))
      if (!reply.data.more) break
      pageBreak = reply.data.pageBreak
    }
    expect(seen.length).toBe(before + 5)
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('pushes a live room to every follower in chunks of 2,000, once; records the outcome; one room a day', async () => {
    const upcoming = newRoom()
    const followersBefore = h.emu.control.followers().length
    const n = 2 * PUSH_MESSAGE_MAX_OPENIDS + 100
    for (let i = 0; i < n; i++) h.emu.control.addFollower({ openid: `o-fan-${String(i).padStart(5, '0')}`, roomId: upcoming })
    const total = followersBefore + n

    const pushes = callsTo('pushMessage')
    const early = await h.call('pushRoomToFollowers', { roomId: upcoming })
    expect(early).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'roomId', errcode: 9410006, status: 'upcoming' } })
    expect(callsTo('pushMessage')).toBe(pushes)

    h.emu.control.roomEvent(upcoming, 'start')
    const day = shanghaiDay(h.emu.clock.nowMs())
    const reply = await h.call('pushRoomToFollowers', { roomId: upcoming })
    if (!reply.ok) throw new Error(JSON.stringify(reply.error))
    expect(reply.data).toMatchObject({ roomId: upcoming, day, mode: 'all', done: true, pushed: total, pushedToday: total, failures: [], next: null })
    expect(reply.data.messageIds).toHaveLength(Math.ceil(total / PUSH_MESSAGE_MAX_OPENIDS))
    const sent = h.emu.control.pushedMessages().filter((m) => m.roomId === upcoming)
    expect(sent.map((m) => m.openids.length).every((len) => len <= PUSH_MESSAGE_MAX_OPENIDS)).toBe(true)
    const everyone = sent.flatMap((m) => m.openids)
    expect(everyone).toHaveLength(total)
    expect(new Set(everyone).size).toBe(total)
    expect(h.audit()[0]).toMatchObject({ action: 'pushRoomToFollowers', outcome: 'ok', detail: { pushed: total, pushedToday: total, messageIds: reply.data.messageIds, failures: [], done: true, day } })

    // Again the same day: nothing left, nobody pushed twice, no platform call.
    const again = await h.call('pushRoomToFollowers', { roomId: upcoming })
    expect(again).toMatchObject({ ok: true, data: { done: true, pushed: 0, pushedToday: total, messageIds: [] } })
    expect(h.emu.control.pushedMessages().filter((m) => m.roomId === upcoming)).toHaveLength(sent.length)

    // Another room the same day: refused before the call, saying the day it resets (Asia/Shanghai).
    const other = liveRoom()
    const calls = callsTo('pushMessage')
    const second = await h.call('pushRoomToFollowers', { roomId: other })
    expect(second).toMatchObject({ ok: false, error: { code: 'failed_precondition', errcode: 9410005, pushedRoomId: upcoming, day } })
    const resetsOn = !second.ok && second.error.resetsOn
    expect(resetsOn).toBe(shanghaiDay(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000))
    expect(!second.ok && second.error.zh).toContain(`${resetsOn} 零点`)
    expect(callsTo('pushMessage')).toBe(calls)
    expect(await h.call('pushRoomToFollowers', { roomId: upcoming, openids: ['o-extra-1'] })).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'openids' } })

    // The next Shanghai day: another room may go, to a given list.
    h.emu.clock.set(Math.floor(Date.parse(`${resetsOn}T00:00:05+08:00`) / 1000))
    const lateRoom = liveRoom()
    const listed = await h.call('pushRoomToFollowers', { roomId: lateRoom, openids: ['o-fan-00001', 'o-fan-00002', 'o-fan-00001'] })
    expect(listed).toMatchObject({ ok: true, data: { mode: 'list', done: true, pushed: 2, day: resetsOn } })
    expect(await h.call('pushRoomToFollowers', { roomId: lateRoom, openids: ['o-fan-00002', 'o-fan-00003'] })).toMatchObject({ ok: true, data: { pushed: 1, pushedToday: 3 } })
  })

  it('says which day the allowance resets when the platform answers 9410005 for a push made elsewhere', async () => {
    const day = shanghaiDay(h.emu.clock.nowMs())
    h.emu.clock.set(Math.floor(Date.parse(`${day}T00:00:05+08:00`) / 1000) + 86_400)
    const elsewhere = liveRoom()
    expect(await h.call('pushMessage', { roomId: elsewhere, userOpenid: ['o-fan-00009'] })).toMatchObject({ ok: true })
    const mine = liveRoom()
    const reply = await h.call('pushRoomToFollowers', { roomId: mine })
    expect(reply).toMatchObject({ ok: false, error: { code: 'failed_precondition', field: 'roomId', errcode: 9410005, resetsOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) } })
    expect(await h.call('pushRoomToFollowers', { roomId: mine }, VIEWER)).toMatchObject({ ok: false, error: { code: 'permission_denied' } })
  })
})
