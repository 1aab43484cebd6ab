/**
 * Step 2 of a run: replays whose segments have all expired leave the replay section. It needs no Live call,
 * so it runs even while upstream calls back off.
 */
import { withReplay, roomChanged } from './normalize'
import { summarize } from './replays'
import type { Run } from './run'

export async function expireReplays(run: Run): Promise<void> {
  const { store, now, out } = run
  for (const room of await store.roomsWithReplayExpiring(now)) {
    const held = await store.getReplay(room.roomId)
    const summary = summarize(held?.segments ?? [], now, 'none')
    const next = withReplay(room, summary, now)
    if (!roomChanged(room, next)) continue
    if (held) await store.putReplay({ ...held, state: summary.state, syncedAt: now })
    await store.putRoom(next)
    out.roomsWritten++
  }
}
