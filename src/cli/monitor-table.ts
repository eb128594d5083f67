import { type Decoded, detect } from './detect.js'
import { formatPayload, formatSize, truncate } from './render.js'
import type { Style } from './style.js'
import { visibleLength } from './style.js'

/** One channel's line in the monitor table. */
export interface ChannelRow {
  channel: string
  /** The pattern it matched (the monitor's own). */
  pattern: string | undefined
  /** Messages since the monitor started. */
  messages: number
  /** Messages per second over the last refresh interval (over the whole run with --once). */
  rate: number
  /** Bytes since the monitor started. */
  bytes: number
  /** The last message: its size, how it decoded, and the payload in one line. */
  lastSize: number
  lastCodec: Decoded['as']
  lastPayload: string
  /** Milliseconds since the last message, at the time of the snapshot. */
  idleMs: number
}

interface Entry {
  pattern: string | undefined
  messages: number
  windowMessages: number
  bytes: number
  last: Uint8Array
  lastAt: number
}

/**
 * Counts what arrives per channel. Only the last message of each channel is kept, and decoded
 * only when a snapshot shows it, so the cost per message stays a map lookup.
 */
export class MonitorTable {
  readonly #entries = new Map<string, Entry>()
  readonly #startedAt: number
  #windowStart: number
  #total = 0

  constructor(now: number) {
    this.#startedAt = now
    this.#windowStart = now
  }

  /** Messages recorded so far, over every channel. */
  get total(): number {
    return this.#total
  }

  record(channel: string, raw: Uint8Array, pattern: string | undefined, now: number): void {
    this.#total += 1
    const entry = this.#entries.get(channel)
    if (entry) {
      entry.messages += 1
      entry.windowMessages += 1
      entry.bytes += raw.byteLength
      entry.last = raw
      entry.lastAt = now
      return
    }
    this.#entries.set(channel, {
      pattern,
      messages: 1,
      windowMessages: 1,
      bytes: raw.byteLength,
      last: raw,
      lastAt: now,
    })
  }

  /**
   * The rows, busiest first. `whole` rates over the whole run instead of the window since the
   * last snapshot; each snapshot starts a new window.
   */
  snapshot(now: number, whole = false): ChannelRow[] {
    const seconds = Math.max(now - (whole ? this.#startedAt : this.#windowStart), 1) / 1000
    const rows: ChannelRow[] = []
    for (const [channel, e] of this.#entries) {
      const decoded = detect(e.last)
      rows.push({
        channel,
        pattern: e.pattern,
        messages: e.messages,
        rate: (whole ? e.messages : e.windowMessages) / seconds,
        bytes: e.bytes,
        lastSize: e.last.byteLength,
        lastCodec: decoded.as,
        lastPayload: formatPayload(decoded),
        idleMs: now - e.lastAt,
      })
      e.windowMessages = 0
    }
    this.#windowStart = now
    return rows.sort(
      (a, b) => b.rate - a.rate || b.messages - a.messages || a.channel.localeCompare(b.channel),
    )
  }
}

export interface RenderOptions {
  /** Terminal width in characters; the payload column takes what is left. */
  width: number
  /** Most channel rows to show (the rest are summed up in one line). */
  maxRows: number
  style: Style
  /** The first line: what is monitored, since when. */
  title: string
}

const HEADERS = ['CHANNEL', 'MSGS', 'MSG/S', 'LAST SIZE', 'CODEC', 'LAST PAYLOAD'] as const

function formatRate(rate: number): string {
  if (rate >= 100) return rate.toFixed(0)
  if (rate >= 10) return rate.toFixed(1)
  return rate.toFixed(2)
}

/** The table as lines, each cut to `width` so that none wraps (which would break in-place redraws). */
export function renderTable(rows: readonly ChannelRow[], options: RenderOptions): string[] {
  const { style, width } = options
  const shown = rows.slice(0, options.maxRows)
  const cells = shown.map((r) => [
    r.channel,
    String(r.messages),
    formatRate(r.rate),
    formatSize(r.lastSize),
    r.lastCodec,
  ])
  const widths = HEADERS.slice(0, 5).map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (c[i] as string).length)),
  )
  const channelWidth = Math.min(widths[0] as number, Math.max(12, Math.floor(width / 3)))
  widths[0] = channelWidth
  const fixed = widths.reduce((a, b) => a + b, 0) + 2 * widths.length
  const payloadWidth = Math.max(8, width - fixed)
  const pad = (text: string, i: number, right = false): string => {
    const w = widths[i] as number
    const cut = truncate(text, w)
    return right ? cut.padStart(w) : cut.padEnd(w)
  }
  const lines = [style.bold(options.title)]
  lines.push(
    style.dim(
      [
        pad(HEADERS[0], 0),
        pad(HEADERS[1], 1, true),
        pad(HEADERS[2], 2, true),
        pad(HEADERS[3], 3, true),
        pad(HEADERS[4], 4),
        HEADERS[5],
      ].join('  '),
    ),
  )
  if (rows.length === 0) lines.push(style.dim('(no messages yet)'))
  shown.forEach((r, k) => {
    const c = cells[k] as string[]
    lines.push(
      [
        style.cyan(pad(c[0] as string, 0)),
        pad(c[1] as string, 1, true),
        style.green(pad(c[2] as string, 2, true)),
        pad(c[3] as string, 3, true),
        style.yellow(pad(c[4] as string, 4)),
        truncate(r.lastPayload, payloadWidth),
      ].join('  '),
    )
  })
  if (rows.length > shown.length) {
    const rest = rows.slice(shown.length)
    const messages = rest.reduce((a, r) => a + r.messages, 0)
    lines.push(style.dim(`… and ${rest.length} more channels (${messages} messages)`))
  }
  return lines.map((line) => (visibleLength(line) > width && !style.enabled ? truncate(line, width) : line))
}
