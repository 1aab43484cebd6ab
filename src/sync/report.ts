/**
 * The run's last writes before the lease is released: its calls added to the day's ledger, and the public
 * status document that says in Chinese and English how the sync is doing.
 */
import { SYNC_STATUS_ID, type SyncStatusDoc } from '../cache/schema'
import { LiveReplyError, LiveTransportError, WxApiError, describeErrcode } from '../live/errors'
import { SYNC_LIVE_OFF } from '../setup/live-off'
import type { StopCalling } from './gate'
import type { CacheStore } from './ports'
import type { Run, SyncError } from './run'

export function describeFailure(e: unknown): SyncError {
  if (e instanceof WxApiError) return { errcode: e.errcode, zh: e.zh, en: e.en }
  if (e instanceof LiveTransportError) {
    if (e.kind === 'timeout') return { errcode: null, zh: '直播接口超时未响应', en: 'The Live API did not answer in time' }
    if (e.kind === 'not-json') return { errcode: null, zh: '直播接口返回了无法解析的内容', en: 'The Live API answered with something that is not JSON' }
    if (e.kind === 'http-status') {
      return { errcode: null, zh: `直播接口 HTTP 错误 ${e.httpStatus ?? ''}`.trim(), en: `The Live API failed with HTTP ${e.httpStatus ?? 'error'}` }
    }
    return { errcode: null, zh: '无法连接直播接口', en: `Could not reach the Live API (${e.kind})` }
  }
  if (e instanceof LiveReplyError) return { errcode: null, zh: '直播接口返回的数据格式不符', en: 'The Live API reply did not have the expected shape' }
  const rec = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}
  if (typeof rec.errCode === 'number') {
    return { errcode: rec.errCode, zh: `云开发错误 ${rec.errCode}`, en: `CloudBase error ${rec.errCode}: ${String(rec.errMsg ?? '')}` }
  }
  return { errcode: null, zh: '同步出错', en: `Sync failed: ${e instanceof Error ? e.message : String(e)}` }
}

/** What the status document says when the room list could not be read for lack of quota. */
export function quotaError(e: StopCalling): SyncError {
  if (e.reason === 'quotaExhausted') return { errcode: 45009, ...describeErrcode(45009) }
  return {
    errcode: null,
    zh: `同步已用完今天分给它的 ${e.api} 调用额度，明天 0 点（北京时间）恢复`,
    en: `The sync has spent its share of today's ${e.api} quota; it resumes at midnight (Beijing time)`,
  }
}

/** Adds this run's calls to the ledger of `day` and writes the status; `listFresh`: the room list was read. */
export async function recordRun(run: Run, day: string, listFresh: boolean): Promise<void> {
  const { store, out, now, cp, gate } = run
  out.calls = { ...gate.made }
  await store.addToLedger(day, gate.made)
  const prev = await store.readStatus()
  const success = out.status !== 'failed' && out.status !== 'backoff' && out.error === null && listFresh
  const doc: SyncStatusDoc = {
    _id: SYNC_STATUS_ID,
    lastRunAt: now,
    lastSuccessAt: success ? now : (prev?.lastSuccessAt ?? null),
    lastFullSweepAt: cp.lastFullSweepAt !== null ? new Date(cp.lastFullSweepAt) : null,
    listedRooms: await store.countRooms({ listed: true }),
    lastError: success ? null : out.error ? { at: now, ...out.error } : (prev?.lastError ?? null),
    liveOff: null,
  }
  await store.writeStatus(doc)
}

/**
 * The status while Mini Program Live is off: the run is recorded and says why it called nothing; the last success
 * and the last sweep stay as they were, and an old upstream error no longer applies.
 */
export async function recordLiveOff(store: CacheStore, now: Date): Promise<void> {
  const prev = await store.readStatus()
  await store.writeStatus({
    _id: SYNC_STATUS_ID,
    lastRunAt: now,
    lastSuccessAt: prev?.lastSuccessAt ?? null,
    lastFullSweepAt: prev?.lastFullSweepAt ?? null,
    listedRooms: await store.countRooms({ listed: true }),
    lastError: null,
    liveOff: { ...SYNC_LIVE_OFF },
  })
}
