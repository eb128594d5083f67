import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Codec } from '../codec/codec.js'
import {
  ClosedError,
  EncodeError,
  InvalidArgumentError,
  MalformedMessageError,
  PayloadTooLargeError,
  SlowConsumerError,
  SwitchboardError,
} from '../errors.js'
import { isDebugEnabled, type Logger } from '../observe/logger.js'
import { settlesWithin } from '../timers.js'
import { isGlobPattern } from '../transport/glob.js'
import {
  type Payload,
  type PublishReceipt,
  payloadBytes,
  type Transport,
  type TransportStatus,
} from '../transport/transport.js'
import { Batch } from './batch.js'
import type { BusEvents, BusStats } from './bus-events.js'
import type { Message } from './message.js'
import {
  type MessageHandler,
  type OverflowInfo,
  type SubscribeOptions,
  Subscription,
} from './subscription.js'
import { SubscriptionRegistry } from './subscription-registry.js'
import { TypedEmitter } from './typed-emitter.js'

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

export interface PublishOptions {
  /** Encode with this codec instead of the bus's. @defaultValue the bus codec */
  codec?: Codec
}

export interface PubSubBusConfig {
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
}

type CloseHook = () => Promise<void>
type NameKind = 'channel' | 'pattern'

/**
 * Publishing and subscribing over one transport. Local subscriptions are multiplexed onto one
 * broker subscription per name; each message is decoded once per codec and handed to every
 * local subscription of its channel or pattern.
 */
export class PubSubBus<C extends ChannelMap = Record<string, unknown>> {
  readonly codec: Codec
  readonly logger: Logger
  /** Resolves when close() has finished; never rejects. */
  readonly closed: Promise<void>
  readonly #transport: Transport
  readonly #config: PubSubBusConfig
  readonly #registry = new SubscriptionRegistry<Subscription<unknown>>()
  /** Each live subscription, with the channels and patterns it holds. */
  readonly #subscriptions = new Map<Subscription<unknown>, Array<readonly [NameKind, string]>>()
  readonly #events: TypedEmitter<BusEvents>
  readonly #publishLog: Logger
  readonly #deliverLog: Logger
  readonly #debug: boolean
  readonly #closeHooks = new Set<CloseHook>()
  readonly #stats: BusStats = { published: 0, delivered: 0, malformed: 0, dropped: 0, handlerErrors: 0 }
  /** UNSUBSCRIBEs in flight by `kind:name`: a subscribe to the same name waits for them. */
  readonly #releasing = new Map<string, Promise<void>>()
  #closing = false
  /** Set once the transport is closing: internal work (service replies) may run until then. */
  #shut = false
  #resolveClosed!: () => void

  constructor(transport: Transport, config: PubSubBusConfig) {
    this.#transport = transport
    this.#config = config
    this.codec = config.codec
    this.logger = config.logger
    this.#publishLog = config.logger.child({ component: 'publisher' })
    this.#deliverLog = config.logger.child({ component: 'subscriber' })
    this.#debug = isDebugEnabled(config.logger)
    this.#events = new TypedEmitter<BusEvents>((error) =>
      this.logger.error({ err: error }, 'bus event listener threw'),
    )
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
    transport.onMessage(this.#dispatch)
    transport.onStatus(this.#onStatus)
  }

  /** This bus without its channel-map typing: any channel name, any payload. */
  get untyped(): PubSubBus {
    return this as unknown as PubSubBus
  }

  /** The broker URL, with any password masked. */
  get url(): string {
    return this.#transport.url
  }

  /** True once close() has begun: no new subscriptions or services. */
  get isClosing(): boolean {
    return this.#closing
  }

  /** True once close() has drained and is closing the connections: every call rejects. */
  get isClosed(): boolean {
    return this.#shut
  }

  /** @internal Connects the transport; connect() calls it. */
  async start(): Promise<void> {
    await this.#transport.connect()
  }

  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): this {
    this.#events.on(event, listener)
    return this
  }

