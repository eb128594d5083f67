import {
  ClosedError,
  ConnectionError,
  InvalidArgumentError,
  SubscriberError,
  type SwitchboardError,
} from '../../errors.js'
import { refuseUnsupportedKind } from '../abilities.js'
import {
  type MessageSink,
  type Payload,
  type PublishReceipt,
  type StatusSink,
  SUBSCRIBE_COMMANDS,
  type SubscriptionKind,
  type Transport,
  type TransportAbilities,
  type TransportStatus,
} from '../transport.js'
import {
  type HostPort,
  maskUrl,
  parseUrl,
  type RedisUrl,
  type SentinelUrl,
  type TransportUrl,
} from '../url.js'
import { lostConnectionError, toConnectionError } from './connection-error.js'
import { LINKS, type Link, LinkMonitor } from './link-monitor.js'
import { LivenessProbe } from './liveness-probe.js'
import { type LinkClient, ManagedConnection } from './managed-connection.js'
import { createNodeRedisClient, type NodeRedisClient } from './node-redis-client.js'
import { PublishConnection } from './publish-connection.js'
import {
  type RedisTransportOptions,
  type ResolvedRedisTransportOptions,
  resolveOptions,
} from './redis-transport-options.js'
import { assertMaster, type RoleClient, sentinelLocator } from './sentinel-locator.js'
import { sentinelWatcher } from './sentinel-watcher.js'
import { SerialQueue } from './serial-queue.js'
import type { ServerSnapshot } from './slow-consumer.js'
import { SlowConsumerDetector } from './slow-consumer-detector.js'
import { SubscriberClient } from './subscriber-client.js'
import {
  commandsFor,
  type SubscriptionCommand,
  SubscriptionLedger,
  SubscriptionOp,
} from './subscription-ledger.js'
import { TrafficClock } from './traffic-clock.js'

const noop = (): void => undefined

/**
 * The Redis transport, for one server (`redis://`, `rediss://`) or a master found through
 * Sentinel (`redis+sentinel://`). It holds one node-redis connection for commands and one
 * subscriber connection of its own (subscriber-client.ts, opened on the first subscribe), whose
 * messages go, as bytes, to the one `onMessage` sink. Publishes go through a third connection,
 * also switchboard's own, that carries nothing but PUBLISH (see publish-connection.ts); it
 * follows the command connection, whose state is the one reported, and while it is not open
 * publishes go through node-redis.
 *
 * - A dropped connection is replaced after an exponential backoff with jitter, at the address
 *   the Sentinels give at that moment, and the subscriber resubscribes every channel and
 *   pattern before it counts as back. Statuses cover both connections at once: `disconnected`
 *   when either drops, `reconnected` when both are back.
 * - A command issued while a connection is down rejects at once with ConnectionError.
 * - When Redis drops the subscriber for reading too slowly, an `error` status carries a
 *   SlowConsumerError (see slow-consumer.ts) between `disconnected` and `reconnected`.
 */
export class RedisTransport implements Transport {
  readonly url: string
  /** One server: channels and patterns; shard channels need the cluster transport. */
  readonly abilities: TransportAbilities = { kinds: new Set(['channel', 'pattern']) }
  #options: ResolvedRedisTransportOptions
  #locate: () => Promise<RedisUrl>
  #sentinel: boolean
  #commands: ManagedConnection<NodeRedisClient>
  #subscriber: ManagedConnection<SubscriberClient>
  /** With Sentinel: hears of failovers, to move both connections to the new master at once. */
  #watcher: ManagedConnection<NodeRedisClient> | undefined
  #connecting: Promise<void> | undefined
  #subscriberConnecting: Promise<SubscriberClient> | undefined
  #closing: Promise<void> | undefined
  /** Set once reconnection gave up: every call rejects with it. */
  #failure: SwitchboardError | undefined
  #messageSink: MessageSink = noop
  #statusSink: StatusSink = noop
  #links = new LinkMonitor()
  #statuses = new SerialQueue()
  /** What is subscribed, desired and in flight: the one record of it. */
  #ledger = new SubscriptionLedger()
  #traffic = new TrafficClock()
  #slowConsumer: SlowConsumerDetector
  /** Carries the publishes while it is open; see publish-connection.ts. */
  #publisher: PublishConnection
  /** Where the command connection is now: the publish connection goes to the same server. */
  #commandTarget: RedisUrl | undefined
  /**
   * Publishes sent through node-redis and not yet answered. While there are any, the publish
   * connection holds its writes back, so that a publisher's messages never overtake each other.
   */
  #viaCommands = 0
  #publisherRetry: NodeJS.Timeout | undefined
  readonly #liveness: LivenessProbe

