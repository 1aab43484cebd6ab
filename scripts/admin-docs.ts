/**
 * Writes docs/ADMIN-API.md, the reference of the liveAdmin function, from its action table: the event and reply
 * contract, the error codes, the input limits, who may call what, then one section per action with its params
 * (read from the zod schema), its reply and the Live endpoints it calls with their errcodes (from the catalogue).
 *   npm run docs:admin            rewrites the file
 *   npm run docs:admin -- --check exits 1 when the committed file differs from what the table gives
 * test/admin-docs.test.ts fails when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type * as z from '../src/live/zod'
import { catalogue, COMMON_ERRCODES, type EndpointId } from '../src/live/catalogue'
import { describeErrcode } from '../src/live/errors'
import { isLinkApiId, linkCatalogue, type LinkApiId } from '../src/links/catalogue'
import { actionTable } from '../src/admin/actions'
import type { ActionTable } from '../src/admin/dispatch'
import { FORBIDDEN_KEYS, INPUT_LIMITS } from '../src/admin/input'
import { ADMIN_ERROR_CODES, ERRCODE_CLASS, type AdminErrorCode } from '../src/admin/reply'
import { ADMIN_COLLECTIONS, OWNER_ENV } from '../src/admin/store'
import { APPSECRET_ENV } from '../src/admin/https-config'
import { LIVE_SETUP_FILE } from '../src/setup/live-setup'
import type { ActionDef, Who } from '../src/admin/types'
import { needsMiniProgramLive } from '../src/admin/live-gate'
import { defOf, type CheckDef, type SchemaDef as Def } from '../src/admin/schema-def'

export const ADMIN_API_DOC = path.resolve(__dirname, '../docs/ADMIN-API.md')

/** What each reply code tells the caller to do; typed so that a new code cannot go undocumented. */
const CODE_MEANING: Readonly<Record<AdminErrorCode, string>> = {
  invalid_argument: 'The input breaks a rule; `field` names what to change. Nothing was sent to the platform.',
  permission_denied: 'The caller may not run this action (not an admin, not an owner, or no WeChat user). Nothing changed; the refusal is audited.',
  not_found: 'The room, goods or member named by `field` does not exist on the platform.',
  failed_precondition: 'The request is well formed but the current state forbids it (room already started, goods under review, anchor without real-name verification…); `qrcodeUrl` comes with 300036.',
  resource_exhausted: "A daily quota or the day's 500-review budget is spent (`reviewBudgetLeft` with 300012); retry tomorrow.",
  upstream: 'The platform refused for a reason passed on as is (`errcode` and its sentence), or answered in an undocumented shape.',
  unavailable: 'The platform was busy or did not answer in time (reads were retried a few times); nothing is known to have changed, retry later.',
  not_configured: `Something the deployment must set is missing (\`${APPSECRET_ENV}\` for the HTTPS-only endpoints, the function's \`permissions.openapi\`); \`env\` names the variable when there is one.`,
  live_off: `The action needs Mini Program Live and \`${LIVE_SETUP_FILE}\` turns it off (\`miniProgramLive: false\`); nothing was sent. \`whoami\` answers the setup the function was built with.`,
}

/** One line per input limit; typed so that a new limit cannot go undocumented. */
const LIMIT_MEANING: Readonly<Record<keyof typeof INPUT_LIMITS, string>> = {
  maxBytes: 'bytes of the whole event, serialized as JSON',
  maxDepth: 'levels of nesting in `params`',
  maxStringLength: 'characters in any one string',
  maxArrayLength: 'items in any one array',
  maxKeys: 'keys in any one object',
}

const WHO_TEXT: Readonly<Record<Who, string>> = {
  anyone: 'anyone, anonymous callers included',
  admin: 'admins and owners',
  owner: 'owners only',
}

// ---------- params, read from the zod schema ----------

interface ParamRow {
  field: string
  type: string
  required: boolean
  rules: string[]
}


