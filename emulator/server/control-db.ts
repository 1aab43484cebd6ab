/**
 * The database as an administrator sees it, for the UI's database view: collections, documents (read, add, replace,
 * delete: no rules, as the console and server SDKs act), and the rules check that asks the client channel itself
 * whether a viewer may do something and why. Documents travel as relaxed Extended JSON (`{"$date": …}` for dates),
 * the format the CloudBase wire already uses, so what the page shows can be edited and sent back unchanged.
 */
import { EJSON } from 'bson'
import { z } from 'zod'
import type { Emulator } from '../types'
import { createEjsonCodec } from '../db/ejson'
import { DbError } from '../db/types'
import { isPlainObject } from '../db/values'
import { parseInput } from '../sandbox/errors'
import { HttpError } from './http-util'
import type { RouteSpec } from './control-route'

/** Documents a page of the view shows at most (the server SDK's own maximum per get). */
export const DB_PAGE_MAX = 1000
const DB_PAGE_DEFAULT = 50

const docBody = z.object({ doc: z.record(z.string(), z.unknown()) }).strict()
const rulesCheckBody = z
  .object({
    /** null or absent: an anonymous viewer (not signed in). */
    openid: z.string().min(1).max(128).nullable().optional(),
    op: z.enum(['read', 'create', 'update', 'delete']),
    filter: z.record(z.string(), z.unknown()).optional(),
    doc: z.record(z.string(), z.unknown()).optional(),
    update: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()

function collectionOf(emu: Emulator, name: string): string {
  if (!emu.engine.hasCollection(name)) {
    throw new HttpError(404, `no collection ${name} (collections: ${emu.engine.listCollections().join(', ') || 'none'})`)
  }
  return name
}

/** An Extended JSON value from a query string or body part, as the wire decodes it (dates, server dates, regexps). */
function decodeObject(emu: Emulator, value: unknown, field: string): Record<string, unknown> {
  try {
    return createEjsonCodec(emu.clock).decodeObject(typeof value === 'string' ? value : JSON.stringify(value), field)
  } catch (e) {
    throw new HttpError(400, e instanceof Error ? e.message : String(e))
  }
}

/** Engine refusals (bad operator, value CloudBase cannot store, bound exceeded) are the caller's to fix: 400. */
function engine<T>(work: () => T): T {
  try {
    return work()
  } catch (e) {
    if (e instanceof DbError) throw new HttpError(400, `${e.code}: ${e.message}`)
    throw e
  }
}

function intParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name)
  if (raw === null || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new HttpError(400, `${name}: must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`)
  return Number(raw)
}

const relaxed = (doc: unknown) => EJSON.serialize(doc, { relaxed: true })

export const DB_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/__sandbox/db',
    does: 'collections with their document counts',
    handler: ({ emu }) => emu.engine.listCollections().map((name) => ({ name, count: emu.engine.count(name, {}) })),
  },
  {
    method: 'GET',
    path: '/__sandbox/db/{collection}',
    does: `documents as an administrator: ?filter=<Extended JSON>&limit (≤ ${DB_PAGE_MAX}, default ${DB_PAGE_DEFAULT})&skip → {total, docs} in relaxed Extended JSON, by _id`,
    handler: ({ emu, params, url }) => {
      const collection = collectionOf(emu, params.collection)
      const rawFilter = url.searchParams.get('filter')
      const filter = rawFilter ? decodeObject(emu, rawFilter, 'filter') : {}
      const limit = intParam(url, 'limit', DB_PAGE_DEFAULT, DB_PAGE_MAX)
      const skip = intParam(url, 'skip', 0, Number.MAX_SAFE_INTEGER)
      return engine(() => ({
        total: emu.engine.count(collection, filter),
        docs: emu.engine.find(collection, filter, { sort: { _id: 1 }, skip, limit }).map(relaxed),
      }))
    },
  },
  {
    method: 'POST',
    path: '/__sandbox/db/{collection}',
    body: '{"doc": {…}} (relaxed Extended JSON; _id optional)',
    does: 'adds a document as an administrator → {_id}',
    handler: ({ emu, params, body }) => {
      const collection = collectionOf(emu, params.collection)
      const input = parseInput(docBody, body, 'db.add')
      const doc = decodeObject(emu, input.doc, 'doc')
      return engine(() => ({ _id: emu.engine.insert(collection, [doc])[0] }))
    },
  },
  {
    method: 'PUT',
    path: '/__sandbox/db/{collection}/{id}',
    body: '{"doc": {…}} (relaxed Extended JSON; its _id, if any, must be the path\'s)',
    does: 'replaces a document as an administrator',
    handler: ({ emu, params, body }) => {
      const collection = collectionOf(emu, params.collection)
      const input = parseInput(docBody, body, 'db.replace')
      const { _id, ...rest } = decodeObject(emu, input.doc, 'doc')
      if (_id !== undefined && _id !== params.id) throw new HttpError(400, `doc._id: must be the document's own id ${JSON.stringify(params.id)} (an id cannot change)`)
      const result = engine(() => emu.engine.update(collection, { _id: params.id }, rest, { multi: false, upsert: false, merge: false }))
      if (result.updated === 0 && emu.engine.count(collection, { _id: params.id }) === 0) throw new HttpError(404, `no document ${params.id} in ${collection}`)
      return { updated: result.updated }
    },
  },
  {
    method: 'DELETE',
    path: '/__sandbox/db/{collection}/{id}',
    does: 'deletes a document as an administrator',
    handler: ({ emu, params }) => {
      const collection = collectionOf(emu, params.collection)
      const removed = engine(() => emu.engine.remove(collection, { _id: params.id }, { multi: false }))
      if (removed === 0) throw new HttpError(404, `no document ${params.id} in ${collection}`)
      return { removed }
    },
  },
  {
    method: 'POST',
    path: '/__sandbox/db/{collection}/rules-check',
    body: '{openid?: string|null, op: read|create|update|delete, filter?, doc?, update?}',
    does: "whether that viewer (none: anonymous) may do it under database/*.rules.json, and the rule evaluator's reason",
    handler: ({ emu, params, body }) => {
      const collection = collectionOf(emu, params.collection)
      const input = parseInput(rulesCheckBody, body, 'rules-check')
      const part = (v: Record<string, unknown> | undefined, field: string) => (v && isPlainObject(v) ? decodeObject(emu, v, field) : undefined)
      const openid = input.openid ?? null
      const decision = engine(() =>
        emu.client.explain({ openid }, collection, input.op, { filter: part(input.filter, 'filter'), doc: part(input.doc, 'doc'), update: part(input.update, 'update') }),
      )
      return { collection, op: input.op, viewer: openid ?? null, ...decision }
    },
  },
]
