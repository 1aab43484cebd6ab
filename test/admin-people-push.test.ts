/**
 * Pushing a live room to its subscribers when the run's time limit cuts it: the use case over the sandbox and an
 * in-memory database, on a clock that moves with each push, stops before the deadline saying how to continue,
 * resumes where it stopped, and never pushes anyone twice, also when a push's outcome is unknown.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryEngine } from '../emulator/db/memory-engine'
import { createEngineDriver, createEngineStore } from '../emulator/db/engine-store'
import { createInProcessTransport } from '../emulator/sandbox/in-process-transport'
import { makeSandbox } from '../emulator/sandbox/testing'
import { COLLECTIONS } from '../src/cache/schema'
import { ADMIN_COLLECTIONS } from '../src/admin/store'
import { PUSH_MARGIN_MS, pushRoomToFollowers } from '../src/admin/actions/people'
import type { ActionContext } from '../src/admin/types'
import { readLiveSetup } from '../tools/live-setup'
import { PUSH_MESSAGE_MAX_OPENIDS } from '../src/live/catalogue'
import { createLiveApi, type LiveTransport } from '../src/live/client'
import { WxApiError } from '../src/live/errors'

/** Each push takes this long on the fake clock. */
const PUSH_MS = 1000

function setup(followers: number) {
  const kit = makeSandbox()
  const engine = createMemoryEngine({ clock: kit.clock })
  for (const name of [...Object.values(COLLECTIONS), ...Object.values(ADMIN_COLLECTIONS)]) engine.createCollection(name)
  const now = kit.clock.nowSeconds()
  const roomId = kit.control.createRoom({ name: '春茶上新直播间', startTime: now + 3600, endTime: now + 7200, anchorName: '小美老师', anchorWechat: 'anchor_xiaomei' }).roomId
  kit.control.roomEvent(roomId, 'start')
  for (let i = 0; i < followers; i++) kit.control.addFollower({ openid: `o-fan-${i}`, roomId })

  let elapsed = 0
  /** pushMessage numbers (1-based) that fail with a busy answer after the platform may have sent them. */
  const uncertainPushes = new Set<number>()
  let pushes = 0
  const inner = createInProcessTransport(kit.sandbox)
  const transport: LiveTransport = {
    async call(endpoint, params) {
      if (endpoint.id !== 'pushMessage') return inner.call(endpoint, params)
      pushes++
      elapsed += PUSH_MS
      const reply = await inner.call(endpoint, params)
      if (uncertainPushes.has(pushes)) throw new WxApiError({ errcode: -1, errmsg: 'system error', endpointId: 'pushMessage' })
      return reply
    },
  }
  const ctx = (budgetMs: number): ActionContext => {
    const start = elapsed
    return {
      caller: { openid: 'o-admin-000001', roles: ['admin'] },
      ports: {
        setup: readLiveSetup(),
        live: createLiveApi(transport),
        cache: createEngineStore(engine),
        docs: createEngineDriver(engine),
        media: null,
        files: null,
        links: null,
        textCheck: null,
        env: {},
        nowMs: () => kit.clock.nowMs() + elapsed,
        deadlineMs: kit.clock.nowMs() + start + budgetMs,
      },
    }
  }
  const sentTo = () => kit.control.pushedMessages().flatMap((m) => m.openids)
  return { kit, roomId, ctx, sentTo, uncertainPushes }
}

describe('pushRoomToFollowers under a time limit', () => {
  it('stops before the deadline saying how to continue, then resumes and reaches everyone exactly once', async () => {
    const total = 3 * PUSH_MESSAGE_MAX_OPENIDS + 500
    const { roomId, ctx, sentTo } = setup(total)
    // Room for two pushes before the margin: the third page is left for the next run.
    const budget = PUSH_MARGIN_MS + 2 * PUSH_MS
    const first = await pushRoomToFollowers(ctx(budget), { roomId })
    expect(first).toMatchObject({ done: false, pushed: 2 * PUSH_MESSAGE_MAX_OPENIDS, pushedToday: 2 * PUSH_MESSAGE_MAX_OPENIDS, failures: [] })
    expect(first.next?.en).toMatch(/call pushRoomToFollowers again with the same params/)
    expect(sentTo()).toHaveLength(2 * PUSH_MESSAGE_MAX_OPENIDS)

    const second = await pushRoomToFollowers(ctx(budget), { roomId })
    expect(second).toMatchObject({ done: true, pushed: PUSH_MESSAGE_MAX_OPENIDS + 500, pushedToday: total, next: null })
    const everyone = sentTo()
    expect(everyone).toHaveLength(total)
    expect(new Set(everyone).size).toBe(total)

    const third = await pushRoomToFollowers(ctx(budget), { roomId })
    expect(third).toMatchObject({ done: true, pushed: 0 })
    expect(sentTo()).toHaveLength(total)
  })

  it('skips a page whose push may have gone out (busy answer), records it as uncertain, and goes on from the next page', async () => {
    const total = 2 * PUSH_MESSAGE_MAX_OPENIDS + 10
    const { roomId, ctx, sentTo, uncertainPushes } = setup(total)
    uncertainPushes.add(2)
    const first = await pushRoomToFollowers(ctx(60_000), { roomId })
    expect(first).toMatchObject({ done: false, pushed: PUSH_MESSAGE_MAX_OPENIDS })
    expect(first.failures).toEqual([{ count: PUSH_MESSAGE_MAX_OPENIDS, errcode: -1, kind: 'uncertain', en: expect.any(String) }])

    const second = await pushRoomToFollowers(ctx(60_000), { roomId })
    expect(second).toMatchObject({ done: true, pushed: 10, failures: [] })
    // The uncertain page went out once (the sandbox sent it before answering busy) and was never sent again.
    const everyone = sentTo()
    expect(everyone).toHaveLength(total)
    expect(new Set(everyone).size).toBe(total)
  })

  it('refuses a second run while another holds the day\'s push, and lets it go once the first run ended', async () => {
    const { roomId, ctx } = setup(10)
    const running = pushRoomToFollowers(ctx(60_000), { roomId })
    await expect(pushRoomToFollowers(ctx(60_000), { roomId })).rejects.toMatchObject({ body: { code: 'failed_precondition' } })
    expect(await running).toMatchObject({ done: true, pushed: 10 })
    expect(await pushRoomToFollowers(ctx(60_000), { roomId })).toMatchObject({ done: true, pushed: 0 })
  })
})
