/**
 * CloudBase timer cron: 7 fields `sec min hour dom month dow year`, wildcards `, - * /`, evaluated in UTC+8
 * (no DST in China, so a fixed +480 min offset is exact). croner 11 parses the year field itself ("7-part" mode),
 * so we only add CloudBase's narrower syntax check on top. Day-of-month and day-of-week are ORed (croner default,
 * as the CloudBase doc says); weekday 0 = Sunday; names like MON-FRI and JAN are allowed.
 */
import { Cron } from 'croner'

const SHANGHAI_OFFSET_MIN = 8 * 60
const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'] as const
const NUMERIC_FIELD = /^[0-9*,/-]+$/
const NAMED_FIELD = /^[0-9A-Za-z*,/-]+$/

const compiled = new Map<string, Cron>()

/** `null` when the expression is valid, otherwise a sentence naming the field and the rule. */
export function validateCron(expression: string): string | null {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 7) {
    return `cron must have 7 fields "sec min hour day month weekday year", got ${fields.length} in ${JSON.stringify(expression)}`
  }
  for (let i = 0; i < 7; i++) {
    const namesAllowed = i === 4 || i === 5
    if (!(namesAllowed ? NAMED_FIELD : NUMERIC_FIELD).test(fields[i])) {
      return `cron ${FIELD_NAMES[i]} field ${JSON.stringify(fields[i])} may only use digits${namesAllowed ? ', names' : ''} and , - * /`
    }
  }
  try {
    compile(expression)
  } catch (err) {
    return `cron ${JSON.stringify(expression)} is invalid: ${(err as Error).message}`
  }
  return null
}

function compile(expression: string): Cron {
  const key = expression.trim().split(/\s+/).join(' ')
  let cron = compiled.get(key)
  if (!cron) {
    cron = new Cron(key, { mode: '7-part', utcOffset: SHANGHAI_OFFSET_MIN, paused: true })
    compiled.set(key, cron)
  }
  return cron
}

function checked(expression: string): Cron {
  const problem = validateCron(expression)
  if (problem) throw new RangeError(problem)
  return compile(expression)
}

/** The next `count` fire times (ms) strictly after `fromMs`; fewer when the year field runs out. */
export function nextFireTimes(expression: string, fromMs: number, count: number): number[] {
  return checked(expression)
    .nextRuns(count, new Date(fromMs))
    .map((d) => d.getTime())
}

/**
 * The earliest occurrence in `(lastMs, nowMs]`, or null when none is due. The scheduler fires once when this is
 * non-null, however many occurrences a clock jump skipped over.
 */
export function dueSince(expression: string, lastMs: number, nowMs: number): number | null {
  if (nowMs <= lastMs) return null
  const next = checked(expression).nextRun(new Date(lastMs))
  return next && next.getTime() <= nowMs ? next.getTime() : null
}
