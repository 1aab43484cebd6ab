/**
 * The emulator's database engine contract. Engines are free of HTTP: the wire layer (`emulator/server/`)
 * decodes the SDK's EJSON into plain values (Dates, numbers, strings, `serverDate` already resolved)
 * and calls these methods; the client channel calls the same methods after the security rules allow it.
 */
export type Doc = Record<string, unknown> & { _id: string }
export type Filter = Record<string, unknown>
export type Sort = Record<string, 1 | -1>
export type Projection = Record<string, 0 | 1 | boolean>

export interface FindOptions {
  sort?: Sort
  skip?: number
  /** Already clamped by the caller (server: default 100, max 1000; client: max 20). */
  limit?: number
  projection?: Projection
}

export interface UpdateOptions {
  multi: boolean
  upsert: boolean
  /**
   * true: `update` holds operators ($set, $inc, …) or plain fields merged as $set;
   * false: `update` is a whole document that replaces the match (`doc().set()`).
   */
  merge: boolean
}

export interface UpdateResult {
  updated: number
  upsertedId?: string
}

export type ChangeType = 'add' | 'update' | 'replace' | 'remove'

export interface ChangeEvent {
  /** Monotonic sequence number across the whole database. */
  seq: number
  collection: string
  type: ChangeType
  docId: string
  /** The document after the change (absent for remove). */
  doc?: Doc
  /** The document before the change (absent for add). */
  before?: Doc
  /** The document's natural (insertion) rank in its collection, with `doc`; orders unsorted watch results. */
  rank?: number
}

/** Error names are the CloudBase `code` strings that wx-server-sdk maps to numeric errCodes. */
export type DbErrorCode =
  | 'DATABASE_COLLECTION_NOT_EXIST' // -502005
  | 'DATABASE_COLLECTION_ALREADY_EXIST' // wx-server-sdk has no number for it: callers see -501001
  | 'DATABASE_PERMISSION_DENIED' // -502003
  | 'DATABASE_REQUEST_FAILED' // -502001
  | 'DATABASE_DUPLICATE_WRITE' // duplicate _id; wx-server-sdk maps it to -501001
  | 'DATABASE_INVALID_OPERRATOR' // -502002 "invalid database command" (the SDK's own spelling of the code)
  | 'INVALID_PARAM' // -501007
  | 'SERVER_TIMEOUT' // -501002 "cloud response timed out"
  | 'SYS_ERR' // -501001

export class DbError extends Error {
  constructor(
    readonly code: DbErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'DbError'
  }
}

/** Input that cannot be read at all (not EJSON, nested past the wire limit): HTTP layers answer it with a 400. */
export class MalformedInputError extends DbError {
  constructor(message: string) {
    super('INVALID_PARAM', message)
    this.name = 'MalformedInputError'
  }
}

export interface DatabaseEngine {
  listCollections(): string[]
  hasCollection(name: string): boolean
  /** Throws DATABASE_COLLECTION_ALREADY_EXIST when it exists. */
  createCollection(name: string): void
  /** All reads and writes throw DATABASE_COLLECTION_NOT_EXIST for a missing collection, as CloudBase does. */
  find(collection: string, filter: Filter, options?: FindOptions): Doc[]
  count(collection: string, filter: Filter): number
  /** Returns the inserted ids; documents without `_id` get a generated 32-hex-char id. */
  insert(collection: string, docs: Record<string, unknown>[]): string[]
  update(collection: string, filter: Filter, update: Record<string, unknown>, options: UpdateOptions): UpdateResult
  remove(collection: string, filter: Filter, options: { multi: boolean }): number
  /** Atomic find-and-modify: returns the updated document (after), or null when nothing matched. */
  findOneAndUpdate(collection: string, filter: Filter, update: Record<string, unknown>): Doc | null
  aggregate(collection: string, pipeline: Record<string, unknown>[]): Record<string, unknown>[]
  /** A compiled filter, tested one document at a time (watches test each change instead of re-running queries). */
  matcher(filter: Filter): (doc: Doc) => boolean
  /** Orders a collection's documents as `find` with this sort returns them: ties (and no sort) in natural order. */
  comparator(collection: string, sort?: Sort): (a: Doc, b: Doc) => number
  /**
   * Subscribe to every committed change, after it is journaled and applied. Observers run under the query time
   * limit; one it stops is unsubscribed and `onStopped` gets the timeout error. Returns an unsubscribe function.
   */
  onChange(listener: (event: ChangeEvent) => void, onStopped?: (error: DbError) => void): () => void
  /** Drop every collection. */
  reset(): void
  /** Persist to disk now (no-op for an in-memory engine). */
  flush(): Promise<void>
}
