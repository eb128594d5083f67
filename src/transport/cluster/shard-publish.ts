import type { ConnectionError } from '../../errors.js'
import { LINKS } from '../redis/link-monitor.js'
import type { Payload, PublishReceipt } from '../transport.js'
import { MAX_REDIRECTS } from './redirect.js'
import type { Shard } from './shard-set.js'
import type { ShardNode } from './slot-map.js'

/** What routing a publish needs from the cluster transport. */
export interface PublishRouting {
  /** The shard serving the channel's slot, or why none can be used now. */
  shardFor(channel: string): Shard | Error
  /** True when `error` is a MOVED answer, which the slot map has now learnt. */
  followMoved(error: unknown, from: ShardNode): boolean
  wrap(error: unknown, what: string): ConnectionError
}

/**
 * SPUBLISH on the shard serving the channel's slot, through that shard's publish link (one write
 * per tick per shard); a MOVED answer sends it again to the slot's new owner.
 */
export function routePublish(
  routing: PublishRouting,
  channel: string,
  payload: Payload,
  receipt: PublishReceipt,
  redirects = 0,
): void {
  const shard = routing.shardFor(channel)
  if (shard instanceof Error) {
    queueMicrotask(() => receipt.publishFailed(shard))
    return
  }
  if (!shard.isOpen) {
    shard.opened.then(
      () => routePublish(routing, channel, payload, receipt, redirects),
      (error: unknown) => receipt.publishFailed(routing.wrap(error, `SPUBLISH to "${channel}"`)),
    )
    return
  }
  const publisher = shard.links.publisher
  if (!publisher) {
    const error = shard.links.refusal(`SPUBLISH to "${channel}"`, LINKS.publisher)
    queueMicrotask(() => receipt.publishFailed(error))
    return
  }
  publisher.publish(
    channel,
    payload,
    new ShardReceipt(routing, channel, payload, receipt, shard.node, redirects),
  )
}

/**
 * The receipt a shard's publish link reports to: one object per publish, where closures would
 * make three (every publish takes this path).
 */
class ShardReceipt implements PublishReceipt {
  readonly #routing: PublishRouting
  readonly #channel: string
  readonly #payload: Payload
  readonly #receipt: PublishReceipt
  readonly #node: ShardNode
  readonly #redirects: number

  constructor(
    routing: PublishRouting,
    channel: string,
    payload: Payload,
    receipt: PublishReceipt,
    node: ShardNode,
    redirects: number,
  ) {
    this.#routing = routing
    this.#channel = channel
    this.#payload = payload
    this.#receipt = receipt
    this.#node = node
    this.#redirects = redirects
  }

  published(receivers: number): void {
    this.#receipt.published(receivers)
  }

  publishFailed(error: unknown): void {
    const moved = this.#redirects < MAX_REDIRECTS && this.#routing.followMoved(error, this.#node)
    if (moved) routePublish(this.#routing, this.#channel, this.#payload, this.#receipt, this.#redirects + 1)
    else this.#receipt.publishFailed(error)
  }
}
