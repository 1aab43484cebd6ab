/**
 * The sandbox options a developer may change without code: from the command line (`--list-page-cap 50`) and
 * from the control API (`POST /__sandbox/options`). One table holds each option's rule and one-line meaning;
 * the flags, the control body and the listing are all derived from it.
 */
import { z } from 'zod'
import { endpointList } from '../../src/live/catalogue'
import { linkApiList } from '../../src/links/catalogue'
import { PERMANENT_SHORTLINKS_KEY } from './links'
import { type SandboxOptions, type ResolvedOptions } from './state'
import { SandboxControlError } from './errors'

const DAY = 86_400

/**
 * The names `quotas` accepts: an endpoint id (`getLiveInfo`) or a shared quota bucket (`review`), a link API's id or
 * bucket (`urlLinkScheme`; `getUnlimitedQRCode` counts per minute), or `permanentShortLinks` (permanent short links in all).
 */
export const QUOTA_KEYS: readonly string[] = [
  ...new Set([
    ...endpointList.flatMap((e) => (e.quotaBucket ? [e.id, e.quotaBucket] : [e.id])),
    ...linkApiList.flatMap((e) => [e.id, e.quota.bucket]),
    PERMANENT_SHORTLINKS_KEY,
  ]),
]

const seconds = (max: number) => z.int('must be whole seconds').min(0, 'must be ≥ 0').max(max, `must be ≤ ${max}`)
const count = (min: number, max: number) => z.int('must be an integer').min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`)

export const TUNABLES = {
  listPageCap: { schema: count(1, 100), about: 'most rooms one getliveinfo page returns, whatever limit asks (the platform has been seen to cap at 50)' },
  replayDelaySeconds: { schema: seconds(30 * DAY), about: 'seconds after a room ends before its replay appears' },
  replayTtlSeconds: { schema: seconds(3650 * DAY), about: 'seconds a replay segment stays available' },
  replaySegments: { schema: count(0, 20), about: 'replay segments a room produces when it ends, unless the room says otherwise' },
  autoAuditSeconds: {
    schema: seconds(30 * DAY).nullable(),
    about: 'goods under review are approved this many seconds after submission (null: only the control API decides)',
  },
  reviewBudget: { schema: count(0, 1_000_000), about: 'goods submissions for review per Asia/Shanghai day (add and resubmit share it)' },
  roomGoodsCap: { schema: count(1, 10_000), about: 'goods one room may hold' },
  assistantCap: { schema: count(0, 1_000), about: 'assistants one room may have' },
  pushSeconds: { schema: seconds(DAY), about: 'seconds a pushed goods card stays up' },
  goodsVideoDelaySeconds: { schema: seconds(DAY), about: "seconds after a push before the goods' explanation clip is ready" },
  quotas: {
    schema: z
      .record(z.string(), z.int('must be an integer').min(0, 'must be ≥ 0'), { error: 'must be an object of {key: calls per day}' })
      .superRefine((quotas, ctx) => {
        for (const key of Object.keys(quotas)) {
          if (!QUOTA_KEYS.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'must be an endpoint id or quota bucket of the catalogues (e.g. getLiveInfo, review, urlLinkScheme)' })
        }
      }),
    about: 'calls allowed per Asia/Shanghai day, per endpoint id or quota bucket, over the catalogue quota; merged into the current ones',
  },
} as const

export type TunableName = keyof typeof TUNABLES
export const TUNABLE_NAMES = Object.keys(TUNABLES) as TunableName[]

/** A change to the tunable options; `autoAuditSeconds: null` turns automatic approval off. */
export type TunablePatch = { [K in TunableName]?: z.output<(typeof TUNABLES)[K]['schema']> }

const patchSchema = z.strictObject(
  Object.fromEntries(TUNABLE_NAMES.map((n) => [n, TUNABLES[n].schema.optional()])) as { [K in TunableName]: z.ZodOptional<(typeof TUNABLES)[K]['schema']> },
)

/**
 * Validates a change; `what` prefixes the error (empty: none). `nameOf` says how the caller spelled each option (`listPageCap` in JSON, `--list-page-cap`
 * on the command line), so the error names what the caller typed and the rule it broke.
 */
export function parseTunables(input: unknown, what: string, nameOf: (option: string) => string = (o) => o, keySeparator = '.'): TunablePatch {
  const r = patchSchema.safeParse(input)
  if (r.success) return r.data as TunablePatch
  const issue = r.error.issues[0]
  const prefix = what ? `${what}: ` : ''
  if (issue.code === 'unrecognized_keys') {
    throw new SandboxControlError(400, `${prefix}${issue.keys.map(nameOf).join(', ')}: not a settable option (settable: ${TUNABLE_NAMES.map(nameOf).join(', ')})`)
  }
  const [option, ...rest] = issue.path.map(String)
  const field = [nameOf(option ?? ''), ...rest].join(keySeparator)
  throw new SandboxControlError(400, `${prefix}${field}: ${issue.message}`, field)
}

/** The patch as constructor options (null means "unset"). */
export function patchToOptions(patch: TunablePatch, current?: ResolvedOptions): SandboxOptions {
  const out: SandboxOptions = {}
  for (const name of TUNABLE_NAMES) {
    const value = patch[name]
    if (value === undefined) continue
    if (name === 'quotas') out.quotas = { ...(current?.quotas ?? {}), ...(value as Record<string, number>) }
    else if (value === null) out.autoAuditSeconds = undefined
    else (out as Record<string, unknown>)[name] = value
  }
  return out
}

/** Current value of every tunable option (`autoAuditSeconds` null when off), for `GET /__sandbox/options`. */
export function currentTunables(options: ResolvedOptions): Record<TunableName, unknown> {
  return Object.fromEntries(TUNABLE_NAMES.map((n) => [n, n === 'quotas' ? { ...options.quotas } : (options[n] ?? null)])) as Record<TunableName, unknown>
}

/** `listPageCap` → `--list-page-cap`; quotas are one `--quota KEY=N` flag per key. */
export function flagOf(option: string): string {
  if (option === 'quotas') return '--quota'
  return '--' + option.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
}

/**
 * Command-line values (`--list-page-cap 50`, `--quota getLiveInfo=1000` repeated) into a validated patch;
 * errors name the flag and the rule.
 */
export function tunablesFromFlags(flags: Readonly<Record<string, unknown>>): TunablePatch {
  const input: Record<string, unknown> = {}
  for (const name of TUNABLE_NAMES) {
    const flag = flagOf(name)
    const raw = flags[flag.slice(2)]
    if (typeof raw !== 'string' && !(Array.isArray(raw) && raw.every((r) => typeof r === 'string'))) continue
    if (name === 'quotas') {
      const quotas: Record<string, unknown> = {}
      for (const pair of Array.isArray(raw) ? (raw as string[]) : [raw]) {
        const m = /^([^=]+)=(.*)$/.exec(pair)
        if (!m) throw new SandboxControlError(400, `${flag}: ${JSON.stringify(pair)} must be KEY=N, e.g. getLiveInfo=1000`, flag)
        quotas[m[1]] = numberText(m[2], `${flag} ${m[1]}`)
      }
      input.quotas = quotas
    } else {
      const text = Array.isArray(raw) ? (raw as string[])[raw.length - 1] : raw
      input[name] = numberText(text, flag)
    }
  }
  return parseTunables(input, '', flagOf, ' ')
}

function numberText(text: string, flag: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) throw new SandboxControlError(400, `${flag}: ${JSON.stringify(text)} is not a number`, flag)
  return Number(text)
}

/** The flags `parseArgs` must accept for the tunable options (all strings; quotas repeatable). */
export function tunableFlagSpecs(): Record<string, { type: 'string'; multiple?: boolean }> {
  return Object.fromEntries(TUNABLE_NAMES.map((n) => [flagOf(n).slice(2), n === 'quotas' ? { type: 'string' as const, multiple: true } : { type: 'string' as const }]))
}
