/** Request params shared by the Live client and transport tests. */
import type { LiveParams } from '../src/live/client'

/** A createRoom request that passes the schema, with an anchor the test servers treat as unverified. */
export const unverifiedAnchorRoom: LiveParams<'createRoom'> = {
  name: '测试直播间',
  coverImg: 'm',
  startTime: 2_000_000_000,
  endTime: 2_000_003_600,
  anchorName: '主播',
  anchorWechat: 'unverified',
  shareImg: 'm',
  feedsImg: 'm',
  type: 0,
  closeLike: 0,
  closeGoods: 0,
  closeComment: 0,
}
