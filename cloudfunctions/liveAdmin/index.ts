/**
 * liveAdmin: the merchant back office. One function, routed by an action table (src/admin/actions); every
 * action is documented in docs/ADMIN-API.md. Thin entry: wire wx-server-sdk into the ports, then dispatch.
 * The caller is who getWXContext() says, never a field of the event.
 */
import cloud from 'wx-server-sdk'
import { createLiveApi } from '../../src/live/client'
import { createOpenApiTransport } from '../../src/cloud/openapi-transport'
import { createHttpsTransport } from '../../src/cloud/https-transport'
import { createRoutingTransport } from '../../src/cloud/routing-transport'
import { createDatabaseDriver, createDatabaseStore, type WxDatabase } from '../../src/cloud/database-store'
import { createCloudMedia, type CloudMediaLike } from '../../src/cloud/temp-media'
import { createCloudFiles, type CloudFilesLike } from '../../src/cloud/cloud-files'
import { createCloudTextCheck, type CloudTextCheckLike } from '../../src/cloud/text-check'
import { createLinkApi, type CloudLinksLike } from '../../src/links/client'
import { budgetFromContext } from '../../src/sync/budget'
import { handleAdminEvent } from '../../src/admin/dispatch'
import { actionTable } from '../../src/admin/actions'
import { BUSY_RETRY, withBusyRetry } from '../../src/admin/busy-retry'
import { READ_ONLY_ENDPOINTS } from '../../src/admin/actions/endpoints'
import { notConfiguredTransport, APPSECRET_ENV, API_BASE_ENV } from '../../src/admin/https-config'
import type { AdminReply } from '../../src/admin/reply'
import { bundledLiveSetup } from '../../src/setup/live-setup'

// The SDK's typings declare env as a string, but DYNAMIC_CURRENT_ENV (a symbol) is the documented value.
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string })

export async function main(event: unknown, context: unknown): Promise<AdminReply> {
  const wxContext = cloud.getWXContext()
  const nowMs = () => Date.now()
  const deadlineMs = nowMs() + budgetFromContext(context)
  const secret = process.env[APPSECRET_ENV]
  // goods/delete and goods/getkey|setkey have no cloud call: HTTPS with the AppSecret, or a clear not_configured.
  const https = secret
    ? createHttpsTransport({ appid: String(wxContext.APPID ?? ''), secret, baseUrl: process.env[API_BASE_ENV] || undefined, timeoutMs: 5000 })
    : notConfiguredTransport()
  const transport = withBusyRetry(createRoutingTransport(createOpenApiTransport(cloud), https), {
    ...BUSY_RETRY,
    readOnly: READ_ONLY_ENDPOINTS,
    nowMs,
    deadlineMs,
  })
  const db = cloud.database() as unknown as WxDatabase
  return handleAdminEvent(event, wxContext, {
    live: createLiveApi(transport),
    cache: createDatabaseStore(db),
    docs: createDatabaseDriver(db),
    media: createCloudMedia(cloud as unknown as CloudMediaLike),
    files: createCloudFiles(cloud as unknown as CloudFilesLike),
    // Used only when the function's LIVE_TEXT_CHECK env is on (src/admin/content.ts decides).
    textCheck: createCloudTextCheck(cloud as unknown as CloudTextCheckLike),
    links: createLinkApi(cloud as unknown as CloudLinksLike),
    env: process.env,
    setup: bundledLiveSetup(),
    nowMs,
    deadlineMs,
  }, actionTable, { onAuditError: (e) => console.error('audit log write failed', e) })
}
