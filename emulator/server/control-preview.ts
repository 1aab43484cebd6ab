/** The viewer preview's control route: a page rendered by the mini-program's own code, as HTML without scripts. */
import { PREVIEW_PAGES } from '../preview/pages'
import { PreviewError } from '../preview/preview'
import { HttpError } from './http-util'
import { RawReply, type RouteSpec } from './control-route'

// The rendered page may carry whatever the cache holds: it is shown, never run, and only inside the emulator's UI.
const PREVIEW_HEADERS = {
  'content-security-policy': "default-src 'none'; img-src * data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self'; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

export const PREVIEW_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/__sandbox/preview/{page}',
    does: `a viewer page (${Object.keys(PREVIEW_PAGES).join(', ')}; room and replay take ?roomId=) rendered by the mini-program's code against the cache now, as HTML`,
    handler: async ({ emu, params, url }) => {
      try {
        const html = await emu.preview.render(params.page, url.searchParams.get('roomId'))
        return new RawReply('text/html; charset=utf-8', Buffer.from(html), PREVIEW_HEADERS)
      } catch (e) {
        if (e instanceof PreviewError) throw new HttpError(e.status, e.message)
        throw e
      }
    },
  },
]
