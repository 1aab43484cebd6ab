/**
 * Step 4a of a run: looks for the replays that are due (the schedule is in replays.ts), merges what the
 * platform lists into what the cache holds, and sets each room's replay summary.
 */
import { isEmptyRoomList } from '../live/errors'
import { LiveStatus } from '../live/status'
import type { CallGate } from './gate'
import { withReplay, roomChanged } from './normalize'
import { type PlatformReplay, afterLook, mergeSegments, replayDoc, summarize } from './replays'
import type { Run } from './run'

/** Every segment get_replay lists for a room, page by page; 9410000 means none. */
async function fetchReplays(gate: CallGate, roomId: number): Promise<PlatformReplay[]> {
  const listed: PlatformReplay[] = []
  for (let start = 0; ; ) {
    let res
    try {
      res = await gate.call('getLiveInfo', { start, limit: 100, action: 'get_replay', roomId })
    } catch (e) {
      if (isEmptyRoomList(e)) return listed
      throw e
    }
    listed.push(...res.liveReplay)
    start += res.liveReplay.length
    if (res.liveReplay.length === 0 || res.total === undefined || start >= res.total) return listed
  }
}

export async function lookForReplays(run: Run): Promise<void> {
  const { store, gate, nowMs, now, timing, cfg, out } = run
  const tasks = await store.dueReplayTasks(nowMs, cfg.maxReplayLooksPerRun)
  for (const task of tasks) {
    const room = (await store.getRooms([task.roomId])).get(task.roomId)
    if (!room || room.deleted || room.liveStatus !== LiveStatus.ended || !room.replayEnabled || room.replay.state === 'none') {
      await store.dropReplayTask(task.roomId)
      continue
    }
    const listed = await fetchReplays(gate, task.roomId)
    const held = await store.getReplay(task.roomId)
    const { segments, added } = mergeSegments(held?.segments ?? [], listed)
    const newestCreateMs = segments.length > 0 ? segments[segments.length - 1].createTime.getTime() : null
    const nextStep = afterLook(task, { held: segments.length, added, newestCreateMs }, nowMs, timing)
    const giveUp = nextStep.kind === 'done' && nextStep.giveUp
    const summary = summarize(segments, now, giveUp ? 'none' : 'pending')
    if (added > 0 || !held || held.state !== summary.state) {
      if (segments.length > 0 || giveUp) {
        await store.putReplay(replayDoc(task.roomId, segments, summary.state, now))
        out.replaysWritten++
      }
    }
    const next = withReplay(room, summary, now)
    if (roomChanged(room, next)) {
      await store.putRoom(next)
      out.roomsWritten++
    }
    if (nextStep.kind === 'again') await store.putReplayTask(nextStep.task)
    else await store.dropReplayTask(task.roomId)
  }
}
