/**
 * The UI's only way to the emulator: the same control (`/__sandbox/…`) routes curl and scripts use, on the page's
 * own origin. A reply that is not 2xx becomes an ApiError carrying the emulator's own error sentence.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function reply<T>(res: Response): Promise<T> {
  const text = await res.text()
  let body: unknown = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = text
  }
  if (!res.ok) {
    const message = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${res.status}`
    throw new ApiError(res.status, message)
  }
  return body as T
}

export async function get<T>(path: string): Promise<T> {
  return reply<T>(await fetch(path, { headers: { accept: 'application/json' } }))
}

export async function send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } }
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' }
    init.body = JSON.stringify(body)
  }
  return reply<T>(await fetch(path, init))
}

/** A path segment, percent-encoded (room ids, function names and openids go into paths). */
export const seg = (value: string | number): string => encodeURIComponent(String(value))
