/**
 * The admin function's own collections, over the same DocDriver the sync's store uses (one adapter per
 * database serves both). None is readable or writable by a client (database/<name>.rules.json).
 */
import { cond, type DocDriver, type RawDoc } from '../sync/driver'
import type { AdminRole } from './types'

export const ADMIN_COLLECTIONS = {
  /** Merchant admins and owners added through the function (`_id` = openid); owners from the env are not stored. */
  admins: 'live_admins',
  /** Every action that changed something, and every refusal. */
  audit: 'live_admin_audit',
  /** Cloud storage file → temporary media_id, reused until it expires. */
  media: 'live_media',
  /** Batch import jobs and their per-row outcomes. */
  jobs: 'live_admin_jobs',
  /** Merchant settings kept in the database (the sensitive-word list). */
  settings: 'live_admin_settings',
} as const

/** The function environment variable naming the first owners. */
export const OWNER_ENV = 'LIVE_OWNER_OPENIDS'

/** The emulator's owner when no dotenv file names one (a 28-character openid): a placeholder, never a real person. */
export const DEMO_OWNER_OPENID = 'oDemoOwner000000000000000001'

/** Owners from the environment: comma-separated openids, blanks ignored. */
export function ownersFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env[OWNER_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

export interface AdminRecord {
  openid: string
  role: AdminRole
  note: string
  addedBy: string
  addedAt: Date
  /** Set when removed: kept for the record, no longer an admin. */
  removedAt: Date | null
  removedBy: string | null
}

export interface AuditEntry {
  at: Date
  /** null for an anonymous caller. */
  openid: string | null
  action: string
  /** The params as sent, secrets replaced, long values cut. */
  params: unknown
  outcome: 'ok' | string
  errcode: number | null
  /** A short reason for a refusal or failure (the English sentence), or what a successful run recorded (counts, ids). */
  detail: string | Record<string, unknown> | null
  ms: number
}

function asAdmin(doc: RawDoc): AdminRecord | null {
  const role = doc.role
  if (role !== 'owner' && role !== 'admin') return null
  return {
    openid: doc._id,
    role,
    note: typeof doc.note === 'string' ? doc.note : '',
    addedBy: typeof doc.addedBy === 'string' ? doc.addedBy : '',
    addedAt: doc.addedAt instanceof Date ? doc.addedAt : new Date(0),
    removedAt: doc.removedAt instanceof Date ? doc.removedAt : null,
    removedBy: typeof doc.removedBy === 'string' ? doc.removedBy : null,
  }
}

export interface AdminStore {
  /** The stored record of one openid (removed ones included), or null. */
  getAdmin(openid: string): Promise<AdminRecord | null>
  /** Active admins and owners, oldest first. */
  listAdmins(): Promise<AdminRecord[]>
  putAdmin(rec: AdminRecord): Promise<void>
  appendAudit(entry: AuditEntry): Promise<void>
  /** Newest first; `before` (the id of a page's last entry) continues after that page. */
  listAudit(opts: { limit: number; before?: string; action?: string; openid?: string }): Promise<(AuditEntry & { id: string })[]>
}

export function createAdminStore(db: DocDriver): AdminStore {
  const C = ADMIN_COLLECTIONS
  let seq = 0
  return {
    async getAdmin(openid) {
      const [doc] = await db.find(C.admins, { _id: openid }, { limit: 1 })
      return doc ? asAdmin(doc) : null
    },
    async listAdmins() {
      const docs = await db.find(C.admins, { removedAt: null }, { limit: 1000, orderBy: { field: 'addedAt', dir: 'asc' } })
      return docs.map(asAdmin).filter((a): a is AdminRecord => a !== null && a.removedAt === null)
    },
    async putAdmin(rec) {
      const { openid, ...fields } = rec
      await db.set(C.admins, openid, fields)
    },
    async appendAudit(entry) {
      // Time first so ids sort like entries; the counter and random tail keep two calls in one ms apart.
      // Fixed widths (36^4 > 1e6) so ids compare as strings in the order they were made within one process.
      seq = (seq + 1) % 1e6
      const id = `${entry.at.getTime().toString(36).padStart(9, '0')}-${seq.toString(36).padStart(4, '0')}-${Math.random().toString(36).slice(2, 8)}`
      await db.insert(C.audit, { _id: id, ...entry })
    },
    async listAudit({ limit, before, action, openid }) {
      const where: Record<string, ReturnType<typeof cond.lt> | string> = {}
      if (before !== undefined) where._id = cond.lt(before)
      if (action !== undefined) where.action = action
      if (openid !== undefined) where.openid = openid
      const docs = await db.find(C.audit, where, { limit, orderBy: { field: '_id', dir: 'desc' } })
      return docs.map((d) => ({
        id: d._id,
        at: d.at instanceof Date ? d.at : new Date(0),
        openid: typeof d.openid === 'string' ? d.openid : null,
        action: String(d.action ?? ''),
        params: d.params ?? null,
        outcome: String(d.outcome ?? ''),
        errcode: typeof d.errcode === 'number' ? d.errcode : null,
        detail: typeof d.detail === 'string' || (typeof d.detail === 'object' && d.detail !== null && !Array.isArray(d.detail)) ? (d.detail as AuditEntry['detail']) : null,
        ms: typeof d.ms === 'number' ? d.ms : 0,
      }))
    },
  }
}
