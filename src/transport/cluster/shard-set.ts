import type { RefusedPublish } from '../redis/publish-connection.js'
import type { ResolvedRedisTransportOptions } from '../redis/redis-transport-options.js'
import type { PushSink } from '../redis/resp-reader.js'
import { ServerLinks } from '../redis/server-links.js'
import type { TransportStatus } from '../transport.js'
import type { ClusterUrl } from '../url.js'
import { nodeTarget } from './cluster-topology.js'
import type { ShardNode } from './slot-map.js'

/** The links to one primary, and whether they are open yet. */
export interface Shard {
  readonly node: ShardNode
  readonly links: ServerLinks
  /** Settles once the links are open; rejects when they could not be opened. */
  readonly opened: Promise<void>
  isOpen: boolean
}

export interface ShardSetSpec {
  cluster: ClusterUrl
  url: string
  options: ResolvedRedisTransportOptions
  onMessage: PushSink
  onStatus: (shard: ShardNode, status: TransportStatus) => void
  /** A shard's server ended a subscription of its own accord: its slot moved. */
  onServerUnsubscribed: (shard: ShardNode, name: string) => void
  /** A shard refused a publish: true when it was sent elsewhere (MOVED); see RefusedPublish. */
  onPublishRefused: (shard: ShardNode, ...refused: Parameters<RefusedPublish>) => boolean
  /** Opening a shard's links failed after connect(). */
  onOpenFailed: (shard: ShardNode, error: unknown) => void
}

/**
 * One ServerLinks per primary, made on first use: the command link, the publish link (SPUBLISH,
 * one write per tick for that shard), and the subscriber link of shard channels. A shard is
 * retired when its node no longer serves any slot (a failover, a node removed).
 */
export class ShardSet {
  readonly #spec: ShardSetSpec
  readonly #shards = new Map<string, Shard>()

  constructor(spec: ShardSetSpec) {
    this.#spec = spec
  }

  /** The shard of `node`, made and opening if it was not there. */
  of(node: ShardNode): Shard {
    const known = this.#shards.get(node.id)
    if (known) return known
    const spec = this.#spec
    const links = new ServerLinks({
      owner: 'ClusterTransport',
      url: `${spec.url} (node ${node.id})`,
      options: spec.options,
      locate: async () => nodeTarget(spec.cluster, node),
      verify: async () => undefined,
      onMessage: spec.onMessage,
      onStatus: (status) => spec.onStatus(node, status),
      onGaveUp: () => undefined,
      publishCommand: 'SPUBLISH',
      onPublishRefused: (...refused) => spec.onPublishRefused(node, ...refused),
      onServerUnsubscribed: (_kind, name) => spec.onServerUnsubscribed(node, name),
    })
    const shard: Shard = { node, links, opened: links.open(), isOpen: false }
    this.#shards.set(node.id, shard)
    shard.opened.then(
      () => {
        shard.isOpen = true
      },
      (error: unknown) => {
        if (this.#shards.get(node.id) === shard) this.#shards.delete(node.id)
        spec.onOpenFailed(node, error)
      },
    )
    return shard
  }

  get(id: string): Shard | undefined {
    return this.#shards.get(id)
  }

  all(): Shard[] {
    return [...this.#shards.values()]
  }

  /** Closes a shard's links and forgets it. */
  async retire(id: string): Promise<void> {
    const shard = this.#shards.get(id)
    if (!shard) return
    this.#shards.delete(id)
    await shard.links.close()
  }

  async close(): Promise<void> {
    const shards = this.all()
    this.#shards.clear()
    await Promise.all(shards.map((shard) => shard.links.close()))
  }
}
