import { type EntrySource, parseFields, type StoredEntry } from '../entry.js'

/** A RESP2 stream entry: [id, [field, value, ...]], fields null once the entry was deleted. */
type RawEntry = [Buffer | string, Array<Buffer | string> | null]

export function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value)
}

/** Entries of one stream (XRANGE, XAUTOCLAIM); deleted ones (null fields) go to `gone` when given. */
export function parseEntries(raw: unknown, source: EntrySource, gone?: string[]): StoredEntry[] {
  if (!Array.isArray(raw)) return []
  const entries: StoredEntry[] = []
  for (const [id, fields] of raw as RawEntry[]) {
    if (fields === null) gone?.push(text(id))
    else entries.push({ id: text(id), source, fields: parseFields(fields) })
  }
  return entries
}

/**
 * An XREAD/XREADGROUP reply: [[stream, entries], ...] or null; the source of each stream by its
 * key. Entries whose fields are null (deleted while pending) go to `gone`.
 */
export function parseStreams(
  raw: unknown,
  sourceOf: (key: string) => EntrySource,
  gone?: Array<{ source: EntrySource; id: string }>,
): StoredEntry[] {
  if (!Array.isArray(raw)) return []
  const entries: StoredEntry[] = []
  for (const [key, list] of raw as Array<[Buffer, unknown]>) {
    const source = sourceOf(text(key))
    const deleted: string[] = []
    entries.push(...parseEntries(list, source, deleted))
    for (const id of deleted) gone?.push({ source, id })
  }
  return entries
}

/** A flat RESP2 map (XINFO): [name, value, name, value...] as an object of texts and numbers. */
export function flatMap(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (!Array.isArray(raw)) return out
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const value: unknown = raw[i + 1]
    out[text(raw[i])] = Buffer.isBuffer(value) ? value.toString('utf8') : value
  }
  return out
}
