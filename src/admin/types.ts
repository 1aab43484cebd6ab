/**
 * The merchant admin function's action table types and the ports its use cases run over. A use case is pure
 * over these ports, like the sync: the entry (cloudfunctions/liveAdmin) wires wx-server-sdk, tests wire the
 * emulator or fakes.
 */
import type * as z from '../live/zod'
import { catalogue, isEndpointId, type EndpointId } from '../live/catalogue'
import { linkCatalogue, type LinkApiId } from '../links/catalogue'
import type { LinkApi } from '../links/client'
import type { LiveApi } from '../live/client'
import type { CacheStore } from '../sync/ports'
import type { DocDriver } from '../sync/driver'
import type { LiveSetup } from '../setup/live-setup'

/** Who may run an action: anyone (even anonymous), an admin (owners are admins too), or an owner only. */
export type Who = 'anyone' | 'admin' | 'owner'

export type AdminRole = 'owner' | 'admin'

export interface AdminCaller {
  /** null for a call without a WeChat user (HTTP API, another function without a user, a timer). */
  openid: string | null
  roles: AdminRole[]
}

/** Turns an image given as a cloud storage file ID into a Live temporary media_id. */
export interface MediaPort {
  /** The file's bytes (`cloud.downloadFile`). */
  download(fileId: string): Promise<{ bytes: Uint8Array; name: string }>
  /** Uploads bytes as temporary media (valid 3 days) and resolves its media_id. */
  uploadTemp(bytes: Uint8Array, name: string): Promise<string>
}

/** Files the admin function writes to cloud storage (QR codes, exports) and the temporary URLs it hands out. */
export interface FilePort {
  /** Uploads bytes to `cloudPath` (replacing a file there) and resolves the cloud file ID. */
  upload(cloudPath: string, bytes: Uint8Array): Promise<string>
  /** A temporary download URL per file ID, valid `maxAgeS` seconds; a file that is gone answers null. */
  tempUrls(fileIds: readonly string[], maxAgeS: number): Promise<Array<{ fileId: string; url: string | null }>>
}

/** What the platform's text check said about one text. */
export interface TextVerdict {
  suggest: 'pass' | 'review' | 'risky'
  /** 100 is normal; the others name the kind of problem (src/cloud/text-check.ts TEXT_CHECK_LABELS). */
  label: number
  /** The listed word that matched, when the platform says which. */
  keyword?: string
  traceId?: string
}

/** The platform's text check (`security.msgSecCheck`); null where the function has none. */
export interface TextCheckPort {
  /** Throws when the platform could not give a verdict (an errcode, a failed call, a malformed reply). */
  check(text: string, openid: string): Promise<TextVerdict>
}

export interface AdminPorts {
  live: LiveApi
  /** The sync's cache store: write-through goes through the same code the sync uses. */
  cache: CacheStore
  /** Documents of the admin's own collections (roles, audit, media cache, goods mirror, jobs, word list). */
  docs: DocDriver
  media: MediaPort | null
  /** Cloud storage for files the function writes itself; null where the function has none. */
  files: FilePort | null
  textCheck: TextCheckPort | null
  /** The link APIs (codes, URL Links, URL Schemes, short links) over the cloud call; null where the function has none. */
  links: LinkApi | null
  /** Function environment variables (LIVE_OWNER_OPENIDS, the AppSecret for the HTTPS-only endpoints…). */
  env: Readonly<Record<string, string | undefined>>
  /** The merchant's Live setup the function was built with (live.config.json; the entry passes bundledLiveSetup()). */
  setup: LiveSetup
  nowMs(): number
  /** Wall-clock ms at which the platform stops this run; work that would pass it is left for the next call. */
  deadlineMs: number
}

export interface ActionContext {
  caller: AdminCaller
  ports: AdminPorts
}

export interface ActionDef<P extends z.ZodMiniType = z.ZodMiniType> {
  name: string
  who: Who
  /** Changes something (on the platform or in the database): recorded in the audit log. */
  mutates: boolean
  summary: { zh: string; en: string }
  /** Params schema; unknown keys are refused at any depth before it runs. */
  params: P
  /** What `data` holds on success, for the reference. */
  reply: string
  /** Live endpoints and link APIs the action may call: drives config.json `permissions.openapi` and the reference. */
  calls: readonly CallId[]
  /** Needs Mini Program Live though `calls` names no Live endpoint (it acts on Live rooms or goods); see src/admin/live-gate.ts. */
  needsMiniProgramLive?: true
  /** Params keys whose values never enter the audit log. */
  secretParams?: readonly string[]
  run(ctx: ActionContext, params: z.output<P>): Promise<unknown>
  /** What the audit entry keeps of a successful run's data (counts, ids), when more than "ok" is worth keeping. */
  auditDetail?(data: unknown): Record<string, unknown>
}

/** Keeps the params type of each entry while building the table. */
export function defineAction<P extends z.ZodMiniType>(def: ActionDef<P>): ActionDef {
  return def as unknown as ActionDef
}

/** Cloud calls the admin function makes besides the Live endpoints its actions name. */
export const EXTRA_CLOUD_CALLS = ['customerServiceMessage.uploadTempMedia', 'security.msgSecCheck'] as const

/** What an action's `calls` names: a Live endpoint (src/live/catalogue.ts) or a link API (src/links/catalogue.ts). */
export type CallId = EndpointId | LinkApiId

/** The cloud-call name `permissions.openapi` must list for a call, or null for an HTTPS-only Live endpoint. */
export function cloudNameOf(id: CallId): string | null {
  return isEndpointId(id) ? catalogue[id].cloud : linkCatalogue[id].cloud
}
