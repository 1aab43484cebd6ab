/** The people pages' view logic in plain Node: masked IDs, member and admin rows, Shanghai times, words typed, pushes summed, audit rows. */
import { describe, expect, it } from 'vitest'
import { shanghaiTime, shanghaiTimeFromSeconds, toMs } from '../../../miniprogram/merchant/utils/people-format'
import { ROLE_TABS, fitsMasked, memberRows, roleCapsText } from '../../../miniprogram/merchant/utils/people-roles'
import { adminRows } from '../../../miniprogram/merchant/utils/people-admins'
import { countsByRoom, followerRows, followersOf, liveRoomRows, pushSummary } from '../../../miniprogram/merchant/utils/people-subscribers'
import { hitRows, splitWords, wordsProblem } from '../../../miniprogram/merchant/utils/people-words'
import { auditRows } from '../../../miniprogram/merchant/utils/people-audit'
import { ROLE_CAPS } from '../../../src/live/rules'
import { WORD_LIMITS } from '../../../src/admin/word-params'

describe('Shanghai times', () => {
  it('shows a UTC instant at UTC+8, crossing midnight', () => {
    expect(shanghaiTime(Date.UTC(2026, 10, 27, 16, 30, 5))).toBe('2026-11-28 00:30:05')
    expect(shanghaiTime('2026-11-27T01:02:03.000Z')).toBe('2026-11-27 09:02:03')
    expect(shanghaiTime({ $date: '2026-11-27T01:02:03.000Z' })).toBe('2026-11-27 09:02:03')
    expect(shanghaiTimeFromSeconds(1_700_000_000)).toBe('2023-11-15 06:13:20')
  })
  it('says — for a missing or unreadable time', () => {
    expect(shanghaiTime(null)).toBe('—')
    expect(shanghaiTime('soon')).toBe('—')
    expect(shanghaiTimeFromSeconds(0)).toBe('—')
    expect(toMs(Number.NaN)).toBeNull()
  })
})

describe('roles', () => {
  it('tabs every grantable role after "all", and states the caps the function enforces', () => {
    expect(ROLE_TABS.map((t) => t.value)).toEqual([-1, 1, 2, 3])
    expect(roleCapsText()).toBe(`管理员最多 ${ROLE_CAPS[1]} 人，主播最多 ${ROLE_CAPS[2]} 人，运营者最多 ${ROLE_CAPS[3]} 人`)
  })
  it('accepts a typed ID only when it fits both visible ends of the masked one', () => {
    expect(fitsMasked('op****en', 'operator_chen')).toBe(true)
    expect(fitsMasked('op****en', 'operator_wang')).toBe(false)
    expect(fitsMasked('op****en', 'open')).toBe(false)
    expect(fitsMasked('a****', 'abcdef')).toBe(true)
    expect(fitsMasked('plainid', 'plainid')).toBe(true)
    expect(fitsMasked('plainid', 'plainid2')).toBe(false)
  })
  it('maps members to rows with removable roles named, the super admin fixed, bad items dropped', () => {
    const rows = memberRows([
      { username: 'an****ei', nickname: '小美', openid: 'o1', headingimg: 'h', roleList: [0, 2, 3], updateTimestamp: 1_700_000_000 },
      { nickname: 'no id' },
      null,
      { username: 'op****li', roleList: 'x' },
    ])
    expect(rows).toHaveLength(2)
    expect(rows[0].roles).toEqual([
      { role: 2, name: '主播' },
      { role: 3, name: '运营者' },
    ])
    expect(rows[0].fixedRoles).toEqual(['超级管理员'])
    expect(rows[1]).toMatchObject({ nickname: 'op****li', roles: [], updated: '—' })
    expect(memberRows('nope')).toEqual([])
  })
})

describe('admins', () => {
  it('marks owners from the environment and the caller as not removable', () => {
    const rows = adminRows(
      [
        { openid: 'owner-1', role: 'owner', note: 'LIVE_OWNER_OPENIDS', fromEnv: true },
        { openid: 'me-1', role: 'owner', note: '', addedAt: '2026-11-27T01:00:00.000Z', fromEnv: false },
        { openid: 'clerk-1', role: 'admin', note: '店员', addedAt: '2026-11-27T01:00:00.000Z', fromEnv: false },
        { role: 'admin' },
      ],
      'me-1',
    )
    expect(rows.map((r) => [r.openid, r.roleText, r.fixedReason !== ''])).toEqual([
      ['owner-1', '店主', true],
      ['me-1', '店主', true],
      ['clerk-1', '管理员', false],
    ])
    expect(rows[0].note).toBe('')
    expect(rows[2]).toMatchObject({ note: '店员', added: '2026-11-27 09:00:00' })
  })
})

