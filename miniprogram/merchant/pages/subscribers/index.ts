/**
 * Long-term subscribers by the room they subscribed in, and "push this room" to them while it is live. A push
 * left part-way (the page closed, the network lost) is offered again on the next visit.
 */
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorText } from '../../utils/errors'
import { ask } from '../../utils/people-modal'
import { countsByRoom, followersOf, pushSummary, type FollowerRow, type LiveRoomRow, type RoomCount } from '../../utils/people-subscribers'
import { listFollowers, liveRooms, pendingPush, pushRoom } from '../../services/subscribers'

Component({
  data: {
    ...GATE_CHECKING,
    all: [] as FollowerRow[],
    shown: [] as FollowerRow[],
    counts: [] as RoomCount[],
    roomFilter: null as number | null,
    pageBreak: null as number | null,
    more: false,
    loading: false,
    listError: '',
    rooms: [] as LiveRoomRow[],
    roomsError: '',
    pending: null as number | null,
    pushing: null as number | null,
    progress: '',
    summary: '',
    pushError: '',
  },
  methods: {
    ...gatedPageMethods('live'),
    async onReachBottom() {
      await this.loadMore()
    },

    show(all: FollowerRow[], roomFilter: number | null) {
      this.setData({ all, roomFilter, shown: followersOf(all, roomFilter), counts: countsByRoom(all) })
    },
    async reload() {
      this.setData({ loading: true, listError: '', roomsError: '', pending: pendingPush() })
      // Each list fails on its own: the followers still show when the rooms could not be read, and the other way round.
      await Promise.all([
        listFollowers(null).then(
          (page) => {
            this.show(page.rows, this.data.roomFilter)
            this.setData({ pageBreak: page.pageBreak, more: page.more })
          },
          (e: unknown) => this.setData({ listError: errorText(e) }),
        ),
        liveRooms().then(
          (rooms) => this.setData({ rooms }),
          (e: unknown) => this.setData({ rooms: [], roomsError: errorText(e) }),
        ),
      ])
      this.setData({ loading: false })
    },
    async loadMore() {
      if (this.data.loading || !this.data.more) return
      this.setData({ loading: true, listError: '' })
      try {
        const page = await listFollowers(this.data.pageBreak)
        this.show([...this.data.all, ...page.rows], this.data.roomFilter)
        this.setData({ pageBreak: page.pageBreak, more: page.more })
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },
    onFilter(e: WechatMiniprogram.BaseEvent) {
      const raw = e.currentTarget.dataset.room
      const roomId = raw === undefined || raw === '' || raw === null ? null : Number(raw)
      this.show(this.data.all, roomId !== null && Number.isInteger(roomId) ? roomId : null)
    },

    async onPush(e: WechatMiniprogram.BaseEvent) {
      const roomId = Number(e.currentTarget.dataset.room)
      if (!Number.isInteger(roomId) || roomId <= 0 || this.data.pushing !== null) return
      const room = this.data.rooms.find((r) => r.roomId === roomId)
      const sure = await ask({
        title: '推送直播间',
        content: `把「${room?.name ?? roomId}」推送给全部长期订阅用户？每天只能推送一个直播间，推送后今天不能再推送其他直播间。`,
        confirmText: '推送',
      })
      if (!sure.confirm) return
      await this.push(roomId)
    },
    async onContinue() {
      const roomId = this.data.pending
      if (roomId !== null && this.data.pushing === null) await this.push(roomId)
    },
    async push(roomId: number) {
      this.setData({ pushing: roomId, progress: '正在推送…', summary: '', pushError: '' })
      try {
        const run = await pushRoom(roomId, (r) => this.setData({ progress: `正在推送：今天已推送 ${r.pushedToday} 位` }))
        this.setData({ summary: pushSummary(run.last, run.failures).text })
      } catch (err) {
        this.setData({ pushError: errorText(err) })
      } finally {
        this.setData({ pushing: null, progress: '', pending: pendingPush() })
      }
    },
  },
})
