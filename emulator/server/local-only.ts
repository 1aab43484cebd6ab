/**
 * The emulator is a local developer tool that changes state, so it answers only requests addressed to this machine
 * from this machine's pages: a `Host` other than a loopback name is DNS rebinding, and an `Origin` other than a
 * loopback origin is a page on the internet driving the developer's browser.
 * See https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Origin and
 * https://developer.mozilla.org/en-US/docs/Web/Security/Attacks/DNS_rebinding.
 */
import type { IncomingMessage } from 'node:http'

/** The host names that mean this machine; anything else in `Host` or `Origin` is refused. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]']

function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.includes(hostname.toLowerCase())
}

/** `host[:port]` from a Host header, or null when it is not that shape. */
function hostnameOfHostHeader(value: string): string | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(value.trim())
  return match ? match[1] : null
}

/**
 * Why the request must be refused, in one sentence naming the header and the rule, or null when it is local.
 * A request with no `Origin` (curl, scripts, wx-server-sdk in a function) is judged by its `Host` alone.
 */
export function foreignRequestProblem(req: Pick<IncomingMessage, 'headers'>): string | null {
  const host = req.headers.host
  if (host !== undefined) {
    const hostname = hostnameOfHostHeader(host)
    if (hostname === null || !isLoopbackHostname(hostname)) {
      return `Host ${JSON.stringify(host)}: the emulator answers only requests addressed to ${LOOPBACK_HOSTNAMES.join(', ')}`
    }
  }
  const origin = req.headers.origin
  if (origin !== undefined) {
    let parsed: URL | null = null
    try {
      parsed = new URL(origin)
    } catch {
      parsed = null
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !isLoopbackHostname(parsed.hostname)) {
      return `Origin ${JSON.stringify(origin)}: the emulator answers only pages served from ${LOOPBACK_HOSTNAMES.join(', ')}`
    }
  }
  return null
}
