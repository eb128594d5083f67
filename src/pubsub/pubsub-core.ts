import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Codec } from '../codec/codec.js'
import { ClosedError, InvalidArgumentError, type SwitchboardError } from '../errors.js'
import type { Instrumentation } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import type { StatsRecorder } from '../observe/stats-recorder.js'
import { NO_SPAN, runInSpan, type Tracer } from '../observe/tracer.js'
import { settlesWithin } from '../timers.js'
import { type ChannelName, nameText } from '../transport/channel-key.js'
import type { BrokerCommands, Payload, PublishReceipt, Transport } from '../transport/transport.js'
import { illFormedNameError, isWellFormedName } from '../transport/well-formed-name.js'
import { BusReporter } from './bus-reporter.js'
import { checkCodecOption, isChannelName } from './check-arguments.js'
import { checkPayloadSize, encodePayload } from './encode-payload.js'
import { MessageDispatcher } from './message-dispatcher.js'
import { brokerNames, Multiplexer } from './multiplexer.js'
import type { CloseHook, PubSubLink } from './pubsub-link.js'
import {
  type MessageHandler,
  type SubscribeOptions,
  Subscription,
  type SubscriptionHost,
} from './subscription.js'

/** The transport without the broker commands that are not pub/sub: pubsub/ never claims or lists. */
export type PubSubTransport = Omit<Transport, keyof BrokerCommands>

export interface PubSubConfig {
  codec: Codec
  logger: Logger
  /** Largest encoded message publish accepts, in bytes. */
  maxPayloadBytes: number
  /** How long close() waits for running handlers, in milliseconds. */
  closeTimeoutMs: number
  /** Subscription defaults. */
  bufferSize: number
  overflow: SubscribeOptions['overflow']
  /** Schemas by channel, checked on what arrives. */
  schemas: Record<string, StandardSchemaV1>
  /** The user's instrumentation, which the bus's recorder passes everything on to. */
  instrumentation: Instrumentation
}

/** Runs `handler` for each message inside a deliver span, which ends when the handler is done. */
function tracedHandler<T>(tracer: Tracer, handler: MessageHandler<T>): MessageHandler<T> {
  return (data, msg) => {
    const span = tracer.deliver(msg.channel, msg.pattern)
    // With no SDK and no incoming trace, no closure either: this runs for every message.
    return span === NO_SPAN ? handler(data, msg) : runInSpan(span, () => handler(data, msg))
  }
}

/**
 * The pub/sub of one transport, behind the public PubSubBus and handed as a PubSubLink to rpc/
 * and service/: publishing bytes (size limit, closed checks, counts), subscribing through the
 * Multiplexer, and the close sequence. The MessageDispatcher takes what arrives; the BusReporter
 * holds the events, the recorder every layer counts through, and the one error path.
 */
export class PubSubCore implements PubSubLink {
  readonly codec: Codec
  readonly logger: Logger
  readonly reporter: BusReporter
  /** Resolves when close() has finished; never rejects. */
  readonly closed: Promise<void>
  readonly #transport: PubSubTransport
  readonly #config: PubSubConfig
  readonly #recorder: StatsRecorder
  readonly #mux: Multiplexer<Subscription<unknown>>
  readonly #closeHooks = new Set<CloseHook>()
  #closing = false
  /** Set once the transport is closing: internal work (service replies) may run until then. */
  #shut = false
  #resolveClosed!: () => void

