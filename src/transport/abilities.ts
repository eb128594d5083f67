import { InvalidArgumentError } from '../errors.js'
import type { SubscriptionKind, Transport } from './transport.js'

/** What a transport that cannot subscribe by `kind` tells the caller to do instead. */
const ALTERNATIVES: Record<SubscriptionKind, string> = {
  channel: 'subscribe to shard channels instead',
  pattern:
    'subscribe to the exact channels instead (pass { pattern: false } for a literal name); Redis Cluster has no sharded patterns',
  shard: 'shard channels need Redis Cluster: connect with redis+cluster://',
}

/** Rejects a subscription kind the transport did not declare in its abilities. */
export function refuseUnsupportedKind(
  transport: Pick<Transport, 'url' | 'abilities'>,
  kind: SubscriptionKind,
): void {
  if (transport.abilities.kinds.has(kind)) return
  throw new InvalidArgumentError(`${transport.url} cannot subscribe by ${kind}: ${ALTERNATIVES[kind]}`)
}
