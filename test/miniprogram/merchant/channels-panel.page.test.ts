// @vitest-environment jsdom
/**
 * The Channels panel on the merchant front page, against the built liveAdmin (the repository's live.config.json:
 * the demo Channels account): the account id flagged as the demo, whether viewers reach it, and each problem their
 * phones reported with what to do; nothing for a viewer who is not an admin. How a reply reads when the setup
 * has no Channels account is pinned on the panel's view function.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CHANNELS_ERRCODES } from '../../../src/channels/client-api'
import { DEMO_FINDER_USER_NAME } from '../../../src/setup/live-setup'
import { shanghaiDay } from '../../../src/live/day'
import { CHANNELS_ROOM_ID, STATS_COLLECTIONS, dailyDocId } from '../../../src/stats/docs'
import { CHANNELS_PROBLEMS_ID } from '../../../src/stats/problems'
import { zeroCounts } from '../../../src/stats/metrics'
import { CHANNELS_REACH } from '../../../src/admin/actions/channels'
import { panelView } from '../../../miniprogram/merchant/utils/channels-view'
import { OWNER, VIEWER, installMerchantWx, loadMerchantPage, settle, startMerchantEnv, text, until, type MerchantEnv, type SimNode } from '../merchant-harness'

let env: MerchantEnv
let page: SimNode | null = null

beforeAll(async () => {
  env = await startMerchantEnv()
})
afterAll(async () => {
  await env.stop()
})
afterEach(() => {
  page?.detach()
  page = null
})

async function open(openid: string): Promise<SimNode> {
  installMerchantWx(env, openid)
  page = loadMerchantPage('merchant/pages/index/index')
  await settle()
  await page.instance.onLoad({})
  return page
}

const panelOf = (p: SimNode): SimNode | null => p.querySelector('.channels-panel') ?? null

describe('the Channels panel', () => {
  it('shows the demo account, that viewers reached it, and no problem when none was reported', async () => {
    const now = Date.now()
    env.admin.emu.engine.insert(STATS_COLLECTIONS.daily, [
      { _id: dailyDocId(shanghaiDay(now), CHANNELS_ROOM_ID, 'home'), day: shanghaiDay(now), roomId: CHANNELS_ROOM_ID, channel: 'home', counts: { ...zeroCounts(), entered: 3, subscribed: 2 }, kinds: { other: 3 }, lastFold: 'f', updatedAt: now },
    ])
    const p = await open(OWNER)
    await until(() => expect(text(p)).toContain('进入 3 次，预约 2 次'))
    const panel = panelOf(p)!
    expect(text(panel)).toContain(`视频号 id：${DEMO_FINDER_USER_NAME}`)
    expect(text(panel)).toContain('示例视频号')
    expect(text(panel)).toContain(CHANNELS_REACH.reached.zh)
    expect(panel.querySelectorAll('.problem').length).toBe(0)
    expect(panel.querySelector('.reach-reached')).not.toBeNull()
  })

  it('lists a reported 100008 with what to do, and says viewers’ phones met errors', async () => {
    const seen = Date.now() - 3600_000
    env.admin.emu.engine.insert(STATS_COLLECTIONS.problems, [
      { _id: CHANNELS_PROBLEMS_ID, problems: [{ api: 'getChannelsLiveInfo', errCode: 100008, count: 4, firstSeenMs: seen - 60_000, lastSeenMs: seen }], dropped: 0, lastFold: 'f', updatedAt: seen },
    ])
    const p = await open(OWNER)
    await until(() => expect(panelOf(p)?.querySelectorAll('.problem').length).toBe(1))
    const panel = panelOf(p)!
    const problem = text(panel.querySelector('.problem')!)
    expect(problem).toContain('getChannelsLiveInfo · 错误码 100008')
    expect(problem).toContain(CHANNELS_ERRCODES[100008].zh)
    expect(problem).toContain('共 4 次')
    expect(panel.querySelector('.reach-problems')).not.toBeNull()
    expect(text(panel)).toContain(CHANNELS_REACH.problems.zh)
  })

  it('is not shown to a viewer who is not an admin', async () => {
    const p = await open(VIEWER)
    await until(() => expect(p.data.gate).toBe('refused'))
    expect(panelOf(p)).toBeNull()
    expect(text(p)).not.toContain('视频号')
  })
})

describe('the panel’s view of a reply', () => {
  it('says only that Channels live is not set up when the setup has no account, and keeps old problems marked as such', () => {
    const v = panelView({
      miniProgramLive: true,
      account: null,
      reach: { state: 'notConfigured', ...CHANNELS_REACH.notConfigured },
      problems: [{ api: 'openChannelsLive', errCode: 1416100, count: 2, firstSeenMs: 1, lastSeenMs: Date.UTC(2026, 10, 1, 1, 30), recent: false, ...CHANNELS_ERRCODES[1416100] }],
      droppedProblems: 3,
      days: Array.from({ length: 7 }, (_, i) => ({ day: `2026-11-0${i + 1}`, entered: 0, subscribed: 0 })),
      total: { entered: 0, subscribed: 0 },
    })
    expect(v).toMatchObject({ configured: false, account: '', demoNote: '', state: 'notConfigured', dropped: '另有 3 类较早的问题未保留' })
    expect(v.reach).toMatch(/^视频号直播未配置/)
    expect(v.problems).toEqual([
      { key: 'openChannelsLive:1416100', title: 'openChannelsLive · 错误码 1416100', seen: '共 2 次，最近 2026-11-01 09:30（北京时间），近 7 天未再出现', advice: CHANNELS_ERRCODES[1416100].zh, recent: false },
    ])
  })
})
