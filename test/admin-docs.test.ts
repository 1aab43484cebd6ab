/**
 * docs/ADMIN-API.md is what scripts/admin-docs.ts makes of the action table: a stale committed file fails here,
 * and the generator reads every action's params from its schema rather than from hand-written text.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as z from '../src/live/zod'
import { actionTable } from '../src/admin/actions'
import { ADMIN_ERROR_CODES } from '../src/admin/reply'
import { INPUT_LIMITS } from '../src/admin/input'
import { defineAction } from '../src/admin/types'
import { ADMIN_API_DOC, renderAdminReference } from '../scripts/admin-docs'

const action = (name: string, params: z.ZodMiniType) =>
  defineAction({ name, who: 'admin', mutates: true, summary: { zh: '试', en: 'try' }, params, reply: '{}', calls: ['getPushUrl'], run: async () => ({}) })

describe('docs/ADMIN-API.md', () => {
  it('is what npm run docs:admin generates from the action table (re-run it after changing an action)', () => {
    expect(readFileSync(ADMIN_API_DOC, 'utf8')).toBe(renderAdminReference())
  })

  it('has a section for every action, every reply code and every input limit', () => {
    const doc = renderAdminReference()
    for (const name of Object.keys(actionTable)) expect(doc, name).toContain(`\n### ${name}\n`)
    for (const c of ADMIN_ERROR_CODES) expect(doc, c).toContain(`| \`${c}\` |`)
    for (const v of Object.values(INPUT_LIMITS)) expect(doc).toContain(`| ${v.toLocaleString('en-US')} |`)
  })

  it('derives params rows from the schema: nesting, optional, defaults, bounds, enums, and endpoint errcodes', () => {
    const doc = renderAdminReference({
      tryIt: action(
        'tryIt',
        z.object({
          roomId: z.int().check(z.gte(1), z.lte(9)),
          mode: z._default(z.enum(['a', 'b']), 'a'),
          rows: z.array(z.object({ name: z.string().check(z.maxLength(3)), flag: z.optional(z.literal([0, 1])) })).check(z.minLength(1)),
        }),
      ),
    })
    expect(doc).toContain('| `roomId` | integer | yes | ≥ 1; ≤ 9 |')
    expect(doc).toContain('| `mode` | "a" \\| "b" | no | default "a" |')
    expect(doc).toContain('| `rows` | object[] | yes | at least 1 item |')
    expect(doc).toContain('| `rows[].name` | string | yes | length ≤ 3 |')
    expect(doc).toContain('| `rows[].flag` | 0 \\| 1 | no |  |')
    // getPushUrl's own errcodes, classified as the reply classifies them
    expect(doc).toContain('| 300022 | `not_found` | `roomId` |')
  })

  it('refuses to document a schema type it cannot describe instead of leaving the row empty', () => {
    expect(() => renderAdminReference({ tryIt: action('tryIt', z.object({ when: z.date() })) })).toThrow(/action tryIt: admin-docs: when: schema type "date" has no description/)
  })
})
