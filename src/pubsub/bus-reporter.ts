import { ConnectionError, SlowConsumerError, SwitchboardError } from '../errors.js'
import { DebugTrace } from '../observe/debug-trace.js'
import { ERROR_LOG_LEVELS } from '../observe/error-log-levels.js'
import type { Instrumentation } from '../observe/instrumentation.js'
import { LOST_REASONS } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import { StatsRecorder } from '../observe/stats-recorder.js'
import type { TransportStatus } from '../transport/transport.js'
import type { BusEvents, BusStats } from './bus-events.js'
import type { OverflowInfo } from './subscription.js'
import { TypedEmitter } from './typed-emitter.js'

type Listener<K extends keyof BusEvents> = (...args: BusEvents[K]) => void

/**
 * What a bus tells the world about itself: its events, its counts and its log lines, in one
 * place. Counts live in one StatsRecorder, which every layer of the bus reports to (directly, or
 * through the recorder of a subscription, service or RPC client chained to it) and which passes
 * everything on to the user's instrumentation; `stats()` reads it. Every error nobody can be told
 * about goes through report().
 */
export class BusReporter {
  /** The bus's recorder: what publishes, deliveries and the layers above report to. */
  readonly recorder: StatsRecorder
  readonly #log: Logger
  readonly #url: string
  readonly #events: TypedEmitter<BusEvents>

  constructor(logger: Logger, url: string, instrumentation: Instrumentation) {
    this.#log = logger
    this.#url = url
    this.recorder = new StatsRecorder(DebugTrace.around(logger, instrumentation))
    this.#events = new TypedEmitter<BusEvents>((error) =>
      logger.error({ err: error }, 'bus event listener threw'),
    )
  }

  on<K extends keyof BusEvents>(event: K, listener: Listener<K>): void {
    this.#events.on(event, listener)
  }

  off<K extends keyof BusEvents>(event: K, listener: Listener<K>): void {
    this.#events.off(event, listener)
  }

  once<K extends keyof BusEvents>(event: K, listener: Listener<K>): void {
    this.#events.once(event, listener)
  }

  /** The counts, read from the recorder. */
  stats(): BusStats {
    const recorder = this.recorder
    return {
      published: recorder.publishedCount,
      delivered: recorder.deliveredCount,
      malformed: recorder.errorCount('MALFORMED_MESSAGE'),
      dropped: recorder.droppedCount(LOST_REASONS),
      invalid: recorder.droppedCount('invalid'),
      handlerErrors: recorder.errorCount('SUBSCRIBER'),
      reconnects: recorder.reconnectCount,
    }
  }

  /**
   * The one path of an error no call can be told about (a malformed message, a handler that
   * threw, a lost link): counted by code through `via` (the recorder of the subscription, service
   * or RPC client it concerns, which passes it on to the bus's), then handed to the 'error'
   * listeners, or, when there are none, logged at the level ERROR_LOG_LEVELS gives its code.
   */
  report(error: SwitchboardError, via: Instrumentation = this.recorder): void {
    via.reported(error)
    if (this.#events.emit('error', error)) return
    // A code from outside the catalogue (a hand-made error) is logged as an error.
    this.#log[ERROR_LOG_LEVELS[error.code] ?? 'error']({ err: error, code: error.code }, error.message)
  }

  /**
   * A subscription buffer overflowed: told once per episode, to 'overflow' listeners or else the
   * log. The messages lost are counted one by one by the subscription.
   */
  overflow(info: OverflowInfo): void {
    if (!this.#events.emit('overflow', info)) {
      this.#log.warn({ ...info }, `subscription buffer full: dropping messages (${info.policy})`)
    }
  }

  /** A handler's backlog thrown away because the bus closed before it was handled (counted by the subscription). */
  discarded(names: readonly string[], count: number): void {
    this.#log.warn(
      { names, count },
      `discarded ${count} messages a handler had not reached when the bus closed`,
    )
  }

  /** A change of the transport's connection state, as bus events. */
  status(status: TransportStatus): void {
    switch (status.type) {
      case 'connected':
        this.recorder.link('connected')
        // The first connect happens inside connect(): a turn later, listeners attached just after
        // `await connect()` hear it.
        setImmediate(() => this.#events.emit('connected'))
        break
      case 'disconnected':
        this.recorder.link('disconnected')
        this.#log.warn({ url: this.#url, err: status.error }, 'disconnected from the broker')
        this.#events.emit('disconnected', status.error)
        break
      case 'reconnected':
        this.recorder.link('reconnected')
        this.#log.info({ url: this.#url }, 'reconnected to the broker')
        this.#events.emit('reconnected')
        break
      case 'error': {
        // A transport reports switchboard errors as they are; anything else is a failed connection.
        const error =
          status.error instanceof SwitchboardError
            ? status.error
            : new ConnectionError(status.error.message, { cause: status.error, url: this.#url })
        if (error instanceof SlowConsumerError) this.#events.emit('slow-consumer', error)
        this.report(error)
        break
      }
    }
  }
}
