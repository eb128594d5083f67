import type { Codec } from '../codec/codec.js'
import { ConnectionError, MalformedMessageError, SlowConsumerError, SwitchboardError } from '../errors.js'
import { isDebugEnabled, type Logger } from '../observe/logger.js'
import { type Payload, payloadBytes, type TransportStatus } from '../transport/transport.js'
import type { BusEvents, BusStats } from './bus-events.js'
import type { OverflowInfo } from './subscription.js'
import { TypedEmitter } from './typed-emitter.js'

type Listener<K extends keyof BusEvents> = (...args: BusEvents[K]) => void

/**
 * What a bus tells the world about itself: its events, its counters and its log lines, in one
 * place. Everything that publishes, delivers or fails on a bus reports here, so each counter is
 * incremented by one method and each kind of event has one wording.
 */
export class BusReporter {
  readonly #log: Logger
  readonly #publishLog: Logger
  readonly #deliverLog: Logger
  /** Checked once: debug records are not even built when debug is off (the hot paths). */
  readonly #debug: boolean
  readonly #url: string
  readonly #events: TypedEmitter<BusEvents>
  readonly #stats: BusStats = { published: 0, delivered: 0, malformed: 0, dropped: 0, handlerErrors: 0 }

  constructor(logger: Logger, url: string) {
    this.#log = logger
    this.#publishLog = logger.child({ component: 'publisher' })
    this.#deliverLog = logger.child({ component: 'subscriber' })
    this.#debug = isDebugEnabled(logger)
    this.#url = url
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

  /** A copy of the counters. */
  stats(): Readonly<BusStats> {
    return { ...this.#stats }
  }

  /** One message handed to the transport for `channel`. */
  published(channel: string, payload: Payload): void {
    this.#stats.published += 1
    if (this.#debug) this.#publishLog.debug({ channel, bytes: payloadBytes(payload) }, 'publish')
  }

  /** The same message handed to the transport for several channels. */
  publishedToEach(channels: readonly string[], payload: Payload): void {
    this.#stats.published += channels.length
    if (this.#debug) this.#publishLog.debug({ channel: channels, bytes: payloadBytes(payload) }, 'publish')
  }

  /** Messages handed to the transport in one batch. */
  publishedBatch(messages: ReadonlyArray<readonly [string, Payload]>): void {
    this.#stats.published += messages.length
    if (this.#debug)
      for (const [channel, payload] of messages)
        this.#publishLog.debug({ channel, bytes: payloadBytes(payload) }, 'publish')
  }

  /** One message handed to one local subscription. */
  delivered(channel: string, pattern: string | undefined, raw: Uint8Array): void {
    this.#stats.delivered += 1
    if (this.#debug) this.#deliverLog.debug({ channel, pattern, bytes: raw.byteLength }, 'deliver')
  }

  /**
   * A message a codec could not decode: dropped, logged at warn level and counted, and told to
   * 'error' listeners (with none, the warning is the only trace, not an error line as well).
   */
  undecodable(error: MalformedMessageError, codec: Codec, raw: Uint8Array): void {
    this.#log.warn({ channel: error.channel, codec: codec.name, bytes: raw.byteLength }, error.message)
    this.#stats.malformed += 1
    this.#events.emit('error', error)
  }

  /** An error no call can be told about: to 'error' listeners, or only to the log when there is none. */
  error(error: SwitchboardError): void {
    if (error instanceof MalformedMessageError) this.#stats.malformed += 1
    else if (error.code === 'SUBSCRIBER') this.#stats.handlerErrors += 1
    if (!this.#events.emit('error', error)) this.#log.error({ err: error, code: error.code }, error.message)
  }

  /** A subscription buffer overflowed: once per episode, whatever the number of lost messages. */
  overflow(info: OverflowInfo): void {
    this.#stats.dropped += 1
    if (!this.#events.emit('overflow', info)) {
      this.#log.warn({ ...info }, `subscription buffer full: dropping messages (${info.policy})`)
    }
  }

  /** A handler's backlog thrown away because the bus closed before it was handled. */
  discarded(names: readonly string[], count: number): void {
    this.#stats.dropped += count
    this.#log.warn(
      { names, count },
      `discarded ${count} messages a handler had not reached when the bus closed`,
    )
  }

  /** A change of the transport's connection state, as bus events. */
  status(status: TransportStatus): void {
    switch (status.type) {
      case 'connected':
        // The first connect happens inside connect(): a turn later, listeners attached just after
        // `await connect()` hear it.
        setImmediate(() => this.#events.emit('connected'))
        break
      case 'disconnected':
        this.#log.warn({ url: this.#url, err: status.error }, 'disconnected from the broker')
        this.#events.emit('disconnected', status.error)
        break
      case 'reconnected':
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
        this.error(error)
        break
      }
    }
  }
}