  constructor(url: string | TransportUrl, options?: RedisTransportOptions) {
    const target = typeof url === 'string' ? parseUrl(url) : url
    if (target.scheme === 'memory' || target.scheme === 'redis+cluster') throw unsupported(target, url)
    this.#options = resolveOptions(options)
    this.url = typeof url === 'string' ? maskUrl(url) : describe(target)
    this.#sentinel = target.scheme === 'redis+sentinel'
    this.#locate =
      target.scheme === 'redis+sentinel'
        ? sentinelLocator(target, this.url, this.#options)
        : async () => target
    this.#commands = this.#connection(LINKS.commands, (target) => {
      this.#commandTarget = target
      return createNodeRedisClient(target, this.#options, 'cmd')
    })
    this.#subscriber = this.#connection(
      LINKS.subscriber,
      (target) => new SubscriberClient(target, this.#options, this.#onPush, this.#ledger),
    )
    this.#liveness = new LivenessProbe(
      this.#options.commandTimeoutMs,
      () => this.#commands.ready?.sendCommand(['PING']),
      (waitedMs) =>
        this.#commands.relocate(
          new ConnectionError(
            `${this.url} left a PING unanswered for ${waitedMs} ms (commandTimeoutMs): is the server paused or unreachable? reconnecting`,
            { url: this.url },
          ),
        ),
    )
    this.#publisher = new PublishConnection(
      this.#options,
      () => this.#retryPublisher(),
      this.#wrapPublishError,
    )
    this.#slowConsumer = new SlowConsumerDetector(
      this.url,
      this.#options.slowConsumerCheckTimeoutMs,
      () => this.#commands.ready,
    )
    if (target.scheme === 'redis+sentinel') {
      this.#watcher = sentinelWatcher(target, this.url, this.#options, (master) =>
        this.#onSwitchMaster(master),
      )
    }
  }

  connect(): Promise<void> {
    const unusable = this.#unusable()
    if (unusable) return Promise.reject(unusable)
    this.#connecting ??= this.#open()
    return this.#connecting
  }

  async #open(): Promise<void> {
    try {
      await this.#commands.open()
    } catch (error) {
      this.#connecting = undefined
      throw this.#unusable() ?? toConnectionError(error, this.url, 'connecting')
    }
    this.#watcher?.start()
    this.#liveness.start()
    void this.#openPublisher()
    await this.#emit({ type: 'connected' })
  }

  /** Flushes what is in flight (up to closeTimeoutMs), then quits both connections. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    const timeout = this.#options.closeTimeoutMs
    this.#liveness.stop()
    this.#traffic.dispose()
    clearTimeout(this.#publisherRetry)
    await Promise.all([
      this.#publisher.close(timeout),
      this.#commands.close(timeout),
      this.#subscriber.close(timeout),
      this.#watcher?.close(0),
    ])
    this.#messageSink = noop
  }

  publish(channel: string, payload: Payload): Promise<number> {
    return new Promise((resolve, reject) =>
      this.publishTo(channel, payload, { published: resolve, publishFailed: reject }),
    )
  }

  publishTo(channel: string, payload: Payload, receipt: PublishReceipt): void {
    const client = this.#readyCommands('PUBLISH')
    if (client instanceof Error) {
      queueMicrotask(() => receipt.publishFailed(client))
      return
    }
    const publisher = this.#openPublisherNow()
    if (publisher) {
      publisher.publish(channel, payload, receipt)
      return
    }
    this.#publishViaCommands(client, channel, payload).then(
      (receivers) => receipt.published(receivers),
      (error: unknown) => receipt.publishFailed(error),
    )
  }

  /**
   * All in one round trip: on the publish connection they leave in one write; through node-redis,
   * which writes every command issued in the same tick in one corked socket write, likewise.
   * Unlike a MULTI, nothing is transactional, which PUBLISH does not need.
   */
  publishBatch(messages: ReadonlyArray<readonly [channel: string, payload: Payload]>): Promise<number[]> {
    if (messages.length === 0) return Promise.resolve([])
    const client = this.#readyCommands('PUBLISH')
    if (client instanceof Error) return Promise.reject(client)
    return Promise.all(messages.map(([channel, payload]) => this.publish(channel, payload)))
  }

  #publishViaCommands(client: NodeRedisClient, channel: string, payload: Payload): Promise<number> {
    this.#viaCommands += 1
    return client.sendCommand<number>(['PUBLISH', channel, asBuffer(payload)]).then(
      (receivers) => {
        this.#answeredViaCommands()
        return receivers
      },
      (error: unknown) => {
        this.#answeredViaCommands()
        throw this.#wrapPublishError(error, channel)
      },
    )
  }

  readonly #wrapPublishError = (error: unknown, channel: string): unknown =>
    this.#wrap(error, `PUBLISH to "${channel}"`)

  #answeredViaCommands(): void {
    this.#viaCommands -= 1
    if (this.#viaCommands === 0) this.#publisher.release()
  }

  /** The publish connection when it is open, holding its writes while node-redis has publishes in flight. */
  #openPublisherNow(): PublishConnection | undefined {
    if (!this.#publisher.isOpen) return undefined
    if (this.#viaCommands > 0) this.#publisher.hold()
    return this.#publisher
  }

  /** Opens the publish connection to the command connection's server, when wanted. */
  async #openPublisher(): Promise<void> {
    const target = this.#commandTarget
    if (!this.#options.publishConnection || !target || this.#closing || !this.#commands.ready) return
    await this.#publisher.open(target)
    if (this.#publisher.state === 'closed') this.#retryPublisher()
  }

  /** The publish connection failed or dropped while the command connection did not: try again later. */
  #retryPublisher(): void {
    if (this.#closing || this.#publisherRetry) return
    this.#publisherRetry = setTimeout(() => {
      this.#publisherRetry = undefined
      void this.#openPublisher()
    }, this.#options.reconnect.maxDelayMs)
    this.#publisherRetry.unref()
  }

  async subscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    refuseUnsupportedKind(this, kind)
    if (names.length === 0) return
    const what = `${SUBSCRIBE_COMMANDS[kind].subscribe} ${names.join(' ')}`
    const client = await this.#readySubscriber(what)
    const added = this.#ledger.want(kind, names)
    try {
      await Promise.all(commandsFor(kind, SubscriptionOp.Subscribe, names).map((c) => this.#send(client, c)))
    } catch (error) {
      this.#ledger.unwant(kind, added)
      this.#fail(error, what)
    }
  }

  /**
   * Resolves once Redis confirmed; what it sent before that still reaches the sink. If the
   * subscriber connection is down, there is nothing to tell Redis: the next connection will not
   * subscribe to these names.
   */
  async unsubscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    const unusable = this.#unusable()
    if (unusable) throw unusable
    const held = this.#ledger.unwant(kind, names)
    const client = this.#subscriber.ready
    if (held.length === 0 || !client) return
    const commands = commandsFor(kind, SubscriptionOp.Unsubscribe, held)
    await Promise.all(commands.map((c) => this.#send(client, c))).catch((error: unknown) => {
      // A connection that dropped meanwhile is replaced without these names.
      if (client.isReady) this.#fail(error, `${SUBSCRIBE_COMMANDS[kind].unsubscribe} ${held.join(' ')}`)
    })
  }

  #send(client: SubscriberClient, command: SubscriptionCommand): Promise<void> {
    return client.send(command.kind, command.op, command.names)
  }

  async numsub(channels: readonly string[]): Promise<number[]> {
    if (channels.length === 0) return []
    const reply = await this.#command<Array<string | number>>(
      ['PUBSUB', 'NUMSUB', ...channels],
      'PUBSUB NUMSUB',
    )
    // RESP2 reply: channel, count, channel, count... in the order asked.
    return channels.map((_, i) => Number(reply[2 * i + 1] ?? 0))
  }

  channels(pattern: string): Promise<string[]> {
    return this.#command<string[]>(['PUBSUB', 'CHANNELS', pattern], 'PUBSUB CHANNELS')
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      throw new InvalidArgumentError(
        `claim() ttlMs must be a positive integer number of milliseconds; got ${ttlMs}`,
      )
    }
    const reply = await this.#command<string | null>(
      ['SET', key, '1', 'NX', 'PX', String(ttlMs)],
      `SET "${key}" NX`,
    )
    return reply === 'OK'
  }

  onMessage(sink: MessageSink): void {
    this.#messageSink = sink
  }

  onStatus(sink: StatusSink): void {
    this.#statusSink = sink
  }

  // --- commands -------------------------------------------------------------------------------

  #command<T>(args: string[], what: string): Promise<T> {
    const client = this.#readyCommands(what)
    if (client instanceof Error) return Promise.reject(client)
    return client.sendCommand<T>(args).catch((error: unknown) => this.#fail(error, what))
  }

  /** The command connection, or the error to reject with. Synchronous, for the publish path. */
  #readyCommands(what: string): NodeRedisClient | SwitchboardError {
    const unusable = this.#unusable()
    if (unusable) return unusable
    if (!this.#connecting) {
      return new ConnectionError(`RedisTransport for ${this.url} is not connected: call connect() first`, {
        url: this.url,
      })
    }
    return this.#commands.ready ?? this.#offline(what, LINKS.commands)
  }

  #offline(what: string, link: Link): ConnectionError {
    const state = this.#links.isLinkDown(link) ? 'down and being re-established' : 'not open yet'
    return new ConnectionError(
      `${what} on ${this.url} failed: the ${link} connection is ${state}; retry after the 'reconnected' status`,
      { url: this.url },
    )
  }

  #unusable(): SwitchboardError | undefined {
    if (this.#closing) return new ClosedError('RedisTransport')
    return this.#failure
  }

  #fail(error: unknown, what: string): never {
    throw this.#wrap(error, what)
  }

  #wrap(error: unknown, what: string): SwitchboardError {
    return this.#unusable() ?? toConnectionError(error, this.url, what)
  }

  // --- subscriber connection ------------------------------------------------------------------

  async #readySubscriber(what: string): Promise<SubscriberClient> {
    const commands = this.#readyCommands(what)
    if (commands instanceof Error) throw commands
    if (!this.#subscriberConnecting) {
      this.#subscriberConnecting = this.#subscriber.open()
      this.#subscriberConnecting.then(
        () => this.#slowConsumer.subscriberConnected(),
        () => {
          this.#subscriberConnecting = undefined
        },
      )
    }
    try {
      await this.#subscriberConnecting
    } catch (error) {
      throw this.#unusable() ?? toConnectionError(error, this.url, `${what} (connecting the subscriber)`)
    }
    const unusable = this.#unusable()
    if (unusable) throw unusable
    const client = this.#subscriber.ready
    // Refuse rather than queue: a SUBSCRIBE queued while the server is away would wait unbounded.
    if (!client) throw this.#offline(what, LINKS.subscriber)
    return client
  }

  /** Every message Redis sends is one it counted for this connection: all go to the sink. */
  readonly #onPush = (channel: string, message: Uint8Array, pattern: string | undefined): void => {
    this.#traffic.noteMessage()
    try {
      this.#messageSink(channel, message, pattern)
    } catch (error) {
      // A throw here would unwind into the subscriber's reply reader.
      void this.#emit({ type: 'error', error: new SubscriberError(channel, error) })
    }
  }

  // --- connection state -----------------------------------------------------------------------

  #connection<C extends LinkClient & RoleClient>(
    link: Link,
    create: (target: RedisUrl) => C,
  ): ManagedConnection<C> {
    return new ManagedConnection<C>({
      link,
      url: this.url,
      locate: this.#locate,
      create,
      prepare: async (client) => {
        if (this.#sentinel) await assertMaster(client)
        if (client instanceof SubscriberClient) {
          this.#ledger.reset()
          await Promise.all(this.#ledger.plan().map((command) => this.#send(client, command)))
        }
      },
      reconnect: this.#options.reconnect,
      onUp: () => this.#onLinkUp(link),
      onDown: (cause) => this.#onLinkDown(link, cause),
      onGaveUp: (error) => this.#onGaveUp(error),
      onError: (cause) => {
        void this.#emit({
          type: 'error',
          error: toConnectionError(cause, this.url, `the ${link} connection`),
        })
      },
    })
  }

  #onLinkDown(link: Link, cause: Error): void {
    if (link === LINKS.commands) this.#publisher.destroy(cause)
    const status = this.#links.down(link, lostConnectionError(cause, this.url, link))
    if (status) void this.#emit(status)
    if (link === LINKS.subscriber) {
      this.#ledger.reset()
      const before = this.#slowConsumer.snapshot
      const quietMs = this.#traffic.quietMs()
      void this.#statuses.push(() => this.#checkSlowConsumer(before, quietMs, cause))
    }
  }

  #onLinkUp(link: Link): void {
    if (link === LINKS.commands) void this.#openPublisher()
    if (link === LINKS.subscriber) {
      void this.#statuses.push(async () => {
        // What was unsubscribed while the connection was being restored is still on it.
        const client = this.#subscriber.ready
        if (client) await Promise.all(this.#ledger.plan().map((c) => this.#send(client, c))).catch(noop)
      })
      void this.#slowConsumer.subscriberConnected()
    }
    const status = this.#links.up(link)
    if (status) void this.#emit(status)
  }

  #onGaveUp(error: ConnectionError): void {
    if (this.#failure || this.#closing) return
    this.#failure = error
    void this.#emit({ type: 'error', error })
    this.#publisher.destroy(error)
    this.#commands.destroy()
    this.#subscriber.destroy()
    this.#watcher?.destroy()
  }

  #onSwitchMaster(master: HostPort): void {
    const reason = new Error(`Sentinel failover: the master is now ${master.host}:${master.port}`)
    this.#commands.relocate(reason, master)
    this.#subscriber.relocate(reason, master)
  }

  /** Runs in the status queue, so that its report lands between `disconnected` and `reconnected`. */
  async #checkSlowConsumer(before: ServerSnapshot | undefined, quietMs: number, cause: Error): Promise<void> {
    if (this.#closing || this.#links.isLinkDown(LINKS.commands)) return
    const error = await this.#slowConsumer.judge(before, quietMs, cause)
    // A command connection that dropped meanwhile means the server went away.
    if (error && !this.#links.isLinkDown(LINKS.commands)) this.#emitNow({ type: 'error', error })
  }

  #emit(status: TransportStatus): Promise<void> {
    return this.#statuses.push(() => this.#emitNow(status))
  }

  /** Only from inside a queued task, so that statuses keep their order. */
  #emitNow(status: TransportStatus): void {
    if (this.#closing) return
    try {
      this.#statusSink(status)
    } catch {
      // A status listener's own failure is its business; the transport keeps going.
    }
  }
}

function unsupported(target: TransportUrl, url: string | TransportUrl): ConnectionError {
  const shown = typeof url === 'string' ? maskUrl(url) : `${target.scheme}://`
  const why =
    target.scheme === 'memory'
      ? 'memory:// names the in-process broker: use MemoryTransport'
      : 'Redis Cluster is not yet supported: it needs the cluster transport (sharded pub/sub)'
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

function asBuffer(payload: Payload): Buffer | string {
  return typeof payload === 'string' || Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
}
