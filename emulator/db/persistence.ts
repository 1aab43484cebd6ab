/**
 * On-disk form of the emulator's database: one file per collection, `<encoded name>.json`, holding canonical
 * EJSON so Dates (and numbers' int/double nature) survive a restart. Writes go to a temp file and are renamed
 * over the old one, so a crash mid-write never leaves half a collection behind.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EJSON } from 'bson'
import { isPlainObject } from './values'

const SUFFIX = '.json'

interface CollectionFile {
  collection: string
  documents: Record<string, unknown>[]
}

function fileOf(dataDir: string, collection: string): string {
  // encodeURIComponent keeps names like `a.b` readable while making `/` or `..` harmless
  return join(dataDir, encodeURIComponent(collection) + SUFFIX)
}

/** Reads every collection file in `dataDir` (creating the directory when missing). Throws naming a bad file. */
export function loadCollections(dataDir: string): Map<string, Record<string, unknown>[]> {
  mkdirSync(dataDir, { recursive: true })
  const out = new Map<string, Record<string, unknown>[]>()
  for (const entry of readdirSync(dataDir)) {
    if (!entry.endsWith(SUFFIX) || entry.startsWith('.')) continue
    const path = join(dataDir, entry)
    let parsed: unknown
    try {
      parsed = EJSON.parse(readFileSync(path, 'utf8'), { relaxed: true })
    } catch (e) {
      throw new Error(`database file ${path}: not valid EJSON (${(e as Error).message})`)
    }
    if (!isPlainObject(parsed) || typeof parsed.collection !== 'string' || !Array.isArray(parsed.documents)) {
      throw new Error(`database file ${path}: expected {"collection": string, "documents": [...]}`)
    }
    const docs = parsed.documents
    docs.forEach((d, i) => {
      if (!isPlainObject(d) || typeof d._id !== 'string') {
        throw new Error(`database file ${path}: documents[${i}] must be an object with a string _id`)
      }
    })
    out.set(parsed.collection, docs as Record<string, unknown>[])
  }
  return out
}

/** Writes one collection atomically; `documents === null` deletes its file (the collection was dropped). */
export async function saveCollection(
  dataDir: string,
  collection: string,
  documents: readonly Record<string, unknown>[] | null,
): Promise<void> {
  const target = fileOf(dataDir, collection)
  if (documents === null) {
    await unlink(target).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e
    })
    return
  }
  const body: CollectionFile = { collection, documents: [...documents] }
  // Wall time only makes the temp name unique; no business time is read here.
  const temp = join(dataDir, `.${encodeURIComponent(collection)}.${process.pid}.${Date.now()}.tmp`)
  mkdirSync(dataDir, { recursive: true })
  await writeFile(temp, EJSON.stringify(body, undefined, 1, { relaxed: false }))
  await rename(temp, target)
}