  off<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): this {
    this.#events.off(event, listener)
    return this
  }

  once<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): this {
    this.#events.once(event, listener)
    return this
  }

  /** Counters since the bus was created. */
  stats(): Readonly<BusStats> {
    return { ...this.#stats }
  }

  /** @internal Encodes with the bus codec (or `codec`), enforcing maxPayloadBytes. */
  encode(data: unknown, codec: Codec = this.codec): Uint8Array {
    let bytes: Uint8Array
    try {
      bytes = codec.encode(data)
    } catch (error) {
      if (error instanceof SwitchboardError) throw error
      throw new EncodeError(codec.name, { cause: error })
    }
    return this.checkSize(bytes)
  }

  /** @internal Returns a payload encoded elsewhere (RPC envelopes), refusing it beyond maxPayloadBytes. */
  checkSize<P extends Payload>(payload: P): P {
    const size = payloadBytes(payload)
    if (size > this.#config.maxPayloadBytes)
      throw new PayloadTooLargeError(size, this.#config.maxPayloadBytes)
    return payload
  }

  /**
   * Publishes one message to a channel, or the same message to several; resolves to the number of
   * receivers (summed over the channels), as PUBLISH counts them.
   */
  publish<K extends keyof C & string>(
    channel: K | readonly K[],
    data: C[K],
    options?: PublishOptions,
  ): Promise<number> {
    let bytes: Uint8Array
    try {
      if (this.#shut) throw new ClosedError('bus')
      bytes = this.encode(data, options?.codec)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.publishBytes(channel, bytes)
  }

  /**
   * @internal Publishes encoded bytes to one channel; `receipt` hears how it went, on a later turn.
   * For RPC, which publishes once per request and response, without a promise each time.
   */
  publishBytesTo(channel: string, bytes: Payload, receipt: PublishReceipt): void {
    if (this.#shut) {
      queueMicrotask(() => receipt.publishFailed(new ClosedError('bus')))
      return
    }
    if (this.#debug) this.#publishLog.debug({ channel, bytes: payloadBytes(bytes) }, 'publish')
    this.#stats.published += 1
    this.#transport.publishTo(channel, bytes, receipt)
  }

  /** @internal Publishes bytes that are already encoded. */
  publishBytes(channel: string | readonly string[], bytes: Payload): Promise<number> {
    if (typeof channel === 'string') {
      return new Promise((resolve, reject) =>
        this.publishBytesTo(channel, bytes, { published: resolve, publishFailed: reject }),
      )
    }
    if (this.#shut) return Promise.reject(new ClosedError('bus'))
    if (this.#debug) this.#publishLog.debug({ channel, bytes: payloadBytes(bytes) }, 'publish')
    if (channel.length === 0)
      return Promise.reject(new InvalidArgumentError('publish needs at least one channel'))
    this.#stats.published += channel.length
    return this.#transport
      .publishBatch(channel.map((name) => [name, bytes] as const))
      .then((counts) => counts.reduce((a, b) => a + b, 0))
  }

  /** = publish: the Daebus name. */
  broadcast<K extends keyof C & string>(
    channel: K | readonly K[],
    data: C[K],
    options?: PublishOptions,
  ): Promise<number> {
    return this.publish(channel, data, options)
  }

  /** Starts a batch of publishes that exec() sends in one round trip. */
  batch(): Batch<C> {
    if (this.#shut) throw new ClosedError('bus')
    return new Batch<C>({
      encode: (data) => this.encode(data),
      publishBatch: (messages) => {
        if (this.#shut) return Promise.reject(new ClosedError('bus'))
        this.#stats.published += messages.length
        if (this.#debug)
          for (const [channel, bytes] of messages)
            this.#publishLog.debug({ channel, bytes: bytes.byteLength }, 'publish')
        return this.#transport.publishBatch(messages)
      },
    })
  }

  /**
   * Subscribes to channels and patterns. With a handler, it is called for every message; without
   * one, read the returned Subscription as an async iterator or with poll().
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
  async subscribe<T>(
    names: string | readonly string[],
    handlerOrOptions?: MessageHandler<T> | SubscribeOptions<T>,
    maybeOptions?: SubscribeOptions<T>,
  ): Promise<Subscription<T>> {
    if (this.#closing) throw new ClosedError('bus')
    const handler = typeof handlerOrOptions === 'function' ? handlerOrOptions : undefined
    const options = (typeof handlerOrOptions === 'object' ? handlerOrOptions : maybeOptions) ?? {}
    const list = typeof names === 'string' ? [names] : [...names]
    if (list.length === 0 || list.some((n) => typeof n !== 'string' || n.length === 0)) {
      throw new InvalidArgumentError(
        `subscribe needs one or more non-empty channel names, got ${JSON.stringify(names)}`,
      )
    }
    const sub = new Subscription<T>(this.#host, list, options.codec ?? this.codec, handler, {
      bufferSize: this.#config.bufferSize,
      overflow: this.#config.overflow,
      ...options,
      // Channel schemas describe payloads in the bus codec; a subscription with its own codec
      // (service RPC envelopes, raw bytes) is not checked against them.
      channelSchemas: options.codec ? undefined : this.#config.schemas,
    })
    const asPatterns = options.pattern ?? true
    const entries = list.map(
      (name) => [asPatterns && isGlobPattern(name) ? 'pattern' : 'channel', name] as const,
    )
    const first = entries.filter(([kind, name]) =>
      this.#registry.add(kind, name, sub as Subscription<unknown>),
    )
    this.#subscriptions.set(sub as Subscription<unknown>, entries)
    try {
      // A name being unsubscribed is subscribed again once that is done (see release): wait for
      // it, so that this subscription hears everything published after subscribe() resolves.
      const releasing = entries.map(([kind, name]) => this.#releasing.get(`${kind}:${name}`))
      if (releasing.some((p) => p !== undefined)) await Promise.all(releasing)
      await this.#brokerSubscribe(first, true)
    } catch (error) {
      await sub.unsubscribe().catch(() => {})
      throw error
    }
    return sub
  }

  /** PUBSUB NUMSUB: subscribers of a channel (one per connection, as Redis counts). */
  async numsub(channel: string): Promise<number>
  async numsub(channels: readonly string[]): Promise<number[]>
  async numsub(channel: string | readonly string[]): Promise<number | number[]> {
    if (this.#shut) throw new ClosedError('bus')
    if (typeof channel === 'string') return (await this.#transport.numsub([channel]))[0] ?? 0
    return this.#transport.numsub(channel)
  }

  /** @internal PUBSUB CHANNELS, for service discovery. */
  activeChannels(pattern: string): Promise<string[]> {
    if (this.#shut) return Promise.reject(new ClosedError('bus'))
    return this.#transport.channels(pattern)
  }

  /** @internal SET NX PX, for exactly-once claims. */
  claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.#shut) return Promise.reject(new ClosedError('bus'))
    return this.#transport.claim(key, ttlMs)
  }

  /**
   * @internal Registers work that close() runs before it closes subscriptions (services,
   * callers). Returns a function that unregisters it.
   */
  onClose(hook: CloseHook): () => void {
    this.#closeHooks.add(hook)
    return () => this.#closeHooks.delete(hook)
  }

  /** @internal Reports an error: to 'error' listeners, or only to the log when there is none. */
  reportError(error: SwitchboardError): void {
    if (error instanceof MalformedMessageError) this.#stats.malformed += 1
    if (!this.#events.emit('error', error)) this.logger.error({ err: error, code: error.code }, error.message)
  }

  /**
   * Stops intake (no new subscriptions; services on the bus stop taking requests), lets in-flight
   * work finish — handlers, service requests, pending calls, and the publishes and requests they
   * make meanwhile — for at most closeTimeoutMs in all, ends every subscription and closes the
   * connections. Calls after that reject with ClosedError.
   */
  async close(): Promise<void> {
    if (this.#closing) return this.closed
    this.#closing = true
    try {
      const drained = Promise.allSettled([...this.#closeHooks].map((hook) => hook())).then(() =>
        Promise.allSettled([...this.#subscriptions.keys()].map((sub) => sub.idle())),
      )
      await settlesWithin(drained, this.#config.closeTimeoutMs)
      for (const sub of this.#subscriptions.keys()) sub.end()
      this.#subscriptions.clear()
      this.#shut = true
      await this.#transport.close()
    } finally {
      this.#resolveClosed()
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** SUBSCRIBE / PSUBSCRIBE (or the UN- forms) for names, split by kind. */
  async #brokerSubscribe(entries: ReadonlyArray<readonly [NameKind, string]>, on: boolean): Promise<void> {
    const byKind = new Map<NameKind, string[]>()
    for (const [kind, name] of entries) {
      const names = byKind.get(kind)
      if (names) names.push(name)
      else byKind.set(kind, [name])
    }
    const t = this.#transport
    await Promise.all(
      [...byKind].map(([kind, names]) => (on ? t.subscribe(kind, names) : t.unsubscribe(kind, names))),
    )
  }

  async #release(
    s: Subscription<unknown>,
    entries: ReadonlyArray<readonly [NameKind, string]>,
    last: ReadonlyArray<readonly [NameKind, string]>,
  ): Promise<void> {
    try {
      await this.#brokerSubscribe(last, false)
    } finally {
      for (const [kind, name] of entries) this.#registry.remove(kind, name, s)
    }
    // Someone subscribed to one of these names while the UNSUBSCRIBE was in flight.
    const again = last.filter(([kind, name]) => this.#registry.has(kind, name))
    if (again.length > 0 && !this.#shut) await this.#brokerSubscribe(again, true)
  }

  readonly #host = {
    release: async (s: Subscription<unknown>): Promise<void> => {
      const entries = this.#subscriptions.get(s)
      if (!entries) return
      this.#subscriptions.delete(s)
      // The subscription stays routed until the broker confirms, so nothing in flight is lost.
      const last = entries.filter(([kind, name]) => this.#registry.isOnly(kind, name, s))
      if (last.length === 0 || this.#shut) {
        for (const [kind, name] of entries) this.#registry.remove(kind, name, s)
        return
      }
      const released = this.#release(s, entries, last)
      const keys = last.map(([kind, name]) => `${kind}:${name}`)
      const settled = released.catch(() => {})
      for (const key of keys) this.#releasing.set(key, settled)
      try {
        await released
      } finally {
        for (const key of keys) if (this.#releasing.get(key) === settled) this.#releasing.delete(key)
      }
    },
    reportError: (error: SwitchboardError): void => {
      if (error.code === 'SUBSCRIBER') this.#stats.handlerErrors += 1
      this.reportError(error)
    },
    reportDiscarded: (names: readonly string[], count: number): void => {
      this.#stats.dropped += count
      this.logger.warn(
        { names, count },
        `discarded ${count} messages a handler had not reached when the bus closed`,
      )
    },
    reportOverflow: (info: OverflowInfo): void => {
      this.#stats.dropped += 1
      if (!this.#events.emit('overflow', info)) {
        this.logger.warn({ ...info }, `subscription buffer full: dropping messages (${info.policy})`)
      }
    },
  }

  readonly #dispatch = (channel: string, raw: Uint8Array, pattern: string | undefined): void => {
    const targets = this.#registry.targets(channel, pattern)
    if (!targets) return
    let codec: Codec | undefined
    let msg: Message<unknown> | undefined
    // Subscribers with other codecs than the first are rare: their decodes are kept here, so
    // that each codec decodes a message once however the subscribers are ordered.
    let others: Map<Codec, Message<unknown> | undefined> | undefined
    for (const sub of targets) {
      if (codec === undefined) {
        codec = sub.codec
        msg = this.#decode(codec, channel, raw, pattern)
      }
      let delivered = msg
      if (sub.codec !== codec) {
        others ??= new Map()
        if (!others.has(sub.codec)) others.set(sub.codec, this.#decode(sub.codec, channel, raw, pattern))
        delivered = others.get(sub.codec)
      }
      if (!delivered) continue
      this.#stats.delivered += 1
      if (this.#debug) this.#deliverLog.debug({ channel, pattern, bytes: raw.byteLength }, 'deliver')
      sub.deliver(delivered)
    }
  }

  #decode(
    codec: Codec,
    channel: string,
    raw: Uint8Array,
    pattern: string | undefined,
  ): Message<unknown> | undefined {
    let data: unknown
    try {
      data = codec.decode(raw)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      const malformed = new MalformedMessageError(
        `dropped a message on "${channel}" that the ${codec.name} codec cannot decode: ${reason}`,
        { channel, bytes: raw, cause: error },
      )
      this.logger.warn({ channel, codec: codec.name, bytes: raw.byteLength }, malformed.message)
      this.#stats.malformed += 1
      this.#events.emit('error', malformed)
      return undefined
    }
    return pattern === undefined ? { channel, data, raw } : { channel, pattern, data, raw }
  }

  readonly #onStatus = (status: TransportStatus): void => {
    switch (status.type) {
      case 'connected':
        // The first connect happens inside connect(): a turn later, listeners attached just after
        // `await connect()` hear it.
        setImmediate(() => this.#events.emit('connected'))
        break
      case 'disconnected':
        this.logger.warn({ url: this.url, err: status.error }, 'disconnected from the broker')
        this.#events.emit('disconnected', status.error)
        break
      case 'reconnected':
        this.logger.info({ url: this.url }, 'reconnected to the broker')
        this.#events.emit('reconnected')
        break
      case 'error': {
        const error =
          status.error instanceof SwitchboardError
            ? status.error
            : new SwitchboardError('CONNECTION', status.error.message, { cause: status.error })
        if (error instanceof SlowConsumerError) this.#events.emit('slow-consumer', error)
        this.reportError(error)
        break
      }
    }
  }
}
