/**
 * People around the rooms: member roles (admin, anchor, operator) with their caps, a room's assistants and its
 * sub-anchor, and long-term subscribers (followers, and pushing a live room to them). WeChat IDs and caps are
 * checked before the call that would break them; the platform's own refusals keep their errcode.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/role-manage.html
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/studio-api.html
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/subscribe-api.html
 */
import * as z from '../../live/zod'
import { FOLLOWERS_PAGE, PUSH_MESSAGE_MAX_OPENIDS, catalogue } from '../../live/catalogue'
import { shanghaiDay } from '../../live/day'
import { WxApiError, describeErrcode, isRetryable } from '../../live/errors'
import { ROLE_CAPS, ROLE_TEXT, ruleProblem, type RuleProblem } from '../../live/rules'
import * as s from '../../live/schemas'
import { cond, type RawDoc } from '../../sync/driver'
import { AdminFailure, ERRCODE_CLASS, fail, ruleFailure, toErrorBody } from '../reply'
import { ADMIN_COLLECTIONS } from '../store'
import { defineAction, type ActionContext, type ActionDef } from '../types'
import { requireLive } from './room-goods'

/**
 * Where an anchor without real-name verification scans to verify (the "小程序直播" mini-program), as the
 * role-management doc gives it; used when the platform's reply did not carry its own `codeurl`.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/role-manage.html
 */
export const REALNAME_CODE_URL = 'https://res.wx.qq.com/op_res/9rSix1dhHfK4rR049JL0PHJ7TpOvkuZ3mE0z7Ou_Etvjf-w1J_jVX0rZqeStLfwh'

/** A rule broken before the call, classified like the errcode the platform would have answered. */
function refuse(problem: RuleProblem, extra: Record<string, unknown> = {}): never {
  throw new AdminFailure({
    code: ERRCODE_CLASS[problem.errcode]?.code ?? 'failed_precondition',
    field: problem.field,
    errcode: problem.errcode,
    zh: problem.zh,
    en: problem.en,
    ...extra,
  })
}

/** Runs a Live call; a WxApiError with `errcode` becomes the failure `make` builds, anything else passes through. */
async function onErrcode<T>(call: Promise<T>, errcode: number, make: (e: WxApiError) => AdminFailure): Promise<T> {
  try {
    return await call
  } catch (e) {
    if (e instanceof WxApiError && e.errcode === errcode) throw make(e)
    throw e
  }
}

// ---------- roles ----------

