/** The shop's owners and admins (only owners change them). Reference: docs/ADMIN-API.md listAdmins/addAdmin/removeAdmin. */
import { runAdmin } from './call'
import { adminRows, type AdminRow } from '../utils/people-admins'

export async function listAdmins(myOpenid: string | null): Promise<AdminRow[]> {
  const data = await runAdmin<{ admins?: unknown }>('listAdmins')
  return adminRows(data.admins, myOpenid)
}

export type AdminRole = 'admin' | 'owner'

/** false when the person already had that role. */
export async function addAdmin(openid: string, note: string, role: AdminRole): Promise<boolean> {
  const data = await runAdmin<{ added?: boolean }>('addAdmin', { openid, note, role })
  return data.added === true
}

/** false when the person was not an admin. */
export async function removeAdmin(openid: string): Promise<boolean> {
  const data = await runAdmin<{ removed?: boolean }>('removeAdmin', { openid })
  return data.removed === true
}
