/**
 * The add/edit goods form as data: the form's text turned into goodsAdd's goodsInfo, each field's problem from
 * the rules liveAdmin applies, which fields an audit state locks (and why), and what an edit changes.
 * Pure (no wx), so the branches are unit-tested.
 */
import * as rules from '../generated/rules'
import type { GoodsItem } from './goods-view'

/** The form's fields (goodsKey is not edited here). */
export const FORM_FIELDS = ['coverImgUrl', 'name', 'priceType', 'price', 'price2', 'url', 'thirdPartyAppid'] as const
export type FormField = (typeof FORM_FIELDS)[number]

export interface GoodsForm {
  coverImgUrl: string
  name: string
  priceType: number
  price: string
  price2: string
  url: string
  thirdPartyAppid: string
}

export const EMPTY_FORM: GoodsForm = { coverImgUrl: '', name: '', priceType: rules.PriceType.Fixed, price: '', price2: '', url: '', thirdPartyAppid: '' }

/** The form of a goods item as the warehouse has it (for editing). */
export function formOf(g: GoodsItem): GoodsForm {
  return {
    coverImgUrl: g.coverImgUrl,
    name: g.name,
    priceType: g.priceType,
    price: String(g.price),
    price2: g.price2 === undefined || g.priceType === rules.PriceType.Fixed ? '' : String(g.price2),
    url: g.url,
    thirdPartyAppid: g.thirdPartyAppid ?? '',
  }
}

const NUMBER = /^\d+(\.\d+)?$/

/** A typed amount as a number; text that is not one stays text so the schema names the field and what it expects. */
function amount(text: string): number | string | undefined {
  const t = text.trim()
  if (t === '') return undefined
  return NUMBER.test(t) ? Number(t) : t
}

/** The form as goodsAdd's goodsInfo; empty optional fields left out, price2 only for the types that take it. */
export function goodsInfoOf(f: GoodsForm): Record<string, unknown> {
  const info: Record<string, unknown> = { coverImgUrl: f.coverImgUrl, name: f.name.trim(), priceType: f.priceType, url: f.url.trim() }
  const price = amount(f.price)
  if (price !== undefined) info.price = price
  if (f.priceType !== rules.PriceType.Fixed) {
    const price2 = amount(f.price2)
    if (price2 !== undefined) info.price2 = price2
  }
  if (f.thirdPartyAppid.trim() !== '') info.thirdPartyAppid = f.thirdPartyAppid.trim()
  return info
}

/** A rule's sentence shown beside its field: the field's own name dropped, WeChat's errcode kept. */
export function problemText(p: { field: string; zh: string; errcode?: number }): string {
  const zh = p.zh.startsWith(`${p.field}：`) ? p.zh.slice(p.field.length + 1) : p.zh
  return p.errcode ? `${zh}（错误码 ${p.errcode}）` : zh
}

const PREFIX = 'goodsInfo.'

/** The form field a problem's path names (`goodsInfo.price2` → price2). */
export function formFieldOf(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  return path.startsWith(PREFIX) ? path.slice(PREFIX.length) : path
}

/**
 * Every field's problem (as goodsAdd would refuse it) by form field; `editable` keeps only the fields an edit
 * may change, since a locked field is sent as it is.
 */
export function formErrors(f: GoodsForm, nowSeconds: number, editable?: readonly string[]): Partial<Record<FormField | 'goodsInfo', string>> {
  const out: Partial<Record<string, string>> = {}
  const info = goodsInfoOf(f)
  const problems = Object.values(rules.formProblems('goodsAdd', { goodsInfo: info }, nowSeconds))
  // While the schema fails, formProblems stops before the cross-field rules: the single-field ones still mark their field.
  const name = typeof info.name === 'string' && info.name !== '' ? rules.checkGoodsName(info.name) : null
  if (name) problems.push(name)
  if (typeof info.price === 'number' && (info.price2 === undefined || typeof info.price2 === 'number')) {
    const price = rules.checkGoodsPrice(info as { priceType: number; price: number; price2?: number })
    if (price) problems.push(price)
  }
  for (const p of problems) {
    const field = formFieldOf(p.field) ?? 'goodsInfo'
    if (editable && !editable.includes(field)) continue
    out[field] ??= problemText(p)
  }
  return out
}

/** Fields an audit state locks, each with the reason the rules give. */
export function lockedFields(auditStatus: number): Partial<Record<FormField, string>> {
  const out: Partial<Record<FormField, string>> = {}
  for (const field of FORM_FIELDS) {
    const problem = rules.checkGoodsUpdateFields(auditStatus, [field])
    if (problem) out[field] = problemText({ field: problem.field, zh: problem.zh })
  }
  return out
}

const PRICE_FIELDS: readonly string[] = ['priceType', 'price', 'price2']

/**
 * What goodsUpdate should send for an edit: the editable fields that differ from the original; a changed price
 * goes with its type and both amounts, since the price rule reads them together.
 */
export function changesOf(original: GoodsForm, edited: GoodsForm, editable: readonly string[]): Record<string, unknown> {
  const before = goodsInfoOf(original)
  const after = goodsInfoOf(edited)
  const changes: Record<string, unknown> = {}
  for (const field of FORM_FIELDS) {
    if (!editable.includes(field)) continue
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field]) && after[field] !== undefined) changes[field] = after[field]
  }
  if (PRICE_FIELDS.some((f) => f in changes)) {
    for (const f of PRICE_FIELDS) if (after[f] !== undefined && editable.includes(f)) changes[f] = after[f]
  }
  return changes
}
