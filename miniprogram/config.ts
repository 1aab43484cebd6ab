/**
 * The one place to configure the viewer mini-program.
 * CLOUD_ENV: your CloudBase environment id (云开发 → 设置 → 环境 ID). Which kinds of Live the mini-program has are
 * set in live.config.json at the project root (npm run configure writes what derives from it).
 */
export const CLOUD_ENV = 'your-env-id'

/** live-player-plugin's appid: fixed by WeChat, used to build plugin-private:// paths (src/setup/live-setup.ts). */
export { LIVE_PLUGIN_APPID } from './generated/live-setup'

/** Rooms per query: the client read cap of wx.cloud.database(). */
export const PAGE_SIZE = 20

/** The cache counts as stale once the last successful sync is older than this. */
export const STALE_AFTER_MS = 10 * 60 * 1000

/** Fallback refresh period when a real-time watch fails. */
export const POLL_FALLBACK_MS = 30 * 1000

/** WeChat asks not to poll getLiveStatus faster than once a minute. */
export const LIVE_STATUS_POLL_MS = 60 * 1000
