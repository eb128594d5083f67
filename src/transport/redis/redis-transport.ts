import { ConnectionError, InvalidArgumentError, SubscriberError } from '../../errors.js'
import { refuseUnsupportedKind } from '../abilities.js'
import { type ChannelKey, type ChannelName, channelKey, keyName, keyText } from '../channel-key.js'
import { claimCommand, readClaimWith } from '../claim-command.js'
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
} from '../transport.js'
import {
  type HostPort,
  maskUrl,
  parseUrl,
  type RedisUrl,
  type SentinelUrl,
  type TransportUrl,
} from '../url.js'
import type { BlockingConnection } from './blocking-connection.js'
import { LINKS } from './link-monitor.js'
import type { ManagedConnection } from './managed-connection.js'
import type { NodeRedisClient } from './node-redis-client.js'
import { publishAll } from './publish-all.js'
import { type RedisTransportOptions, resolveOptions } from './redis-transport-options.js'
import { assertMaster, sentinelLocator } from './sentinel-locator.js'
import { sentinelWatcher } from './sentinel-watcher.js'
import { ServerLinks } from './server-links.js'
import { streamCommands } from './stream-commands.js'

const noop = (): void => undefined

/**
 * The Redis transport, for one server (`redis://`, `rediss://`) or a master found through
 * Sentinel (`redis+sentinel://`): a Transport over the links to that server (server-links.ts),
 * which it locates, and whose messages and statuses it hands to the one sink of each.
 *
 * - Every publish goes through the publish link. While that link is not open (before connect(),
 *   or between `disconnected` and `reconnected`) a publish rejects at once with ConnectionError
 *   (`maybeDelivered: false`): nothing is queued behind the caller's back, and nothing waits
 *   unbounded. A publish in flight when its link drops rejects with `maybeDelivered: true` if it
 *   had been handed to the kernel (Redis may have it), false if it had not.
 * - A dropped connection is replaced after an exponential backoff with jitter, at the address
 *   the Sentinels give at that moment, and the subscriber resubscribes everything before it
 *   counts as back. Statuses cover every link at once: `disconnected` when one drops,
 *   `reconnected` when all are back.
 * - A command issued while a connection is down rejects at once with ConnectionError.
 * - When Redis drops the subscriber for reading too slowly, an `error` status carries a
 *   SlowConsumerError (see slow-consumer.ts) between `disconnected` and `reconnected`.
 */
export class RedisTransport implements Transport {
  readonly url: string
  /** One server: channels and patterns; shard channels need the cluster transport. */
  readonly abilities: TransportAbilities = { kinds: new Set(['channel', 'pattern']) }
  readonly streams: StreamBackend
  readonly #links: ServerLinks
  /** With Sentinel: hears of failovers, to move every link to the new master at once. */
  readonly #watcher: ManagedConnection<NodeRedisClient> | undefined
  #connecting: Promise<void> | undefined
  #closing: Promise<void> | undefined
  #messageSink: MessageSink = noop
  #statusSink: StatusSink = noop

