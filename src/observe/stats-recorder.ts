import type { ErrorCode, SwitchboardError } from '../errors.js'
import {
  type CallOutcome,
  type ConsumeOutcome,
  type DropReason,
  type HandleOutcome,
  hearsEvents,
  type Instrumentation,
  type LinkState,
  NO_INSTRUMENTATION,
  type SkipReason,
} from './instrumentation.js'
import type { Tracer } from './tracer.js'
import type { WatchedTopic } from './watched-topic.js'

/**
 * Counts by key. Each key's count is a cell the map holds, so counting costs one lookup, not a
 * get and a set: handled() and called() count on every request.
 */
class Tally<K> {
  readonly #cells = new Map<K, { n: number }>()

  add(key: K, by: number): void {
    let cell = this.#cells.get(key)
    if (cell === undefined) {
      cell = { n: 0 }
      this.#cells.set(key, cell)
    }
    cell.n += by
  }

  get(key: K): number {
    return this.#cells.get(key)?.n ?? 0
  }

  total(): number {
    let sum = 0
    for (const cell of this.#cells.values()) sum += cell.n
    return sum
  }
}

/**
 * Counts what it hears, for `stats()` to read, and passes every call on to `next`. Recorders
 * chain: a subscription's, a service's or the RPC client's recorder passes on to its bus's, and
 * the bus's to the user's instrumentation (or nothing). So each view counts its own share, the
 * bus counts the sum, and the two can never disagree. The tallies are made on first use: a
 * subscription that never drops or fails costs none.
 */
export class StatsRecorder implements Instrumentation {
  /**
   * True when something past the recorders hears the events (the user's instrumentation, or the
   * debug trace), not only a tracer. Only then is a duration worth its clock reads: recorders
   * count, never time, and a tracer times its spans itself.
   */
  readonly listening: boolean
  /** The tracer at the end of the chain, if any: the layers begin their spans with it. */
  readonly tracer: Tracer | undefined
  readonly #next: Instrumentation
  #published = 0
  #delivered = 0
  #reconnects = 0
  #dropped: Tally<DropReason> | undefined
  #errors: Tally<ErrorCode> | undefined
  #calls: Tally<CallOutcome> | undefined
  #handled: Tally<HandleOutcome> | undefined
  #skipped: Tally<SkipReason> | undefined

  constructor(next: Instrumentation = NO_INSTRUMENTATION) {
    this.#next = next
    this.listening = next instanceof StatsRecorder ? next.listening : hearsEvents(next)
    this.tracer = next.tracer
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
    this.#dropped ??= new Tally()
    this.#dropped.add(reason, messages)
    this.#next.dropped(reason, messages)
  }

  reported(error: SwitchboardError): void {
    this.#errors ??= new Tally()
    this.#errors.add(error.code, 1)
    this.#next.reported(error)
  }

  link(state: LinkState): void {
    if (state === 'reconnected') this.#reconnects += 1
    this.#next.link(state)
  }

  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void {
    this.#calls ??= new Tally()
    this.#calls.add(outcome, 1)
    this.#next.called(service, action, outcome, durationMs)
  }

  handled(service: string, action: string, outcome: HandleOutcome, durationMs: number): void {
    this.#handled ??= new Tally()
    this.#handled.add(outcome, 1)
    this.#next.handled(service, action, outcome, durationMs)
  }

  skipped(service: string, action: string, reason: SkipReason): void {
    this.#skipped ??= new Tally()
    this.#skipped.add(reason, 1)
    this.#next.skipped(service, action, reason)
  }

  /** Not counted: running and queued are read from their owners; passed on for gauges. */
  load(service: string, instance: string, inFlight: number, queued: number): void {
    this.#next.load(service, instance, inFlight, queued)
  }

  consumed(topic: string, group: string, outcome: ConsumeOutcome, durationMs: number): void {
    this.#next.consumed(topic, group, outcome, durationMs)
  }

  topicOpened(topic: WatchedTopic): void {
    this.#next.topicOpened(topic)
  }

  topicClosed(topic: WatchedTopic): void {
    this.#next.topicClosed(topic)
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

  /** Messages dropped for `reason` (or any of `reason`s), or for any reason. */
  droppedCount(reason?: DropReason | readonly DropReason[]): number {
    if (typeof reason === 'object') return reason.reduce((sum, one) => sum + this.droppedCount(one), 0)
    if (reason !== undefined) return this.#dropped?.get(reason) ?? 0
    return this.#dropped?.total() ?? 0
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
