import type { Codec, CodecName } from '../codec/codec.js'
import { ClosedError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import { NO_SPAN, runInSpan } from '../observe/tracer.js'
import { type ChannelName, nameText } from '../transport/channel-key.js'
import { Batch } from './batch.js'
import type { BusEvents, BusStats } from './bus-events.js'
import type { ByteNames } from './byte-names.js'
import {
  checkCodecOption,
  checkHandlerOrOptions,
  checkOptions,
  checkPublishChannels,
} from './check-arguments.js'
import type { PubSubCore } from './pubsub-core.js'
import type { MessageHandler, SubscribeOptions, Subscription } from './subscription.js'

/** A map from channel name to payload type, for typed buses: `connect<Channels>()`. */
export type ChannelMap = object
/** A subscription name with a glob character: its payload may be that of any channel. */
export type PatternName = `${string}${'*' | '?' | '['}${string}`

/**
 * Any bus, whatever its channel map: what Publisher, Subscriber and Service accept. Structural on
 * `untyped` alone, because a bus typed with one channel map is not assignable to another's.
 */
export interface AnyBus {
  readonly untyped: PubSubBus
}

/** The untyped view of a bus, for library code that publishes to names it computes. */
export function untypedBus(bus: AnyBus): PubSubBus {
  return bus.untyped
}

/** Options of one publish(). */
export interface PublishOptions {
  /** Encode with this codec (a built-in name or your own) instead of the bus's. @defaultValue the bus codec */
  codec?: CodecName | Codec
}

/**
 * Publishing and subscribing, typed by channel map. This class is the public API only: it checks
 * and shapes arguments, and hands the work to the bus's PubSubCore (publishing, multiplexing,
 * dispatch, closing), which rpc/ and service/ reach through the narrow PubSubLink instead.
 */
export class PubSubBus<C extends ChannelMap = Record<string, unknown>> {
  readonly codec: Codec
  readonly logger: Logger
  /** Resolves when close() has finished; never rejects. */
  readonly closed: Promise<void>
  readonly #core: PubSubCore

  /** @internal Made by connect(). */
  constructor(core: PubSubCore) {
    this.#core = core
    this.codec = core.codec
    this.logger = core.logger
    this.closed = core.closed
  }

  /** This bus without its channel-map typing: any channel name, any payload. */
  get untyped(): PubSubBus {
    return this as unknown as PubSubBus
  }

  /** The broker URL, with any password masked. */
  get url(): string {
    return this.#core.url
  }

  /** True once close() has begun: no new subscriptions or services. */
  get isClosing(): boolean {
    return this.#core.isClosing
  }

  /** True once close() has drained and is closing the connections: every call rejects. */
  get isClosed(): boolean {
    return this.#core.isClosed
  }

  /** Listens to a bus event: 'error', 'connected', 'disconnected', 'reconnected', 'overflow'… */
  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): this {
    this.#core.reporter.on(event, listener)
    return this
  }

  /** Removes a listener added with on() or once(). */
  off<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): this {
    this.#core.reporter.off(event, listener)
    return this
  }

  /** Listens to the next occurrence of a bus event only. */
  once<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): this {
    this.#core.reporter.once(event, listener)
    return this
  }

  /** Counters since the bus was created. */
  stats(): Readonly<BusStats> {
    return this.#core.reporter.stats()
  }

  /**
   * Publishes one message to a channel, or the same message to several; resolves to the number of
   * receivers (summed over the channels), as PUBLISH counts them. A channel given as bytes
   * (`msg.channelBytes`) is that exact channel, whether or not its name is UTF-8.
   */
  publish<K extends keyof C & string>(
    channel: K | readonly K[],
    data: C[K],
    options?: PublishOptions,
  ): Promise<number>
  publish(channel: ByteNames<C>, data: C[keyof C], options?: PublishOptions): Promise<number>
  publish(
    channel: ChannelName | readonly ChannelName[],
    data: unknown,
    options?: PublishOptions,
  ): Promise<number> {
    let bytes: Uint8Array
    let target: ChannelName | readonly ChannelName[]
    try {
      if (this.#core.isClosed) throw new ClosedError('bus')
      target = checkPublishChannels(channel)
      const codec = checkCodecOption(checkOptions<PublishOptions>(options, 'publish')?.codec)
      bytes = this.#core.encode(data, codec)
    } catch (error) {
      return Promise.reject(error)
    }
    const span = this.#core.instrumentation.tracer?.publish(
      typeof target === 'string' || target instanceof Uint8Array
        ? nameText(target)
        : target.map(nameText).join(','),
    )
    if (span === undefined || span === NO_SPAN) return this.#core.publish(target, bytes)
    return runInSpan(span, () => this.#core.publish(target, bytes))
  }

  /** = publish: the Daebus name. */
  broadcast<K extends keyof C & string>(
    channel: K | readonly K[],
    data: C[K],
    options?: PublishOptions,
  ): Promise<number>
  broadcast(channel: ByteNames<C>, data: C[keyof C], options?: PublishOptions): Promise<number>
  broadcast(
    channel: ChannelName | readonly ChannelName[],
    data: unknown,
    options?: PublishOptions,
  ): Promise<number> {
    return this.untyped.publish(channel as ByteNames<ChannelMap>, data, options)
  }

  /** Starts a batch of publishes that exec() sends in one round trip. */
  batch(): Batch<C> {
    if (this.#core.isClosed) throw new ClosedError('bus')
    const core = this.#core
    return new Batch<C>({
      encode: (data) => core.encode(data),
      publishBatch: (messages) => core.publishBatch(messages),
    })
  }

  /**
   * Subscribes to channels and patterns. With a handler, it is called for every message; without
   * one, read the returned Subscription as an async iterator or with poll(). A name given as
   * bytes (a Uint8Array) is exactly those bytes, UTF-8 or not; it is a pattern when it holds a
   * glob character, as text is.
   */
  subscribe<K extends keyof C & string>(
    names: K | readonly K[],
    handler?: MessageHandler<C[K]>,
    options?: SubscribeOptions<C[K]>,
  ): Promise<Subscription<C[K]>>
  subscribe(
    names: PatternName | readonly PatternName[],
    handler?: MessageHandler<C[keyof C]>,
    options?: SubscribeOptions<C[keyof C]>,
  ): Promise<Subscription<C[keyof C]>>
  subscribe<K extends keyof C & string>(
    names: K | readonly K[],
    options: SubscribeOptions<C[K]>,
  ): Promise<Subscription<C[K]>>
  subscribe(
    names: ByteNames<C>,
    handler?: MessageHandler<C[keyof C]>,
    options?: SubscribeOptions<C[keyof C]>,
  ): Promise<Subscription<C[keyof C]>>
  subscribe(names: ByteNames<C>, options: SubscribeOptions<C[keyof C]>): Promise<Subscription<C[keyof C]>>
  subscribe<T>(
    names: ChannelName | readonly ChannelName[],
    handlerOrOptions?: MessageHandler<T> | SubscribeOptions<T>,
    maybeOptions?: SubscribeOptions<T>,
  ): Promise<Subscription<T>> {
    let handler: MessageHandler<T> | undefined
    let options: SubscribeOptions<T>
    try {
      const given = checkHandlerOrOptions<MessageHandler<T>, SubscribeOptions<T>>(handlerOrOptions)
      handler = given.handler
      options = given.options ?? checkOptions<SubscribeOptions<T>>(maybeOptions, 'subscribe') ?? {}
    } catch (error) {
      return Promise.reject(error)
    }
    const list = typeof names === 'string' || names instanceof Uint8Array ? [names] : names
    return this.#core.subscribe(list, handler, options)
  }

  /** PUBSUB NUMSUB: subscribers of a channel (one per connection, as Redis counts); text or bytes. */
  async numsub(channel: ChannelName): Promise<number>
  async numsub(channels: readonly ChannelName[]): Promise<number[]>
  async numsub(channel: ChannelName | readonly ChannelName[]): Promise<number | number[]> {
    if (typeof channel === 'string' || channel instanceof Uint8Array) {
      return (await this.#core.numsub([channel]))[0] ?? 0
    }
    return this.#core.numsub(channel)
  }

  /**
   * Stops intake (no new subscriptions; services on the bus stop taking requests), lets in-flight
   * work finish — handlers, service requests, pending calls, and the publishes and requests they
   * make meanwhile — for at most closeTimeoutMs in all, ends every subscription and closes the
   * connections. Calls after that reject with ClosedError.
   */
  close(): Promise<void> {
    return this.#core.close()
  }

  /** close(), for `await using bus = await connect()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
