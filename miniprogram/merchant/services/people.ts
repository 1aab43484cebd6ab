/** Live roles (admin, anchor, operator) through liveAdmin: list by role, give, take. Reference: docs/ADMIN-API.md. */
import { runAdmin } from './call'
import { memberRows, type MemberRow, type RoleNumber } from '../utils/people-roles'

/** getRoleList answers at most this many a page. */
export const ROLE_PAGE = 30

export interface RolePage {
  total: number
  rows: MemberRow[]
  nextOffset: number | null
}

/** One page of members holding `role` (-1: every member). */
export async function listRoles(role: number, offset = 0): Promise<RolePage> {
  const data = await runAdmin<{ total?: number; list?: unknown; nextOffset?: number | null }>('getRoleList', { role, offset, limit: ROLE_PAGE })
  return { total: typeof data.total === 'number' ? data.total : 0, rows: memberRows(data.list), nextOffset: typeof data.nextOffset === 'number' ? data.nextOffset : null }
}

export interface RoleAdded {
  username: string
  role: RoleNumber
  /** Set when the person must scan it to finish real-name verification before the role holds. */
  codeurl: string | null
}

export async function addRole(username: string, role: RoleNumber): Promise<RoleAdded> {
  const data = await runAdmin<{ codeurl?: string | null }>('addRole', { username, role })
  return { username, role, codeurl: typeof data.codeurl === 'string' && data.codeurl !== '' ? data.codeurl : null }
}

export async function deleteRole(username: string, role: RoleNumber): Promise<void> {
  await runAdmin('deleteRole', { username, role })
}