const roleActions: Readonly<Record<string, ActionDef>> = {
  addRole: defineAction({
    name: 'addRole',
    who: 'admin',
    mutates: true,
    summary: {
      zh: `设置成员角色（1 管理员最多 ${ROLE_CAPS[1]} 人，2 主播最多 ${ROLE_CAPS[2]} 人，3 运营者最多 ${ROLE_CAPS[3]} 人）；主播须先实名认证，未认证时返回 codeurl`,
      en: `Give a member a role (1 admin, at most ${ROLE_CAPS[1]}; 2 anchor, at most ${ROLE_CAPS[2]}; 3 operator, at most ${ROLE_CAPS[3]}); an anchor must be real-name verified, codeurl says where`,
    },
    params: catalogue.addRole.request,
    reply: '{username, role, roleName, holders: number (members with the role before this call), codeurl: string | null (set: the user must scan it to finish real-name verification)}; 400002 answers failed_precondition with codeurl',
    calls: ['addRole', 'getRoleList'],
    run: async (ctx, p) => {
      const cap = ROLE_CAPS[p.role]
      const { total } = await ctx.ports.live.getRoleList({ role: p.role, limit: 1 })
      if (total >= cap) {
        refuse(ruleProblem(400003, 'role', { zh: `${ROLE_TEXT[p.role].zh}最多 ${cap} 人，现有 ${total} 人`, en: `at most ${cap} members may be ${ROLE_TEXT[p.role].en}, there are ${total}` }), { cap, holders: total })
      }
      const reply = await onErrcode(ctx.ports.live.addRole(p), 400002, (e) => new AdminFailure({
        code: 'failed_precondition',
        field: 'username',
        errcode: 400002,
        codeurl: e.qrcodeUrl ?? REALNAME_CODE_URL,
        zh: `username：${e.zh}（请用该微信扫描 codeurl 的二维码，在“小程序直播”小程序完成实名认证后重试）`,
        en: `username: ${e.en} (scan the codeurl QR code with that WeChat, verify in the "小程序直播" mini-program, then retry)`,
      }))
      return { username: p.username, role: p.role, roleName: ROLE_TEXT[p.role].en, holders: total, codeurl: reply.codeurl || null }
    },
  }),

  deleteRole: defineAction({
    name: 'deleteRole',
    who: 'admin',
    mutates: true,
    summary: { zh: '解除成员角色（主播还有未开播的直播间时不能解除）', en: 'Take a role from a member (not an anchor who still has rooms that have not started)' },
    params: catalogue.deleteRole.request,
    reply: '{username, role, roleName}',
    calls: ['deleteRole'],
    run: async (ctx, p) => {
      await ctx.ports.live.deleteRole(p)
      return { username: p.username, role: p.role, roleName: ROLE_TEXT[p.role].en }
    },
  }),

  getRoleList: defineAction({
    name: 'getRoleList',
    who: 'admin',
    mutates: false,
    summary: { zh: '成员列表（按角色、关键词筛选，分页；微信号已打码）', en: 'Members by role and keyword, paged (WeChat IDs come masked)' },
    params: catalogue.getRoleList.request,
    reply: '{total, list: {username (masked), nickname, openid, headingimg, roleList, updateTimestamp}[], nextOffset: number | null (pass as offset for the next page)}',
    calls: ['getRoleList'],
    run: async (ctx, p) => {
      const { total, list } = await ctx.ports.live.getRoleList(p)
      const reached = (p.offset ?? 0) + list.length
      return { total, list, nextOffset: list.length > 0 && reached < total ? reached : null }
    },
  }),
}

// ---------- assistants and sub-anchor ----------

/** The room's assistants as the platform lists them now. */
async function assistantsOf(ctx: ActionContext, roomId: number) {
  return ctx.ports.live.getAssistantList({ roomId })
}

async function requireAssistant(ctx: ActionContext, roomId: number, username: string): Promise<void> {
  const { list } = await assistantsOf(ctx, roomId)
  if (!list.some((a) => a.alias === username)) {
    fail('not_found', { zh: `username：${username} 不是直播间 ${roomId} 的小助手`, en: `username: ${username} is not an assistant of room ${roomId}` }, { field: 'username' })
  }
}

