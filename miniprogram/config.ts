/**
 * The one place to configure the viewer mini-program.
 * CLOUD_ENV: your CloudBase environment id (云开发 → 设置 → 环境 ID). The plugin version lives in app.json only.
 */
export const CLOUD_ENV = 'your-env-id'

/** live-player-plugin's appid: fixed by WeChat, used to build plugin-private:// paths. */
export const LIVE_PLUGIN_APPID = 'wx2b03c6e691cd7370'

/** Rooms per query: the client read cap of wx.cloud.database(). */
export const PAGE_SIZE = 20

/** The cache counts as stale once the last successful sync is older than this. */
export const STALE_AFTER_MS = 10 * 60 * 1000

/** Fallback refresh period when a real-time watch fails. */
export const POLL_FALLBACK_MS = 30 * 1000

/** WeChat asks not to poll getLiveStatus faster than once a minute. */
export const LIVE_STATUS_POLL_MS = 60 * 1000
