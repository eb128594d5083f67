import type { RedisArgument } from '@redis/client'
import { ClosedError, ConnectionError, SubscriberError } from '../../errors.js'
import { refuseUnsupportedKind } from '../abilities.js'
import { claimCommand, readClaimWith } from '../claim-command.js'
import type { BlockingConnection } from '../redis/blocking-connection.js'
import type { NodeRedisCommandOptions } from '../redis/node-redis-client.js'
import { publishAll } from '../redis/publish-all.js'
import { type RedisTransportOptions, resolveOptions } from '../redis/redis-transport-options.js'
import type {
  ClaimReading,
  MessageSink,
  Payload,
  PublishReceipt,
  StatusSink,
  StreamBackend,
  SubscriptionKind,
  Transport,
  TransportAbilities,
  TransportStatus,
} from '../transport.js'
import { type ClusterUrl, maskUrl, parseUrl } from '../url.js'
import { clusterStreamCommands } from './cluster-stream-commands.js'
import { discoverSlots } from './cluster-topology.js'
import { keySlot } from './key-slot.js'
import { PublishHold } from './publish-hold.js'
import { MAX_REDIRECTS, movedIn } from './redirect.js'
import { listShardChannels } from './shard-channels.js'
import { type PublishRouting, redirectRefused, routePublish } from './shard-publish.js'
import { ShardRoutes, slotOf } from './shard-routes.js'
import { type Shard, ShardSet } from './shard-set.js'
import { ShardStatuses } from './shard-statuses.js'
import { ShardSubscriptions } from './shard-subscriptions.js'
import type { ShardNode, SlotMap } from './slot-map.js'

const noop = (): void => undefined

export interface ClusterTransportOptions extends RedisTransportOptions {
  /** How often the slot map is asked again while a shard is down, in ms. @defaultValue 200 */
  topologyRefreshMs?: number
  /**
   * How often the slot map is checked while all is well, in ms: a primary emptied of its slots
   * becomes a replica, which answers SPUBLISH without MOVED. @defaultValue 5000
   */
  topologyCheckMs?: number
}

/**
 * The Redis Cluster transport (`redis+cluster://h:p,h:p`): sharded pub/sub on the primary that
 * serves each channel's slot, with the links of one server (server-links.ts) per primary.
 *
 * - Channels are shard channels: publish is SPUBLISH, subscribe is SSUBSCRIBE, one channel per
 *   command. Each shard's publish link writes a tick's publishes in one write, so a tick's
 *   publishes leave in one write per shard. Patterns are refused (see `abilities`): sharded
 *   pub/sub has none, and a PSUBSCRIBE on one node would not hear any SPUBLISH.
 * - A MOVED answer (a slot that moved) is followed at once, and the slot map refreshed.
 * - A server that ends a shard channel of its own accord (its slot was migrated away) makes the
 *   transport subscribe it again on the slot's new owner.
 * - While a shard is down, the slot map is asked again every topologyRefreshMs: once a replica
 *   has been promoted, subscriptions move to it and `reconnected` follows. Meanwhile, calls to
 *   the lost shard fail at once with ConnectionError, as on one node.
 */
