/**
 * The mini-program's pages, read from miniprogram/app.json as data: the main package's `pages` and every
 * subpackage's `root` + `pages`. The function build hands them to bundled code (a goods page URL must be one of
 * them), so they have one home: app.json.
 * https://developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html#pages
 * https://developers.weixin.qq.com/miniprogram/dev/framework/subpackages/basic.html
 */
import { join, resolve } from 'node:path'
import { readStrictJson, shownPath } from './function-config'

export const APP_JSON = resolve(__dirname, '..', 'miniprogram', 'app.json')

/** The name bundled code reads the pages from (esbuild `define`); undefined outside a built function. */
export const PAGES_DEFINE = '__MINIPROGRAM_PAGES__'

function pageList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p === '')) {
    throw new TypeError(`${where}: must be an array of page paths`)
  }
  return value as string[]
}

/** The subpackage of the merchant's back-office pages (its own npm packages, never a goods item's page). */
export const MERCHANT_ROOT = 'merchant'

/**
 * Every page path of app.json a viewer may be sent to (`pages/home/index`, `sub/pages/x/index`), main package
 * first: the merchant subpackage is left out, as no goods item opens a back-office page.
 */
export function miniProgramPages(appJson: string = APP_JSON): string[] {
  const app = readStrictJson(appJson) as Record<string, unknown>
  const shown = shownPath(appJson)
  const pages = pageList(app.pages, `${shown}: pages`)
  // Both spellings are accepted by WeChat.
  const subs = app.subpackages ?? app.subPackages ?? []
  if (!Array.isArray(subs)) throw new TypeError(`${shown}: subpackages must be an array`)
  subs.forEach((sub: { root?: unknown; pages?: unknown }, i) => {
    if (typeof sub?.root !== 'string' || sub.root === '') throw new TypeError(`${shown}: subpackages.${i}.root must be a folder`)
    if (sub.root === MERCHANT_ROOT) return
    for (const p of pageList(sub.pages, `${shown}: subpackages.${i}.pages`)) pages.push(join(sub.root, p).split('\\').join('/'))
  })
  return pages
}