const helperActions: Readonly<Record<string, ActionDef>> = {
  addAssistant: defineAction({
    name: 'addAssistant',
    who: 'admin',
    mutates: true,
    summary: { zh: '添加直播间小助手（一次最多 10 人，不超过直播间上限 maxCount；已有的只更新昵称）', en: "Add room assistants (at most 10 a call, within the room's maxCount; existing ones only get the new nickname)" },
    params: catalogue.addAssistant.request,
    reply: '{roomId, added: string[], renamed: string[], count, maxCount}',
    calls: ['addAssistant', 'getAssistantList'],
    run: async (ctx, p) => {
      const seen = new Set<string>()
      for (const [i, u] of p.users.entries()) {
        if (seen.has(u.username)) {
          fail('invalid_argument', { zh: `users.${i}.username：${u.username} 重复`, en: `users.${i}.username: ${u.username} is listed twice` }, { field: `users.${i}.username` })
        }
        seen.add(u.username)
      }
      const before = await assistantsOf(ctx, p.roomId)
      const existing = new Set(before.list.map((a) => a.alias))
      const added = p.users.filter((u) => !existing.has(u.username)).map((u) => u.username)
      if (before.count + added.length > before.maxCount) {
        fail('failed_precondition', {
          zh: `users：直播间 ${p.roomId} 最多 ${before.maxCount} 个小助手，现有 ${before.count} 个，本次新增 ${added.length} 个`,
          en: `users: room ${p.roomId} may have at most ${before.maxCount} assistants; it has ${before.count} and this adds ${added.length}`,
        }, { field: 'users', maxCount: before.maxCount, count: before.count })
      }
      await ctx.ports.live.addAssistant(p)
      return {
        roomId: p.roomId,
        added,
        renamed: p.users.filter((u) => existing.has(u.username)).map((u) => u.username),
        count: before.count + added.length,
        maxCount: before.maxCount,
      }
    },
  }),

  modifyAssistant: defineAction({
    name: 'modifyAssistant',
    who: 'admin',
    mutates: true,
    summary: { zh: '修改小助手昵称', en: "Change an assistant's nickname" },
    params: catalogue.modifyAssistant.request,
    reply: '{roomId, username, nickname}',
    calls: ['modifyAssistant', 'getAssistantList'],
    run: async (ctx, p) => {
      await requireAssistant(ctx, p.roomId, p.username)
      await ctx.ports.live.modifyAssistant(p)
      return { roomId: p.roomId, username: p.username, nickname: p.nickname }
    },
  }),

  removeAssistant: defineAction({
    name: 'removeAssistant',
    who: 'admin',
    mutates: true,
    summary: { zh: '移除直播间小助手', en: 'Remove a room assistant' },
    params: catalogue.removeAssistant.request,
    reply: '{roomId, username}',
    calls: ['removeAssistant', 'getAssistantList'],
    run: async (ctx, p) => {
      await requireAssistant(ctx, p.roomId, p.username)
      await ctx.ports.live.removeAssistant(p)
      return { roomId: p.roomId, username: p.username }
    },
  }),

  getAssistantList: defineAction({
    name: 'getAssistantList',
    who: 'admin',
    mutates: false,
    summary: { zh: '直播间小助手列表', en: "A room's assistants" },
    params: catalogue.getAssistantList.request,
    reply: '{list: {alias (WeChat ID), nickname, headimg, openid, timestamp}[], count, maxCount}',
    calls: ['getAssistantList'],
    run: (ctx, p) => assistantsOf(ctx, p.roomId),
  }),

  addSubAnchor: defineAction({
    name: 'addSubAnchor',
    who: 'admin',
    mutates: true,
    summary: { zh: '设置主播副号（须实名认证，不能与主播相同）', en: 'Set the sub-anchor (real-name verified, not the main anchor)' },
    params: catalogue.addSubAnchor.request,
    reply: '{roomId, username}',
    calls: ['addSubAnchor'],
    run: async (ctx, p) => {
      await ctx.ports.live.addSubAnchor(p)
      return { roomId: p.roomId, username: p.username }
    },
  }),

  modifySubAnchor: defineAction({
    name: 'modifySubAnchor',
    who: 'admin',
    mutates: true,
    summary: { zh: '更换主播副号', en: 'Change the sub-anchor' },
    params: catalogue.modifySubAnchor.request,
    reply: '{roomId, username}',
    calls: ['modifySubAnchor'],
    run: async (ctx, p) => {
      await ctx.ports.live.modifySubAnchor(p)
      return { roomId: p.roomId, username: p.username }
    },
  }),

  deleteSubAnchor: defineAction({
    name: 'deleteSubAnchor',
    who: 'admin',
    mutates: true,
    summary: { zh: '删除主播副号', en: 'Remove the sub-anchor' },
    params: catalogue.deleteSubAnchor.request,
    reply: '{roomId}',
    calls: ['deleteSubAnchor'],
    run: async (ctx, p) => {
      await ctx.ports.live.deleteSubAnchor(p)
      return { roomId: p.roomId }
    },
  }),

  getSubAnchor: defineAction({
    name: 'getSubAnchor',
    who: 'admin',
    mutates: false,
    summary: { zh: '查询主播副号', en: 'The sub-anchor of a room' },
    params: catalogue.getSubAnchor.request,
    reply: '{roomId, username: string | null (null: none)}',
    calls: ['getSubAnchor'],
    run: async (ctx, p) => {
      const { username } = await ctx.ports.live.getSubAnchor(p)
      return { roomId: p.roomId, username: username || null }
    },
  }),
}

// ---------- subscribers ----------

/** `_id` prefix of the day's push job in live_admin_jobs: one room a day, so one job a day. */
export const PUSH_JOB_PREFIX = 'followers-push-'
/** Time kept back before the deadline: a page read, a push and the progress write must fit, or the run stops. */
export const PUSH_MARGIN_MS = 1500
/** Followers one page holds while pushing: one page is one push. */
const PUSH_PAGE = Math.min(FOLLOWERS_PAGE.max, PUSH_MESSAGE_MAX_OPENIDS)

