import type { SwitchboardError } from '../errors.js'
import type {
  CallOutcome,
  ConsumeOutcome,
  DropReason,
  HandleOutcome,
  Instrumentation,
  LinkState,
  SkipReason,
} from './instrumentation.js'
import { isDebugEnabled, type Logger } from './logger.js'
import type { WatchedTopic } from './watched-topic.js'

/**
 * The debug log of every publish and delivery, as one more instrumentation: a bus puts it in its
 * chain only when its logger records debug, so with debug off the hot paths do not even test a
 * flag. Records carry `{ component: 'publisher' | 'subscriber' }`. Everything passes on to `next`.
 */
export class DebugTrace implements Instrumentation {
  readonly #publishLog: Logger
  readonly #deliverLog: Logger
  readonly #next: Instrumentation
  readonly tracer: Instrumentation['tracer']

  constructor(logger: Logger, next: Instrumentation) {
    this.#publishLog = logger.child({ component: 'publisher' })
    this.#deliverLog = logger.child({ component: 'subscriber' })
    this.#next = next
    this.tracer = next.tracer
  }

  /** `next`, behind a DebugTrace when `logger` records debug. */
  static around(logger: Logger, next: Instrumentation): Instrumentation {
    return isDebugEnabled(logger) ? new DebugTrace(logger, next) : next
  }

  published(channel: string, messages: number): void {
    this.#publishLog.debug({ channel, messages }, 'publish')
    this.#next.published(channel, messages)
  }

  delivered(channel: string, pattern: string | undefined): void {
    this.#deliverLog.debug({ channel, pattern }, 'deliver')
    this.#next.delivered(channel, pattern)
  }

  dropped(reason: DropReason, messages: number): void {
    this.#next.dropped(reason, messages)
  }

  reported(error: SwitchboardError): void {
    this.#next.reported(error)
  }

  link(state: LinkState): void {
    this.#next.link(state)
  }

  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void {
    this.#next.called(service, action, outcome, durationMs)
  }

  handled(service: string, action: string, outcome: HandleOutcome, durationMs: number): void {
    this.#next.handled(service, action, outcome, durationMs)
  }

  skipped(service: string, action: string, reason: SkipReason): void {
    this.#next.skipped(service, action, reason)
  }

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
}
