import type { ConnectionError } from '../../errors.js'
import type { ChannelName } from '../channel-key.js'
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
 * per tick per shard). The caller's receipt goes to the link as it is: every publish takes this
 * path, and a receipt of our own around it made it cost a quarter more. A MOVED answer comes back
 * through redirectRefused() instead.
 */
export function routePublish(
  routing: PublishRouting,
  channel: string,
  payload: Payload,
  receipt: PublishReceipt,
): void {
  const shard = routing.shardFor(channel)
  if (shard instanceof Error) {
    queueMicrotask(() => receipt.publishFailed(shard))
    return
  }
  if (!shard.isOpen) {
    shard.opened.then(
      () => routePublish(routing, channel, payload, receipt),
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
  publisher.publish(channel, payload, receipt)
}

/**
 * A publish that `from` refused: when the answer is MOVED (its slot moved), the slot map learns
 * the new owner and the publish goes there, up to MAX_REDIRECTS times; true then. False for any
 * other refusal, which its receipt is then told.
 */
export function redirectRefused(
  routing: PublishRouting,
  from: ShardNode,
  error: Error,
  channel: ChannelName,
  payload: Payload,
  receipt: PublishReceipt,
): boolean {
  const redirects = receipt instanceof Redirected ? receipt.redirects : 0
  if (typeof channel !== 'string' || redirects >= MAX_REDIRECTS || !routing.followMoved(error, from))
    return false
  const original = receipt instanceof Redirected ? receipt.original : receipt
  routePublish(routing, channel, payload, new Redirected(original, redirects + 1))
  return true
}

/** The receipt of a publish sent again after MOVED, counting how often; only such a publish has one. */
class Redirected implements PublishReceipt {
  constructor(
    readonly original: PublishReceipt,
    readonly redirects: number,
  ) {}

  published(receivers: number): void {
    this.original.published(receivers)
  }

  publishFailed(error: unknown): void {
    this.original.publishFailed(error)
  }
}