const openidItem = z.string().check(z.minLength(1), z.maxLength(128))

interface PushFailure {
  /** Openids the refused or uncertain push was for. */
  count: number
  errcode: number | null
  /** refused: nothing was sent, they stay to push; uncertain: the platform may have sent it, so they are skipped. */
  kind: 'refused' | 'uncertain'
  en: string
}

interface PushJob {
  day: string
  roomId: number
  mode: 'all' | 'list'
  /** all: the pageBreak to read next (null: from the start). */
  cursor: number | null
  done: boolean
  pushed: number
  messageIds: (string | number)[]
  failures: PushFailure[]
  /** list: openids already pushed (or skipped as uncertain) today. */
  listPushed: string[]
  /** Epoch ms until which a run holds the job; another run refuses to push meanwhile. */
  leaseUntil: number
}

function asJob(doc: RawDoc): PushJob {
  return {
    day: String(doc.day ?? ''),
    roomId: typeof doc.roomId === 'number' ? doc.roomId : 0,
    mode: doc.mode === 'list' ? 'list' : 'all',
    cursor: typeof doc.cursor === 'number' ? doc.cursor : null,
    done: doc.done === true,
    pushed: typeof doc.pushed === 'number' ? doc.pushed : 0,
    messageIds: Array.isArray(doc.messageIds) ? (doc.messageIds as (string | number)[]) : [],
    failures: Array.isArray(doc.failures) ? (doc.failures as PushFailure[]) : [],
    listPushed: Array.isArray(doc.listPushed) ? (doc.listPushed as string[]) : [],
    leaseUntil: typeof doc.leaseUntil === 'number' ? doc.leaseUntil : 0,
  }
}

/** The Asia/Shanghai day after `day`, when the one-room-a-day push allowance starts again. */
export function nextShanghaiDay(day: string): string {
  return shanghaiDay(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000)
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)]
}

const pushParams = z.object({
  roomId: s.roomId,
  /** Push to these openids only; absent: every long-term subscriber. */
  openids: z.optional(z.array(openidItem).check(z.minLength(1), z.maxLength(PUSH_MESSAGE_MAX_OPENIDS))),
})

interface PushOutcome {
  roomId: number
  day: string
  resetsOn: string
  mode: 'all' | 'list'
  done: boolean
  pushed: number
  pushedToday: number
  messageIds: (string | number)[]
  failures: PushFailure[]
  next: { zh: string; en: string } | null
  job: string
}

