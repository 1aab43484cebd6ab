/** The role page's view logic: its tabs, members as rows, and telling whether a typed WeChat ID is the masked one shown. */
import * as rules from '../generated/rules'
import { shanghaiTimeFromSeconds } from './people-format'

export type RoleNumber = 1 | 2 | 3

/** Roles the page can give and take, in the order the platform numbers them. */
export const GRANTABLE_ROLES: readonly RoleNumber[] = [rules.RoleId.Admin, rules.RoleId.Anchor, rules.RoleId.Operator]

export interface RoleTab {
  value: number
  label: string
}

/** "All" first, then each grantable role by its name. */
export const ROLE_TABS: readonly RoleTab[] = [
  { value: rules.RoleId.All, label: '全部' },
  ...GRANTABLE_ROLES.map((r) => ({ value: r, label: rules.ROLE_TEXT[r].zh })),
]

/** "管理员最多 10 人" per role, from the caps the function enforces. */
export function roleCapsText(): string {
  return GRANTABLE_ROLES.map((r) => `${rules.ROLE_TEXT[r].zh}最多 ${rules.ROLE_CAPS[r]} 人`).join('，')
}

export function isGrantableRole(v: unknown): v is RoleNumber {
  return (GRANTABLE_ROLES as readonly unknown[]).includes(v)
}

/** A member as getRoleList answers it (the platform's fields; anything may be missing). */
export interface MemberRaw {
  username?: unknown
  nickname?: unknown
  openid?: unknown
  headingimg?: unknown
  roleList?: unknown
  updateTimestamp?: unknown
}

export interface MemberRow {
  key: string
  username: string
  nickname: string
  avatar: string
  /** Roles this page may take away, with their names. */
  roles: { role: RoleNumber; name: string }[]
  /** Roles shown but not removable here (the super admin, who owns the mini-program). */
  fixedRoles: string[]
  updated: string
}

/** Rows for the list; a member without a WeChat ID cannot be acted on and is dropped. */
export function memberRows(list: unknown): MemberRow[] {
  if (!Array.isArray(list)) return []
  const rows: MemberRow[] = []
  for (const raw of list as MemberRaw[]) {
    if (typeof raw !== 'object' || raw === null || typeof raw.username !== 'string' || raw.username === '') continue
    const roleIds = Array.isArray(raw.roleList) ? raw.roleList.filter((r): r is number => typeof r === 'number') : []
    rows.push({
      key: `${raw.username}|${typeof raw.openid === 'string' ? raw.openid : ''}`,
      username: raw.username,
      nickname: typeof raw.nickname === 'string' && raw.nickname !== '' ? raw.nickname : raw.username,
      avatar: typeof raw.headingimg === 'string' ? raw.headingimg : '',
      roles: roleIds.filter(isGrantableRole).map((r) => ({ role: r, name: rules.ROLE_TEXT[r].zh })),
      fixedRoles: roleIds.filter((r) => r === rules.RoleId.SuperAdmin).map(() => '超级管理员'),
      updated: shanghaiTimeFromSeconds(raw.updateTimestamp),
    })
  }
  return rows
}

/**
 * Whether `typed` can be the WeChat ID the list shows masked (`an****li`): the visible parts must match at the
 * same ends. The list never shows whole IDs, so removing a role asks for the whole one.
 */
export function fitsMasked(masked: string, typed: string): boolean {
  const parts = masked.split(/\*+/)
  if (parts.length < 2) return masked === typed
  const head = parts[0]
  const tail = parts[parts.length - 1]
  return typed.length >= head.length + tail.length + 1 && typed.startsWith(head) && typed.endsWith(tail)
}
