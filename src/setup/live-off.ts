/**
 * The words for "Mini Program Live is off", in one place: the sync's public status, liveAdmin's `live_off` refusal
 * and whoami (which the merchant pages show) all say these sentences, so they cannot drift apart.
 */
import { LIVE_SETUP_FILE } from './live-setup'

export interface Sentence {
  zh: string
  en: string
}

/** Why nothing of Mini Program Live runs. */
export const MINI_PROGRAM_LIVE_OFF: Sentence = {
  zh: `本小程序未开启小程序直播（${LIVE_SETUP_FILE} 的 miniProgramLive 为 false）`,
  en: `Mini Program Live is off for this mini-program (miniProgramLive is false in ${LIVE_SETUP_FILE})`,
}

/** How a merchant turns it on: the switch, then the two commands that derive the rest from it, then the upload. */
export const TURN_ON_MINI_PROGRAM_LIVE: Sentence = {
  zh: `账号有直播权限后，把 ${LIVE_SETUP_FILE} 的 miniProgramLive 改为 true，运行 npm run configure 与 npm run build，再上传小程序和云函数`,
  en: `Once the account has Live permission, set miniProgramLive to true in ${LIVE_SETUP_FILE}, run npm run configure and npm run build, then upload the mini-program and the functions`,
}

/** What the sync's public status says while Mini Program Live is off. */
export const SYNC_LIVE_OFF: Sentence = {
  zh: `${MINI_PROGRAM_LIVE_OFF.zh}：同步不调用直播接口，直播间缓存保持不变`,
  en: `${MINI_PROGRAM_LIVE_OFF.en}: the sync calls no Live API and leaves the room cache as it is`,
}

/** liveAdmin's refusal of an action that needs Mini Program Live while it is off. */
export const ADMIN_LIVE_OFF: Sentence = {
  zh: `${MINI_PROGRAM_LIVE_OFF.zh}，此操作需要小程序直播。${TURN_ON_MINI_PROGRAM_LIVE.zh}`,
  en: `${MINI_PROGRAM_LIVE_OFF.en}, and this action needs it. ${TURN_ON_MINI_PROGRAM_LIVE.en}`,
}
