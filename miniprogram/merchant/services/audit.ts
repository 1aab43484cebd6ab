/** The audit log, newest first, a page at a time. Reference: docs/ADMIN-API.md listAudit. */
import { runAdmin } from './call'
import { auditRows, type AuditRow } from '../utils/people-audit'

export const AUDIT_PAGE = 20

export interface AuditFilter {
  /** Only this action (its id, as the rows show it). */
  action?: string
  /** Only this person's calls. */
  openid?: string
}

export interface AuditPage {
  rows: AuditRow[]
  next: string | null
}

export async function listAudit(filter: AuditFilter, before: string | null, myOpenid: string | null): Promise<AuditPage> {
  const data = await runAdmin<{ entries?: unknown; next?: string | null }>('listAudit', {
    limit: AUDIT_PAGE,
    ...(before === null ? {} : { before }),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.openid ? { openid: filter.openid } : {}),
  })
  return { rows: auditRows(data.entries, myOpenid), next: typeof data.next === 'string' ? data.next : null }
}
