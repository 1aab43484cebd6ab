/**
 * The params of the owner's admin actions, apart from the actions so the phone's form check (form-rules.ts) runs
 * the same schema without bundling the admin store.
 */
import * as z from '../live/zod'

/** An openid as WeChat issues them: 28 characters of letters, digits, `-` and `_` (checked loosely: 6–64). */
export const openidParam = z.string().check(z.regex(/^[A-Za-z0-9_-]{6,64}$/, 'an openid: 6–64 letters, digits, - or _'))

export const addAdminParams = z.object({
  openid: openidParam,
  role: z._default(z.enum(['admin', 'owner']), 'admin'),
  note: z._default(z.string().check(z.maxLength(64)), ''),
})

export const removeAdminParams = z.object({ openid: openidParam })
