import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Codec, CodecName } from '../codec/codec.js'
import {
  BufferOverflowError,
  ConnectionError,
  InvalidArgumentError,
  SubscriberError,
  SwitchboardError,
} from '../errors.js'
import type { Instrumentation } from '../observe/instrumentation.js'
import { LOST_REASONS } from '../observe/instrumentation.js'
import { StatsRecorder } from '../observe/stats-recorder.js'
import { BoundedQueue } from '../queue/bounded-queue.js'
import type { OverflowPolicy } from '../queue/overflow-policy.js'
import { QueuedIterator } from '../queue/queued-iterator.js'
import type { Message } from './message.js'
import { withData } from './received-message.js'
import { validate } from './validate.js'

/** Called for each message. A returned promise is awaited before the next message is handed over. */
export type MessageHandler<T> = (data: T, msg: Message<T>) => unknown

/** Options of bus.subscribe(). */
export interface SubscribeOptions<T = unknown> {
  /**
   * Treat a name holding `*`, `?` or `[` as a Redis glob pattern. Set to `false` to subscribe to
   * such a name literally. @defaultValue true
   */
  pattern?: boolean
  /** Messages buffered per subscription (iterator, poll, or behind a busy handler). @defaultValue 10000 */
  bufferSize?: number
  /** What a full buffer does with one more message: drop-oldest, drop-newest or error. @defaultValue 'drop-oldest' */
  overflow?: OverflowPolicy
  /** Decode with this codec (a built-in name or your own) instead of the bus's. @defaultValue the bus codec */
  codec?: CodecName | Codec
  /** A Standard Schema every arriving payload must pass; failures are reported and dropped. */
  schema?: StandardSchemaV1<unknown, T>
  /** @internal The bus's schemas by channel, used where `schema` is not given. */
  channelSchemas?: Readonly<Record<string, StandardSchemaV1>>
}

export const SUBSCRIBE_DEFAULTS = { pattern: true, bufferSize: 10_000, overflow: 'drop-oldest' } as const

/** What a subscription needs from the bus that owns it. */
export interface SubscriptionHost {
  release(sub: Subscription<unknown>): Promise<void>
  /** The bus's one error path, counting through `via`: this subscription's recorder. */
  reportError(error: SwitchboardError, via: Instrumentation): void
  reportOverflow(info: OverflowInfo): void
  /** A handler's backlog was thrown away because the bus closed before it was handled. */
  reportDiscarded(names: readonly string[], count: number): void
}

/** What the 'overflow' event tells about one episode of a full buffer. */
export interface OverflowInfo {
  /** The names the subscription was made with. */
  readonly names: readonly string[]
  /** The channel of the message that did not fit. */
  readonly channel: string
  readonly policy: OverflowPolicy
  /** Messages this subscription has dropped so far. */
  readonly dropped: number
}

/** Counts since the subscription was made: a view of its own recorder, which the bus's totals include. */
export interface SubscriptionStats {
  /** Messages that reached it. */
  received: number
  /** Messages dropped because its buffer was full, or because it ended before a handler reached them. */
  dropped: number
  /** Handler calls (and schema checks) that threw. */
  handlerErrors: number
  /** Messages dropped because they failed the schema. */
  invalid: number
}

// Kept free of T, so that a Subscription<Order> is usable where a Subscription<unknown> is expected.
type Invoke = (msg: Message<unknown>) => unknown

/**
 * A subscription to channels and patterns. With a handler it calls it for each message, one at a
 * time and in order; without, it is an async iterator with a bounded buffer, and `poll()` takes
 * one message without waiting.
 */
export class Subscription<T = unknown> implements AsyncIterable<Message<T>> {
  /**
   * The channel and pattern names given to subscribe, as text: a name given as bytes reads as
   * their UTF-8 decoding (U+FFFD where they are not UTF-8).
   */
  readonly names: readonly string[]
  /** Resolves when the subscription has ended; never rejects. */
  readonly closed: Promise<void>
  /** @internal */ readonly codec: Codec
  readonly #host: SubscriptionHost
  /** What this subscription counts; it passes everything on to the bus's (or a service's) recorder. */
  readonly #recorder: StatsRecorder
  #handler: Invoke | undefined
  readonly #schema: StandardSchemaV1<unknown, T> | undefined
  readonly #channelSchemas: Readonly<Record<string, StandardSchemaV1>> | undefined
  /** The bounded buffer, read by the iterator and poll(), or a handler's backlog. */
  readonly #messages: QueuedIterator<Message<T>>
  #running: Promise<void> | undefined
  #validating: Promise<void> | undefined
  #overflowing = false
  #ended = false
  #releasing = false
  #resolveClosed!: () => void

