/**
 * Members (roles) and long-term subscription endpoints. Rules: https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/role-manage.html and
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/subscribe-api.html.
 */
import { LiveStatus } from '../../../src/live/status'
import { ROLE_CAPS, checkWechatId } from '../../../src/live/rules'
import { FOLLOWERS_PAGE } from '../../../src/live/catalogue'
import { maskUsername, openidFor, roomStatus } from '../model'
import { LiveError } from '../wire'
import { type Handler, type Handlers, enforce, requireRoom } from './context'

const ROLE_NAMES: Readonly<Record<number, string>> = { 0: 'super admin', 1: 'admin', 2: 'anchor', 3: 'operator' }

function countRole(members: Iterable<{ roles: Set<number> }>, role: number): number {
  let n = 0
  for (const m of members) if (m.roles.has(role)) n++
  return n
}

const addRole: Handler<'addRole'> = (ctx, p) => {
  const { state } = ctx
  enforce(checkWechatId('username', p.username, 400001))
  if (p.role === 2 && !state.isVerified(p.username)) {
    const codeurl = `${state.options.assetBaseUrl}/realname?wechat=${encodeURIComponent(p.username)}`
    throw new LiveError(400002, `username: ${p.username} must finish real-name verification to be an anchor`, { codeurl })
  }
  const existing = state.members.get(p.username)
  if (existing?.roles.has(p.role)) throw new LiveError(400004, `username: ${p.username} is already ${ROLE_NAMES[p.role]}`)
  const cap = ROLE_CAPS[p.role]
  if (countRole(state.members.values(), p.role) >= cap) {
    throw new LiveError(400003, `role: at most ${cap} members may be ${ROLE_NAMES[p.role]}`)
  }
  if (existing) {
    existing.roles.add(p.role)
    existing.updatedAt = ctx.now
  } else {
    state.members.set(p.username, {
      username: p.username,
      nickname: p.username,
      openid: openidFor(p.username),
      headimg: `${state.options.assetBaseUrl}/avatar/${p.username}.png`,
      roles: new Set([p.role]),
      updatedAt: ctx.now,
    })
  }
  return {}
}

const deleteRole: Handler<'deleteRole'> = (ctx, p) => {
  const { state } = ctx
  enforce(checkWechatId('username', p.username, 400001))
  const m = state.members.get(p.username)
  if (!m || !m.roles.has(p.role)) throw new LiveError(2003, `username: ${p.username} does not have role ${p.role}`)
  if (p.role === 2) {
    for (const room of state.rooms.values()) {
      if (room.anchorWechat === p.username && roomStatus(room, ctx.now) === LiveStatus.upcoming) {
        throw new LiveError(400005, `username: ${p.username} still anchors room ${room.roomId}, which has not started`)
      }
    }
  }
  m.roles.delete(p.role)
  m.updatedAt = ctx.now
  if (m.roles.size === 0) state.members.delete(p.username)
  return {}
}

const getRoleList: Handler<'getRoleList'> = (ctx, p) => {
  const role = p.role ?? -1
  const offset = p.offset ?? 0
  const limit = Math.min(p.limit ?? 10, 30)
  const kw = p.keyword?.trim()
  const matching = [...ctx.state.members.values()].filter(
    (m) =>
      (role === -1 || m.roles.has(role)) &&
      (!kw || m.username.includes(kw) || m.nickname.includes(kw)),
  )
  // Stable order: longest-standing roles first, then by WeChat ID.
  matching.sort((a, b) => a.updatedAt - b.updatedAt || a.username.localeCompare(b.username))
  const list = matching.slice(offset, offset + limit).map((m) => ({
    headingimg: m.headimg,
    nickname: m.nickname,
    openid: m.openid,
    roleList: [...m.roles].sort((a, b) => a - b),
    updateTimestamp: String(m.updatedAt),
    username: maskUsername(m.username),
  }))
  return { total: matching.length, list }
}

// ---------- subscription ----------

const getFollowers: Handler<'getFollowers'> = (ctx, p) => {
  const limit = Math.min(p.limit ?? FOLLOWERS_PAGE.default, FOLLOWERS_PAGE.max)
  const from = p.pageBreak ?? 0
  const page = ctx.state.followers.slice(from, from + limit)
  const followers = page.map((f) => {
    const room = ctx.state.rooms.get(f.roomId)
    return {
      openid: f.openid,
      subscribeTime: f.subscribeTime,
      roomId: f.roomId,
      roomStatus: room ? roomStatus(room, ctx.now) : 0,
    }
  })
  return { followers, pageBreak: from + page.length }
}

const pushMessage: Handler<'pushMessage'> = (ctx, p) => {
  const { state } = ctx
  const room = requireRoom(ctx, p.roomId)
  if (roomStatus(room, ctx.now) !== LiveStatus.live) throw new LiveError(9410006, `room ${room.roomId} is not live`)
  const pushedToday = state.pushedRoomByDay.get(ctx.day)
  if (pushedToday !== undefined && pushedToday !== room.roomId) {
    throw new LiveError(9410005, `room ${pushedToday} was already pushed today; one room per day`)
  }
  state.pushedRoomByDay.set(ctx.day, room.roomId)
  const messageId = state.nextMessageId++
  state.pushed.push({ messageId, roomId: room.roomId, openids: [...p.userOpenid], sentAt: ctx.now, day: ctx.day })
  return { messageId }
}

export const memberHandlers = {
  addRole,
  deleteRole,
  getRoleList,
  getFollowers,
  pushMessage,
} satisfies Partial<Handlers>
