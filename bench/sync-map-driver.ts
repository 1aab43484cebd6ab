/**
 * A DocDriver over plain Maps, for the benchmark at sizes where the emulator engine's linear scans would
 * dominate the run time. It passes the same conformance suite as the engine and SDK adapters
 * (test/doc-driver.test.ts), so the writes the benchmark counts are the ones the deployed sync would make.
 */
import { isDeepStrictEqual } from 'node:util'
import { type DocDriver, type RawDoc, type Scalar, type Where, isCond } from '../src/sync/driver'

function read(doc: Record<string, unknown>, path: string): unknown {
  let node: unknown = doc
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

function key(v: unknown): unknown {
  return v instanceof Date ? v.getTime() : v
}

function matches(doc: Record<string, unknown>, where: Where): boolean {
  for (const [field, c] of Object.entries(where)) {
    const v = key(read(doc, field))
    if (!isCond(c)) {
      if (v !== key(c)) return false
      continue
    }
    const want = c.value
    switch (c.op) {
      case 'in':
        if (!(want as Scalar[]).some((w) => key(w) === v)) return false
        break
      case 'neq':
        if (v === key(want as Scalar)) return false
        break
      default: {
        if (v === undefined || v === null) return false
        const a = v as number
        const b = key(want as Scalar) as number
        if (c.op === 'lte' ? !(a <= b) : c.op === 'lt' ? !(a < b) : c.op === 'gte' ? !(a >= b) : !(a > b)) return false
      }
    }
  }
  return true
}

function clone<T>(v: T): T {
  return structuredClone(v)
}

export function createMapDriver(): DocDriver & { collection(name: string): Map<string, RawDoc> } {
  const colls = new Map<string, Map<string, RawDoc>>()
  const coll = (name: string) => {
    let c = colls.get(name)
    if (!c) colls.set(name, (c = new Map()))
    return c
  }
  function candidates(name: string, where: Where): RawDoc[] {
    const c = coll(name)
    const id = where._id
    if (typeof id === 'string') return c.has(id) ? [c.get(id) as RawDoc] : []
    if (isCond(id) && id.op === 'in') return (id.value as string[]).flatMap((i) => (c.has(i) ? [c.get(i) as RawDoc] : []))
    return [...c.values()]
  }
  return {
    collection: coll,
    async find(name, where, opts) {
      let docs = candidates(name, where).filter((d) => matches(d, where))
      if (opts.orderBy) {
        const { field, dir } = opts.orderBy
        const sign = dir === 'asc' ? 1 : -1
        docs = [...docs].sort((a, b) => {
          const x = key(read(a, field)) as number | string
          const y = key(read(b, field)) as number | string
          return x < y ? -sign : x > y ? sign : 0
        })
      }
      docs = docs.slice(opts.skip ?? 0, (opts.skip ?? 0) + Math.min(opts.limit, 1000))
      if (opts.fields) {
        const fields = opts.fields
        return docs.map((d) => ({ _id: d._id, ...Object.fromEntries(fields.map((f) => [f, clone(d[f])])) }) as RawDoc)
      }
      return docs.map(clone)
    },
    async count(name, where) {
      return candidates(name, where).filter((d) => matches(d, where)).length
    },
    async set(name, id, doc) {
      coll(name).set(id, { ...clone(doc), _id: id })
    },
    async update(name, where, patch) {
      let n = 0
      for (const d of candidates(name, where).filter((x) => matches(x, where))) {
        const next = clone(d) as Record<string, unknown>
        for (const [path, v] of Object.entries(patch.set ?? {})) setPath(next, path, clone(v))
        for (const [path, by] of Object.entries(patch.inc ?? {})) setPath(next, path, ((read(next, path) as number) ?? 0) + by)
        // Like the database, count only documents the patch changed.
        if (isDeepStrictEqual(next, d)) continue
        coll(name).set(d._id, next as RawDoc)
        n++
      }
      return n
    },
    async insert(name, doc) {
      const c = coll(name)
      if (c.has(doc._id)) return 'duplicate'
      c.set(doc._id, clone(doc))
      return 'ok'
    },
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {}
    node = node[part] as Record<string, unknown>
  }
  node[parts[parts.length - 1]] = value
}

/** Counts documents written through a driver (inserted, replaced, updated). */
export function countingDriver(inner: DocDriver, onWrite: (collection: string, n: number) => void): DocDriver {
  return {
    find: (c, w, o) => inner.find(c, w, o),
    count: (c, w) => inner.count(c, w),
    async set(c, id, doc) {
      await inner.set(c, id, doc)
      onWrite(c, 1)
    },
    async update(c, w, p) {
      const n = await inner.update(c, w, p)
      onWrite(c, n)
      return n
    },
    async insert(c, doc) {
      const r = await inner.insert(c, doc)
      if (r === 'ok') onWrite(c, 1)
      return r
    },
  }
}
