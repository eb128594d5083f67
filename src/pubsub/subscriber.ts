import { InvalidArgumentError, SubscriberError } from '../errors.js'
import type { Message } from './message.js'
import { type AnyBus, type PubSubBus, untypedBus } from './pubsub-bus.js'
import type { SubscribeOptions, Subscription } from './subscription.js'

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
 */
export abstract class Subscriber<T = unknown> {
  static channels: readonly string[] | undefined
  readonly bus: PubSubBus
  readonly channels: readonly string[]
  readonly #options: SubscriberOptions['subscription']
  #polling: Promise<Subscription<T>> | undefined
  #background: Promise<Subscription<T>> | undefined

  constructor(options: SubscriberOptions) {
    if (!options?.bus) throw new InvalidArgumentError('Subscriber needs { bus }: pass the bus from connect()')
    this.bus = untypedBus(options.bus)
    const declared = (new.target as unknown as { channels?: readonly string[] }).channels
    this.channels = options.channels ?? declared ?? [new.target.name]
    this.#options = options.subscription
  }

  /** Runs before handle(); throwing skips handle(). Optional. */
  preHandle?(channel: string, data: T, msg: Message<T>): unknown

  abstract handle(channel: string, data: T, msg: Message<T>): unknown

  async #run(msg: Message<T>): Promise<void> {
    try {
      if (this.preHandle) await this.preHandle(msg.channel, msg.data, msg)
      await this.handle(msg.channel, msg.data, msg)
    } catch (error) {
      throw new SubscriberError(msg.channel, error)
    }
  }

  /**
   * Subscribes now, so that messages published from here on wait for poll(). poll() calls it
   * itself the first time.
   */
  subscribe(): Promise<Subscription<T>> {
    this.#polling ??= this.bus.subscribe(this.channels, this.#options ?? {}) as Promise<Subscription<T>>
    return this.#polling
  }

  /**
   * Handles one waiting message at most: true if one was handled. A handler error is thrown as
   * SubscriberError with `cause`; a malformed message is logged and dropped by the bus.
   */
  async poll(): Promise<boolean> {
    const sub = await this.subscribe()
    const msg = await sub.poll()
    if (!msg) return false
    await this.#run(msg)
    return true
  }

  /** Background mode: handles every message as it arrives until stop(). */
  async start(): Promise<void> {
    this.#background ??= this.bus.subscribe(
      this.channels,
      (_data: unknown, msg: Message<unknown>) => this.#run(msg as Message<T>),
      this.#options ?? {},
    ) as Promise<Subscription<T>>
    await this.#background
  }

  /** Stops background mode (after the message being handled) and any polling subscription. */
  async stop(): Promise<void> {
    const background = this.#background
    this.#background = undefined
    if (background) await (await background).unsubscribe()
    const polling = this.#polling
    this.#polling = undefined
    if (polling) await (await polling).unsubscribe()
  }
}
