/**
 * The one check every decoded request goes through before anything acts on it, on every route (`/admin`,
 * `/__client`, `/__sandbox`, the Live HTTPS paths): no key names `__proto__`, `constructor` or `prototype` (alone or
 * as a segment of a dotted path), and nothing is nested deeper than the wire allows. Iterative, so hostile depth
 * cannot overflow the stack while being checked.
 */
import { FORBIDDEN_FIELD_NAMES, MAX_WIRE_NESTING } from './limits'

export interface InputProblem {
  /** `forbiddenKey`: a field name that would reach the prototype chain; `tooDeep`: nesting beyond the wire limit. */
  kind: 'forbiddenKey' | 'tooDeep'
  /** Path of the offending key or value, e.g. `query.a.__proto__`. */
  path: string
  message: string
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** The first problem in `value` (walked breadth-first), or null when it is safe to hand to the engine. */
export function findInputProblem(value: unknown, field: string): InputProblem | null {
  const queue: { value: unknown; path: string; depth: number }[] = [{ value, path: field, depth: 0 }]
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]
    if (!isContainer(node.value)) continue
    if (node.depth >= MAX_WIRE_NESTING) {
      return { kind: 'tooDeep', path: node.path, message: `${node.path}: nested deeper than ${MAX_WIRE_NESTING} levels` }
    }
    if (Array.isArray(node.value)) {
      node.value.forEach((v, j) => queue.push({ value: v, path: `${node.path}[${j}]`, depth: node.depth + 1 }))
      continue
    }
    for (const key of Object.keys(node.value)) {
      const path = `${node.path}.${key}`
      const bad = key.split('.').find((segment) => FORBIDDEN_FIELD_NAMES.has(segment))
      if (bad !== undefined) {
        return {
          kind: 'forbiddenKey',
          path,
          message: `${path}: "${bad}" cannot be a field name (it would reach JavaScript's prototype chain)`,
        }
      }
      queue.push({ value: node.value[key], path, depth: node.depth + 1 })
    }
  }
  return null
}
