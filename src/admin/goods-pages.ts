/**
 * The pages a goods item's `url` may open: the pages of this mini-program, from miniprogram/app.json, which the
 * function build defines (tools/miniprogram-pages.ts) because src/ may not read the mini-program's files.
 */
declare const __MINIPROGRAM_PAGES__: readonly string[] | undefined

/** app.json's pages in a built function; undefined when this code runs unbuilt (only the path's shape is checked then). */
export function knownPages(): readonly string[] | undefined {
  return typeof __MINIPROGRAM_PAGES__ === 'undefined' ? undefined : __MINIPROGRAM_PAGES__
}
