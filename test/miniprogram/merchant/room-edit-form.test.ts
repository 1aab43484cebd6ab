/** The room form's logic: the params each action takes, field problems from the function's rules, what the phone keeps. */
import { beforeEach, describe, expect, it } from 'vitest'
import { checkForm } from '../../../src/admin/form-rules'
import { LiveStatus } from '../../../src/live/status'
import {
  DRAFT_KEY,
  clearDraft,
  formFromRoom,
  loadDraft,
  newRoomForm,
  problemSummary,
  recallRoom,
  rememberRoom,
  roomFormProblems,
  roomParams,
  saveDraft,
  timeWindow,
  type KeyValueStore,
  type RoomForm,
} from '../../../miniprogram/merchant/utils/room-form'
import { formatShanghai, parseShanghai } from '../../../miniprogram/merchant/utils/time'

const NOW = Date.UTC(2026, 10, 27, 12, 0) / 1000 // 20:00 in Shanghai
const storage = new Map<string, unknown>()
/** Stores copies, as wx storage does (JSON in, JSON out); a missing key reads as '' like wx.getStorageSync. */
const store: KeyValueStore = {
  get: (k) => (storage.has(k) ? storage.get(k) : ''),
  set: (k, v) => void storage.set(k, JSON.parse(JSON.stringify(v))),
  remove: (k) => void storage.delete(k),
}

beforeEach(() => {
  storage.clear()
})

function filled(): RoomForm {
  const f = newRoomForm(NOW)
  f.name = '春茶上新专场直播'
  f.anchorName = '小美老师'
  f.anchorWechat = 'anchor_xiaomei'
  for (const k of ['coverImg', 'shareImg', 'feedsImg'] as const) f.images[k] = { fileId: `cloud://env.bucket/rooms/${k}.png`, preview: '', percent: 100, uploading: false }
  return f
}

describe('room form params', () => {
  it('suggests a start on the first half hour inside the window and a two-hour live', () => {
    const f = newRoomForm(NOW)
    expect(f.start).toBe('2026-11-27 20:30')
    expect(f.end).toBe('2026-11-27 22:30')
  })

  it('sends createRoom its fields and the sub-anchor only when given; editRoom gets the id and no type', () => {
    const f = filled()
    const create = roomParams(f, 'create', 0)
    expect(create).toMatchObject({ type: 0, closeLike: 0, closeGoods: 0, closeComment: 0, closeReplay: 1, closeKf: 1, isFeedsPublic: 1, startTime: parseShanghai(f.start) })
    expect(create).not.toHaveProperty('subAnchorWechat')
    expect(checkForm('createRoom', create, NOW)).toMatchObject({ ok: true })

    f.subAnchorWechat = ' anchor_helper '
    f.likeOn = false
    f.replayOn = true
    expect(roomParams(f, 'create', 0)).toMatchObject({ subAnchorWechat: 'anchor_helper', closeLike: 1, closeReplay: 0 })

    const edit = roomParams(f, 'edit', 42)
    expect(edit.id).toBe(42)
    expect(edit).not.toHaveProperty('type')
    expect(edit).not.toHaveProperty('subAnchorWechat')
    expect(checkForm('editRoom', edit, NOW)).toMatchObject({ ok: true })
  })

  it('names images not chosen and times that do not parse, and still marks the other fields by the rules', () => {
    const f = newRoomForm(NOW)
    f.name = '春'
    f.start = '2026-02-30 10:00'
    const p = roomFormProblems(f, 'create', 0, NOW)
    expect(p.coverImg).toBe('请选择封面图')
    expect(p.startTime).toBe('请选择开播时间')
    expect(p.name).toContain('name')
    expect(p.anchorName).toBeTruthy()
    expect(problemSummary(p).startsWith('直播间名称、主播昵称')).toBe(true)
  })

  it('reaches the WeChat ID rules once the other fields hold, with the role named', () => {
    const f = filled()
    f.anchorWechat = '不是微信号'
    expect(Object.keys(roomFormProblems(f, 'create', 0, NOW))).toEqual(['anchorWechat'])
    f.anchorWechat = 'anchor_xiaomei'
    f.subAnchorWechat = 'anchor_xiaomei'
    expect(Object.keys(roomFormProblems(f, 'create', 0, NOW))).toEqual(['subAnchorWechat'])
    expect(roomFormProblems(f, 'edit', 7, NOW)).toEqual({})
  })

  it('bounds the pickers by the rules: start from 10 minutes on, the end 30 minutes to 24 hours after the start', () => {
    const f = filled()
    f.start = '2026-11-28 09:00'
    const w = timeWindow(f, NOW + 30)
    expect(w.startMin).toBe('2026-11-27 20:11')
    expect(w.startMax).toBe('2027-05-27 20:00')
    expect(w.endMin).toBe('2026-11-28 09:30')
    expect(w.endMax).toBe('2026-11-29 09:00')
    expect(w.text).toContain('24 小时')
  })

  it('fills an edit from getLiveInfo and what the phone remembered; images not remembered must be picked again', () => {
    const start = NOW + 86400
    const room = { roomid: 9, name: '旧名字直播间', coverImg: 'https://x/c.png', shareImg: 'https://x/s.png', feedsImg: 'https://x/f.png', liveStatus: LiveStatus.upcoming, startTime: start, endTime: start + 3600, anchorName: '小美老师', liveType: 1, closeLike: 1, closeReplay: 0, isFeedsPublic: 0 }
    const bare = formFromRoom(room, null)
    expect(bare).toMatchObject({ name: '旧名字直播间', start: formatShanghai(start), type: 1, likeOn: false, replayOn: true, feedsPublic: false, anchorWechat: '' })
    expect(bare.images.coverImg).toMatchObject({ fileId: '', preview: 'https://x/c.png' })
    const kept = formFromRoom(room, { anchorWechat: 'anchor_xiaomei', images: { coverImg: 'cloud://a/b.png' } })
    expect(kept.anchorWechat).toBe('anchor_xiaomei')
    expect(kept.images.coverImg.fileId).toBe('cloud://a/b.png')
    expect(kept.images.shareImg.fileId).toBe('')
  })
})