export async function pushRoomToFollowers(ctx: ActionContext, p: z.output<typeof pushParams>): Promise<PushOutcome> {
  const { live, docs, nowMs, deadlineMs } = ctx.ports
  const jobs = ADMIN_COLLECTIONS.jobs
  const day = shanghaiDay(nowMs())
  const resetsOn = nextShanghaiDay(day)
  const id = `${PUSH_JOB_PREFIX}${day}`
  const mode: 'all' | 'list' = p.openids ? 'list' : 'all'
  const given = p.openids ? unique(p.openids) : []

  const [stored] = await docs.find(jobs, { _id: id }, { limit: 1 })
  const prior = stored ? asJob(stored) : null
  const mine = prior !== null && prior.roomId === p.roomId
  if (prior && !mine && prior.pushed > 0) {
    fail('failed_precondition', {
      zh: `roomId：今天（${day}，北京时间）已推送过直播间 ${prior.roomId}，每天只能推送一个直播间；${resetsOn} 零点后可再推送`,
      en: `roomId: room ${prior.roomId} was already pushed today (${day}, Asia/Shanghai); one room a day, next allowed from ${resetsOn} 00:00 Asia/Shanghai`,
    }, { field: 'roomId', errcode: 9410005, pushedRoomId: prior.roomId, day, resetsOn })
  }
  if (prior && mine && prior.pushed > 0 && prior.mode !== mode) {
    fail('failed_precondition', prior.mode === 'all'
      ? { zh: 'openids：今天该直播间已按全部订阅者推送，不能再按名单推送', en: 'openids: today this room is being pushed to every subscriber; it cannot also go to a list' }
      : { zh: 'openids：今天该直播间已按名单推送，请继续给出名单', en: 'openids: today this room is being pushed to a list; keep giving a list' }, { field: 'openids' })
  }
  const job: PushJob = prior && mine
    ? prior
    : { day, roomId: p.roomId, mode, cursor: null, done: false, pushed: 0, messageIds: [], failures: [], listPushed: [], leaseUntil: 0 }
  job.mode = mode
  const already = new Set(job.listPushed)
  const pending = mode === 'list' ? given.filter((o) => !already.has(o)) : []
  const outcome = (runPushed: number, runIds: (string | number)[], runFailures: PushFailure[], done: boolean): PushOutcome => ({
    roomId: p.roomId,
    day,
    resetsOn,
    mode,
    done,
    pushed: runPushed,
    pushedToday: job.pushed,
    messageIds: runIds,
    failures: runFailures,
    next: done ? null : { zh: '时间用完前已停止：用相同参数再次调用 pushRoomToFollowers 继续，已推送的不会重复', en: 'Stopped before the time limit: call pushRoomToFollowers again with the same params to continue; nobody is pushed twice' },
    job: id,
  })
  const listDone = () => given.every((o) => already.has(o))
  if ((mode === 'all' && mine && job.done) || (mode === 'list' && pending.length === 0)) return outcome(0, [], [], true)

  await requireLive(ctx, p.roomId, { zh: '推送给订阅者', en: 'subscribers can be pushed' }, 9410006)

  // ---- take the day's job, so two runs never push the same page
  const leaseUntil = deadlineMs
  if (!stored) {
    if ((await docs.insert(jobs, { _id: id, kind: 'followersPush', ...job, leaseUntil, startedAt: new Date(nowMs()) })) === 'duplicate') {
      fail('failed_precondition', { zh: '另一次推送刚刚开始，请稍后重试', en: 'Another push run has just started; retry in a moment' })
    }
  } else {
    const taken = await docs.update(jobs, { _id: id, leaseUntil: cond.lt(nowMs()) }, { set: { ...(mine ? {} : job), mode, leaseUntil } })
    if (taken === 0) {
      fail('failed_precondition', {
        zh: `另一次推送正在进行，请在 ${new Date(prior?.leaseUntil ?? 0).toISOString()} 之后重试`,
        en: `Another push run is going on; retry after ${new Date(prior?.leaseUntil ?? 0).toISOString()}`,
      })
    }
  }

  const runIds: (string | number)[] = []
  const runFailures: PushFailure[] = []
  let runPushed = 0
  const save = () => docs.update(jobs, { _id: id }, {
    set: { cursor: job.cursor, done: job.done, pushed: job.pushed, messageIds: job.messageIds, failures: job.failures, listPushed: job.listPushed, updatedAt: new Date(nowMs()) },
  })
  const release = async () => {
    try {
      await docs.update(jobs, { _id: id }, { set: { leaseUntil: 0 } })
    } catch {
      // the lease lapses at the deadline anyway
    }
  }

  /** Pushes one chunk; false stops the run (the platform refused or may have failed part-way). */
  const pushChunk = async (openids: string[]): Promise<boolean> => {
    try {
      const { messageId } = await live.pushMessage({ roomId: p.roomId, userOpenid: openids })
      runIds.push(messageId)
      job.messageIds.push(messageId)
      runPushed += openids.length
      job.pushed += openids.length
      return true
    } catch (e) {
      const definite = e instanceof WxApiError && !isRetryable(e)
      // A refusal before any push of this run is the answer itself, with the day and reset said for 9410005.
      if (definite && runPushed === 0 && runFailures.length === 0) {
        await release()
        if (e.errcode === 9410005) {
          fail('failed_precondition', {
            zh: `roomId：${describeErrcode(9410005).zh}；${resetsOn} 零点（北京时间）后可再推送`,
            en: `roomId: ${describeErrcode(9410005).en}; next allowed from ${resetsOn} 00:00 Asia/Shanghai`,
          }, { field: 'roomId', errcode: 9410005, day, resetsOn })
        }
        throw e
      }
      const body = toErrorBody(e)
      const failure: PushFailure = { count: openids.length, errcode: body.errcode ?? null, kind: definite ? 'refused' : 'uncertain', en: body.en }
      runFailures.push(failure)
      job.failures.push(failure)
      return false
    }
  }

  const timeLeft = () => nowMs() < deadlineMs - PUSH_MARGIN_MS
  try {
    if (mode === 'list') {
      for (let i = 0; i < pending.length && timeLeft(); i += PUSH_MESSAGE_MAX_OPENIDS) {
        const chunk = pending.slice(i, i + PUSH_MESSAGE_MAX_OPENIDS)
        const ok = await pushChunk(chunk)
        // An uncertain push may have reached them: never again today.
        if (ok || runFailures[runFailures.length - 1].kind === 'uncertain') {
          job.listPushed.push(...chunk)
          for (const o of chunk) already.add(o)
        }
        await save()
        if (!ok) break
      }
    } else {
      while (!job.done && timeLeft()) {
        const page = await live.getFollowers({ limit: PUSH_PAGE, ...(job.cursor !== null ? { pageBreak: job.cursor } : {}) })
        const openids = unique(page.followers.map((f) => f.openid))
        const last = page.followers.length < PUSH_PAGE || page.pageBreak === undefined
        if (openids.length === 0) {
          job.done = true
          await save()
          break
        }
        const ok = await pushChunk(openids)
        if (ok || runFailures[runFailures.length - 1].kind === 'uncertain') {
          job.cursor = page.pageBreak ?? job.cursor
          job.done = last
        }
        await save()
        if (!ok) break
      }
    }
  } finally {
    await release()
  }
  return outcome(runPushed, runIds, runFailures, mode === 'list' ? listDone() : job.done)
}

