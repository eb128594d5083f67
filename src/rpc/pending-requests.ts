import type { RpcResponse } from './envelope.js'

/** What a pending request does with the responses routed to it. */
export interface PendingRequest {
  /** A non-final response arrived. */
  progress(payload: unknown): void
  /** The final response arrived; the request has already left the table. */
  settle(response: RpcResponse): void
}

/** What route() did with a response. */
export type RouteOutcome = 'progress' | 'final' | 'late'

/**
 * The requests of one reply channel that still wait for their final response, by request_id.
 * Pure bookkeeping, with no I/O and no timers: the caller adds, removes on timeout or cancel, and
 * routes each decoded response here. A response whose request is not in the table (it timed out,
 * was cancelled, or answered twice) is late: the client drops and counts it.
 */
export class PendingRequests<R extends PendingRequest = PendingRequest> {
  readonly #entries = new Map<string, R>()

  /** Requests waiting. */
  get size(): number {
    return this.#entries.size
  }

  has(requestId: string): boolean {
    return this.#entries.has(requestId)
  }

  /** Adds a request. Ids are UUIDs, so a duplicate is a bug worth throwing for. */
  add(requestId: string, request: R): void {
    if (this.#entries.has(requestId)) throw new Error(`request_id ${requestId} is already pending`)
    this.#entries.set(requestId, request)
  }

  /** Removes a request (timeout, cancel); true when it was there. */
  remove(requestId: string): boolean {
    return this.#entries.delete(requestId)
  }

  /** Hands a response to its request. A final one removes the request first, so a handler may re-add. */
  route(response: RpcResponse): RouteOutcome {
    const entry = this.#entries.get(response.requestId)
    if (!entry) return 'late'

    if (!response.final) {
      entry.progress(response.payload)
      return 'progress'
    }
    this.#entries.delete(response.requestId)
    entry.settle(response)
    return 'final'
  }

  /** Takes every request out of the table, for a bus that closes. */
  drain(): R[] {
    const all = [...this.#entries.values()]
    this.#entries.clear()
    return all
  }
}
