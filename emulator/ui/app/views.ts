/** The views in the order of the navigation; each is one file under views/ and one line here. */
import type { FunctionComponent } from 'preact'
import { Overview } from './views/overview'
import { Database } from './views/database'
import { Functions } from './views/functions'
import { Channels } from './views/channels'
import { Live } from './views/live'
import { Preview } from './views/preview'
import { Storage } from './views/storage'

export interface View {
  /** The hash route: `#/<id>`. */
  id: string
  zh: string
  en: string
  component: FunctionComponent
}

export const VIEWS: View[] = [
  { id: 'overview', zh: '概览', en: 'Overview', component: Overview },
  { id: 'database', zh: '数据库', en: 'Database', component: Database },
  { id: 'functions', zh: '云函数', en: 'Functions', component: Functions },
  { id: 'live', zh: '直播沙箱', en: 'Live sandbox', component: Live },
  { id: 'channels', zh: '视频号直播', en: 'Channels live', component: Channels },
  { id: 'storage', zh: '云存储', en: 'Storage', component: Storage },
  { id: 'preview', zh: '观众预览', en: 'Viewer preview', component: Preview },
]