export class ClusterTransport implements Transport {
  readonly url: string
  /** Shard channels, as `channel` (what the Bus subscribes) and `shard`; no patterns. */
  readonly abilities: TransportAbilities = { kinds: new Set<SubscriptionKind>(['channel', 'shard']) }
  /** Durable topics: each command goes to the shard of its topic's hash tag. */
  readonly streams: StreamBackend = { kind: 'redis', commands: clusterStreamCommands(this) }
  readonly #target: ClusterUrl
  readonly #options: ReturnType<typeof resolveOptions>
  readonly #refreshMs: number
  readonly #shards: ShardSet
  readonly #statuses = new ShardStatuses()
  readonly #routes = new ShardRoutes()
  readonly #subscriptions: ShardSubscriptions
  readonly #routing: PublishRouting = {
    shardFor: (channel) => this.#shardFor(channel),
    followMoved: (error, from) => this.#followMoved(error, from),
    wrap: (error, what) => this.#wrap(error, what),
  }
  readonly #hold = new PublishHold((channel, payload, receipt) =>
    routePublish(this.#routing, channel, payload, receipt),
  )
  #map: SlotMap | undefined
  #connected = false
  #connecting: Promise<void> | undefined
  #closing: Promise<void> | undefined
  #refreshing: Promise<void> | undefined
  #refreshTimer: NodeJS.Timeout | undefined
  #checkTimer: NodeJS.Timeout | undefined
  readonly #checkMs: number
  #messageSink: MessageSink = noop
  #statusSink: StatusSink = noop

  constructor(url: string | ClusterUrl, options: ClusterTransportOptions = {}) {
    const target = typeof url === 'string' ? parseUrl(url) : url
    if (target.scheme !== 'redis+cluster') {
      throw new ConnectionError(`ClusterTransport needs a redis+cluster:// URL; got ${target.scheme}://`, {
        url: typeof url === 'string' ? maskUrl(url) : `${target.scheme}://`,
      })
    }
    this.#target = target
    this.url = typeof url === 'string' ? maskUrl(url) : describe(target)
    this.#options = resolveOptions(options)
    this.#refreshMs = options.topologyRefreshMs ?? 200
    this.#checkMs = options.topologyCheckMs ?? 5_000
    this.#shards = new ShardSet({
      cluster: target,
      url: this.url,
      options: this.#options,
      onMessage: this.#deliver,
      onStatus: (node, status) => this.#onShardStatus(node, status),
      onServerUnsubscribed: (node, name) => {
        this.#subscriptions.serverUnsubscribed(node, name).catch((error: unknown) => {
          this.#emit({ type: 'error', error: this.#wrap(error, `moving the subscription of "${name}"`) })
        })
      },
      onPublishRefused: (node, error, channel, payload, receipt) =>
        redirectRefused(this.#routing, node, error, channel, payload, receipt),
      onOpenFailed: (node, error) => {
        this.#routes.forget() // The shard set let that shard go.
        // While connect() runs, its own rejection tells.
        if (!this.#closing && this.#connected)
          this.#emit({ type: 'error', error: this.#wrap(error, `connecting to ${node.id}`) })
      },
    })
    this.#subscriptions = new ShardSubscriptions({
      shardFor: (name) => this.#shardFor(name),
      shard: (id) => this.#shards.get(id),
      ownerOf: (name) => this.ownerOf(name),
      followMoved: (error, from) => this.#followMoved(error, from),
      refresh: () => this.#refresh(),
    })
  }

  connect(): Promise<void> {
    if (this.#closing) return Promise.reject(new ClosedError('ClusterTransport'))
    this.#connecting ??= this.#open()
    return this.#connecting
  }

  async #open(): Promise<void> {
    try {
      this.#map = await discoverSlots(this.#target, this.#target.nodes, this.#options, this.url)
      await Promise.all(this.#map.primaries.map((node) => this.#shards.of(node).opened))
    } catch (error) {
      this.#connecting = undefined
      this.#map = undefined
      await this.#shards.close()
      throw error instanceof ConnectionError ? error : this.#wrap(error, 'connecting')
    }
    if (this.#closing) throw new ClosedError('ClusterTransport')
    this.#connected = true
    this.#checkTimer = setInterval(() => this.#refreshSoon(), this.#checkMs)
    this.#checkTimer.unref()
    this.#emit({ type: 'connected' })
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    clearTimeout(this.#refreshTimer)
    clearInterval(this.#checkTimer)
    await this.#shards.close()
    this.#messageSink = noop
  }

  publish(channel: string, payload: Payload): Promise<number> {
    return new Promise((resolve, reject) =>
      this.publishTo(channel, payload, { published: resolve, publishFailed: reject }),
    )
  }

  /** SPUBLISH on the shard serving the channel's slot; a MOVED answer is followed. */
  publishTo(channel: string, payload: Payload, receipt: PublishReceipt): void {
    if (!this.#hold.take(channel, payload, receipt)) routePublish(this.#routing, channel, payload, receipt)
  }

  publishBatch(messages: ReadonlyArray<readonly [channel: string, payload: Payload]>): Promise<number[]> {
    if (messages.length === 0) return Promise.resolve([])
    const unusable = this.#unusable()
    if (unusable) return Promise.reject(unusable)
    return publishAll(messages, (channel, payload, receipt) => this.publishTo(channel, payload, receipt))
  }

  async subscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    refuseUnsupportedKind(this, kind)
    const unusable = this.#unusable()
    if (unusable) throw unusable
    await this.#subscriptions.subscribe(kind, names)
  }

  unsubscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    return this.#subscriptions.unsubscribe(kind, names)
  }

  /** PUBSUB SHARDNUMSUB on the shard of each channel. */
  async numsub(channels: readonly string[]): Promise<number[]> {
    const count = (channel: string) =>
      this.command<Array<string | number>>(channel, ['PUBSUB', 'SHARDNUMSUB', channel], 'PUBSUB SHARDNUMSUB')
    return Promise.all(channels.map(async (channel) => Number((await count(channel))[1] ?? 0)))
  }

  /** PUBSUB SHARDCHANNELS on every primary (see listShardChannels). */
  async channels(pattern: string): Promise<string[]> {
    const unusable = this.#unusable()
    if (unusable) throw unusable
    const shards = (this.#map?.primaries ?? []).map((node) => this.#shards.of(node))
    return listShardChannels(shards, pattern)
  }

  async claim(key: string, ttlMs: number, value?: string): Promise<boolean> {
    return (await this.command(key, claimCommand(key, ttlMs, value), `SET "${key}" NX`)) === 'OK'
  }

  readClaim(key: string): Promise<ClaimReading | undefined> {
    return readClaimWith(key, (args, what) => this.command(key, args, what))
  }

  /**
   * A command on the command link of the primary serving `key`'s slot, following MOVED: what a
   * durable layer needs on a cluster (keys sharing one hash tag share a shard).
   */
  async command<T>(
    key: string,
    args: readonly RedisArgument[],
    what: string,
    options?: NodeRedisCommandOptions,
  ): Promise<T> {
    for (let redirects = 0; ; redirects++) {
      const shard = this.#shardFor(key)
      if (shard instanceof Error) throw shard
      await shard.opened
      try {
        return await shard.links.command<T>(args, what, options)
      } catch (error) {
        if (redirects >= MAX_REDIRECTS || !this.#followMoved(error, shard.node)) throw error
      }
    }
  }

  /**
   * A connection of its own, for blocking reads (XREADGROUP BLOCK), to the primary serving
   * `key`'s slot: never a link that carries a liveness PING. It is closed with the transport.
   */
  async openBlockingConnection(key: string): Promise<BlockingConnection> {
    const shard = this.#shardFor(key)
    if (shard instanceof Error) throw shard
    await shard.opened
    return shard.links.openBlocking()
  }

  /** The slot of a channel or key, and the primary serving it now (undefined before connect()). */
  ownerOf(name: string): ShardNode | undefined {
    return this.#map?.ownerOf(keySlot(name))
  }

  onMessage(sink: MessageSink): void {
    this.#messageSink = sink
  }

  onStatus(sink: StatusSink): void {
    this.#statusSink = sink
  }

  // --- routing ----------------------------------------------------------------------------------

  /** Why no call can succeed now: closed, or not connected yet. */
  #unusable(): Error | undefined {
    if (this.#closing) return new ClosedError('ClusterTransport')
    if (this.#map) return undefined
    return new ConnectionError(`ClusterTransport for ${this.url} is not connected: call connect() first`, {
      url: this.url,
    })
  }

  #shardFor(name: string): Shard | Error {
    const unusable = this.#unusable()
    if (unusable) return unusable
    const slot = slotOf(name)
    const known = this.#routes.get(slot)
    if (known) return known
    const node = this.#map?.ownerOf(slot)
    if (!node) {
      this.#refreshSoon()
      return new ConnectionError(
        `no primary of ${this.url} serves slot ${slot} ("${name}") right now: the cluster is changing; retry after the 'reconnected' status`,
        { url: this.url },
      )
    }
    const shard = this.#shards.of(node)
    this.#routes.remember(slot, shard)
    return shard
  }

  /** True when `error` is a MOVED answer: the map learns the slot's new owner, and is refreshed. */
  #followMoved(error: unknown, from: ShardNode): boolean {
    const moved = movedIn(error, from)
    if (!moved || !this.#map) return false
    this.#map.assign(moved.slot, moved.slot, moved)
    this.#routes.forget()
    this.#holdPublishes()
    this.#refreshSoon()
    return true
  }

  /** Slots moved: new publishes wait for what is in flight (see PublishHold). */
  #holdPublishes(): void {
    this.#hold.until(this.#shards.all().map((shard) => shard.links.publisher))
  }

  // --- topology ---------------------------------------------------------------------------------

  #onShardStatus(node: ShardNode, status: TransportStatus): void {
    if (status.type === 'disconnected') {
      if (this.#statuses.down(node.id)) this.#emit(status)
      this.#refreshSoon()
    } else if (status.type === 'reconnected') {
      if (this.#statuses.up(node.id)) this.#emit(status)
    } else this.#emit(status)
  }

  /** Refreshes the slot map now, unless a refresh is under way. */
  #refreshSoon(): void {
    if (this.#closing || this.#refreshing) return
    this.#refreshing = this.#refresh().finally(() => {
      this.#refreshing = undefined
      // A shard still down: its replica may not be promoted yet; ask again later.
      if (this.#statuses.anyDown && !this.#closing) {
        clearTimeout(this.#refreshTimer)
        this.#refreshTimer = setTimeout(() => this.#refreshSoon(), this.#refreshMs)
      }
    })
  }

  /** Asks the nodes that are up (then the seeds) for the slot map, and moves what must move. */
  async #refresh(): Promise<void> {
    const up = this.#shards.all().filter((shard) => !this.#statuses.isDown(shard.node.id))
    const nodes = [...up.map((shard) => shard.node), ...this.#target.nodes]
    let map: SlotMap
    try {
      map = await discoverSlots(this.#target, nodes, this.#options, this.url)
    } catch {
      return // Asked again while a shard is down; otherwise the next MOVED asks again.
    }
    if (this.#closing) return
    const moved = !this.#map?.sameOwners(map)
    this.#map = map
    this.#routes.forget()
    if (moved) this.#holdPublishes()
    await this.#subscriptions
      .rehome(this.#subscriptions.names)
      .catch((error: unknown) =>
        this.#emit({ type: 'error', error: this.#wrap(error, 'moving subscriptions to the new primaries') }),
      )
    const serving = new Set(map.primaries.map((node) => node.id))
    for (const shard of this.#shards.all()) {
      if (serving.has(shard.node.id)) continue
      await this.#shards.retire(shard.node.id)
      if (this.#statuses.up(shard.node.id)) this.#emit({ type: 'reconnected' })
    }
  }

  // --- delivery and statuses --------------------------------------------------------------------

  readonly #deliver = (channel: string, payload: Uint8Array, pattern: string | undefined): void => {
    try {
      this.#messageSink(channel, payload, pattern)
    } catch (error) {
      this.#emit({ type: 'error', error: new SubscriberError(channel, error) })
    }
  }

  #emit(status: TransportStatus): void {
    if (this.#closing && status.type !== 'error') return
    try {
      this.#statusSink(status)
    } catch {
      // A status listener's own failure is its business.
    }
  }

  #wrap(error: unknown, what: string): ConnectionError {
    if (error instanceof ConnectionError) return error
    const reason = error instanceof Error ? error.message : String(error)
    return new ConnectionError(`${what} on ${this.url} failed: ${reason}`, { cause: error, url: this.url })
  }
}

function describe(target: ClusterUrl): string {
  const auth = target.password !== undefined ? `${target.username ?? ''}:***@` : ''
  const hosts = target.nodes.map((node) => `${node.host}:${node.port}`).join(',')
  return `redis+cluster://${auth}${hosts}`
}
