/**
 * Collection names of the cache (mirrors COLLECTIONS in src/cache/schema.ts; a test keeps them equal).
 * Copied, not imported: the mini-program package can only ship files under miniprogram/.
 */
export const ROOMS = 'live_rooms'
export const REPLAYS = 'live_replays'
export const SYNC_STATUS = 'live_sync_status'
export const SYNC_STATUS_ID = 'public'
