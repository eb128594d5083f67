/**
 * A stream entry as durable/ stores it. The fields, as redis-py sees them (see the README's
 * "Entry format"):
 * - `data`: the payload in the bus codec's bytes (msgpack by default);
 * - `headers`: a JSON object of strings, present only when there are headers;
 * - `attempt`, `origin`: only on a retry, the delivery number it makes and the id of the entry
 *   first published.
 */
export interface EntryFields {
  readonly data: Uint8Array
  readonly headers?: string
  readonly attempt?: number
  readonly origin?: string
}

/** Which stream of a topic an entry came from: the topic's own, or the group's retries. */
export type EntrySource = 'main' | 'retry'

export interface StoredEntry {
  readonly id: string
  readonly source: EntrySource
  readonly fields: EntryFields
}

/** A message as a handler or read() sees it. */
export interface TopicMessage<T> {
  /** The id of the entry as first published (a retry keeps it). */
  readonly id: string
  readonly data: T
  /** 1 on first delivery. */
  readonly attempt: number
  /** When the entry was first added to the stream, in epoch milliseconds. */
  readonly timestamp: number
  readonly headers: Readonly<Record<string, string>>
}

/** The field list of XADD: name, value, name, value... */
export function fieldList(fields: EntryFields): Array<string | Uint8Array> {
  const list: Array<string | Uint8Array> = ['data', fields.data]
  if (fields.headers !== undefined) list.push('headers', fields.headers)
  if (fields.attempt !== undefined) list.push('attempt', String(fields.attempt))
  if (fields.origin !== undefined) list.push('origin', fields.origin)
  return list
}

/** Parses an XADD field list read back; unknown fields are ignored, a missing `data` is empty. */
export function parseFields(list: ReadonlyArray<Uint8Array | string>): EntryFields {
  let data: Uint8Array = new Uint8Array(0)
  let headers: string | undefined
  let attempt: number | undefined
  let origin: string | undefined
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = String(list[i])
    const value = list[i + 1] as Uint8Array | string
    if (name === 'data') data = typeof value === 'string' ? Buffer.from(value) : value
    else if (name === 'headers') headers = String(value)
    else if (name === 'attempt') attempt = Number(String(value)) || undefined
    else if (name === 'origin') origin = String(value)
  }
  return { data, headers, attempt, origin }
}

/** The epoch milliseconds an entry id carries (`<ms>-<seq>`). */
export function idTime(id: string): number {
  return Number.parseInt(id, 10) || 0
}

/** Headers as stored: undefined when there are none, so that the entry carries no field. */
export function encodeHeaders(headers: Record<string, string> | undefined): string | undefined {
  if (!headers) return undefined
  return Object.keys(headers).length === 0 ? undefined : JSON.stringify(headers)
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/** Headers read back; text that is not a JSON object gives none rather than failing the entry. */
export function decodeHeaders(text: string | undefined): Readonly<Record<string, string>> {
  if (text === undefined) return NO_HEADERS
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return NO_HEADERS
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
  } catch {
    return NO_HEADERS
  }
}

/** Compares two stream ids numerically: negative when a comes first. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number)
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number)
  return aMs === bMs ? aSeq - bSeq : aMs - bMs
}

/** One pending entry's key: an id is unique only within its stream. */
export function pendingKey(source: EntrySource, id: string): string {
  return `${source}:${id}`
}
