/** `npm run build` (second half): the emulator UI into .build/ui, as npm start serves it. */
import { buildUi, UI_BUILD_DIR } from '../tools/build-ui'

buildUi(UI_BUILD_DIR).then(
  (r) => console.log(`Built the emulator UI into ${r.dir}: ${(r.appBytes / 1024).toFixed(1)} KB of script and style, ${r.fontFiles} font range files.`),
  (e: Error) => {
    console.error(e.message)
    process.exit(1)
  },
)
