import type { Decoded } from './detect.js'
import type { Style } from './style.js'

/**
 * A value as plain JSON data: bigint becomes a number (a string beyond 2^53), bytes become
 * `{ "$base64": "…" }`, other TypedArrays arrays, Date an ISO string, Map an object, Set an array.
 */
export function toJsonable(value: unknown, depth = 0): unknown {
  if (depth > 64) return '…'
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : String(value)
    case 'undefined':
    case 'function':
    case 'symbol':
      return null
    case 'object': {
      if (value === null) return null
      if (value instanceof Uint8Array)
        return { $base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toJsonable(v, depth + 1))
      }
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
      if (value instanceof Map)
        return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonable(v, depth + 1)]))
      if (value instanceof Set || Array.isArray(value)) return [...value].map((v) => toJsonable(v, depth + 1))
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = toJsonable(v, depth + 1)
      return out
    }
    default:
      return value
  }
}

/** The payload in one line: JSON for decoded values, the text itself, or hex. */
export function formatPayload(decoded: Decoded): string {
  switch (decoded.as) {
    case 'text':
      return escapeControls(String(decoded.value))
    case 'hex':
      return toHex(decoded.value as Uint8Array)
    default:
      return JSON.stringify(toJsonable(decoded.value)) ?? 'null'
  }
}

/** The payload as ndjson data: text and hex as strings, the rest as JSON values. */
export function payloadData(decoded: Decoded): unknown {
  if (decoded.as === 'hex') return toHex(decoded.value as Uint8Array)
  return toJsonable(decoded.value)
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeControls(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
    /[\x00-\x1f\x7f]/g,
    (c) => CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  )
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** HH:MM:SS.mmm in local time. */
export function formatTime(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}

/** Cuts a string to `width` characters, ending with … when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return ''
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`
}

/** One received message, as `sub` shows it. */
export interface ShownMessage {
  time: Date
  channel: string
  pattern?: string | undefined
  size: number
  decoded: Decoded
  /** Why the named codec could not decode it (then it is shown as hex). */
  malformed?: string | undefined
}

/** `12:03:04.123  order_updates  via order_*  42 B  msgpack  {"status":"ready"}` */
export function formatMessageLine(m: ShownMessage, style: Style): string {
  const parts = [style.dim(formatTime(m.time)), style.bold(style.cyan(m.channel))]
  if (m.pattern !== undefined) parts.push(style.magenta(`via ${m.pattern}`))
  parts.push(style.dim(formatSize(m.size)), style.yellow(m.decoded.as))
  if (m.malformed !== undefined) parts.push(style.red(`(undecodable: ${m.malformed})`))
  parts.push(formatPayload(m.decoded))
  return parts.join('  ')
}

/** One ndjson line (no newline): time, channel, pattern, size, codec, data. */
export function formatMessageJson(m: ShownMessage): string {
  return JSON.stringify({
    time: m.time.toISOString(),
    channel: m.channel,
    pattern: m.pattern ?? null,
    size: m.size,
    codec: m.decoded.as,
    data: payloadData(m.decoded),
    ...(m.malformed !== undefined ? { malformed: m.malformed } : {}),
  })
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('')
}