describe('subscribers', () => {
  const rows = followerRows([
    { openid: 'a', roomId: 7, subscribeTime: 1_700_000_000 },
    { openid: 'b', roomId: 9 },
    { openid: 'c', roomId: 7 },
    { roomId: 7 },
  ])
  it('counts followers per room, most first, and filters by room', () => {
    expect(countsByRoom(rows)).toEqual([
      { roomId: 7, count: 2 },
      { roomId: 9, count: 1 },
    ])
    expect(followersOf(rows, 7).map((r) => r.openid)).toEqual(['a', 'c'])
    expect(followersOf(rows, null)).toHaveLength(3)
  })
  it('keeps only rooms on air as pushable', () => {
    expect(liveRoomRows([{ roomid: 1, name: 'x', liveStatus: 101, anchorName: 'y' }, { roomid: 2, name: 'z', liveStatus: 102 }])).toEqual([{ roomId: 1, name: 'x', anchor: 'y' }])
  })
  it('sums a push: sent, failed with errcode sentences, and whether to continue', () => {
    const last = { roomId: 5, day: '2026-11-27', resetsOn: '2026-11-28', done: false, pushed: 0, pushedToday: 2000, failures: [] }
    const s = pushSummary(last, [{ count: 3, errcode: -1, kind: 'uncertain' }])
    expect(s).toMatchObject({ sent: 2000, failed: 3, done: false })
    expect(s.text).toContain('错误码 -1')
    expect(s.text).toContain('继续推送')
    expect(pushSummary({ ...last, done: true }, []).text).toContain('已全部完成')
  })
})

describe('words', () => {
  it('splits words on lines, commas, spaces and 、, dropping blanks and repeats ignoring case', () => {
    expect(splitWords(' 假货\n最低价，ABC、abc  秒杀,, ')).toEqual(['假货', '最低价', 'ABC', '秒杀'])
  })
  it('names each word addSensitiveWords would refuse, and a list that would grow past the stated size, counting only new words', () => {
    const limits = { maxWords: 3, maxWordLength: WORD_LIMITS.maxWordLength }
    const long = 'x'.repeat(WORD_LIMITS.maxWordLength + 1)
    expect(wordsProblem([], [], limits, 0)).not.toBe('')
    const tooLong = wordsProblem(['ok', long], [], limits, 0)
    expect(tooLong).toContain(`「${long}」`)
    expect(tooLong).toContain(String(WORD_LIMITS.maxWordLength))
    expect(wordsProblem(['x'.repeat(WORD_LIMITS.maxWordLength)], [], limits, 0)).toBe('')
    expect(wordsProblem(['a', 'b'], ['A', 'c'], limits, 0)).toBe('')
    expect(wordsProblem(['d', 'e'], ['A', 'c'], limits, 0)).toContain('添加后会有 4 个')
    expect(wordsProblem(['d', 'e'], ['A', 'c'], null, 0)).toBe('')
  })
  it('says which list a hit came from', () => {
    expect(hitRows([{ field: 'text', source: 'merchant', word: '假货', zh: 'text：含敏感词「假货」' }, { source: 'platform', words: ['x'] }]).map((h) => h.text)).toEqual([
      '本店敏感词表：text：含敏感词「假货」',
      '微信内容安全检测：命中：x',
    ])
  })
})

describe('audit', () => {
  it('names the outcome, the errcode with its sentence, the caller, and a detail object', () => {
    const [failed, ok, timer] = auditRows(
      [
        { id: '3', at: '2026-11-27T12:00:00.000Z', openid: 'me', action: 'addRole', outcome: 'failed_precondition', errcode: 400004, detail: 'already' },
        { id: '2', at: '2026-11-27T12:00:00.000Z', openid: 'x', action: 'goodsAdd', outcome: 'ok', errcode: null, detail: { goodsId: 9 } },
        { id: '1', at: null, openid: null, action: 'batchContinue', outcome: 'brand_new', errcode: null, detail: null },
        { action: 'no id' },
      ],
      'me',
    )
    expect(failed).toMatchObject({ ok: false, outcome: '当前状态不允许', who: '我（me）', at: '2026-11-27 20:00:00', detail: 'already' })
    expect(failed.errcodeText).toContain('错误码 400004')
    expect(ok).toMatchObject({ ok: true, outcome: '成功', errcodeText: '', detail: 'goodsId: 9', who: 'x' })
    expect(timer).toMatchObject({ outcome: 'brand_new', at: '—' })
    expect(timer.who).toContain('无用户')
  })
})
