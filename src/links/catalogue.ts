/**
 * The four open APIs that make a room's codes and links, in the style of the Live catalogue (src/live/catalogue.ts):
 * one record per API, the single home of its cloud name, HTTPS path, request as wx-server-sdk takes it (camelCase:
 * the SDK turns it into the documented snake_case), reply as the SDK hands it back, documented limits, quota and
 * errcodes with their sentences. The typed client, the emulator's router and sandbox, liveAdmin's link actions,
 * its `permissions.openapi` check and docs/ADMIN-API.md all read it.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/qrcode-link/url-link/api_generateurllink.html
 * https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/url-scheme/urlscheme.generate.html
 * https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/short-link/shortlink.generate.html
 */
import * as z from '../live/zod'
import { describeErrcode, type ErrcodeText } from '../live/errors'
import { QR_SCENE_MAX } from '../stats/channels'
import type { LinkKind } from '../stats/docs'

/** URL Links and URL Schemes live at most 30 days since 2022-04-11 (expire_time / expire_interval "最长 30 天"). */
export const LINK_EXPIRY_MAX_DAYS = 30
export const DAY_S = 86_400
/** A code's width in px: "默认430，最小 280px，最大 1280px". */
export const QR_WIDTH = { min: 280, max: 1280, default: 430 } as const
/** The characters a code's scene may hold ("只支持数字，大小写英文以及部分特殊字符"). */
export const QR_SCENE_CHARS = /^[0-9A-Za-z!#$&'()*+,/:;=?@._~-]*$/
/** A link's query: at most 1024 of these characters (URL Link, URL Scheme). */
export const LINK_QUERY_MAX = 1024
export const LINK_QUERY_CHARS = /^[0-9A-Za-z!#$&'()*+,/:;=?@._~%-]*$/
/** A short link's page_url, query included: "最大1024个字符". */
export const SHORTLINK_PAGE_URL_MAX = 1024
/** Characters of page_title WeChat shows; longer titles are cut with "...". */
export const SHORTLINK_TITLE_SHOWN = 20
/** Permanent short links one mini-program may ever generate ("总共可生成永久有效 ShortLink 上限为10万个"). */
export const PERMANENT_SHORTLINKS_MAX = 100_000
/** Temporary short links last 30 days ("短期有效ShortLink 有效时间为30天"). */
export const SHORTLINK_TEMP_DAYS = 30
export const ENV_VERSIONS = ['release', 'trial', 'develop'] as const

/** A page path as these APIs take it: no leading `/`, no query (`entry/pages/relay/index`). */
export const PAGE_PATH_RE = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/

/** A schema check that answers the platform's errcode for its field, as src/live/rules.ts rules do. */
function rule<T>(errcode: number, en: string, zh: string, test: (v: T) => boolean) {
  return z.refine<T>(test, { message: en, params: { errcode, zh } })
}

const envVersion = (errcode: number) =>
  z.string().check(rule<string>(errcode, 'envVersion: one of release, trial, develop', 'envVersion 须为 release、trial 或 develop', (v) => (ENV_VERSIONS as readonly string[]).includes(v)))
const pagePath = (errcode: number, field: string) =>
  z.string().check(rule<string>(errcode, `${field}: a page path without a leading / or a query`, `${field} 须为不以 / 开头、不带参数的页面路径`, (v) => PAGE_PATH_RE.test(v) && v.length <= 1024))
const linkQuery = z
  .string()
  .check(rule<string>(40212, `query: at most ${LINK_QUERY_MAX} of 0-9 A-Z a-z and !#$&'()*+,/:;=?@-._~%`, `query 最多 ${LINK_QUERY_MAX} 个字符，只能含数字、字母和 !#$&'()*+,/:;=?@-._~%`, (v) => v.length <= LINK_QUERY_MAX && LINK_QUERY_CHARS.test(v)))
const expireType = z.union([z.literal(0), z.literal(1)])
const expireInterval = z.int().check(rule<number>(85401, `expireInterval: 1–${LINK_EXPIRY_MAX_DAYS} days`, `expireInterval 须为 1–${LINK_EXPIRY_MAX_DAYS} 天`, (v) => v >= 1 && v <= LINK_EXPIRY_MAX_DAYS))
const unixSeconds = z.int().check(z.gte(0))

export type LinkQuotaWindow = 'minute' | 'day'

export interface LinkApiDef<Req extends z.ZodMiniType = z.ZodMiniType, Res extends z.ZodMiniType = z.ZodMiniType> {
  id: string
  docName: string
  /** `wxacode.getUnlimited` as `cloud.openapi` takes it and config.json `permissions.openapi` lists it. */
  cloud: string
  method: 'POST'
  /** Path under https://api.weixin.qq.com. */
  path: string
  /** Which of a channel's link kinds this API makes. */
  kind: LinkKind
  /** Params as wx-server-sdk takes them (camelCase); the SDK sends them snake_case. */
  request: Req
  /** The reply as wx-server-sdk resolves it, without errMsg/errCode. */
  response: Res
  /** Calls allowed per window; `bucket` names a quota two APIs share. */
  quota: { calls: number; per: LinkQuotaWindow; bucket: string }
  /** Errcodes this API is documented to answer, with what they mean for it (-1 and the platform's own: src/live/errors.ts). */
  errcodes: Readonly<Record<number, ErrcodeText>>
  /** The errcode a parameter of the wrong type gets (a field rule carries its own). */
  badParamErrcode: number
  doc: string
}

/** URL Links and URL Schemes answer the same errcodes. */
const LINK_ERRCODES: Readonly<Record<number, ErrcodeText>> = {
  40002: { zh: '暂无生成权限（个人主体小程序不能生成）', en: 'No right to generate (not open to individual-subject mini-programs)' },
  40013: { zh: '生成权限被封禁', en: 'The right to generate has been banned' },
  40165: { zh: '路径不是已发布小程序中的页面', en: 'The path is not a page of the published mini-program' },
  40212: { zh: 'query 格式不正确', en: 'Invalid query' },
  44990: { zh: '生成过于频繁（每秒最多 100 次）', en: 'Too many a second (100 a second)' },
  45009: { zh: '今日生成 URL Link 与 URL Scheme 的总数已达 50 万上限', en: 'Today’s 500,000 URL Links and URL Schemes have all been generated' },
  85079: { zh: '小程序尚未发布', en: 'The mini-program has not been published' },
  85401: { zh: '有效期不合法（1 分钟到 30 天）', en: 'Invalid expiry (one minute to 30 days)' },
  85402: { zh: 'envVersion 不合法', en: 'Invalid envVersion' },
}

const imageReply = z.object({ contentType: z.string(), buffer: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'an image buffer') })

export const linkCatalogue = {
  getUnlimitedQRCode: {
    id: 'getUnlimitedQRCode',
    docName: 'getUnlimitedQRCode',
    cloud: 'wxacode.getUnlimited',
    method: 'POST',
    path: '/wxa/getwxacodeunlimit',
    kind: 'qrcode',
    request: z.object({
      scene: z.string().check(
        rule<string>(40169, `scene: 1–${QR_SCENE_MAX} characters`, `scene 须为 1–${QR_SCENE_MAX} 个字符`, (v) => v.length >= 1 && v.length <= QR_SCENE_MAX),
        rule<string>(40129, "scene: only 0-9 A-Z a-z and !#$&'()*+,/:;=?@-._~", "scene 只能含数字、字母和 !#$&'()*+,/:;=?@-._~", (v) => QR_SCENE_CHARS.test(v)),
      ),
      page: z.optional(pagePath(41030, 'page')),
      checkPath: z.optional(z.boolean()),
      envVersion: z.optional(envVersion(40097)),
      width: z.optional(z.int().check(rule<number>(40097, `width: ${QR_WIDTH.min}–${QR_WIDTH.max} px`, `width 须为 ${QR_WIDTH.min}–${QR_WIDTH.max} 像素`, (v) => v >= QR_WIDTH.min && v <= QR_WIDTH.max))),
      autoColor: z.optional(z.boolean()),
      lineColor: z.optional(z.object({ r: z.int().check(z.gte(0), z.lte(255)), g: z.int().check(z.gte(0), z.lte(255)), b: z.int().check(z.gte(0), z.lte(255)) })),
      isHyaline: z.optional(z.boolean()),
    }),
    response: imageReply,
    quota: { calls: 5000, per: 'minute', bucket: 'getUnlimitedQRCode' },
    errcodes: {
      40097: { zh: '参数不合法（envVersion 或 width）', en: 'Invalid argument (envVersion or width)' },
      40129: { zh: 'scene 含有不支持的字符', en: 'The scene holds characters a code does not take' },
      40169: { zh: 'scene 长度不合法（最多 32 个字符）', en: 'Invalid scene length (at most 32 characters)' },
      41030: { zh: 'page 不存在，或小程序尚未发布该页面', en: 'The page does not exist, or the mini-program has not published it' },
      45009: { zh: '生成小程序码过于频繁（每分钟最多 5000 次），请稍后再试', en: 'Too many codes this minute (5,000 a minute); retry shortly' },
      85096: { zh: 'scancode_time 是系统保留参数，不能放在 page 中', en: 'scancode_time is reserved and cannot be in the page' },
    },
    badParamErrcode: 40097,
    doc: 'https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html',
  },
  generateUrlLink: {
    id: 'generateUrlLink',
    docName: 'generateUrlLink',
    cloud: 'urllink.generate',
    method: 'POST',
    path: '/wxa/generate_urllink',
    kind: 'urllink',
    request: z.object({
      path: z.optional(pagePath(40165, 'path')),
      query: z.optional(linkQuery),
      envVersion: z.optional(envVersion(85402)),
      expireType: z.optional(expireType),
      expireTime: z.optional(unixSeconds),
      expireInterval: z.optional(expireInterval),
    }),
    response: z.looseObject({ urlLink: z.string().check(z.minLength(1)) }),
    quota: { calls: 500_000, per: 'day', bucket: 'urlLinkScheme' },
    errcodes: LINK_ERRCODES,
    badParamErrcode: 40097,
    doc: 'https://developers.weixin.qq.com/miniprogram/dev/server/API/qrcode-link/url-link/api_generateurllink.html',
  },
  generateScheme: {
    id: 'generateScheme',
    docName: 'generateScheme',
    cloud: 'urlscheme.generate',
    method: 'POST',
    path: '/wxa/generatescheme',
    kind: 'urlscheme',
    request: z.object({
      jumpWxa: z.object({
        path: z.optional(z.union([z.literal(''), pagePath(40165, 'jumpWxa.path')])),
        query: z.optional(linkQuery),
        envVersion: z.optional(envVersion(85402)),
      }),
      // Accepted as the older docs and samples still send it; every scheme expires since 2022-04-11.
      isExpire: z.optional(z.boolean()),
      expireType: z.optional(expireType),
      expireTime: z.optional(unixSeconds),
      expireInterval: z.optional(expireInterval),
    }),
    response: z.looseObject({ openlink: z.string().check(z.minLength(1)) }),
    quota: { calls: 500_000, per: 'day', bucket: 'urlLinkScheme' },
    errcodes: LINK_ERRCODES,
    badParamErrcode: 40097,
    doc: 'https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/url-scheme/urlscheme.generate.html',
  },
  generateShortLink: {
    id: 'generateShortLink',
    docName: 'generateShortLink',
    cloud: 'shortlink.generate',
    method: 'POST',
    path: '/wxa/genwxashortlink',
    kind: 'shortlink',
    request: z.object({
      pageUrl: z.string().check(
        rule<string>(40066, `pageUrl: a page path, with an optional query, at most ${SHORTLINK_PAGE_URL_MAX} characters`, `pageUrl 须为页面路径（可带参数），最多 ${SHORTLINK_PAGE_URL_MAX} 个字符`, (v) => {
          if (v.length > SHORTLINK_PAGE_URL_MAX) return false
          const [path, query = ''] = v.split(/\?(.*)/s, 2)
          return PAGE_PATH_RE.test(path) && LINK_QUERY_CHARS.test(query)
        }),
      ),
      pageTitle: z.optional(
        z.string().check(rule<string>(40225, 'pageTitle: no control characters', 'pageTitle 不能含控制字符', (v) => !/[\u0000-\u001f\u007f]/.test(v))),
      ),
      isPermanent: z.optional(z.boolean()),
    }),
    response: z.looseObject({ link: z.string().check(z.minLength(1)) }),
    // The older pages say 1,000,000 a day, the current one 10,000,000; the emulator keeps the lower figure.
    quota: { calls: 1_000_000, per: 'day', bucket: 'generateShortLink' },
    errcodes: {
      40066: { zh: 'pageUrl 不是已发布小程序中的页面', en: 'pageUrl is not a page of the published mini-program' },
      40225: { zh: '页面标题不合法', en: 'Invalid page title' },
      43104: { zh: '没有生成 Short Link 的权限（只开放给电商类目）', en: 'No right to generate short links (open to e-commerce categories only)' },
      45009: { zh: '今日生成的 Short Link 已达上限', en: 'Today’s short link quota is used up' },
      85400: { zh: '永久有效的 Short Link 已达 10 万个上限', en: 'All 100,000 permanent short links have been generated' },
    },
    badParamErrcode: 40097,
    doc: 'https://developers.weixin.qq.com/minigame/dev/api-backend/open-api/short-link/shortlink.generate.html',
  },
} as const satisfies Record<string, LinkApiDef>

export type LinkCatalogue = typeof linkCatalogue
export type LinkApiId = keyof LinkCatalogue
export const linkApiList: readonly LinkApiDef[] = Object.values(linkCatalogue)
export const LINK_API_IDS = Object.keys(linkCatalogue) as LinkApiId[]

export function isLinkApiId(id: string): id is LinkApiId {
  return Object.prototype.hasOwnProperty.call(linkCatalogue, id)
}

export function linkApiByCloud(cloud: string): LinkApiDef | undefined {
  return linkApiList.find((e) => e.cloud === cloud)
}

/** The API that makes each kind of a channel's links. */
export const LINK_KIND_API: Readonly<Record<LinkKind, LinkApiId>> = {
  qrcode: 'getUnlimitedQRCode',
  urllink: 'generateUrlLink',
  urlscheme: 'generateScheme',
  shortlink: 'generateShortLink',
}

/**
 * The scene value WeChat gives the page a link of each kind opens: a scanned code 1047, a URL Link 1194, an
 * encrypted URL Scheme 1065, a short link 1179 (each one of `scenesOf(kind)` in src/stats/channels.ts).
 * https://developers.weixin.qq.com/miniprogram/dev/reference/scene-list.html
 */
export const OPEN_SCENE: Readonly<Record<LinkKind, number>> = { qrcode: 1047, urllink: 1194, urlscheme: 1065, shortlink: 1179 }

/** What an errcode means for this API: its own table first, then the platform-wide sentences. */
export function describeLinkErrcode(api: LinkApiDef, errcode: number): ErrcodeText {
  return api.errcodes[errcode] ?? describeErrcode(errcode)
}

export type LinkRequest<I extends LinkApiId> = z.input<LinkCatalogue[I]['request']>
export type LinkResponse<I extends LinkApiId> = z.output<LinkCatalogue[I]['response']>
