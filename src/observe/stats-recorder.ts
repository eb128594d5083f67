import type { ErrorCode, SwitchboardError } from '../errors.js'
import {
  type CallOutcome,
  type DropReason,
  type HandleOutcome,
  type Instrumentation,
  type LinkState,
  NO_INSTRUMENTATION,
  type SkipReason,
} from './instrumentation.js'

/** Adds one to `key`'s count in a map made on first use. */
function bump<K>(map: Map<K, number> | undefined, key: K, by: number): Map<K, number> {
  const counts = map ?? new Map<K, number>()
  counts.set(key, (counts.get(key) ?? 0) + by)
  return counts
}

/**
 * Counts what it hears, for `stats()` to read, and passes every call on to `next`. Recorders
 * chain: a subscription's, a service's or the RPC client's recorder passes on to its bus's, and
 * the bus's to the user's instrumentation (or nothing). So each view counts its own share, the
 * bus counts the sum, and the two can never disagree. The maps are made on first use: a
 * subscription that never drops or fails costs none.
 */
export class StatsRecorder implements Instrumentation {
  readonly #next: Instrumentation
  #published = 0
  #delivered = 0
  #reconnects = 0
  #dropped: Map<DropReason, number> | undefined
  #errors: Map<ErrorCode, number> | undefined
  #calls: Map<CallOutcome, number> | undefined
  #handled: Map<HandleOutcome, number> | undefined
  #skipped: Map<SkipReason, number> | undefined

  constructor(next: Instrumentation = NO_INSTRUMENTATION) {
    this.#next = next
  }

  published(channel: string, messages: number): void {
    this.#published += messages
    this.#next.published(channel, messages)
  }

  delivered(channel: string, pattern: string | undefined): void {
    this.#delivered += 1
    this.#next.delivered(channel, pattern)
  }

  dropped(reason: DropReason, messages: number): void {
    this.#dropped = bump(this.#dropped, reason, messages)
    this.#next.dropped(reason, messages)
  }

  reported(error: SwitchboardError): void {
    this.#errors = bump(this.#errors, error.code, 1)
    this.#next.reported(error)
  }

  link(state: LinkState): void {
    if (state === 'reconnected') this.#reconnects += 1
    this.#next.link(state)
  }

  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void {
    this.#calls = bump(this.#calls, outcome, 1)
    this.#next.called(service, action, outcome, durationMs)
  }

  handled(service: string, action: string, outcome: HandleOutcome, durationMs: number): void {
    this.#handled = bump(this.#handled, outcome, 1)
    this.#next.handled(service, action, outcome, durationMs)
  }

  skipped(service: string, action: string, reason: SkipReason): void {
    this.#skipped = bump(this.#skipped, reason, 1)
    this.#next.skipped(service, action, reason)
  }

  /** Not counted: running and queued are read from their owners; passed on for gauges. */
  load(service: string, instance: string, inFlight: number, queued: number): void {
    this.#next.load(service, instance, inFlight, queued)
  }

  /** Messages handed to the transport. */
  get publishedCount(): number {
    return this.#published
  }

  /** Messages handed to local subscriptions (one per subscription reached). */
  get deliveredCount(): number {
    return this.#delivered
  }

  get reconnectCount(): number {
    return this.#reconnects
  }

  /** Messages dropped for `reason`, or for any reason. */
  droppedCount(reason?: DropReason): number {
    if (reason !== undefined) return this.#dropped?.get(reason) ?? 0
    let total = 0
    for (const count of this.#dropped?.values() ?? []) total += count
    return total
  }

  /** Errors reported with this code. */
  errorCount(code: ErrorCode): number {
    return this.#errors?.get(code) ?? 0
  }

  /** Requests whose caller heard this outcome. */
  callCount(outcome: CallOutcome): number {
    return this.#calls?.get(outcome) ?? 0
  }

  /** Requests a service instance finished with this outcome. */
  handledCount(outcome: HandleOutcome): number {
    return this.#handled?.get(outcome) ?? 0
  }

  /** Shared-channel requests a service instance let go for this reason. */
  skippedCount(reason: SkipReason): number {
    return this.#skipped?.get(reason) ?? 0
  }
}
