import { InvalidArgumentError, SubscriberError } from '../errors.js'
import type { Message } from './message.js'
import { type AnyBus, type PubSubBus, untypedBus } from './pubsub-bus.js'
import type { SubscribeOptions, Subscription } from './subscription.js'

/** What a Subscriber is made with. */
export interface SubscriberOptions {
  /** The bus to subscribe on. */
  bus: AnyBus
  /** Channels and patterns. @defaultValue the subclass's `static channels`, else its class name */
  channels?: readonly string[]
  /** Buffer size, overflow policy and codec of the underlying subscription. */
  subscription?: Omit<SubscribeOptions<never>, 'schema'>
}

/**
 * Popoto-style subscriber: subclass it, list `static channels`, implement `handle`. Read with
 * `poll()` (one message at a time) or run in the background with `start()`.
 *
 * Handlers see messages one at a time, in order. In background mode a handler error goes to the
 * bus's 'error' event as SubscriberError and the next message is handled.
 *
 * TypeScript gives an overriding method no parameter types from its base class, so name them
 * (under `strict`, unnamed ones are an implicit `any`):
 *
 * ```ts
 * class Orders extends Subscriber<Order> {
 *   static channels = ['order_updates', 'order:*']
 *   preHandle(channel: string, order: Order) {}   // optional; throwing skips handle()
 *   handle(channel: string, order: Order, msg: Message<Order>) {}
 * }
 * const orders = new Orders({ bus })
 * await orders.poll()
 * ```
 */
export abstract class Subscriber<T = unknown> {
  static channels: readonly string[] | undefined
  readonly bus: PubSubBus
  readonly channels: readonly string[]
  readonly #options: SubscriberOptions['subscription']
  #subscription: Promise<Subscription<T>> | undefined
  #background = false

  /**
   * Subscribes at once, as Popoto's constructor does: what is published from here on waits for
   * poll() or start(). Await `ready` before publishing what it must hear.
   */
  constructor(options: SubscriberOptions) {
    if (!options?.bus) throw new InvalidArgumentError('Subscriber needs { bus }: pass the bus from connect()')
    this.bus = untypedBus(options.bus)
    const declared = (new.target as unknown as { channels?: readonly string[] }).channels
    this.channels = options.channels ?? declared ?? [new.target.name]
    this.#options = options.subscription
    this.#subscription = this.#subscribe()
    // A failure is told to whoever awaits ready, poll() or start(); not an unhandled rejection.
    this.#subscription.catch(() => {})
  }

  /** Resolves once the subscription is confirmed; rejects if it failed (then poll() retries). */
  get ready(): Promise<void> {
    return this.subscribe().then(() => undefined)
  }

  /** Runs before handle(); throwing skips handle(). Optional. */
  preHandle?(channel: string, data: T, msg: Message<T>): unknown

  /** Handles one message; a returned promise is awaited before the next one. */
  abstract handle(channel: string, data: T, msg: Message<T>): unknown

  async #run(msg: Message<T>): Promise<void> {
    try {
      if (this.preHandle) await this.preHandle(msg.channel, msg.data, msg)
      await this.handle(msg.channel, msg.data, msg)
    } catch (error) {
      throw new SubscriberError(msg.channel, error)
    }
  }

  #subscribe(): Promise<Subscription<T>> {
    return this.bus.subscribe(this.channels, this.#options ?? {}) as Promise<Subscription<T>>
  }

  /**
   * The subscription messages wait in: made by the constructor, or again after stop() or a
   * failed subscribe.
   */
  subscribe(): Promise<Subscription<T>> {
    const current = this.#subscription
    if (current) {
      return current.catch((error: unknown) => {
        if (this.#subscription === current) this.#subscription = undefined
        throw error
      })
    }
    this.#subscription = this.#subscribe()
    return this.#subscription
  }

  /**
   * Handles one waiting message at most: true if one was handled. A handler error is thrown as
   * SubscriberError with `cause`; a malformed message is logged and dropped by the bus.
   */
  async poll(): Promise<boolean> {
    if (this.#background) throw new InvalidArgumentError('poll() is for a Subscriber that was not start()ed')
    const sub = await this.subscribe()
    const msg = await sub.poll()
    if (!msg) return false
    await this.#run(msg)
    return true
  }

  /**
   * Background mode: handles what waited since the Subscriber was created, then every message as
   * it arrives, until stop(). A handler error goes to the bus's 'error' event as SubscriberError.
   */
  async start(): Promise<void> {
    const sub = await this.subscribe()
    if (this.#background) return
    this.#background = true
    sub.handleWith((_data, msg) => this.#run(msg))
  }

  /** Stops background mode (after the message being handled) and polling: unsubscribes. */
  async stop(): Promise<void> {
    const subscription = this.#subscription
    this.#subscription = undefined
    this.#background = false
    if (subscription) await (await subscription.catch(() => undefined))?.unsubscribe()
  }
}
