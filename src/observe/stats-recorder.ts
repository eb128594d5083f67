import type { ErrorCode, SwitchboardError } from '../errors.js'
import {
  type CallOutcome,
  type DropReason,
  type Instrumentation,
  type LinkState,
  NO_INSTRUMENTATION,
} from './instrumentation.js'

/**
 * Counts what it hears, for `stats()` to read, and passes every call on to `next` (the user's
 * instrumentation, or nothing). One recorder per bus: the counters that used to sit in separate
 * bags, incremented inline, are views of it.
 */
export class StatsRecorder implements Instrumentation {
  readonly #next: Instrumentation
  #published = 0
  #delivered = 0
  #dropped = 0
  #reconnects = 0
  readonly #errors = new Map<ErrorCode, number>()
  readonly #calls = new Map<CallOutcome, number>()
  readonly #handled = new Map<string, number>()

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
    this.#dropped += messages
    this.#next.dropped(reason, messages)
  }

  reported(error: SwitchboardError): void {
    this.#errors.set(error.code, (this.#errors.get(error.code) ?? 0) + 1)
    this.#next.reported(error)
  }

  link(state: LinkState): void {
    if (state === 'reconnected') this.#reconnects += 1
    this.#next.link(state)
  }

  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void {
    this.#calls.set(outcome, (this.#calls.get(outcome) ?? 0) + 1)
    this.#next.called(service, action, outcome, durationMs)
  }

  handled(service: string, action: string, outcome: string, durationMs: number): void {
    this.#handled.set(outcome, (this.#handled.get(outcome) ?? 0) + 1)
    this.#next.handled(service, action, outcome, durationMs)
  }

  /** Messages handed to the transport. */
  get publishedCount(): number {
    return this.#published
  }

  /** Messages handed to local subscriptions (one per subscription reached). */
  get deliveredCount(): number {
    return this.#delivered
  }

  /** Messages dropped after they arrived, whatever the reason. */
  get droppedCount(): number {
    return this.#dropped
  }

  get reconnectCount(): number {
    return this.#reconnects
  }

  /** Errors reported with this code. */
  errorCount(code: ErrorCode): number {
    return this.#errors.get(code) ?? 0
  }

  /** Requests whose caller heard this outcome. */
  callCount(outcome: CallOutcome): number {
    return this.#calls.get(outcome) ?? 0
  }

  /** Requests a service finished with this outcome. */
  handledCount(outcome: string): number {
    return this.#handled.get(outcome) ?? 0
  }
}