describe('what the phone keeps', () => {
  it('resumes a draft with its uploads, drops uploads still in flight, and clears it', () => {
    const f = filled()
    f.images.shareImg = { fileId: '', preview: '/tmp/x.png', percent: 40, uploading: true }
    saveDraft(store, f)
    const back = loadDraft(store, NOW)!
    expect(back.name).toBe(f.name)
    expect(back.images.coverImg.fileId).toBe(f.images.coverImg.fileId)
    expect(back.images.shareImg).toMatchObject({ fileId: '', uploading: false })
    clearDraft(store)
    expect(loadDraft(store, NOW)).toBeNull()
  })

  it('reads a damaged draft field by field instead of failing', () => {
    storage.set(DRAFT_KEY, { name: 12, anchorName: '小美老师', type: 5, likeOn: 'yes', images: { coverImg: { fileId: 3 } } })
    const back = loadDraft(store, NOW)!
    expect(back.name).toBe('')
    expect(back.anchorName).toBe('小美老师')
    expect(back.type).toBe(0)
    expect(back.likeOn).toBe(true)
    expect(back.images.coverImg.fileId).toBe('')
  })

  it('remembers a room\'s anchor WeChat ID and cloud file IDs, and nothing that is not a cloud file', () => {
    rememberRoom(store, 5, filled())
    expect(recallRoom(store, 5)).toEqual({ anchorWechat: 'anchor_xiaomei', images: { coverImg: 'cloud://env.bucket/rooms/coverImg.png', shareImg: 'cloud://env.bucket/rooms/shareImg.png', feedsImg: 'cloud://env.bucket/rooms/feedsImg.png' } })
    storage.set('merchant.room.6', { anchorWechat: 'a_b_c_d', images: { coverImg: 'https://not/cloud.png' } })
    expect(recallRoom(store, 6)).toEqual({ anchorWechat: 'a_b_c_d', images: {} })
    expect(recallRoom(store, 7)).toBeNull()
  })
})