  constructor(url: string | TransportUrl, options?: RedisTransportOptions) {
    const target = typeof url === 'string' ? parseUrl(url) : url
    if (target.scheme === 'memory' || target.scheme === 'redis+cluster') throw unsupported(target, url)
    const resolved = resolveOptions(options)
    this.url = typeof url === 'string' ? maskUrl(url) : describe(target)
    if (target.scheme === 'redis' && resolved.tls !== undefined) {
      // Silently plain TCP would send the password and every message in clear text.
      throw new InvalidArgumentError(
        `TLS settings were given for ${this.url}, which is plain TCP: use rediss:// to connect over TLS, or leave out tls`,
      )
    }
    const sentinel = target.scheme === 'redis+sentinel'
    this.#links = new ServerLinks({
      owner: 'RedisTransport',
      url: this.url,
      options: resolved,
      locate: sentinel ? sentinelLocator(target, this.url, resolved) : async () => target,
      verify: sentinel ? assertMaster : async () => undefined,
      onMessage: this.#deliver,
      onStatus: (status) => this.#statusSink(status),
      onGaveUp: () => this.#watcher?.destroy(),
    })
    this.streams = {
      kind: 'redis',
      commands: streamCommands(this.#links, () => this.openBlockingConnection()),
    }
    if (sentinel) {
      this.#watcher = sentinelWatcher(target, this.url, resolved, (master) => this.#onSwitchMaster(master))
    }
  }

  connect(): Promise<void> {
    const unusable = this.#links.unusable()
    if (unusable) return Promise.reject(unusable)
    this.#connecting ??= this.#open()
    return this.#connecting
  }

  async #open(): Promise<void> {
    try {
      await this.#links.open()
    } catch (error) {
      this.#connecting = undefined
      throw error
    }
    this.#watcher?.start()
    await this.#links.report({ type: 'connected' })
  }

  /** Flushes what is in flight (up to closeTimeoutMs), then quits every connection. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    await Promise.all([this.#links.close(), this.#watcher?.close(0)])
    this.#messageSink = noop
  }

  publish(channel: ChannelName, payload: Payload): Promise<number> {
    return new Promise((resolve, reject) =>
      this.publishTo(channel, payload, { published: resolve, publishFailed: reject }),
    )
  }

  publishTo(channel: ChannelName, payload: Payload, receipt: PublishReceipt): void {
    const publisher = this.#links.publisher
    if (publisher) {
      publisher.publish(channel, payload, receipt)
      return
    }
    const error = this.#links.refusal('PUBLISH', LINKS.publisher)
    queueMicrotask(() => receipt.publishFailed(error))
  }

  /**
   * All in one round trip: the publish link writes every publish of a tick in one socket write.
   * Unlike a MULTI, nothing is transactional, which PUBLISH does not need. A failure says
   * `maybeDelivered: true` when any message of the batch was, or may have been, delivered.
   */
  publishBatch(
    messages: ReadonlyArray<readonly [channel: ChannelName, payload: Payload]>,
  ): Promise<number[]> {
    if (messages.length === 0) return Promise.resolve([])
    if (!this.#links.publisher) return Promise.reject(this.#links.refusal('PUBLISH', LINKS.publisher))
    return publishAll(messages, (channel, payload, receipt) => this.publishTo(channel, payload, receipt))
  }

  async subscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    refuseUnsupportedKind(this, kind)
    await this.#links.subscribe(kind, names)
  }

  unsubscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    return this.#links.unsubscribe(kind, names)
  }

  async numsub(channels: readonly ChannelName[]): Promise<number[]> {
    if (channels.length === 0) return []
    const args = channels.map((name) => keyName(channelKey(name)))
    const reply = await this.#links.command<Array<string | number>>(
      ['PUBSUB', 'NUMSUB', ...args],
      'PUBSUB NUMSUB',
    )
    // RESP2 reply: channel, count, channel, count... in the order asked.
    return channels.map((_, i) => Number(reply[2 * i + 1] ?? 0))
  }

  channels(pattern: string): Promise<string[]> {
    return this.#links.command<string[]>(['PUBSUB', 'CHANNELS', pattern], 'PUBSUB CHANNELS')
  }

  async claim(key: string, ttlMs: number, value?: string): Promise<boolean> {
    const reply = await this.#links.command<string | null>(claimCommand(key, ttlMs, value), `SET "${key}" NX`)
    return reply === 'OK'
  }

  readClaim(key: string): Promise<ClaimReading | undefined> {
    return readClaimWith(key, (args, what) => this.#links.command(args, what))
  }

  /**
   * A connection of its own for blocking reads (XREADGROUP BLOCK): never the one that carries
   * the liveness PING. It is closed with the transport.
   */
  openBlockingConnection(): Promise<BlockingConnection> {
    return this.#links.openBlocking()
  }

  onMessage(sink: MessageSink): void {
    this.#messageSink = sink
  }

  onStatus(sink: StatusSink): void {
    this.#statusSink = sink
  }

  readonly #deliver = (channel: ChannelKey, payload: Uint8Array, pattern: ChannelKey | undefined): void => {
    try {
      this.#messageSink(channel, payload, pattern)
    } catch (error) {
      // A throw here would unwind into the subscriber's reply reader.
      void this.#links.report({ type: 'error', error: new SubscriberError(keyText(channel), error) })
    }
  }

  #onSwitchMaster(master: HostPort): void {
    this.#links.relocate(
      new Error(`Sentinel failover: the master is now ${master.host}:${master.port}`),
      master,
    )
  }
}

function unsupported(target: TransportUrl, url: string | TransportUrl): ConnectionError {
  const shown = typeof url === 'string' ? maskUrl(url) : `${target.scheme}://`
  const why =
    target.scheme === 'memory'
      ? 'memory:// names the in-process broker: use MemoryTransport'
      : 'Redis Cluster needs the cluster transport (sharded pub/sub): use ClusterTransport'
  return new ConnectionError(`RedisTransport cannot use ${shown}: ${why}`, { url: shown })
}

function describe(target: RedisUrl | SentinelUrl): string {
  const auth =
    target.password !== undefined
      ? `${target.username ?? ''}:***@`
      : target.username !== undefined
        ? `${target.username}@`
        : ''
  const hosts = target.scheme === 'redis+sentinel' ? target.sentinels : [target]
  const list = hosts.map((h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`).join(',')
  const path = target.scheme === 'redis+sentinel' ? `/${target.masterName}` : ''
  return `${target.scheme}://${auth}${list}${path}${target.db === 0 ? '' : `/${target.db}`}`
}