  constructor(transport: PubSubTransport, config: PubSubConfig) {
    this.#transport = transport
    this.#config = config
    this.codec = config.codec
    this.logger = config.logger
    this.reporter = new BusReporter(config.logger, transport.url, config.instrumentation)
    this.#recorder = this.reporter.recorder
    this.#mux = new Multiplexer(transport)
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
    transport.onMessage(new MessageDispatcher(this.#mux, this.reporter, config.maxPayloadBytes).dispatch)
    transport.onStatus((status) => this.reporter.status(status))
  }

  /** The bus's recorder: the layers above chain their own recorders to it. */
  get instrumentation(): Instrumentation {
    return this.#recorder
  }

  /** How long close() waits for in-flight work, in milliseconds. */
  get closeTimeoutMs(): number {
    return this.#config.closeTimeoutMs
  }

  /** The broker URL, with any password masked. */
  get url(): string {
    return this.#transport.url
  }

  /** True once close() has begun: no new subscriptions or services. */
  get isClosing(): boolean {
    return this.#closing
  }

  get isClosed(): boolean {
    return this.#shut
  }

  /** Connects the transport, once the sinks are in place. */
  start(): Promise<void> {
    return this.#transport.connect()
  }

  /** Encodes with the bus codec (or `codec`), enforcing maxPayloadBytes. */
  encode(data: unknown, codec: Codec = this.codec): Uint8Array {
    return this.checkSize(encodePayload(codec, data))
  }

  checkSize<P extends Payload>(payload: P): P {
    return checkPayloadSize(payload, this.#config.maxPayloadBytes)
  }

  /** Publishes to a channel given as text, or as bytes (counted under its text). */
  publishTo(channel: ChannelName, payload: Payload, receipt: PublishReceipt): void {
    if (this.#shut) {
      queueMicrotask(() => receipt.publishFailed(new ClosedError('bus')))
      return
    }
    // Every transport refuses such a name, before it could reach another channel.
    if (typeof channel === 'string' && !isWellFormedName(channel)) {
      queueMicrotask(() => receipt.publishFailed(illFormedNameError(channel)))
      return
    }
    this.#recorder.published(typeof channel === 'string' ? channel : nameText(channel), 1)
    this.#transport.publishTo(channel, payload, receipt)
  }

  /** Publishes encoded bytes to a channel, or the same bytes to several (receivers summed). */
  publish(channel: ChannelName | readonly ChannelName[], payload: Payload): Promise<number> {
    if (!Array.isArray(channel)) {
      const one = channel as ChannelName
      return new Promise((resolve, reject) =>
        this.publishTo(one, payload, { published: resolve, publishFailed: reject }),
      )
    }
    if (this.#shut) return Promise.reject(new ClosedError('bus'))
    if (channel.length === 0)
      return Promise.reject(new InvalidArgumentError('publish needs at least one channel'))
    return this.publishBatch(channel.map((name) => [name, payload] as const)).then((counts) =>
      counts.reduce((a, b) => a + b, 0),
    )
  }

  /** Many publishes in one round trip; resolves to each one's receivers, in order. */
  publishBatch(messages: ReadonlyArray<readonly [ChannelName, Payload]>): Promise<number[]> {
    if (this.#shut) return Promise.reject(new ClosedError('bus'))
    for (const [channel] of messages) {
      if (typeof channel === 'string' && !isWellFormedName(channel))
        return Promise.reject(illFormedNameError(channel))
    }
    for (const [channel] of messages) this.#recorder.published(nameText(channel), 1)
    return this.#transport.publishBatch(messages)
  }

  async subscribe<T>(
    names: readonly ChannelName[],
    handler: MessageHandler<T> | undefined,
    options: SubscribeOptions<T>,
    parent: Instrumentation = this.#recorder,
  ): Promise<Subscription<T>> {
    if (this.#closing) throw new ClosedError('bus')
    if (!Array.isArray(names) || names.length === 0 || !names.every(isChannelName)) {
      throw new InvalidArgumentError(
        'subscribe needs one or more non-empty channel names (strings, or Uint8Arrays of their ' +
          `bytes), got ${JSON.stringify(names)}`,
      )
    }
    // Names as text (a new array: the caller may reuse its own); the broker's keys are made from
    // the names below, before the caller gets control back.
    // Users' subscriptions count straight to the bus; RPC replies and service requests (which
    // count to their own recorders) have spans of their own, request and handle.
    const tracer = parent === this.#recorder ? this.#recorder.tracer : undefined
    const sub = new Subscription<T>(
      this.#host,
      names.map(nameText),
      checkCodecOption(options.codec) ?? this.codec,
      tracer && handler ? tracedHandler(tracer, handler) : handler,
      {
        bufferSize: this.#config.bufferSize,
        overflow: this.#config.overflow,
        ...options,
        // Channel schemas describe payloads in the bus codec; a subscription with its own codec
        // (service RPC envelopes, raw bytes) is not checked against them.
        channelSchemas: options.codec ? undefined : this.#config.schemas,
      },
      parent,
    )
    try {
      await this.#mux.add(sub as Subscription<unknown>, brokerNames(names, options.pattern ?? true))
    } catch (error) {
      await sub.unsubscribe().catch(() => {})
      throw error
    }
    return sub
  }

  /** PUBSUB NUMSUB: subscribers of each channel (one per connection, as Redis counts). */
  numsub(channels: readonly ChannelName[]): Promise<number[]> {
    if (this.#shut) return Promise.reject(new ClosedError('bus'))
    return this.#transport.numsub(channels)
  }

  reportError(error: SwitchboardError, via?: Instrumentation): void {
    this.reporter.report(error, via)
  }

  onClose(hook: CloseHook): () => void {
    this.#closeHooks.add(hook)
    return () => this.#closeHooks.delete(hook)
  }

  /**
   * Stops intake, runs the close hooks (services stop, callers wait for their pending requests)
   * and lets handlers finish, for at most closeTimeoutMs in all; then ends every subscription and
   * closes the transport.
   */
  async close(): Promise<void> {
    if (this.#closing) return this.closed
    this.#closing = true
    try {
      const drained = Promise.allSettled([...this.#closeHooks].map((hook) => hook())).then(() =>
        Promise.allSettled(this.#mux.live().map((sub) => sub.idle())),
      )
      await settlesWithin(drained, this.#config.closeTimeoutMs)
      for (const sub of this.#mux.close()) sub.end()
      this.#shut = true
      await this.#transport.close()
    } finally {
      this.#resolveClosed()
    }
  }

  readonly #host: SubscriptionHost = {
    release: (sub) => this.#mux.release(sub),
    reportError: (error, via) => this.reporter.report(error, via),
    reportOverflow: (info) => this.reporter.overflow(info),
    reportDiscarded: (names, count) => this.reporter.discarded(names, count),
  }
}