  /** @internal Created by bus.subscribe(); `parent` is where its recorder passes counts on. */
  constructor(
    host: SubscriptionHost,
    names: readonly string[],
    codec: Codec,
    handler: MessageHandler<T> | undefined,
    options: SubscribeOptions<T>,
    parent: Instrumentation,
  ) {
    this.#host = host
    this.#recorder = new StatsRecorder(parent)
    this.names = names
    this.codec = codec
    this.#handler = handler && ((msg) => handler(msg.data as T, msg as Message<T>))
    this.#schema = options.schema
    const channelSchemas = options.channelSchemas
    this.#channelSchemas =
      channelSchemas && Object.keys(channelSchemas).length > 0 ? channelSchemas : undefined
    const size = options.bufferSize ?? SUBSCRIBE_DEFAULTS.bufferSize
    if (!Number.isInteger(size) || size < 1)
      throw new InvalidArgumentError(`bufferSize must be a positive integer, got ${size}`)
    const buffer = new BoundedQueue<Message<T>>(size, options.overflow ?? SUBSCRIBE_DEFAULTS.overflow)
    this.#messages = new QueuedIterator(buffer, 'a subscription', () => this.unsubscribe())
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
  }

  /** Messages waiting in the buffer. */
  get pending(): number {
    return this.#messages.queue.length
  }

  get isClosed(): boolean {
    return this.#ended
  }

  /** Counts since the subscription was made. */
  get stats(): SubscriptionStats {
    const recorder = this.#recorder
    return {
      received: recorder.deliveredCount,
      dropped: recorder.droppedCount(LOST_REASONS),
      handlerErrors: recorder.errorCount('SUBSCRIBER'),
      invalid: recorder.droppedCount('invalid'),
    }
  }

  /** @internal Counts a message that arrived for it larger than maxPayloadBytes, dropped unread. */
  dropOversize(): void {
    this.#recorder.dropped('oversize', 1)
  }

  /** @internal Hands over one message, decoded. Never throws. */
  deliver(msg: Message<T>): void {
    if (this.#ended) return
    this.#recorder.delivered(msg.channel, msg.pattern)
    const schema =
      this.#schema ?? (this.#channelSchemas?.[msg.channel] as StandardSchemaV1<unknown, T> | undefined)
    if (!schema && !this.#validating) {
      this.#accept(msg)
      return
    }
    // Behind an asynchronous validation, every later message waits its turn, so order holds.
    const pending = this.#validating
      ? this.#validating.then(() => this.#check(msg, schema))
      : this.#check(msg, schema)
    if (!pending) return
    this.#validating = pending
    void pending.then(() => {
      if (this.#validating === pending) this.#validating = undefined
    })
  }

  /** Validates and accepts a message; a promise only when the schema answered with one. */
  #check(msg: Message<T>, schema: StandardSchemaV1<unknown, T> | undefined): Promise<void> | undefined {
    if (!schema) {
      this.#accept(msg)
      return undefined
    }
    let result: T | SwitchboardError | Promise<T | SwitchboardError>
    try {
      result = validate(schema, msg.data, `message on "${msg.channel}"`)
    } catch (error) {
      result = new SubscriberError(msg.channel, error)
    }
    if (!(result instanceof Promise)) {
      this.#settle(msg, result)
      return undefined
    }
    return result.then(
      (value) => this.#settle(msg, value),
      (error: unknown) => this.#settle(msg, new SubscriberError(msg.channel, error)),
    )
  }

  #settle(msg: Message<T>, value: T | SwitchboardError): void {
    if (value instanceof SwitchboardError) {
      this.#recorder.dropped('invalid', 1)
      this.#host.reportError(value, this.#recorder)
      return
    }
    this.#accept(value === msg.data ? msg : withData(msg, value))
  }

