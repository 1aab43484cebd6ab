/** The functions view's read route: every function's recent runs in one list, newest first. */
import type { RouteSpec } from './control-route'

export const FUNCTION_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/__sandbox/runs',
    does: "every function's recent runs in one list, newest first, each with its function's name, logs and Live calls",
    handler: ({ emu }) =>
      emu
        .listFunctions()
        .flatMap((f) => f.recentRuns.map((run) => ({ function: f.name, ...run })))
        // by recording order: the emulator clock may stand still or be set back between runs
        .sort((a, b) => b.seq - a.seq),
  },
]
