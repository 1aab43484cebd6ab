/**
 * Every bound the emulator's database puts on a request or a document, in one place. Each value says which
 * CloudBase (or MongoDB, which CloudBase's document database is) rule it follows, or why it was chosen where the
 * docs are silent. docs/EMULATOR.md ("What the emulator refuses") explains them to users.
 */

/** Nesting of a stored document (MongoDB's limit, which CloudBase inherits): https://www.mongodb.com/docs/manual/reference/limits/ */
export const MAX_DOCUMENT_NESTING = 100

/** BSON size of a stored document, 16 MB (MongoDB's limit): https://www.mongodb.com/docs/manual/reference/limits/ */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

/**
 * Nesting of anything decoded from the wire (filters, updates, pipelines): a stored document (100 levels) wrapped in
 * an update or a query never needs more than a few extra levels, so twice the document limit refuses only input
 * built to exhaust the stack.
 */
export const MAX_WIRE_NESTING = 2 * MAX_DOCUMENT_NESTING

/**
 * How long one database request may compute before it is stopped with `SERVER_TIMEOUT` (wx-server-sdk: -501002,
 * "cloud response timed out"; CloudBase names the cause DATABASE_TIMEOUT: https://docs.cloudbase.net/error-code/DATABASE_TIMEOUT).
 * CloudBase publishes no per-query limit; 3 s is a function's default timeout
 * (https://docs.cloudbase.net/cloud-function/function-configuration/config), so a query running longer could not
 * have answered the function that sent it, and no other client waits longer than that for the emulator.
 */
export const QUERY_TIME_LIMIT_MS = 3000

/**
 * Largest count a size argument may take ($limit, $skip, $sample, find's limit/offset): MongoDB takes 64-bit integers,
 * JavaScript holds integers exactly only up to 2^53 - 1, so anything beyond is refused rather than rounded.
 */
export const MAX_SIZE_ARGUMENT = Number.MAX_SAFE_INTEGER

/**
 * Elements one array builder (`$range`, `$concatArrays`) may produce. MongoDB refuses a `$range` whose result would
 * outgrow its memory budget; an array that cannot fit in a 16 MB document is useless to a caller, and an element
 * takes at least 8 BSON bytes (type, index key, value), so 16 MB / 8 bounds every array a document could carry.
 */
export const MAX_BUILT_ARRAY_ELEMENTS = MAX_DOCUMENT_BYTES / 8

/** Field names that would reach JavaScript's object machinery instead of data (prototype pollution). */
export const FORBIDDEN_FIELD_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])
