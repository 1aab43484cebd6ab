/** The shop's sensitive-word list: add several at once, remove one, and check a text as a room or goods name would be checked. */
import { GATE_CHECKING, gatedPageMethods } from '../../utils/gate'
import { errorText } from '../../utils/errors'
import { ask } from '../../utils/people-modal'
import { splitWords, wordsProblem, type HitRow } from '../../utils/people-words'
import { addWords, checkText, getWords, removeWords, type WordList } from '../../services/words'

Component({
  data: {
    ...GATE_CHECKING,
    list: null as WordList | null,
    loading: false,
    listError: '',
    input: '',
    inputError: '',
    canAdd: false,
    busy: false,
    done: '',
    probe: '',
    checking: false,
    verdict: '',
    verdictPass: false,
    hits: [] as HitRow[],
    platformNote: '',
    checkError: '',
  },
  methods: {
    ...gatedPageMethods(),
    async reload() {
      this.setData({ loading: true, listError: '' })
      try {
        this.setData({ list: await getWords() })
        this.check()
      } catch (e) {
        this.setData({ listError: errorText(e) })
      } finally {
        this.setData({ loading: false })
      }
    },

    check() {
      const words = splitWords(this.data.input)
      const problem = wordsProblem(words, this.data.list?.words ?? [], this.data.list, Math.floor(Date.now() / 1000))
      this.setData({ inputError: this.data.input.trim() === '' ? '' : problem, canAdd: problem === '' && this.data.list !== null })
    },
    onInput(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ input: String(e.detail.value ?? ''), done: '' })
      this.check()
    },
    async onAdd() {
      this.check()
      const list = this.data.list
      if (!this.data.canAdd || this.data.busy || !list) return
      const words = splitWords(this.data.input)
      this.setData({ busy: true, done: '' })
      try {
        const after = await addWords(words, list)
        this.setData({ list: after, input: '', canAdd: false, done: after.changed ? `已添加，词表现有 ${after.words.length} 个词` : '这些词都已在词表中' })
      } catch (e) {
        this.setData({ inputError: errorText(e) })
      } finally {
        this.setData({ busy: false })
      }
    },
    async onRemove(e: WechatMiniprogram.BaseEvent) {
      const word = String(e.currentTarget.dataset.word ?? '')
      const list = this.data.list
      if (!word || !list) return
      const sure = await ask({ title: '删除敏感词', content: `从词表删除「${word}」？删除后含这个词的名称不再被拦截。`, confirmText: '删除' })
      if (!sure.confirm) return
      try {
        this.setData({ list: await removeWords([word], list), done: `已删除「${word}」` })
      } catch (err) {
        await ask({ title: '没有删除', content: errorText(err) })
      }
    },

    onProbe(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ probe: String(e.detail.value ?? ''), verdict: '', hits: [], checkError: '' })
    },
    async onCheck() {
      const text = this.data.probe
      if (text.trim() === '' || this.data.checking) return
      this.setData({ checking: true, verdict: '', hits: [], platformNote: '', checkError: '' })
      try {
        const v = await checkText(text)
        this.setData({ verdictPass: v.pass, verdict: v.pass ? '可以提交：没有命中敏感词' : '会被拒绝：', hits: v.hits, platformNote: v.platformNote })
      } catch (e) {
        this.setData({ checkError: errorText(e) })
      } finally {
        this.setData({ checking: false })
      }
    },
  },
})