const subscriberActions: Readonly<Record<string, ActionDef>> = {
  getFollowers: defineAction({
    name: 'getFollowers',
    who: 'admin',
    mutates: false,
    summary: { zh: `长期订阅用户，分页（每页默认 ${FOLLOWERS_PAGE.default}，最多 ${FOLLOWERS_PAGE.max}）`, en: `Long-term subscribers, paged (${FOLLOWERS_PAGE.default} a page by default, at most ${FOLLOWERS_PAGE.max})` },
    params: catalogue.getFollowers.request,
    reply: '{followers: {openid, subscribeTime, roomId, roomStatus}[], pageBreak: number | null (pass as pageBreak for the next page), more: boolean}',
    calls: ['getFollowers'],
    run: async (ctx, p) => {
      const limit = p.limit ?? FOLLOWERS_PAGE.default
      const page = await ctx.ports.live.getFollowers({ limit, ...(p.pageBreak !== undefined ? { pageBreak: p.pageBreak } : {}) })
      const more = page.followers.length >= limit && page.pageBreak !== undefined
      return { followers: page.followers, pageBreak: page.pageBreak ?? null, more }
    },
  }),

  pushRoomToFollowers: defineAction({
    name: 'pushRoomToFollowers',
    who: 'admin',
    mutates: true,
    summary: {
      zh: `把直播中的直播间推送给全部长期订阅用户（或给出的 openids），每次调用接口最多 ${PUSH_MESSAGE_MAX_OPENIDS} 人；每天只能推送一个直播间；时间不够时停下，再次调用继续，不会重复推送`,
      en: `Push a live room to every long-term subscriber (or the openids given), ${PUSH_MESSAGE_MAX_OPENIDS} per platform call; one room a day; stops before the time limit and continues on the next call, never pushing anyone twice`,
    },
    params: pushParams,
    reply: '{roomId, day, resetsOn (Asia/Shanghai days), mode: "all" | "list", done, pushed (this call), pushedToday, messageIds (this call), failures: {count, errcode, kind: "refused" | "uncertain", en}[], next: {zh, en} | null (how to continue), job (its live_admin_jobs _id)}',
    calls: ['getFollowers', 'pushMessage', 'getLiveInfo'],
    run: (ctx, p) => pushRoomToFollowers(ctx, p),
    auditDetail: (data) => {
      const d = data as PushOutcome
      return { pushed: d.pushed, pushedToday: d.pushedToday, messageIds: d.messageIds, failures: d.failures, done: d.done, day: d.day }
    },
  }),
}

export const peopleActions: Readonly<Record<string, ActionDef>> = {
  ...roleActions,
  ...helperActions,
  ...subscriberActions,
}
