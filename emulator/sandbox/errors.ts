/**
 * Errors of the sandbox's own TypeScript/control API (not WeChat replies): the `/__sandbox/*` routes
 * (emulator/server/control-http.ts) map `status` to the HTTP status (400 bad input, 404 unknown room/goods).
 */
import { z } from 'zod'

export class SandboxControlError extends Error {
  override readonly name = 'SandboxControlError'
  constructor(
    readonly status: 400 | 404,
    message: string,
    /** The input field at fault, when one is. */
    readonly field?: string,
  ) {
    super(message)
  }
}

/** Parses control input with zod (classic or mini schemas); failures become a 400 naming the first bad field and its rule. */
export function parseInput<S extends z.core.$ZodType>(schema: S, input: unknown, what: string, name?: string): z.output<S> {
  const r = z.safeParse(schema, input)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  // A single value (an event, a result) is named by the field it came in, so the caller sees what to fix.
  const field = [...(name ? [name] : []), ...issue.path].join('.') || '(input)'
  throw new SandboxControlError(400, `${what}: ${field}: ${issue.message}`, field)
}
