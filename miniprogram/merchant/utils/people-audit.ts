/** The audit page's rows: who did what, how it ended, with WeChat's errcode, in Asia/Shanghai time. */
import * as rules from '../generated/rules'
import { shanghaiTime } from './people-format'

export interface AuditRow {
  id: string
  action: string
  who: string
  ok: boolean
  outcome: string
  errcodeText: string
  detail: string
  at: string
}

interface AuditRaw {
  id?: unknown
  at?: unknown
  openid?: unknown
  action?: unknown
  outcome?: unknown
  errcode?: unknown
  detail?: unknown
}

/** The reply's outcome codes (docs/ADMIN-API.md "Error codes") as the merchant reads them. */
const OUTCOME_TEXT: Readonly<Record<string, string>> = {
  ok: '成功',
  invalid_argument: '输入有误',
  permission_denied: '无权操作',
  not_found: '不存在',
  failed_precondition: '当前状态不允许',
  resource_exhausted: '额度已用完',
  upstream: '平台拒绝',
  unavailable: '平台繁忙',
  not_configured: '未配置',
}

/** A successful run's detail (counts, ids) as short "key: value" text; a failure's reason as given. */
function detailText(d: unknown): string {
  if (typeof d === 'string') return d
  if (typeof d !== 'object' || d === null) return ''
  return Object.entries(d as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('，')
}

export function auditRows(entries: unknown, myOpenid: string | null): AuditRow[] {
  if (!Array.isArray(entries)) return []
  const rows: AuditRow[] = []
  for (const raw of entries as AuditRaw[]) {
    if (typeof raw !== 'object' || raw === null || typeof raw.id !== 'string') continue
    const outcome = typeof raw.outcome === 'string' ? raw.outcome : ''
    const errcode = typeof raw.errcode === 'number' ? raw.errcode : null
    const openid = typeof raw.openid === 'string' ? raw.openid : null
    rows.push({
      id: raw.id,
      action: typeof raw.action === 'string' ? raw.action : '',
      who: openid === null ? '无用户（定时器或 HTTP 调用）' : openid === myOpenid ? `我（${openid}）` : openid,
      ok: outcome === 'ok',
      outcome: OUTCOME_TEXT[outcome] ?? outcome,
      errcodeText: errcode === null ? '' : `${rules.describeErrcode(errcode).zh}（错误码 ${errcode}）`,
      detail: detailText(raw.detail),
      at: shanghaiTime(raw.at),
    })
  }
  return rows
}
