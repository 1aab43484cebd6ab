/**
 * What a mini-program may send to the database, as data: the aggregate stages and the operators the mini-program
 * SDK documents (each listed with "支持端：小程序"). Anything else, and in particular every stage that reads another
 * collection or writes ($lookup, $unionWith, $graphLookup, $facet, $out, $merge), is refused before any rule is
 * evaluated or any document read, with the code the SDK maps to -502002 ("invalid database command").
 *
 * Sources:
 * - stages: https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/aggregate/Aggregate.md
 *   ($lookup is marked cloud-function only; joins "不支持在小程序端使用":
 *   https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/guide/database/join.md)
 * - query and update operators: https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/Command.md
 * - aggregation operators: https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/reference-sdk-api/database/command/aggregate/AggregateCommand.md
 * The `$` names are the ones the SDK puts on the wire (e.g. `neq` → `$ne`, `remove` → `$unset`, `shift` → `$pop`).
 */
import { DbError } from '../db/types'

export const CLIENT_ALLOWED = {
  /** Aggregate stages of the mini-program SDK (Aggregate.md minus the cloud-function-only `lookup`). */
  stages: [
    '$addFields', '$bucket', '$bucketAuto', '$count', '$geoNear', '$group', '$limit', '$match', '$project',
    '$replaceRoot', '$sample', '$skip', '$sort', '$sortByCount', '$unwind',
  ],
  /** Query operators (Command.md), with the operand keys the SDK's geo serializer writes. */
  query: [
    '$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$nin', '$and', '$or', '$nor', '$not', '$exists', '$size',
    '$mod', '$all', '$elemMatch', '$expr', '$geoWithin', '$geoIntersects', '$nearSphere', '$geometry',
    '$maxDistance', '$minDistance', '$centerSphere',
  ],
  /** Update operators (Command.md) and the `$push` modifiers the SDK writes for push/unshift. */
  update: [
    '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$bit', '$push', '$pop', '$pull', '$pullAll',
    '$addToSet', '$each', '$position', '$slice', '$sort',
  ],
  /** Projection operators (`db.command.project`). */
  projection: ['$slice', '$elemMatch'],
  /** Aggregation expression operators and accumulators (AggregateCommand.md; `pipeline()` only feeds `lookup`). */
  expression: [
    '$abs', '$add', '$ceil', '$divide', '$exp', '$floor', '$ln', '$log', '$log10', '$mod', '$multiply', '$pow',
    '$sqrt', '$subtract', '$trunc', '$arrayElemAt', '$arrayToObject', '$concatArrays', '$filter', '$in',
    '$indexOfArray', '$isArray', '$map', '$objectToArray', '$range', '$reduce', '$reverseArray', '$size', '$slice',
    '$zip', '$and', '$not', '$or', '$cmp', '$eq', '$gt', '$gte', '$lt', '$lte', '$ne', '$cond', '$ifNull', '$switch',
    '$dateFromParts', '$dateFromString', '$dateToString', '$dayOfMonth', '$dayOfWeek', '$dayOfYear',
    '$isoDayOfWeek', '$isoWeek', '$isoWeekYear', '$millisecond', '$minute', '$month', '$second', '$hour', '$week',
    '$year', '$literal', '$mergeObjects', '$allElementsTrue', '$anyElementTrue', '$setDifference', '$setEquals',
    '$setIntersection', '$setIsSubset', '$setUnion', '$concat', '$indexOfBytes', '$indexOfCP', '$split',
    '$strLenBytes', '$strLenCP', '$strcasecmp', '$substr', '$substrBytes', '$substrCP', '$toLower', '$toUpper',
    '$meta', '$addToSet', '$avg', '$first', '$last', '$max', '$min', '$push', '$stdDevPop', '$stdDevSamp', '$sum',
    '$let',
  ],
} as const

/** Where an object sits in a request, which decides the operators it may hold. */
export type OperatorContext = 'query' | 'update' | 'projection' | 'document'

const set = (...lists: readonly (readonly string[])[]): ReadonlySet<string> => new Set(lists.flat())

const STAGES = set(CLIENT_ALLOWED.stages)
const OPERATORS: Record<OperatorContext | 'stage', ReadonlySet<string>> = {
  // $expr carries aggregation expressions inside a query
  query: set(CLIENT_ALLOWED.query, CLIENT_ALLOWED.expression),
  // $pull takes query conditions
  update: set(CLIENT_ALLOWED.update, CLIENT_ALLOWED.query),
  // $elemMatch takes query conditions
  projection: set(CLIENT_ALLOWED.projection, CLIENT_ALLOWED.query),
  // a whole document (doc().set) holds data only
  document: set(),
  stage: set(CLIENT_ALLOWED.query, CLIENT_ALLOWED.expression),
}

const JOIN_STAGES = new Set(['$lookup', '$graphLookup', '$unionWith'])
const JOIN_DOC = 'https://developers.weixin.qq.com/miniprogram/dev/wxcloudservice/wxcloud/guide/database/join.md'

function refuse(message: string): never {
  throw new DbError('DATABASE_INVALID_OPERRATOR', message)
}

function firstDisallowed(value: unknown, allowed: ReadonlySet<string>, path: string): string | null {
  const queue: { value: unknown; path: string }[] = [{ value, path }]
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]
    if (Array.isArray(node.value)) {
      node.value.forEach((v, j) => queue.push({ value: v, path: `${node.path}[${j}]` }))
      continue
    }
    if (node.value === null || typeof node.value !== 'object' || Object.getPrototypeOf(node.value) !== Object.prototype) continue
    for (const [key, v] of Object.entries(node.value)) {
      if (key.startsWith('$') && !allowed.has(key)) return `${node.path}.${key}`
      queue.push({ value: v, path: `${node.path}.${key}` })
    }
  }
  return null
}

/** Refuses an operator the mini-program SDK does not offer in this place, naming its path. */
export function checkClientOperators(value: Record<string, unknown>, context: OperatorContext, field: string): void {
  const path = firstDisallowed(value, OPERATORS[context], field)
  if (path === null) return
  const op = path.slice(path.lastIndexOf('.') + 1)
  refuse(
    context === 'document'
      ? `${path}: a whole document (doc().set) cannot contain operators (${op})`
      : `${path}: ${op} is not an operator the mini-program database SDK offers in a ${context}`,
  )
}

/** Refuses a pipeline with a stage (or an operator inside one) the mini-program SDK does not offer. */
export function checkClientPipeline(pipeline: readonly Record<string, unknown>[]): void {
  pipeline.forEach((stage, i) => {
    for (const [name, value] of Object.entries(stage)) {
      if (JOIN_STAGES.has(name)) {
        refuse(`stages[${i}]: ${name} reads another collection, which CloudBase allows only from cloud functions (${JOIN_DOC})`)
      }
      if (!STAGES.has(name)) {
        refuse(`stages[${i}]: ${name} is not an aggregate stage of the mini-program database SDK (allowed: ${CLIENT_ALLOWED.stages.join(', ')})`)
      }
      const path = firstDisallowed(value, OPERATORS.stage, `stages[${i}].${name}`)
      if (path !== null) {
        refuse(`${path}: ${path.slice(path.lastIndexOf('.') + 1)} is not an operator the mini-program database SDK offers in a pipeline`)
      }
    }
  })
}
