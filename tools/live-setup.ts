/**
 * Reads the merchant's live.config.json (the one home of the Live setup, src/setup/live-setup.ts) for the tools
 * that derive from it: the function build, npm run configure and npm run doctor.
 */
import { resolve } from 'node:path'
import { checkLiveSetup, LIVE_SETUP_FILE, type LiveSetup } from '../src/setup/live-setup'
import { readStrictJson, shownPath } from './function-config'

export const LIVE_SETUP_PATH = resolve(__dirname, '..', LIVE_SETUP_FILE)

export class LiveSetupError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${file}: ${en}`)
    this.name = 'LiveSetupError'
  }
}

/** The setup in `file` (default the project's), or a LiveSetupError naming the file, the field and the rule. */
export function readLiveSetup(file: string = LIVE_SETUP_PATH): LiveSetup {
  const raw = readStrictJson(file)
  const checked = checkLiveSetup(raw)
  if (!checked.ok) throw new LiveSetupError(shownPath(file), checked.problem.field, checked.problem.zh, checked.problem.en)
  return checked.setup
}