/** A refinement's own message, when it was given one. */
function customMessage(c: CheckDef): string | null {
  try {
    const out = typeof c.error === 'function' ? (c.error as () => unknown)() : c.error
    return typeof out === 'string' && out !== '' ? out : null
  } catch {
    return null
  }
}

function checkRules(def: Def, unit: 'length' | 'value' | 'items'): string[] {
  const rules: string[] = []
  for (const c of def.checks ?? []) {
    const d = c._zod.def
    switch (d.check) {
      case 'greater_than':
        rules.push(`${d.inclusive ? '≥' : '>'} ${String(d.value)}`)
        break
      case 'less_than':
        rules.push(`${d.inclusive ? '≤' : '<'} ${String(d.value)}`)
        break
      case 'min_length':
        rules.push(unit === 'items' ? `at least ${d.minimum} item${d.minimum === 1 ? '' : 's'}` : `length ≥ ${d.minimum}`)
        break
      case 'max_length':
        rules.push(unit === 'items' ? `at most ${d.maximum} item${d.maximum === 1 ? '' : 's'}` : `length ≤ ${d.maximum}`)
        break
      case 'string_format':
        rules.push(d.format === 'regex' && d.pattern ? `matches \`${d.pattern.source}\`` : `format ${d.format}`)
        break
      case 'custom':
        rules.push(customMessage(d) ?? 'a rule across fields (the error names the field)')
        break
      default:
        throw new Error(`admin-docs: check "${d.check}" has no description; add it to scripts/admin-docs.ts`)
    }
  }
  return rules
}

const literal = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : String(v))

/** The type of a value as one short string, for scalars and arrays of scalars; null for an object (it gets rows). */
function scalarType(schema: z.ZodMiniType, where: string): { type: string; rules: string[] } | null {
  const def = defOf(schema)
  switch (def.type) {
    case 'string':
      return { type: 'string', rules: checkRules(def, 'length') }
    case 'number':
      return { type: def.format && def.format.includes('int') ? 'integer' : 'number', rules: checkRules(def, 'value') }
    case 'boolean':
      return { type: 'boolean', rules: [] }
    case 'literal':
      return { type: (def.values ?? []).map(literal).join(' \\| '), rules: [] }
    case 'enum':
      return { type: Object.values(def.entries ?? {}).map(literal).join(' \\| '), rules: [] }
    case 'union': {
      const parts = (def.options ?? []).map((o, i) => scalarType(o, `${where}|${i}`))
      if (parts.some((p) => p === null)) return { type: 'object (one of several shapes)', rules: [] }
      return {
        type: parts.map((p) => p!.type).join(' or '),
        rules: parts.flatMap((p, i) => p!.rules.map((r) => `(${parts[i]!.type}) ${r}`)),
      }
    }
    case 'record': {
      const value = def.valueType ? scalarType(def.valueType, `${where}.*`) : null
      return { type: `object of ${value ? value.type : 'values'} by any key`, rules: [] }
    }
    case 'array': {
      const element = def.element ? scalarType(def.element, `${where}[]`) : null
      if (!element) return null
      return { type: `${element.type}[]`, rules: [...checkRules(def, 'items'), ...element.rules.map((r) => `each ${r}`)] }
    }
    case 'object':
      return null
    case 'any':
    case 'unknown':
      return { type: 'any JSON value', rules: [] }
    default:
      throw new Error(`admin-docs: ${where}: schema type "${def.type}" has no description; add it to scripts/admin-docs.ts`)
  }
}

