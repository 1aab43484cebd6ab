/** The admins page's rows: who, which role, why they cannot be removed when they cannot. */
import { shanghaiTime } from './people-format'

export interface AdminRow {
  openid: string
  roleText: string
  note: string
  added: string
  /** Empty when the owner may remove this person; else why not. */
  fixedReason: string
}

interface AdminRaw {
  openid?: unknown
  role?: unknown
  note?: unknown
  addedAt?: unknown
  fromEnv?: unknown
}

/** Rows from listAdmins; owners from the function's environment and the caller themself are not removable. */
export function adminRows(list: unknown, myOpenid: string | null): AdminRow[] {
  if (!Array.isArray(list)) return []
  const rows: AdminRow[] = []
  for (const raw of list as AdminRaw[]) {
    if (typeof raw !== 'object' || raw === null || typeof raw.openid !== 'string') continue
    const fromEnv = raw.fromEnv === true
    rows.push({
      openid: raw.openid,
      roleText: raw.role === 'owner' ? '店主' : '管理员',
      note: typeof raw.note === 'string' && !fromEnv ? raw.note : '',
      added: fromEnv ? '' : shanghaiTime(raw.addedAt),
      fixedReason: fromEnv
        ? '来自云函数环境变量，只能在云开发控制台修改'
        : raw.openid === myOpenid
          ? '这是你自己，需由另一位店主移除'
          : '',
    })
  }
  return rows
}
