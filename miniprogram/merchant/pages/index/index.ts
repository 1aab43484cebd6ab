/**
 * The merchant back office's front page: who you are, and the areas you may open. The Live areas are shown only
 * while liveAdmin has Mini Program Live on (whoami's setup, the same answer their pages' gate reads); otherwise one
 * line says it is off and how to turn it on.
 */
import { isOwner, miniProgramLiveOffText } from '../../../services/admin'
import { GATE_CHECKING, openGate } from '../../utils/gate'

interface Area {
  key: string
  title: string
  note: string
  url: string
  ownerOnly?: boolean
  /** Runs on Mini Program Live (its page opens with the gate's 'live' need). */
  live?: boolean
}

const AREAS: readonly Area[] = [
  { key: 'rooms', title: '直播间', note: '创建、编辑、开播中控台', url: '/merchant/pages/rooms/index', live: true },
  { key: 'goods', title: '商品库', note: '添加商品、提交审核、改价', url: '/merchant/pages/goods/index', live: true },
  { key: 'batch', title: '批量导入', note: '从聊天文件导入直播间或商品', url: '/merchant/pages/batch/index', live: true },
  { key: 'links', title: '渠道与链接', note: '每个渠道的小程序码、URL Link、URL Scheme、短链', url: '/merchant/pages/links/index', live: true },
  { key: 'roles', title: '主播与运营', note: '直播角色：主播、运营者、管理员', url: '/merchant/pages/roles/index', live: true },
  { key: 'stats', title: '数据统计', note: '各直播间的漏斗、渠道、趋势，导出 CSV', url: '/merchant/pages/stats/index' },
  { key: 'subscribers', title: '订阅用户', note: '开播提醒推送', url: '/merchant/pages/subscribers/index', live: true },
  { key: 'words', title: '敏感词', note: '直播间与商品名称不许出现的词', url: '/merchant/pages/words/index' },
  { key: 'audit', title: '操作记录', note: '谁在什么时候做了什么', url: '/merchant/pages/audit/index' },
  { key: 'admins', title: '管理员', note: '只有店主可以添加或移除', url: '/merchant/pages/admins/index', ownerOnly: true },
]

Component({
  data: {
    ...GATE_CHECKING,
    openid: '',
    roleText: '',
    areas: [] as Area[],
    liveOffText: '',
  },
  methods: {
    async onLoad() {
      await this.load(false)
    },
    async load(fresh: boolean) {
      const me = await openGate(this, 'admin', fresh)
      if (!me) return
      const owner = isOwner(me)
      const liveOffText = miniProgramLiveOffText(me) ?? ''
      this.setData({
        openid: me.openid ?? '',
        roleText: owner ? '店主' : '管理员',
        areas: AREAS.filter((a) => (owner || !a.ownerOnly) && !(liveOffText && a.live)),
        liveOffText,
      })
    },
    onRetry() {
      void this.load(true)
    },
    onOpen(e: WechatMiniprogram.BaseEvent) {
      const url = String(e.currentTarget.dataset.url ?? '')
      if (url) wx.navigateTo({ url })
    },
    onCopyOpenid() {
      if (this.data.openid) wx.setClipboardData({ data: this.data.openid })
    },
  },
})