/** Rows for `schema` at `field`: one per scalar, and one per object or array of objects plus rows for its fields. */
function paramRows(schema: z.ZodMiniType, field: string, required: boolean, extra: string[] = []): ParamRow[] {
  const def = defOf(schema)
  switch (def.type) {
    case 'optional':
      return paramRows(def.innerType!, field, false, extra)
    case 'nullable':
      return paramRows(def.innerType!, field, required, [...extra, 'may be null'])
    case 'default':
    case 'prefault':
      return paramRows(def.innerType!, field, false, [...extra, `default ${JSON.stringify(def.defaultValue)}`])
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return paramRows(def.innerType!, field, required, extra)
    case 'pipe':
      return paramRows(def.in!, field, required, extra)
    case 'object': {
      const own = checkRules(def, 'value')
      const rows: ParamRow[] = field === '' ? [] : [{ field, type: 'object', required, rules: [...own, ...extra] }]
      if (field === '' && own.length) rows.push({ field: '(params)', type: 'object', required: true, rules: own })
      for (const [key, child] of Object.entries(def.shape ?? {})) rows.push(...paramRows(child, field === '' ? key : `${field}.${key}`, true))
      return rows
    }
    case 'array': {
      const scalar = scalarType(schema, field)
      if (scalar) return [{ field, type: scalar.type, required, rules: [...scalar.rules, ...extra] }]
      const rows: ParamRow[] = [{ field, type: 'object[]', required, rules: [...checkRules(def, 'items'), ...extra] }]
      const element = paramRows(def.element!, `${field}[]`, true)
      return [...rows, ...element.filter((r) => r.field !== `${field}[]`)]
    }
    default: {
      const scalar = scalarType(schema, field)!
      return [{ field, type: scalar.type, required, rules: [...scalar.rules, ...extra] }]
    }
  }
}

// ---------- markdown ----------

const cell = (text: string): string => text.replace(/\n/g, ' ').replace(/(?<!\\)\|/g, '\\|')
const code = (text: string): string => `\`${text}\``

function errcodeRow(errcode: number, text = describeErrcode(errcode)): string {
  const cls = ERRCODE_CLASS[errcode] ?? { code: 'upstream' as const }
  return `| ${errcode} | ${code(cls.code)} | ${cls.field ? code(cls.field) : ''} | ${cell(text.zh)} | ${cell(text.en)} |`
}

const ERRCODE_HEAD = ['| errcode | code | field | 中文 | English |', '|---|---|---|---|---|']

function paramsSection(def: ActionDef): string[] {
  let rows: ParamRow[]
  try {
    rows = paramRows(def.params, '', true)
  } catch (e) {
    throw new Error(`action ${def.name}: ${(e as Error).message}`)
  }
  if (rows.length === 0) return ['Params: none (`params` may be omitted or `{}`).']
  return [
    'Params:',
    '',
    '| field | type | required | rules |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${code(r.field)} | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.rules.join('; '))} |`),
  ]
}

function endpointsSection(def: ActionDef): string[] {
  const linkIds = def.calls.filter(isLinkApiId)
  if (linkIds.length > 0) return linkApisSection(linkIds)
  if (def.calls.length === 0) return ['Live endpoints: none.']
  const out: string[] = ['Live endpoints:', '']
  for (const id of def.calls as readonly EndpointId[]) {
    const e = catalogue[id]
    const how = e.cloud ? `cloud call ${code(e.cloud)}` : `HTTPS only (needs ${code(APPSECRET_ENV)})`
    out.push(`- [${e.docName}](${e.doc}): ${how}, ${e.method} ${code(e.path)}, ${e.dailyQuota.toLocaleString('en-US')} calls a day.`)
  }
  const errcodes = [...new Set((def.calls as readonly EndpointId[]).flatMap((id) => [...catalogue[id].errcodes]))].sort((a, b) => a - b)
  if (errcodes.length) out.push('', 'Errcodes of these endpoints (besides the common ones):', '', ...ERRCODE_HEAD, ...errcodes.map((c) => errcodeRow(c)))
  return out
}

