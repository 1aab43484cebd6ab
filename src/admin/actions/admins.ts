/**
 * Who the caller is, and who the merchant's admins are. Owners (from the function's LIVE_OWNER_OPENIDS, or added
 * by an owner) add and remove admins; everyone may ask `whoami`, which is how a merchant learns their openid.
 */
import * as z from '../../live/zod'
import { addAdminParams, openidParam as openid, removeAdminParams } from '../admin-params'
import { setupView } from '../live-gate'
import { fail } from '../reply'
import { createAdminStore, ownersFromEnv, OWNER_ENV } from '../store'
import { defineAction, type ActionDef } from '../types'

export const adminActions: Readonly<Record<string, ActionDef>> = {
  whoami: defineAction({
    name: 'whoami',
    who: 'anyone',
    mutates: false,
    summary: { zh: '我是谁：调用者的 openid 与角色，以及本函数开启的直播类型', en: "Who am I: the caller's openid and roles, and the kinds of Live this function has" },
    params: z.object({}),
    reply:
      '{openid: string | null, roles: ("owner" | "admin")[], ownerEnv: "LIVE_OWNER_OPENIDS", setup: {miniProgramLive: boolean, finderUserName: string | null, kinds: {kind, zh, en}[], miniProgramLiveOff: {reason: {zh, en}, turnOn: {zh, en}} | null}}',
    calls: [],
    run: async (ctx) => ({ openid: ctx.caller.openid, roles: ctx.caller.roles, ownerEnv: OWNER_ENV, setup: setupView(ctx.ports.setup) }),
  }),

  listAdmins: defineAction({
    name: 'listAdmins',
    who: 'admin',
    mutates: false,
    summary: { zh: '列出店主与管理员', en: 'List owners and admins' },
    params: z.object({}),
    reply: '{admins: {openid, role, note, addedBy, addedAt, fromEnv}[]}',
    calls: [],
    run: async (ctx) => {
      const envOwners = ownersFromEnv(ctx.ports.env)
      const stored = await createAdminStore(ctx.ports.docs).listAdmins()
      return {
        admins: [
          ...envOwners.map((o) => ({ openid: o, role: 'owner', note: `${OWNER_ENV}`, addedBy: null, addedAt: null, fromEnv: true })),
          ...stored.filter((a) => !envOwners.includes(a.openid)).map((a) => ({ openid: a.openid, role: a.role, note: a.note, addedBy: a.addedBy, addedAt: a.addedAt, fromEnv: false })),
        ],
      }
    },
  }),

  addAdmin: defineAction({
    name: 'addAdmin',
    who: 'owner',
    mutates: true,
    summary: { zh: '添加管理员或店主（仅店主）', en: 'Add an admin or owner (owners only)' },
    params: addAdminParams,
    reply: '{openid, role, added: boolean} (added is false when it already had that role)',
    calls: [],
    run: async (ctx, p) => {
      const store = createAdminStore(ctx.ports.docs)
      if (ownersFromEnv(ctx.ports.env).includes(p.openid)) {
        return { openid: p.openid, role: 'owner', added: false }
      }
      const prev = await store.getAdmin(p.openid)
      if (prev && prev.removedAt === null && prev.role === p.role) return { openid: p.openid, role: p.role, added: false }
      await store.putAdmin({
        openid: p.openid,
        role: p.role,
        note: p.note,
        addedBy: ctx.caller.openid ?? '',
        addedAt: new Date(ctx.ports.nowMs()),
        removedAt: null,
        removedBy: null,
      })
      return { openid: p.openid, role: p.role, added: true }
    },
  }),

  removeAdmin: defineAction({
    name: 'removeAdmin',
    who: 'owner',
    mutates: true,
    summary: { zh: '移除管理员或店主（仅店主）', en: 'Remove an admin or owner (owners only)' },
    params: removeAdminParams,
    reply: '{openid, removed: boolean} (removed is false when it was not an admin)',
    calls: [],
    run: async (ctx, p) => {
      if (ownersFromEnv(ctx.ports.env).includes(p.openid)) {
        fail('failed_precondition', {
          zh: `该店主来自云函数环境变量 ${OWNER_ENV}，请在云开发控制台修改环境变量`,
          en: `This owner comes from the function's ${OWNER_ENV} environment variable; change it in the CloudBase console`,
        }, { field: 'openid' })
      }
      if (p.openid === ctx.caller.openid) {
        fail('failed_precondition', { zh: '不能移除自己；请让另一位店主操作', en: 'You cannot remove yourself; ask another owner' }, { field: 'openid' })
      }
      const store = createAdminStore(ctx.ports.docs)
      const prev = await store.getAdmin(p.openid)
      if (!prev || prev.removedAt !== null) return { openid: p.openid, removed: false }
      await store.putAdmin({ ...prev, removedAt: new Date(ctx.ports.nowMs()), removedBy: ctx.caller.openid ?? '' })
      return { openid: p.openid, removed: true }
    },
  }),

  listAudit: defineAction({
    name: 'listAudit',
    who: 'admin',
    mutates: false,
    summary: { zh: '操作记录（新的在前，可翻页）', en: 'Audit log, newest first, paged' },
    params: z.object({
      limit: z._default(z.int().check(z.gte(1), z.lte(100)), 20),
      before: z.optional(z.string().check(z.maxLength(64))),
      action: z.optional(z.string().check(z.maxLength(64))),
      openid: z.optional(openid),
    }),
    reply: '{entries: {id, at, openid, action, params, outcome, errcode, detail, ms}[], next: string | null} (pass next as before for the next page)',
    calls: [],
    run: async (ctx, p) => {
      const entries = await createAdminStore(ctx.ports.docs).listAudit(p)
      return { entries, next: entries.length === p.limit ? entries[entries.length - 1].id : null }
    },
  }),
}
