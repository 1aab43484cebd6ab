/**
 * A room's channels and the codes and links that carry them: pick a room (or arrive with `?roomId=`), create,
 * rename and remove channels, generate or renew each kind, copy a link, preview and save a code. Names and codes are
 * checked as typed by the function's own rules (the generated bundle); expiry is shown in Beijing time.
 */
import * as rules from '../../generated/rules'
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorText, showError } from '../../utils/errors'
import {
  createChannel,
  generateLink,
  listChannels,
  removeChannel,
  renameChannel,
  roomOptions,
  type ChannelRow,
  type LinkKind,
  type RoomOption,
} from '../../services/links'
import { saveImageToAlbum } from '../../services/room-console'

const gated = gatedPageMethods('live')

/** The room id a page option carries, or null. */
function roomIdOf(v: unknown): number | null {
  const n = typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v) ? Number(v) : NaN
  return Number.isSafeInteger(n) ? n : null
}

Component({
  data: {
    ...GATE_CHECKING,
    rooms: [] as RoomOption[],
    roomLabels: [] as string[],
    roomIndex: -1,
    roomId: null as number | null,
    roomsError: '',
    channels: [] as ChannelRow[],
    max: 0,
    loading: false,
    listError: '',
    name: '',
    code: '',
    nameError: '',
    codeError: '',
    creating: false,
    busy: '',
  },
  methods: {
    onLoad(this: any, options?: Record<string, string>) {
      this.setData({ roomId: roomIdOf(options?.roomId) })
      return gated.onLoad.call(this)
    },
    onRetry: gated.onRetry,
    onPullDownRefresh: gated.onPullDownRefresh,

    async reload() {
      this.setData({ roomsError: '' })
      try {
        const rooms = await roomOptions()
        this.setData({ rooms, roomLabels: rooms.map((r) => r.label), roomIndex: rooms.findIndex((r) => r.roomId === this.data.roomId) })
      } catch (e) {
        this.setData({ roomsError: errorText(e) })
      }
      await this.loadChannels()
    },

    async loadChannels() {
      const roomId = this.data.roomId
      if (roomId === null) return
      this.setData({ loading: true, listError: '' })
      try {
        const { channels, max } = await listChannels(roomId)
        this.setData({ channels, max })
      } catch (e) {
        this.setData({ channels: [], listError: errorText(e) })
      }
      this.setData({ loading: false })
    },

    async onRoom(e: WechatMiniprogram.CustomEvent<{ value: string | number }>) {
      const index = Number(e.detail.value)
      const room = this.data.rooms[index]
      if (!room) return
      this.setData({ roomIndex: index, roomId: room.roomId, channels: [] })
      await this.loadChannels()
    },

    onName(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const name = String(e.detail.value ?? '')
      const problem = name === '' ? null : rules.checkChannelName(name)
      this.setData({ name, nameError: problem ? problem.zh : '' })
    },

    onCode(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const code = String(e.detail.value ?? '').trim()
      const problem = code === '' ? null : rules.checkChannelCode(code)
      this.setData({ code, codeError: problem ? problem.zh : '' })
    },

    async onCreate() {
      const { roomId, name, code } = this.data
      if (roomId === null || this.data.creating) return
      const problem = rules.checkChannelName(name)
      if (problem) return this.setData({ nameError: problem.zh })
      if (this.data.codeError) return
      this.setData({ creating: true })
      try {
        await createChannel(roomId, name, code)
        this.setData({ name: '', code: '' })
        wx.showToast({ title: '渠道已创建', icon: 'success' })
        await this.loadChannels()
      } catch (e) {
        const text = errorText(e)
        const field = (e as { field?: string }).field
        this.setData(field === 'code' ? { codeError: text } : field === 'name' ? { nameError: text } : {})
        if (field !== 'code' && field !== 'name') showError(e)
      }
      this.setData({ creating: false })
    },

    channelOf(e: WechatMiniprogram.BaseEvent): ChannelRow | undefined {
      return this.data.channels.find((c) => c.code === e.currentTarget.dataset.code)
    },

    async onRename(e: WechatMiniprogram.BaseEvent) {
      const channel = this.channelOf(e)
      if (!channel) return
      const answer = await wx.showModal({ title: '修改渠道名称', editable: true, placeholderText: channel.name, content: channel.name })
      const name = String((answer as { content?: string }).content ?? '').trim()
      if (!answer.confirm || name === '' || name === channel.name) return
      const problem = rules.checkChannelName(name)
      if (problem) return showError({ message: problem.zh }, '名称不可用')
      await this.run(`rename-${channel.code}`, () => renameChannel(channel.roomId, channel.code, name))
    },

    async onRemove(e: WechatMiniprogram.BaseEvent) {
      const channel = this.channelOf(e)
      if (!channel) return
      const answer = await wx.showModal({ title: `删除渠道“${channel.name}”？`, content: '已发出的码与链接仍计入此渠道，代码不会再用。' })
      if (!answer.confirm) return
      await this.run(`remove-${channel.code}`, () => removeChannel(channel.roomId, channel.code))
    },

    async onGenerate(e: WechatMiniprogram.BaseEvent) {
      const channel = this.channelOf(e)
      const kind = e.currentTarget.dataset.kind as LinkKind
      if (!channel) return
      await this.run(`${channel.code}-${kind}`, () => generateLink(channel.roomId, channel.code, kind))
    },

    /** Runs one change, then reads the list again so every state and expiry is the function's. */
    async run(key: string, change: () => Promise<void>) {
      if (this.data.busy) return
      this.setData({ busy: key })
      try {
        await change()
        await this.loadChannels()
      } catch (err) {
        showError(err)
      }
      this.setData({ busy: '' })
    },

    linkOf(e: WechatMiniprogram.BaseEvent) {
      return this.channelOf(e)?.links.find((l) => l.kind === e.currentTarget.dataset.kind)
    },

    onCopy(e: WechatMiniprogram.BaseEvent) {
      const link = this.linkOf(e)
      if (link?.url) wx.setClipboardData({ data: link.url })
    },

    onPreview(e: WechatMiniprogram.BaseEvent) {
      const link = this.linkOf(e)
      if (link?.imageUrl) wx.previewImage({ urls: [link.imageUrl], current: link.imageUrl })
    },

    async onSave(e: WechatMiniprogram.BaseEvent) {
      const link = this.linkOf(e)
      if (!link?.imageUrl) return
      try {
        await saveImageToAlbum(link.imageUrl)
        wx.showToast({ title: '已保存到相册', icon: 'success' })
      } catch (err) {
        showError(err, '没有保存')
      }
    },
  },
})
