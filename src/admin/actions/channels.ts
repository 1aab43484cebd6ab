/**
 * The merchant's view of their Channels live (视频号直播) as the viewers' devices meet it. The Channels client APIs
 * run only on a viewer's phone (no server API lists a Channels account's lives), so this is what the statistics
 * learned: the account the function was built with (live.config.json), the problems devices reported per API and
 * errcode with what to do about each (CHANNELS_ERRCODES), and the last days' entries and reservations.
 * https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/channels-live.html
 */
import * as z from '../../live/zod'
import { shanghaiDay } from '../../live/day'
import { channelsErrorText } from '../../channels/client-api'
import { DEMO_FINDER_USER_NAME, LIVE_KIND_NAMES, LIVE_SETUP_FILE } from '../../setup/live-setup'
import { addDays, daysOf } from '../../stats/dashboard'
import { CHANNELS_ROOM_ID } from '../../stats/docs'
import { readProblems } from '../../stats/problems'
import { defineAction, type ActionDef } from '../types'
import { readDaily } from './stats'

/** Days the report looks back over, today (Beijing) included. */
export const CHANNELS_REPORT_DAYS = 7

const N = CHANNELS_REPORT_DAYS
const NAME = LIVE_KIND_NAMES.channelsLive

/** Whether viewers reach the Channels live, as one state with the sentence the merchant reads. */
export const CHANNELS_REACH = {
  notConfigured: {
    zh: `${NAME.zh}未配置：小程序不显示视频号直播。要显示，在 ${LIVE_SETUP_FILE} 的 channels.finderUserName 填入视频号 id（视频号助手里以 sph 开头），重新构建并上传小程序与云函数`,
    en: `${NAME.en} is not set up: the mini-program shows none. To show it, put the Channels id (sph…, from 视频号助手) in ${LIVE_SETUP_FILE} channels.finderUserName, then build and upload the mini-program and the functions again`,
  },
  problems: {
    zh: `最近 ${N} 天观众的手机打开${NAME.zh}时出错，处理办法见下方各条`,
    en: `in the last ${N} days viewers' phones met errors reaching the ${NAME.en}; what to do is listed with each`,
  },
  reached: {
    zh: `最近 ${N} 天有观众从小程序进入或预约${NAME.zh}`,
    en: `in the last ${N} days viewers entered or reserved the ${NAME.en} from the mini-program`,
  },
  quiet: {
    zh: `最近 ${N} 天没有观众从小程序进入或预约${NAME.zh}，也没有出错记录`,
    en: `in the last ${N} days no viewer entered or reserved the ${NAME.en} from the mini-program, and no error was reported`,
  },
} as const
export type ChannelsReach = keyof typeof CHANNELS_REACH

/** Said beside the account when it is the demo id the repository ships with. */
export const DEMO_ACCOUNT_NOTE = {
  zh: `${DEMO_FINDER_USER_NAME} 是示例视频号 id，不是真实账号：请在 ${LIVE_SETUP_FILE} 填入你自己的视频号 id`,
  en: `${DEMO_FINDER_USER_NAME} is the demo Channels id, not a real account: put your own in ${LIVE_SETUP_FILE}`,
} as const

/** Milliseconds at which a Beijing day starts (UTC+8, no daylight saving). */
const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00+08:00`)

export const channelsActions: Readonly<Record<string, ActionDef>> = {
  channelsStatus: defineAction({
    name: 'channelsStatus',
    who: 'admin',
    mutates: false,
    summary: {
      zh: `${NAME.zh}状态：配置的视频号、观众手机上报的问题（按接口与错误码，附处理办法，最新在前）、最近 ${N} 天的进入与预约`,
      en: `${NAME.en} status: the configured Channels account, problems viewers' phones reported (per API and errcode, with what to do, newest first), and the last ${N} days' entries and reservations`,
    },
    params: z.object({}),
    reply:
      `{miniProgramLive: boolean, account: {finderUserName, demo: boolean, demoNote: {zh, en} | null} | null (null: no Channels account in ${LIVE_SETUP_FILE}), ` +
      `reach: {state: ${Object.keys(CHANNELS_REACH).map((k) => `"${k}"`).join(' | ')}, zh, en}, ` +
      `problems: {api, errCode, count, firstSeenMs, lastSeenMs, recent: boolean (seen in the last ${N} days), zh, en (what to do)}[] (newest first), droppedProblems: number, ` +
      `days: {day, entered, subscribed}[] (the last ${N} Beijing days, oldest first, zeros included), total: {entered, subscribed}}`,
    calls: [],
    run: async (ctx) => {
      const { setup } = ctx.ports
      const today = shanghaiDay(ctx.ports.nowMs())
      const from = addDays(today, -(N - 1))
      const sinceMs = dayStartMs(from)
      const [stored, read] = await Promise.all([readProblems(ctx.ports.docs), readDaily(ctx.ports.docs, { roomId: CHANNELS_ROOM_ID }, from, today)])
      const perDay = new Map(daysOf(from, today).map((day) => [day, { day, entered: 0, subscribed: 0 }]))
      for (const d of read.docs) {
        const row = perDay.get(d.day)
        if (!row) continue
        row.entered += d.counts.entered
        row.subscribed += d.counts.subscribed
      }
      const days = [...perDay.values()]
      const total = days.reduce((t, d) => ({ entered: t.entered + d.entered, subscribed: t.subscribed + d.subscribed }), { entered: 0, subscribed: 0 })
      const problems = stored.problems.map((p) => ({ ...p, recent: p.lastSeenMs >= sinceMs, ...channelsErrorText(p.errCode) }))
      const state: ChannelsReach = !setup.channels
        ? 'notConfigured'
        : problems.some((p) => p.recent)
          ? 'problems'
          : total.entered + total.subscribed > 0
            ? 'reached'
            : 'quiet'
      const finderUserName = setup.channels?.finderUserName
      return {
        miniProgramLive: setup.miniProgramLive,
        account: finderUserName
          ? { finderUserName, demo: finderUserName === DEMO_FINDER_USER_NAME, demoNote: finderUserName === DEMO_FINDER_USER_NAME ? DEMO_ACCOUNT_NOTE : null }
          : null,
        reach: { state, ...CHANNELS_REACH[state] },
        problems,
        droppedProblems: stored.dropped,
        days,
        total,
      }
    },
  }),
}
