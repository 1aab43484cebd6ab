/**
 * A watch's result kept up to date from the change feed, so the cost of a change is one filter test per open
 * watch on the collection, plus work proportional to the result of the watches it actually alters; it never
 * re-runs every watch's query. The one case that needs the query again: a document leaves (or moves to the end
 * of) a result cut by `limit`, where the next document from beyond the cut is unknown.
 */
import type { ChangeEvent, Doc } from '../db/types'
import { deepCopy } from '../db/values'

export interface WatchQuery {
  /** Whether a document matches the watch's filter. */
  matches(doc: Doc): boolean
  /** The order `find` returns for the watch's sort (natural order for ties and when unsorted). */
  compare(a: Doc, b: Doc): number
  limit?: number
  /** Runs the query from scratch (the start, and the cases a change alone cannot settle). */
  run(): Doc[]
}

export class WatchResult {
  private ids: Set<string>

  constructor(
    private readonly query: WatchQuery,
    private current: Doc[] = query.run(),
  ) {
    this.ids = new Set(current.map((d) => d._id))
  }

  get docs(): Doc[] {
    return this.current
  }

  /** Applies one committed change; returns the new result, or null when the change leaves this result as it was. */
  apply(event: ChangeEvent): Doc[] | null {
    const { limit } = this.query
    const wasIn = this.ids.has(event.docId)
    const nowIn = event.doc !== undefined && this.query.matches(event.doc)
    if (!wasIn && !nowIn) return null
    const full = limit !== undefined && this.current.length >= limit
    const next = wasIn ? this.current.filter((d) => d._id !== event.docId) : this.current.slice()
    if (nowIn) {
      const doc = deepCopy(event.doc!)
      const at = this.position(next, doc)
      if (limit !== undefined && at >= next.length && wasIn && full) return this.rerun()
      if (limit !== undefined && at >= limit) return null // sorts after a full result: stays outside
      next.splice(at, 0, doc)
      if (limit !== undefined && next.length > limit) next.pop()
    } else if (full) {
      return this.rerun()
    }
    return this.settle(next)
  }

  /** First index whose document sorts after `doc` (binary search over the ordered result). */
  private position(docs: Doc[], doc: Doc): number {
    let lo = 0
    let hi = docs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.query.compare(docs[mid], doc) <= 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private rerun(): Doc[] {
    return this.settle(this.query.run())
  }

  private settle(next: Doc[]): Doc[] {
    this.current = next
    this.ids = new Set(next.map((d) => d._id))
    return next
  }
}
