/**
 * The checks a merchant's form runs before it submits, which are the checks liveAdmin runs on the same action:
 * the action's params schema (unknown keys, bounds, zod rules) and then the action's input rule from
 * src/live/rules.ts. The function's actions call `formRule` and the mini-program runs a bundle of this module
 * (tools/mp-rules.ts writes miniprogram/merchant/generated/rules.js), so a rule is written once.
 * Nothing here may reach Node or the platform: it runs on the phone.
 */
import { addAdminParams, removeAdminParams } from './admin-params'
import { nonEmptyWordsParams } from './word-params'
import { catalogue } from '../live/catalogue'
import {
  checkGoodsName,
  checkGoodsPrice,
  checkGoodsUrl,
  checkRoomInput,
  checkSharedCodeParams,
  checkWechatId,
  type RuleProblem,
} from '../live/rules'
import type * as z from '../live/zod'
import { knownPages } from './goods-pages'
import { checkBounds, unknownKeyPath } from './input'
import { issueProblem } from './issues'

export interface FormProblem {
  field: string
  zh: string
  en: string
  errcode?: number
}

export type FormCheck = { ok: true; data: unknown } | { ok: false; problem: FormProblem }

/** A WeChat ID field checked with the errcode the platform gives that role. */
const wechatIdAt =
  (field: string, errcode: number) =>
  (p: Record<string, unknown>): RuleProblem | null =>
    checkWechatId(field, String(p[field] ?? ''), errcode)

/** A goods item's own rules (name width, price pair, page path) after its schema. */
export function goodsInfoRule(g: { name: string; priceType: number; price: number; price2?: number | undefined; url: string }): RuleProblem | null {
  return checkGoodsName(g.name) ?? checkGoodsPrice(g) ?? checkGoodsUrl(g.url, knownPages())
}

/** A nested object's problem named by its full path (`goodsInfo.name`), as the merchant's form shows it. */
function prefixed(prefix: string, problem: RuleProblem | null): RuleProblem | null {
  return problem && { ...problem, field: prefix + problem.field, zh: prefix + problem.zh, en: prefix + problem.en }
}

interface FormDef {
  params: z.ZodMiniType
  /** The rule needing no platform state; `nowSeconds` is the phone's or the function's clock. */
  rule?: (p: any, nowSeconds: number) => RuleProblem | null // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every action a merchant page submits from a form, with its schema and its rule. */
export const FORM_RULES = {
  createRoom: { params: catalogue.createRoom.request, rule: (p, now) => checkRoomInput(p, 'create', now) },
  editRoom: { params: catalogue.editRoom.request, rule: (p, now) => checkRoomInput(p, 'edit', now) },
  goodsAdd: { params: catalogue.goodsAdd.request, rule: (p) => prefixed('goodsInfo.', goodsInfoRule(p.goodsInfo)) },
  addRole: { params: catalogue.addRole.request, rule: wechatIdAt('username', 400001) },
  deleteRole: { params: catalogue.deleteRole.request, rule: wechatIdAt('username', 400001) },
  addAssistant: {
    params: catalogue.addAssistant.request,
    rule: (p: { users: { username: string }[] }) => {
      for (const [i, u] of p.users.entries()) {
        const problem = checkWechatId(`users.${i}.username`, u.username, 200002)
        if (problem) return problem
      }
      return null
    },
  },
  modifyAssistant: { params: catalogue.modifyAssistant.request, rule: wechatIdAt('username', 200002) },
  removeAssistant: { params: catalogue.removeAssistant.request, rule: wechatIdAt('username', 200002) },
  addSubAnchor: { params: catalogue.addSubAnchor.request, rule: wechatIdAt('username', 300039) },
  modifySubAnchor: { params: catalogue.modifySubAnchor.request, rule: wechatIdAt('username', 300039) },
  getSharedCode: {
    params: catalogue.getSharedCode.request,
    rule: (p: { params?: string | Record<string, unknown> }) => {
      if (p.params === undefined) return null
      const checked = checkSharedCodeParams(p.params)
      return 'encoded' in checked ? null : checked
    },
  },
  goodsVideo: { params: catalogue.goodsVideo.request },
  importGoods: { params: catalogue.importGoods.request },
  addAdmin: { params: addAdminParams },
  removeAdmin: { params: removeAdminParams },
  addSensitiveWords: { params: nonEmptyWordsParams },
  removeSensitiveWords: { params: nonEmptyWordsParams },
} as const satisfies Record<string, FormDef>

export type FormAction = keyof typeof FORM_RULES

export function isFormAction(name: string): name is FormAction {
  return Object.prototype.hasOwnProperty.call(FORM_RULES, name)
}

/** The rule of `action` alone (the function calls this after its schema passed); null when it holds. */
export function formRule(action: FormAction, params: unknown, nowSeconds: number): RuleProblem | null {
  const def: FormDef = FORM_RULES[action]
  return def.rule ? def.rule(params, nowSeconds) : null
}

/** `raw` against a schema as the admin function checks every event: bounds, unknown keys at any depth, then zod. */
export function checkSchemaParams(schema: z.ZodMiniType, raw: unknown): FormCheck {
  const bound = checkBounds(raw, [])
  if (bound) return { ok: false, problem: { field: bound.field, zh: bound.zh, en: bound.en } }
  const unknownPath = unknownKeyPath(schema, raw)
  if (unknownPath) {
    const key = String(unknownPath[unknownPath.length - 1])
    const p = issueProblem({ code: 'unrecognized_keys', keys: [key], path: unknownPath.slice(0, -1), message: `Unrecognized key: "${key}"` } as never)
    return { ok: false, problem: { field: p.field, zh: p.zh, en: p.en } }
  }
  const parsed = schema.safeParse(raw, { reportInput: true })
  if (!parsed.success) {
    const p = issueProblem(parsed.error.issues[0])
    return { ok: false, problem: { field: p.field, zh: p.zh, en: p.en, ...(p.errcode !== undefined ? { errcode: p.errcode } : {}) } }
  }
  return { ok: true, data: parsed.data }
}

/** What the function would answer `invalid_argument` for, checked on the phone: the first problem, or the parsed params. */
export function checkForm(action: FormAction, raw: unknown, nowSeconds: number): FormCheck {
  const checked = checkSchemaParams(FORM_RULES[action].params, raw)
  if (!checked.ok) return checked
  const problem = formRule(action, checked.data, nowSeconds)
  return problem ? { ok: false, problem: { field: problem.field, zh: problem.zh, en: problem.en, errcode: problem.errcode } } : checked
}

/**
 * Every field's problem at once, for a form that marks each field as it is typed: each schema issue by its
 * field, then the action's rule when the schema holds. Empty when the form may be submitted.
 */
export function formProblems(action: FormAction, raw: unknown, nowSeconds: number): Record<string, FormProblem> {
  const out: Record<string, FormProblem> = {}
  const checked = checkSchemaParams(FORM_RULES[action].params, raw)
  if (checked.ok) {
    const problem = formRule(action, checked.data, nowSeconds)
    if (problem) out[problem.field] = { field: problem.field, zh: problem.zh, en: problem.en, errcode: problem.errcode }
    return out
  }
  const parsed = FORM_RULES[action].params.safeParse(raw, { reportInput: true })
  if (parsed.success) out[checked.problem.field] = checked.problem
  else
    for (const issue of parsed.error.issues) {
      const p = issueProblem(issue)
      out[p.field] ??= { field: p.field, zh: p.zh, en: p.en, ...(p.errcode !== undefined ? { errcode: p.errcode } : {}) }
    }
  return out
}
