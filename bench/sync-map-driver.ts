/**
 * A DocDriver over plain Maps, for the benchmarks at sizes where the emulator engine's linear scans would
 * dominate the run time. It passes the same conformance suite as the engine and SDK adapters
 * (test/doc-driver.test.ts), so the writes the benchmarks count are the ones the deployed functions would make.
 * A collection may be given an ordered index on one field, as database/collections.json declares them: a read
 * with a range or equality on that field then walks the index from the range's start and stops once it has its
 * page, so it costs what an indexed read costs instead of a scan of the whole collection.
 */
import { isDeepStrictEqual } from 'node:util'
import { type Cond, type DocDriver, type FindOpts, type RawDoc, type Scalar, type Where, isCond } from '../src/sync/driver'

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

type IndexKey = string | number

/** One ordered single-field index: (value, _id) pairs kept sorted, the way a B-tree orders its entries. */
class OrderedIndex {
  private entries: Array<{ key: IndexKey; id: string }> = []
  constructor(readonly field: string) {}

  private static cmp(a: { key: IndexKey; id: string }, b: { key: IndexKey; id: string }): number {
    return a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }

  /** First position whose entry is not before `probe`. */
  private lowerBound(probe: { key: IndexKey; id: string }): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (OrderedIndex.cmp(this.entries[mid], probe) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private static keyOf(doc: Record<string, unknown>, field: string): IndexKey | undefined {
    const v = key(read(doc, field))
    return typeof v === 'string' || typeof v === 'number' ? v : undefined
  }

  add(doc: RawDoc): void {
    const k = OrderedIndex.keyOf(doc, this.field)
    if (k === undefined) return
    const entry = { key: k, id: doc._id }
    const at = this.lowerBound(entry)
    // Appending in key order (the common case: new batches carry the newest key) costs no shifting.
    this.entries.splice(at, 0, entry)
  }

  delete(doc: RawDoc): void {
    const k = OrderedIndex.keyOf(doc, this.field)
    if (k === undefined) return
    const at = this.lowerBound({ key: k, id: doc._id })
    if (at < this.entries.length && this.entries[at].id === doc._id) this.entries.splice(at, 1)
  }

  deleteMany(ids: Set<string>): void {
    this.entries = this.entries.filter((e) => !ids.has(e.id))
  }

  /** Ids in key order (or reverse) from where `c` starts; undefined when `c` is not something an index serves. */
  scan(c: Scalar | Cond, dir: 'asc' | 'desc'): Iterable<string> | undefined {
    const op = isCond(c) ? c.op : 'eq'
    if (op === 'in' || op === 'neq') return undefined
    const raw = key(isCond(c) ? (c.value as Scalar) : c)
    if (typeof raw !== 'string' && typeof raw !== 'number') return undefined
    const bound = raw
    const lowStart = op === 'gt' ? this.lowerBound({ key: bound, id: '\uffff' }) : op === 'gte' || op === 'eq' ? this.lowerBound({ key: bound, id: '' }) : 0
    const highEnd = op === 'lt' ? this.lowerBound({ key: bound, id: '' }) : op === 'lte' || op === 'eq' ? this.lowerBound({ key: bound, id: '\uffff' }) : this.entries.length
    const entries = this.entries
    return {
      *[Symbol.iterator]() {
        if (dir === 'asc') for (let i = lowStart; i < highEnd; i++) yield entries[i].id
        else for (let i = highEnd - 1; i >= lowStart; i--) yield entries[i].id
      },
    }
  }
}

export interface MapDriverOptions {
  /** Collection → the field of its ordered index (as database/collections.json declares them). */
  orderedIndexes?: Record<string, string>
}

export function createMapDriver(options: MapDriverOptions = {}): DocDriver & { collection(name: string): Map<string, RawDoc> } {
  const colls = new Map<string, Map<string, RawDoc>>()
  const indexes = new Map(Object.entries(options.orderedIndexes ?? {}).map(([c, field]) => [c, new OrderedIndex(field)]))
  const coll = (name: string) => {
    let c = colls.get(name)
    if (!c) colls.set(name, (c = new Map()))
    return c
  }
  function put(name: string, doc: RawDoc): void {
    const c = coll(name)
    const index = indexes.get(name)
    const old = c.get(doc._id)
    if (index && old) index.delete(old)
    c.set(doc._id, doc)
    if (index) index.add(doc)
  }
  function candidates(name: string, where: Where): RawDoc[] {
    const c = coll(name)
    const id = where._id
    if (typeof id === 'string') return c.has(id) ? [c.get(id) as RawDoc] : []
    if (isCond(id) && id.op === 'in') return (id.value as string[]).flatMap((i) => (c.has(i) ? [c.get(i) as RawDoc] : []))
    return [...c.values()]
  }
  /** An index walk for this read, when the collection has one on a field the read bounds or orders by. */
  function indexWalk(name: string, where: Where, orderBy: FindOpts['orderBy']): Iterable<string> | undefined {
    const index = indexes.get(name)
    if (!index || !(index.field in where)) return undefined
    if (orderBy && orderBy.field !== index.field) return undefined
    return index.scan(where[index.field], orderBy?.dir ?? 'asc')
  }
  function project(docs: RawDoc[], fields: string[] | undefined): RawDoc[] {
    if (!fields) return docs.map(clone)
    return docs.map((d) => ({ _id: d._id, ...Object.fromEntries(fields.map((f) => [f, clone(d[f])])) }) as RawDoc)
  }
  return {
    collection: coll,
    async find(name, where, opts) {
      const skip = opts.skip ?? 0
      const limit = Math.min(opts.limit, 1000)
      const walk = indexWalk(name, where, opts.orderBy)
      if (walk) {
        const c = coll(name)
        const page: RawDoc[] = []
        let skipped = 0
        for (const id of walk) {
          if (page.length >= limit) break
          const d = c.get(id) as RawDoc
          if (!matches(d, where)) continue
          if (skipped < skip) skipped++
          else page.push(d)
        }
        return project(page, opts.fields)
      }
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
      return project(docs.slice(skip, skip + limit), opts.fields)
    },
    async count(name, where) {
      return candidates(name, where).filter((d) => matches(d, where)).length
    },
    async set(name, id, doc) {
      put(name, { ...clone(doc), _id: id })
    },
    async update(name, where, patch) {
      let n = 0
      for (const d of candidates(name, where).filter((x) => matches(x, where))) {
        const next = clone(d) as Record<string, unknown>
        for (const [path, v] of Object.entries(patch.set ?? {})) setPath(next, path, clone(v))
        for (const [path, by] of Object.entries(patch.inc ?? {})) setPath(next, path, ((read(next, path) as number) ?? 0) + by)
        // Like the database, count only documents the patch changed.
        if (isDeepStrictEqual(next, d)) continue
        put(name, next as RawDoc)
        n++
      }
      return n
    },
    async insert(name, doc) {
      const c = coll(name)
      if (c.has(doc._id)) return 'duplicate'
      put(name, clone(doc))
      return 'ok'
    },
    async remove(name, where) {
      const c = coll(name)
      const walk = indexWalk(name, where, undefined)
      const gone = walk ? [...walk].map((id) => c.get(id) as RawDoc).filter((d) => matches(d, where)) : candidates(name, where).filter((d) => matches(d, where))
      for (const d of gone) c.delete(d._id)
      indexes.get(name)?.deleteMany(new Set(gone.map((d) => d._id)))
      return gone.length
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

/**
 * Counts documents written through a driver (inserted, replaced, updated, removed) and, when asked, the read
 * requests and the documents they returned.
 */
export function countingDriver(
  inner: DocDriver,
  onWrite: (collection: string, n: number) => void,
  onRead: (collection: string, docs: number) => void = () => undefined,
): DocDriver {
  return {
    async find(c, w, o) {
      const docs = await inner.find(c, w, o)
      onRead(c, docs.length)
      return docs
    },
    async count(c, w) {
      const n = await inner.count(c, w)
      onRead(c, 0)
      return n
    },
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
    async remove(c, w) {
      const n = await inner.remove(c, w)
      onWrite(c, n)
      return n
    },
  }
}