/** The link APIs an action calls (src/links/catalogue.ts), each with its quota and its own errcodes. */
function linkApisSection(ids: readonly LinkApiId[]): string[] {
  const out: string[] = ['Open APIs:', '']
  for (const id of ids) {
    const e = linkCatalogue[id]
    out.push(`- [${e.docName}](${e.doc}): cloud call ${code(e.cloud)}, ${e.method} ${code(e.path)}, ${e.quota.calls.toLocaleString('en-US')} calls a ${e.quota.per}${e.quota.bucket !== e.id ? ` (shared quota ${code(e.quota.bucket)})` : ''}.`)
    const rows = Object.entries(e.errcodes).map(([c, t]) => errcodeRow(Number(c), t))
    out.push('', ...ERRCODE_HEAD, ...rows, '')
  }
  return out
}

/** What the audit log keeps of an action's calls, as the dispatcher decides it. */
function auditedText(def: ActionDef): string {
  if (def.mutates) return 'yes (every call within the input limits, refusals included)'
  return def.who === 'anyone' ? 'no' : 'refusals only'
}

function actionSection(def: ActionDef): string[] {
  const secret = def.secretParams?.length ? ` Never recorded in the audit log: ${def.secretParams.map(code).join(', ')}.` : ''
  return [
    `### ${def.name}`,
    '',
    `${def.summary.zh}  `,
    `${def.summary.en}`,
    '',
    `Who: ${WHO_TEXT[def.who]}. Audited: ${auditedText(def)}.${secret} Needs Mini Program Live: ${needsMiniProgramLive(def) ? 'yes (`live_off` while it is off)' : 'no'}.`,
    '',
    ...paramsSection(def),
    '',
    `Reply \`data\`: ${def.reply}`,
    '',
    ...endpointsSection(def),
    '',
  ]
}

