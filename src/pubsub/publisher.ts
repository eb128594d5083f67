import { InvalidArgumentError } from '../errors.js'
import type { Batch } from './batch.js'
import { type AnyBus, type PubSubBus, untypedBus } from './pubsub-bus.js'

/** What a Publisher is made with. */
export interface PublisherOptions {
  /** The bus to publish on. */
  bus: AnyBus
  /** The channel to publish to. @defaultValue the subclass name, as in Popoto */
  channelName?: string
}

/** Options of one Publisher.publish() call. */
export interface PublishCallOptions {
  /** Publish this one call to another channel; later calls still use `channelName`. */
  channelName?: string
}

/**
 * Popoto-style publisher: subclass it, and the class name is the channel.
 *
 * ```ts
 * class OrderStatusPublisher extends Publisher<Order> {}
 * await new OrderStatusPublisher({ bus }).publish(order)
 * ```
 */
export class Publisher<T = unknown> {
  readonly bus: PubSubBus
  readonly channelName: string

  constructor(options: PublisherOptions) {
    if (!options?.bus) throw new InvalidArgumentError('Publisher needs { bus }: pass the bus from connect()')
    this.bus = untypedBus(options.bus)
    this.channelName = options.channelName ?? new.target.name
  }

  /**
   * Queues the message in `batch` (to the per-call channel if given) and returns the batch. The
   * batch may come from a typed bus: a Publisher names its channel at run time, so the batch's
   * channel map does not constrain it.
   */
  publish<C extends object>(data: T, options: PublishCallOptions & { batch: Batch<C> }): Batch<C>
  /** Publishes the message; resolves to the number of receivers. */
  publish(data: T, options?: PublishCallOptions): Promise<number>
  publish(
    data: T,
    options?: PublishCallOptions & { batch?: Batch<object> },
  ): Promise<number> | Batch<object> {
    const channel = options?.channelName ?? this.channelName
    const batch = options?.batch
    if (batch) {
      ;(batch as unknown as Batch).publish(channel, data)
      return batch
    }
    return this.bus.publish(channel, data)
  }
}
