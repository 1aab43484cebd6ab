/**
 * The demo merchant: enough rooms, goods, members and followers in every interesting state that a developer
 * sees the whole product working the moment the emulator starts. Everything is placed relative to the
 * sandbox clock, so the demo looks the same whatever day it is seeded.
 */
import type { LiveSandbox } from './sandbox'

/** The control operations the demo is made with: declared here, since control.ts imports this file to seed. */
export interface SeedControl {
  createRoom(input: unknown): { roomId: number }
  createGoods(input: unknown): { goodsId: number }
  importGoods(input: unknown): unknown
  addFollower(input: unknown): unknown
}

export interface DemoSeed {
  rooms: {
    live: number
    upcoming: number
    paused: number
    endedWithReplay: number
    endedTwoSegments: number
    endedReplayClosed: number
    expired: number
    banned: number
  }
  goods: { notAudited: number; underReview: number; approved: number[]; rejected: number; console: number }
  anchors: string[]
  followers: number
}

const H = 3600
const D = 24 * H

export function seedDemo(sandbox: LiveSandbox, control: SeedControl): DemoSeed {
  const now = sandbox.clock.nowSeconds()
  const state = sandbox.state

  // Goods first, so rooms can carry approved ones.
  const approved = [
    control.createGoods({ name: '高山乌龙茶 250g', price: 88, url: 'pages/goods/detail?id=tea-1' }).goodsId,
    control.createGoods({ name: '手工陶瓷茶杯', priceType: 2, price: 39.9, price2: 59.9, url: 'pages/goods/detail?id=cup-1' }).goodsId,
    control.createGoods({ name: '桂花蜂蜜礼盒', priceType: 3, price: 128, price2: 99, url: 'pages/goods/detail?id=honey-1' }).goodsId,
  ]
  const notAudited = control.createGoods({ name: '竹编收纳篮', price: 45, url: 'pages/goods/detail?id=basket-1', auditStatus: 0 }).goodsId
  const underReview = control.createGoods({ name: '云南普洱饼', price: 168, url: 'pages/goods/detail?id=puer-1', auditStatus: 1 }).goodsId
  const rejected = control.createGoods({ name: '神奇减肥茶', price: 19.9, url: 'pages/goods/detail?id=slim-1', auditStatus: 3 }).goodsId
  const consoleGoods = control.createGoods({
    name: '店铺会员卡',
    price: 199,
    url: 'pages/member/card',
    auditStatus: 2,
    console: true,
  }).goodsId

  const anchors = ['anchor_xiaomei', 'anchor_laozhang']
  const base = { anchorWechat: anchors[0], anchorName: '小美老师', closeReplay: 0 as const }

  const live = control.createRoom({
    ...base,
    name: '春茶上新直播专场',
    type: 1,
    startTime: now - 30 * 60,
    endTime: now + 2 * H,
    history: [{ event: 'start', at: now - 25 * 60 }],
  }).roomId
  control.importGoods({ roomId: live, goodsIds: approved })

  const upcoming = control.createRoom({
    ...base,
    name: '周末茶器好物分享',
    startTime: now + 2 * H,
    endTime: now + 4 * H,
  }).roomId
  control.importGoods({ roomId: upcoming, goodsIds: [approved[1]] })

  const paused = control.createRoom({
    ...base,
    anchorWechat: anchors[1],
    anchorName: '老张说茶',
    name: '老张的午后茶话会',
    startTime: now - H,
    endTime: now + H,
    history: [
      { event: 'start', at: now - 50 * 60 },
      { event: 'pause', at: now - 10 * 60 },
    ],
  }).roomId

  const endedWithReplay = control.createRoom({
    ...base,
    name: '蜂蜜溯源探访直播',
    startTime: now - 2 * D,
    endTime: now - 2 * D + 2 * H,
    history: [
      { event: 'start', at: now - 2 * D },
      { event: 'end', at: now - 2 * D + 90 * 60 },
    ],
  }).roomId
  control.importGoods({ roomId: endedWithReplay, goodsIds: [approved[2]] })

  const endedTwoSegments = control.createRoom({
    ...base,
    name: '断线重连的品茶夜',
    startTime: now - D,
    endTime: now - D + 3 * H,
    replaySegments: 2,
    history: [
      { event: 'start', at: now - D },
      { event: 'abnormal', at: now - D + H },
      { event: 'recover', at: now - D + H + 5 * 60 },
      { event: 'end', at: now - D + 2 * H },
    ],
  }).roomId

  const endedReplayClosed = control.createRoom({
    ...base,
    closeReplay: 1,
    name: '不留回放的内购专场',
    startTime: now - 3 * D,
    endTime: now - 3 * D + H,
    history: [
      { event: 'start', at: now - 3 * D },
      { event: 'end', at: now - 3 * D + 50 * 60 },
    ],
  }).roomId

  const expired = control.createRoom({
    ...base,
    name: '错过的早春预告',
    startTime: now - 5 * D,
    endTime: now - 5 * D + 2 * H,
  }).roomId

  const banned = control.createRoom({
    ...base,
    anchorWechat: anchors[1],
    anchorName: '老张说茶',
    name: '违规演示直播间',
    startTime: now - 4 * D,
    endTime: now - 4 * D + 2 * H,
    history: [
      { event: 'start', at: now - 4 * D },
      { event: 'ban', at: now - 4 * D + 20 * 60 },
    ],
  }).roomId

  // Members: anchors, an admin and an operator beside the default super admin.
  const members: [string, string, number[]][] = [
    [anchors[0], '小美老师', [2]],
    [anchors[1], '老张说茶', [2, 3]],
    ['shop_manager01', '店长阿芳', [1]],
    ['ops_xiaoli', '运营小李', [3]],
  ]
  for (const [username, nickname, roles] of members) {
    state.members.set(username, {
      username,
      nickname,
      openid: `o${username.padEnd(27, '0').slice(0, 27)}`,
      headimg: `${sandbox.options.assetBaseUrl}/avatar/${username}.png`,
      roles: new Set(roles),
      updatedAt: now - 7 * D,
    })
  }

  const followerRooms = [upcoming, upcoming, live, upcoming, endedWithReplay, live]
  followerRooms.forEach((roomId, i) => {
    control.addFollower({ openid: `oDemoViewer${String(i + 1).padStart(16, '0')}`, roomId, subscribeTime: now - (10 - i) * H })
  })

  return {
    rooms: { live, upcoming, paused, endedWithReplay, endedTwoSegments, endedReplayClosed, expired, banned },
    goods: { notAudited, underReview, approved, rejected, console: consoleGoods },
    anchors,
    followers: followerRooms.length,
  }
}
