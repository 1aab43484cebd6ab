/**
 * Which cloud calls (云调用, `cloud.openapi.*`) each cloud function's code makes, derived from the code's own tables:
 * liveAdmin's action table, the sync's gated Live APIs, and the catalogues that name each call. A function's
 * `config.json` `permissions.openapi` must list exactly these, or a call fails with -604101 on the platform:
 * https://developers.weixin.qq.com/miniprogram/dev/wxcloud/guide/openapi/openapi.html
 * The deployment-config test and `npm run doctor` both compare config.json against this.
 */
import { catalogue, endpointList } from '../live/catalogue'
import { linkApiList } from '../links/catalogue'
import { actionTable } from '../admin/actions'
import { EXTRA_CLOUD_CALLS, cloudNameOf } from '../admin/types'
import type { GatedApi } from '../sync/gate'

/** Every cloud call this project knows: the Live endpoints that have one, the link APIs, and liveAdmin's extras. */
export const KNOWN_CLOUD_CALLS: ReadonlySet<string> = new Set([
  ...endpointList.map((e) => e.cloud).filter((c): c is string => c !== null),
  ...linkApiList.map((api) => api.cloud),
  ...EXTRA_CLOUD_CALLS,
])

/** Every Live API a sync run calls; a Record so the type-check fails when the gate gains one not listed here. */
const SYNC_APIS: Record<GatedApi, true> = { getLiveInfo: true, goodsInfo: true }

function liveAdminCalls(): string[] {
  const calls = new Set<string>(EXTRA_CLOUD_CALLS)
  for (const def of Object.values(actionTable)) {
    for (const id of def.calls) {
      const cloud = cloudNameOf(id)
      if (cloud) calls.add(cloud)
    }
  }
  return [...calls].sort()
}

function liveSyncCalls(): string[] {
  return (Object.keys(SYNC_APIS) as GatedApi[]).map((api): string | null => catalogue[api].cloud).filter((c): c is string => c !== null).sort()
}

/** The cloud calls each deployable function makes, sorted; a function folder missing here is not the project's. */
export const FUNCTION_CLOUD_CALLS: Readonly<Record<string, readonly string[]>> = {
  liveAdmin: liveAdminCalls(),
  liveSync: liveSyncCalls(),
  // neither calls an open API: track writes events, liveStats folds them
  track: [],
  liveStats: [],
}

/** The Live endpoints liveAdmin reaches over HTTPS because they have no cloud call (they need the AppSecret). */
export const HTTPS_ONLY_ADMIN_ENDPOINTS: readonly string[] = [
  ...new Set(Object.values(actionTable).flatMap((def) => def.calls.filter((id) => cloudNameOf(id) === null))),
].sort()
