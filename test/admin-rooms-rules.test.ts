/**
 * The room input rules the admin function and the sandbox share (src/live/rules.ts): the composed create/edit
 * check, image sizes per field, and the share code's custom params bound.
 */
import { describe, expect, it } from 'vitest'
import { ROOM_IMAGE_RULES, SHARED_CODE_PARAMS_MAX, checkRoomImageSize, checkRoomInput, checkSharedCodeParams } from '../src/live/rules'

const NOW = 1_790_000_000
const good = {
  name: '周末好物直播',
  anchorName: '小王主播',
  anchorWechat: 'anchor_wang01',
  startTime: NOW + 3600,
  endTime: NOW + 3 * 3600,
}

describe('checkRoomInput', () => {
  it('passes a valid room, and checks only the order of times without a clock', () => {
    expect(checkRoomInput(good, 'create', NOW)).toBeNull()
    const past = { ...good, startTime: NOW - 86400, endTime: NOW - 3600 }
    expect(checkRoomInput(past, 'create', NOW)).toMatchObject({ field: 'startTime', errcode: 200002 })
    expect(checkRoomInput(past, 'create', null)).toBeNull()
    expect(checkRoomInput({ ...past, endTime: past.startTime }, 'create', null)).toMatchObject({ field: 'endTime' })
  })

  it('answers the errcode of the role a WeChat ID plays: anchor on create 300035, on edit 300030', () => {
    expect(checkRoomInput({ ...good, anchorWechat: '9abc' }, 'create', NOW)).toMatchObject({ field: 'anchorWechat', errcode: 300035 })
    expect(checkRoomInput({ ...good, anchorWechat: '9abc' }, 'edit', NOW)).toMatchObject({ field: 'anchorWechat', errcode: 300030 })
    expect(checkRoomInput({ ...good, subAnchorWechat: good.anchorWechat }, 'create', NOW)).toMatchObject({ field: 'subAnchorWechat', errcode: 300039 })
    expect(checkRoomInput({ ...good, subAnchorWechat: 'helper_li02' }, 'create', NOW)).toBeNull()
    expect(checkRoomInput({ ...good, createrWechat: 'a b' }, 'create', NOW)).toMatchObject({ field: 'createrWechat', errcode: 300041 })
  })

  it('reports the first broken rule in field order: name before anchor name before times', () => {
    const bad = { ...good, name: 'ab', anchorName: 'x', startTime: NOW }
    expect(checkRoomInput(bad, 'create', NOW)).toMatchObject({ field: 'name', errcode: 300002 })
    expect(checkRoomInput({ ...bad, name: good.name }, 'create', NOW)).toMatchObject({ field: 'anchorName', errcode: 300034 })
  })
})

describe('checkRoomImageSize', () => {
  it('takes each field up to its own cap and refuses one byte more, or an empty image', () => {
    for (const [field, rule] of Object.entries(ROOM_IMAGE_RULES) as [keyof typeof ROOM_IMAGE_RULES, { errcode: number; maxBytes: number }][]) {
      expect(checkRoomImageSize(field, rule.maxBytes)).toBeNull()
      expect(checkRoomImageSize(field, rule.maxBytes + 1)).toMatchObject({ field, errcode: rule.errcode })
      expect(checkRoomImageSize(field, 0)).toMatchObject({ field, errcode: rule.errcode })
    }
    expect(checkRoomImageSize('feedsImg', ROOM_IMAGE_RULES.feedsImg.maxBytes + 1)?.en).toContain('100 KB')
  })
})

describe('checkSharedCodeParams', () => {
  it('takes an object or its encoded JSON and sends the encoded form', () => {
    const custom = { channel: 'poster', n: 1 }
    const encoded = encodeURIComponent(JSON.stringify(custom))
    expect(checkSharedCodeParams(custom)).toEqual({ encoded })
    expect(checkSharedCodeParams(encoded)).toEqual({ encoded })
  })

  it('refuses what is not a JSON object, and more than the bound once encoded, with 1001 on params', () => {
    for (const bad of ['[1,2]', 'not json', '%E0%A4%A', '"text"']) {
      expect(checkSharedCodeParams(bad), bad).toMatchObject({ field: 'params', errcode: 1001 })
    }
    // Each CJK character is 9 characters once encoded: as many as fit pass, one more does not.
    const fits = { v: '一'.repeat(Math.floor((SHARED_CODE_PARAMS_MAX - encodeURIComponent('{"v":""}').length) / 9)) }
    expect(checkSharedCodeParams(fits)).toHaveProperty('encoded')
    expect(checkSharedCodeParams({ v: `${fits.v}一` })).toMatchObject({ field: 'params', errcode: 1001 })
  })
})
