/** Control routes the Live sandbox view needs beside the original table: quotas in use, and clearing faults. */
import type { RouteSpec } from './control-route'

export const LIVE_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/__sandbox/quotas',
    does: 'every Live and link API: calls this Asia/Shanghai day, the quota bucket it counts against, used and limit',
    handler: ({ emu }) => emu.sandbox.quotaUsage(),
  },
  {
    method: 'DELETE',
    path: '/__sandbox/faults',
    does: 'drops every queued fault',
    handler: ({ emu }) => {
      emu.sandbox.clearFaults()
      return { faults: emu.sandbox.pendingFaults() }
    },
  },
]
