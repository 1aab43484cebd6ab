/**
 * The merchant's Live setup: which kinds of Live the account has. One file at the project root, `live.config.json`,
 * says it; everything else derives from it: the plugin declaration in miniprogram/app.json (npm run configure), the
 * mini-program's generated copy (miniprogram/generated/live-setup.ts), the built functions (an esbuild define) and
 * `npm run doctor`.
 *
 * - `miniProgramLive`: the account has Mini Program Live (小程序直播). New grants are paused (errcode 268489001),
 *   accounts that have it keep it: https://developers.weixin.qq.com/miniprogram/product/live.html
 * - `channels`: the Channels account (视频号) whose live the mini-program shows, by its `sph…` id from 视频号助手,
 *   or null: https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/channels-live.html
 */
import * as z from '../live/zod'
import { issueProblem, type IssueProblem } from '../admin/issues'

export const LIVE_SETUP_FILE = 'live.config.json'

/** A Channels account id as 视频号助手 shows it: "sph" and letters, digits, `_` or `-`. */
export const FINDER_USER_NAME_RE = /^sph[A-Za-z0-9_-]{1,61}$/

/** The Channels account the repository ships with: the emulator's demo account, never a real one. */
export const DEMO_FINDER_USER_NAME = 'sphDemoShop0001'

export const liveSetupSchema = z.strictObject({
  miniProgramLive: z.boolean(),
  channels: z.nullable(
    z.strictObject({
      finderUserName: z.string().check(z.regex(FINDER_USER_NAME_RE, { message: 'must be a Channels id: "sph" then 1–61 of A–Z a–z 0–9 _ -' })),
    }),
  ),
})
export type LiveSetup = z.infer<typeof liveSetupSchema>

/**
 * live-player-plugin as app.json declares it when Mini Program Live is on (the provider appid is fixed by WeChat;
 * check the latest version under DevTools 详情 → 基本信息 → 插件信息 before a release):
 * https://developers.weixin.qq.com/miniprogram/dev/framework/liveplayer/live-player-plugin.html
 */
export const LIVE_PLUGIN = { name: 'live-player-plugin', provider: 'wx2b03c6e691cd7370', version: '1.3.5' } as const

/** Which kinds of Live the setup turns on, as names (the doctor, the sync status and the merchant pages say them). */
export type LiveKind = 'miniProgramLive' | 'channelsLive'
export const LIVE_KIND_NAMES: Record<LiveKind, { zh: string; en: string }> = {
  miniProgramLive: { zh: '小程序直播', en: 'Mini Program Live' },
  channelsLive: { zh: '视频号直播', en: 'Channels live' },
}

export function liveKinds(setup: LiveSetup): LiveKind[] {
  const kinds: LiveKind[] = []
  if (setup.miniProgramLive) kinds.push('miniProgramLive')
  if (setup.channels) kinds.push('channelsLive')
  return kinds
}

export type LiveSetupCheck = { ok: true; setup: LiveSetup } | { ok: false; problem: IssueProblem }

/** Checks a parsed live.config.json; the problem names the field and the rule. */
export function checkLiveSetup(raw: unknown): LiveSetupCheck {
  const parsed = liveSetupSchema.safeParse(raw)
  if (!parsed.success) return { ok: false, problem: issueProblem(parsed.error.issues[0]) }
  return { ok: true, setup: parsed.data }
}

/** The name built functions read the setup from (esbuild `define`, tools/build-functions.ts). */
export const LIVE_SETUP_DEFINE = '__LIVE_SETUP__'

declare const __LIVE_SETUP__: LiveSetup | undefined

/** What a built function was built with; a function run unbuilt has none and must be given one. */
export function bundledLiveSetup(): LiveSetup {
  if (typeof __LIVE_SETUP__ === 'undefined') throw new Error(`no Live setup: build the function with npm run build (it bakes in ${LIVE_SETUP_FILE})`)
  return __LIVE_SETUP__
}
