import { CANCEL_ACTION } from '../../rpc/channels.js'
import { RateWindow } from './rate-window.js'

/** Requests awaiting their final response; past this, the oldest are forgotten. */
const MAX_PENDING = 10_000
/** A request with no final response after this long stops waiting for one (sent, not called). */
const PENDING_TTL_MS = 60_000
/** Latencies kept per action for its percentiles. */
const LATENCY_SAMPLES = 512
/** Envelopes larger than this are not parsed: RPC envelopes with big payloads are rare and costly. */
const MAX_PARSED_BYTES = 64 * 1024

interface ActionStats {
  requests: RateWindow
  errors: number
  latencies: Float64Array
  samples: number
}

export interface WireActionRow {
  service: string
  action: string
  rate: number
  requests: number
  errors: number
  p50Ms: number | undefined
  p99Ms: number | undefined
}

/** An error response seen on the wire: the remote's message and code, never the request's payload. */
export interface WireError {
  at: number
  code: string
  message: string
  service: string
  action: string
}

const utf8 = new TextDecoder()
const OPEN_BRACE = 0x7b

/**
 * Service RPC as it crosses Redis, read from the dashboard's pattern subscription: every
 * Daebus-shaped request (`action`, `reply_to`, `request_id`) and the final response that
 * answers it. This sees every service, Python Daebus ones included, with no help from them:
 * requests per second, errors, and latency from request to final response (the caller's view,
 * plus the network). Pure: bytes and the time in, rows out.
 */
export class WireRequests {
  readonly #actions = new Map<string, Map<string, ActionStats>>()
  /** Each request's service, action, and when it was seen (epoch ms, and by the clock). */
  readonly #pending = new Map<string, { service: string; action: string; at: number; started: number }>()
  readonly #onError: (error: WireError) => void
  readonly #clock: () => number

  /**
   * `clock` times round trips in milliseconds with sub-millisecond resolution: a local request
   * takes well under one, so Date.now() would read 0.
   */
  constructor(onError: (error: WireError) => void, clock: () => number = () => performance.now()) {
    this.#onError = onError
    this.#clock = clock
  }

  /** Looks at one message; anything that is not an RPC envelope is ignored. */
  see(channel: string, bytes: Uint8Array, now: number): void {
    if (bytes[0] !== OPEN_BRACE || bytes.byteLength > MAX_PARSED_BYTES) return
    let envelope: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(utf8.decode(bytes))
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return
      envelope = parsed as Record<string, unknown>
    } catch {
      return
    }
    const requestId = envelope.request_id
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return
    const id = String(requestId)
    if (typeof envelope.action === 'string' && typeof envelope.reply_to === 'string') {
      if (envelope.action === CANCEL_ACTION) return
      const service = typeof envelope.service === 'string' ? envelope.service : channel
      this.#stats(service, envelope.action, now).requests.add(now)
      this.#pending.set(id, { service, action: envelope.action, at: now, started: this.#clock() })
      if (this.#pending.size > MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value as string)
      return
    }
    if (typeof envelope.status !== 'string' || envelope.final === false) return
    const request = this.#pending.get(id)
    if (request === undefined) return
    this.#pending.delete(id)
    const stats = this.#stats(request.service, request.action, now)
    stats.latencies[stats.samples % LATENCY_SAMPLES] = this.#clock() - request.started
    stats.samples += 1
    if (envelope.status === 'error') {
      stats.errors += 1
      const payload = envelope.payload as { error?: unknown; code?: unknown } | undefined
      this.#onError({
        at: now,
        code: typeof payload?.code === 'string' ? payload.code : 'REMOTE',
        message: typeof payload?.error === 'string' ? payload.error.slice(0, 240) : 'error response',
        service: request.service,
        action: request.action,
      })
    }
  }

  /** One row per action seen, busiest first. Requests long unanswered are forgotten here. */
  rows(now: number): WireActionRow[] {
    for (const [id, request] of this.#pending) {
      if (now - request.at < PENDING_TTL_MS) break
      this.#pending.delete(id)
    }
    const rows: WireActionRow[] = []
    for (const [service, actions] of this.#actions) {
      for (const [action, stats] of actions) {
        const sorted = Array.from(stats.latencies.subarray(0, Math.min(stats.samples, LATENCY_SAMPLES))).sort(
          (a, b) => a - b,
        )
        rows.push({
          service,
          action,
          rate: stats.requests.rate(now),
          requests: stats.requests.total,
          errors: stats.errors,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
        })
      }
    }
    return rows.sort((a, b) => b.rate - a.rate || a.service.localeCompare(b.service))
  }

  /** The services that requests were seen for. */
  services(): string[] {
    return [...this.#actions.keys()]
  }

  #stats(service: string, action: string, now: number): ActionStats {
    let actions = this.#actions.get(service)
    if (actions === undefined) {
      actions = new Map()
      this.#actions.set(service, actions)
    }
    let stats = actions.get(action)
    if (stats === undefined) {
      stats = {
        requests: new RateWindow(now),
        errors: 0,
        latencies: new Float64Array(LATENCY_SAMPLES),
        samples: 0,
      }
      actions.set(action, stats)
    }
    return stats
  }
}

function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * fraction) - 1))]
}
