/**
 * The time prefix of the emulator's log lines. While the emulator clock follows wall time one time says it all;
 * once the clock was moved (or frozen and left behind) a line also says what time the emulator thinks it is,
 * since that is the time rooms, quotas and timers act on.
 */

/** Below this gap the two clocks read the same to a person reading whole seconds. */
const SAME_TIME_MS = 1000

export function logStamp(wallMs: number, emulatorMs: number): string {
  const wall = new Date(wallMs).toISOString().slice(11, 19)
  if (Math.abs(emulatorMs - wallMs) < SAME_TIME_MS) return `[${wall}]`
  const emulator = new Date(emulatorMs)
  const shown = Number.isNaN(emulator.getTime()) ? String(emulatorMs) : emulator.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return `[${wall} | emulator ${shown}]`
}
