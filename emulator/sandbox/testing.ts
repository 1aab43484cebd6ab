/**
 * Small helpers for tests and benchmarks that drive the sandbox directly: a sandbox on a frozen clock,
 * image uploads, one-line API calls and a valid createRoom body to vary.
 */
import { createClock, type Clock } from '../clock'
import { LiveSandbox, type SandboxOptions } from './sandbox'
import { createControl, type SandboxControl } from './control'

/** 2026-01-01T00:00:00Z, 08:00 in Shanghai. */
export const T0 = 1767225600

export interface SandboxKit {
  clock: Clock
  sandbox: LiveSandbox
  control: SandboxControl
  /** Calls an endpoint and returns the wire body (errcode 0 on success). */
  call(endpointId: string, params?: Record<string, unknown>, via?: 'cloud' | 'https'): Promise<Record<string, unknown>>
  /** Uploads an image (default 1 KB) and returns its media_id. */
  image(bytes?: number): string
  /** A createRoom body that passes every rule at the current clock; override what a test varies. */
  roomBody(overrides?: Record<string, unknown>): Record<string, unknown>
}

export function makeSandbox(options: SandboxOptions = {}, start = T0): SandboxKit {
  const clock = createClock()
  clock.set(start)
  clock.freeze()
  const sandbox = new LiveSandbox({ clock, options })
  const control = createControl(sandbox)
  const image = (bytes = 1024) => {
    const body = sandbox.uploadMedia({ type: 'image', bytes: Buffer.alloc(bytes, 1), filename: 'a.png' })
    return String(body.media_id)
  }
  return {
    clock,
    sandbox,
    control,
    image,
    async call(endpointId, params = {}, via = 'cloud') {
      const reply = await sandbox.callApi({ endpointId, params, via })
      return reply.body
    },
    roomBody(overrides = {}) {
      const now = clock.nowSeconds()
      const cover = image()
      return {
        name: '春茶上新直播',
        coverImg: cover,
        shareImg: image(),
        feedsImg: image(),
        startTime: now + 3600,
        endTime: now + 3 * 3600,
        anchorName: '小美老师',
        anchorWechat: 'anchor_xiaomei',
        type: 0,
        closeLike: 0,
        closeGoods: 0,
        closeComment: 0,
        ...overrides,
      }
    },
  }
}