  #accept(msg: Message<T>): void {
    const messages = this.#messages
    // With a handler nothing reads the iterator: an idle handler takes the message at once.
    if (this.#handler && !this.#running && messages.queue.length === 0) {
      this.#invoke(this.#handler, msg)
      return
    }
    // To the waiting reader, else into the buffer.
    const outcome = messages.push(msg)
    if (outcome === 'ok') {
      this.#overflowing = false
      return
    }
    // Each lost message is counted; the overflow is reported once per episode.
    this.#recorder.dropped('overflow', 1)
    if (outcome === 'dropped') {
      if (!this.#overflowing) {
        this.#overflowing = true
        this.#host.reportOverflow({
          names: this.names,
          channel: msg.channel,
          policy: messages.queue.policy,
          dropped: this.#recorder.droppedCount('overflow'),
        })
      }
      return
    }
    // What still arrives until the unsubscribe is confirmed is counted, but the failure, like any
    // overflow episode, is reported once.
    if (!messages.ended) this.#fail(new BufferOverflowError(msg.channel, messages.queue.capacity))
  }

  #invoke(handler: Invoke, msg: Message<T>): void {
    let result: unknown
    try {
      result = handler(msg)
    } catch (error) {
      this.#handlerFailed(msg, error)
      return
    }
    if (result instanceof Promise) {
      this.#running = result.then(
        () => this.#next(handler),
        (error: unknown) => {
          this.#handlerFailed(msg, error)
          this.#next(handler)
        },
      )
    }
  }

  #next(handler: Invoke): void {
    this.#running = undefined
    while (!this.#running && !this.#ended) {
      const msg = this.#messages.queue.shift()
      if (!msg) return
      this.#invoke(handler, msg)
    }
  }

  /**
   * @internal Turns a subscription made without a handler into one with: what is buffered is
   * handled first, in order, then each message as it arrives. For the Popoto Subscriber, which
   * subscribes when it is created and may later run in the background.
   */
  handleWith(handler: MessageHandler<T>): void {
    if (this.#handler) throw new InvalidArgumentError('this subscription already has a handler')
    if (this.#messages.reading)
      throw new InvalidArgumentError('a subscription being iterated cannot take a handler')
    const invoke: Invoke = (msg) => handler(msg.data as T, msg as Message<T>)
    this.#handler = invoke
    if (!this.#running) this.#next(invoke)
  }

  #handlerFailed(msg: Message<T>, error: unknown): void {
    const failure = error instanceof SubscriberError ? error : new SubscriberError(msg.channel, error)
    this.#host.reportError(failure, this.#recorder)
  }

  #fail(error: SwitchboardError): void {
    this.#messages.fail(error)
    this.#host.reportError(error, this.#recorder)
    this.unsubscribe().catch((cause: unknown) => {
      const failure = new ConnectionError('could not unsubscribe a failed subscription', { cause })
      this.#host.reportError(failure, this.#recorder)
    })
  }

  /** Takes one buffered message without waiting: a Message, or undefined when none is there. */
  async poll(): Promise<Message<T> | undefined> {
    if (this.#handler) throw new InvalidArgumentError('poll() is for subscriptions made without a handler')
    return this.#messages.poll()
  }

  /** Resolves when any message being handled has been handled (handler mode). */
  async idle(): Promise<void> {
    while (this.#running || this.#validating) await (this.#running ?? this.#validating)
  }

  /**
   * Unsubscribes. Messages keep arriving until the broker has confirmed, so nothing in flight to
   * a stopping consumer is dropped on the floor; then the subscription ends.
   */
  async unsubscribe(): Promise<void> {
    if (this.#releasing || this.#ended) return this.closed
    this.#releasing = true
    try {
      await this.#host.release(this as unknown as Subscription<unknown>)
      // What a handler had not got to yet was delivered: it is handled, not thrown away.
      await this.idle()
    } finally {
      this.end()
    }
  }

  /** Reads the buffer: leaving the loop early unsubscribes. One consumer at a time. */
  [Symbol.asyncIterator](): AsyncIterator<Message<T>> {
    if (!this.#handler) return this.#messages
    return {
      next: () =>
        Promise.reject(new InvalidArgumentError('a subscription with a handler cannot also be iterated')),
      return: () => this.#messages.return(),
    }
  }

  /** unsubscribe(), for `await using sub = await bus.subscribe(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.unsubscribe()
  }

  /** @internal Ends the subscription: buffered messages can still be read from an iterator. */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    const buffer = this.#messages.queue
    if (this.#handler && buffer.length > 0) {
      const discarded = buffer.length
      this.#recorder.dropped('closed', discarded)
      buffer.clear()
      this.#host.reportDiscarded(this.names, discarded)
    }
    this.#messages.end()
    this.#resolveClosed()
  }
}