export function renderAdminReference(table: ActionTable = actionTable): string {
  const defs = Object.values(table).sort((a, b) => a.name.localeCompare(b.name))
  const byWho = (w: Who) => defs.filter((d) => d.who === w)
  const lines: string[] = [
    '<!-- Generated by `npm run docs:admin` (scripts/admin-docs.ts) from the action table in src/admin/actions; do not edit by hand. -->',
    '',
    '# liveAdmin reference',
    '',
    'liveAdmin is the merchant back office in one cloud function: every Live operation, validated, authorised and',
    'audited. This reference is generated from its action table; a test fails when the two disagree.',
    '',
    '## Calling it',
    '',
    'From the mini-program:',
    '',
    '```js',
    "const { result } = await wx.cloud.callFunction({ name: 'liveAdmin', data: { action: 'getPushUrl', params: { roomId: 12 } } })",
    "if (result.ok) console.log(result.data.pushAddr); else wx.showToast({ title: result.error.zh, icon: 'none' })",
    '```',
    '',
    '- The event is `{action, params?}`; any other key is refused (`userInfo`, which the SDK adds by itself, is ignored).',
    '  `params` defaults to `{}`. Keys a schema does not declare are refused at any depth, so a misspelt field',
    '  fails instead of being dropped.',
    "- The caller is the `OPENID` WeChat gives the function (`cloud.getWXContext()`), never a field of the event. Calls",
    '  without a WeChat user (the HTTP API, a timer) are anonymous and may only run actions open to anyone.',
    '- The names of the plain Live operations are the catalogue\'s endpoint ids, with params in camelCase as the',
    '  wx-server-sdk client takes them.',
    '',
    '## Reply',
    '',
    '```ts',
    'type Reply =',
    '  | { ok: true; data: unknown }',
    '  | { ok: false; error: { code: string; field?: string; errcode?: number; zh: string; en: string; [detail: string]: unknown } }',
    '```',
    '',
    'The function never throws to its caller and never returns a stack trace. `field` is the dotted path of the',
    'input to change (`goodsInfo.price2`, `users.0.username`). `errcode` is WeChat\'s when the platform refused (or a',
    'rule that mirrors the platform\'s did), with its sentence in `zh` and `en`.',
    '',
    '## Error codes',
    '',
    '| code | meaning |',
    '|---|---|',
    ...ADMIN_ERROR_CODES.map((c) => `| ${code(c)} | ${cell(CODE_MEANING[c])} |`),
    '',
    'Errcodes any Live endpoint may return:',
    '',
    ...ERRCODE_HEAD,
    ...COMMON_ERRCODES.map((c) => errcodeRow(c)),
    '',
    '## Input limits',
    '',
    'Checked on every event before the action is looked up; a refusal is `invalid_argument` naming the field and the limit.',
    '',
    '| limit | at most |',
    '|---|---|',
    ...(Object.keys(INPUT_LIMITS) as (keyof typeof INPUT_LIMITS)[]).map((k) => `| ${LIMIT_MEANING[k]} | ${INPUT_LIMITS[k].toLocaleString('en-US')} |`),
    '',
    `Numbers must be finite, and no object may have a key named ${[...FORBIDDEN_KEYS].map(code).join(', ')}.`,
    '',
    '## Who may call what',
    '',
    `- **Owners** come from the function's environment variable ${code(OWNER_ENV)} (comma-separated openids) or are`,
    '  added by an owner. Owners add and remove admins and may do everything admins do.',
    '- **Admins** are added by an owner and run the operations.',
    '- **Anyone** may call `whoami`, which answers the caller\'s openid and roles: how a merchant learns the openid to',
    `  put in ${code(OWNER_ENV)}.`,
    `- Admins are kept in ${code(ADMIN_COLLECTIONS.admins)}, the audit log in ${code(ADMIN_COLLECTIONS.audit)}; no client can read or write either.`,
    '- A caller who may not run an action is refused (`permission_denied`) before any Live call or write; the',
    '  refusal is the one thing recorded. Actions that change something record every call in the audit log (who,',
    '  action, params without secrets, outcome, errcode, time); `listAudit` pages through it.',
    '',
    `Open to anyone: ${byWho('anyone').map((d) => code(d.name)).join(', ') || 'none'}.  `,
    `Owners only: ${byWho('owner').map((d) => code(d.name)).join(', ') || 'none'}.  `,
    `Admins: every other action (${byWho('admin').length}).`,
    '',
    '## When Mini Program Live is off',
    '',
    `The function is built with the merchant's setup (${code(LIVE_SETUP_FILE)}). With ${code('miniProgramLive: false')}, every action`,
    'that calls a Live endpoint, and those that act on Live rooms or goods without a call (channel links, batch',
    'import, the review budget), answers `live_off` after the role check and before its params are checked or',
    'anything is called; `whoami` answers the setup (`setup`) so pages can show what is on. These keep working:',
    `${defs.filter((d) => !needsMiniProgramLive(d)).map((d) => code(d.name)).join(', ')}.`,
    '',
    '## Actions',
    '',
    '| action | who | audited | needs Mini Program Live | summary |',
    '|---|---|---|---|---|',
    ...defs.map((d) => `| [${d.name}](#${d.name.toLowerCase()}) | ${d.who} | ${d.mutates ? 'yes' : d.who === 'anyone' ? 'no' : 'refusals'} | ${needsMiniProgramLive(d) ? 'yes' : 'no'} | ${cell(d.summary.zh)} / ${cell(d.summary.en)} |`),
    '',
    ...defs.flatMap(actionSection),
  ]
  return `${lines.join('\n').replace(/\n+$/, '')}\n`
}

if (require.main === module) {
  const text = renderAdminReference()
  if (process.argv.includes('--check')) {
    const current = readFileSync(ADMIN_API_DOC, 'utf8')
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), ADMIN_API_DOC)} is stale: run npm run docs:admin`)
      process.exit(1)
    }
    console.log(`${path.relative(process.cwd(), ADMIN_API_DOC)} is up to date`)
  } else {
    writeFileSync(ADMIN_API_DOC, text)
    console.log(`wrote ${path.relative(process.cwd(), ADMIN_API_DOC)} (${Object.keys(actionTable).length} actions)`)
  }
}
