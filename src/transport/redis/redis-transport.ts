import {
  ClosedError,
  ConnectionError,
  InvalidArgumentError,
  SubscriberError,
  type SwitchboardError,
} from '../../errors.js'
import type { MessageSink, StatusSink, Transport, TransportStatus } from '../transport.js'
import { maskUrl, parseUrl, type RedisUrl, type TransportUrl } from '../url.js'
import { mayReconnect, reconnectDelay } from './backoff.js'
import { lostConnectionError, toConnectionError } from './connection-error.js'
import { LINKS, type Link, LinkMonitor } from './link-monitor.js'
import { createNodeRedisClient, type NodeRedisClient, type ReconnectStrategy } from './node-redis-client.js'
import {
  type RedisTransportOptions,
  type ResolvedRedisTransportOptions,
  resolveOptions,
} from './redis-transport-options.js'
import { SerialQueue } from './serial-queue.js'
import {
  judgeSubscriberDrop,
  type ServerSnapshot,
  slowConsumerError,
  snapshotFromInfo,
} from './slow-consumer.js'

type Listener = (message: Buffer, channel: Buffer) => void

const noop = (): void => undefined

/**
 * The Redis transport: one node-redis connection for commands, and one for subscriptions
 * (opened on the first subscribe). Messages arrive as bytes and go to the one `onMessage` sink.
 *
 * - A dropped connection is retried with exponential backoff and jitter; node-redis resubscribes
 *   every channel and pattern before it reports the connection ready. Statuses cover both
 *   connections at once: `disconnected` when either drops, `reconnected` when both are back.
 * - A command issued while a connection is down rejects at once with ConnectionError.
 * - When Redis drops the subscriber for reading too slowly, an `error` status carries a
 *   SlowConsumerError (see slow-consumer.ts), then the subscriber reconnects as after any drop.
 */
export class RedisTransport implements Transport {
  readonly url: string
  #target: RedisUrl
  #options: ResolvedRedisTransportOptions
  #commands: NodeRedisClient | undefined
  #connecting: Promise<void> | undefined
  #subscriber: NodeRedisClient | undefined
  #subscriberConnecting: Promise<NodeRedisClient> | undefined
  #closing: Promise<void> | undefined
  /** Set once reconnection gave up: every call rejects with it. */
  #failure: SwitchboardError | undefined
  #messageSink: MessageSink = noop
  #statusSink: StatusSink = noop
  #links = new LinkMonitor()
  #statuses = new SerialQueue()
  /** What this transport means to be subscribed to; node-redis's own record can lag behind it. */
  #channels = new Set<string>()
  #patterns = new Map<string, Listener>()
  /** INFO taken when the subscriber last connected, to judge its next drop. */
  #snapshot: ServerSnapshot | undefined
  #lastMessageAt = Number.NEGATIVE_INFINITY

  constructor(url: string | TransportUrl, options?: RedisTransportOptions) {
    const target = typeof url === 'string' ? parseUrl(url) : url
    if (
      target.scheme === 'memory' ||
      target.scheme === 'redis+sentinel' ||
      target.scheme === 'redis+cluster'
    ) {
      throw unsupported(target, url)
    }
    this.#target = target
    this.#options = resolveOptions(options)
    this.url = typeof url === 'string' ? maskUrl(url) : describe(target)
  }

  connect(): Promise<void> {
    const unusable = this.#unusable()
    if (unusable) return Promise.reject(unusable)
    this.#connecting ??= this.#open()
    return this.#connecting
  }

  async #open(): Promise<void> {
    const client = this.#createClient(LINKS.commands)
    this.#commands = client
    try {
      await client.connect()
    } catch (error) {
      this.#commands = undefined
      this.#connecting = undefined
      destroyQuietly(client)
      throw this.#closing
        ? new ClosedError('RedisTransport')
        : toConnectionError(error, this.url, 'connecting')
    }
    if (this.#closing) throw new ClosedError('RedisTransport')
    await this.#emit({ type: 'connected' })
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    const subscriber = this.#subscriberConnecting?.catch(() => undefined)
    const clients = [this.#commands, this.#subscriber, await subscriber]
    const unique = [...new Set(clients)].filter((c): c is NodeRedisClient => c !== undefined)
    await Promise.all(unique.map((c) => this.#closeClient(c)))
    this.#commands = undefined
    this.#subscriber = undefined
    this.#messageSink = noop
  }

  /** Flushes what is in flight, then quits; a connection that is down (or a server that does not answer in time) is cut instead. */
  async #closeClient(client: NodeRedisClient): Promise<void> {
    if (!client.isOpen) return
    if (!client.isReady) return destroyQuietly(client)
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        destroyQuietly(client)
        resolve()
      }, this.#options.closeTimeoutMs)
    })
    await Promise.race([client.close().catch(noop), timedOut])
    clearTimeout(timer)
  }

  publish(channel: string, payload: Uint8Array): Promise<number> {
    const client = this.#readyCommands()
    if (client instanceof Error) return Promise.reject(client)
    return client
      .sendCommand<number>(['PUBLISH', channel, asBuffer(payload)])
      .catch((error: unknown) => this.#fail(error, `PUBLISH to "${channel}"`))
  }

  /**
   * node-redis writes every command issued in the same tick in one corked socket write, so these
   * PUBLISH commands leave in one write and their replies come back together: one round trip.
   * Unlike a MULTI, nothing is transactional, which PUBLISH does not need.
   */
  publishBatch(messages: ReadonlyArray<readonly [channel: string, payload: Uint8Array]>): Promise<number[]> {
    if (messages.length === 0) return Promise.resolve([])
    const client = this.#readyCommands()
    if (client instanceof Error) return Promise.reject(client)
    const replies = messages.map(([channel, payload]) =>
      client.sendCommand<number>(['PUBLISH', channel, asBuffer(payload)]),
    )
    return Promise.all(replies).catch((error: unknown) =>
      this.#fail(error, `a batch of ${messages.length} PUBLISH commands`),
    )
  }

  async subscribe(channels: readonly string[]): Promise<void> {
    if (channels.length === 0) return
    const client = await this.#readySubscriber('SUBSCRIBE')
    // Wanted before SUBSCRIBE is sent: a message can follow its reply in the same socket read,
    // and is delivered before this function resumes.
    const added = channels.filter((c) => !this.#channels.has(c))
    for (const channel of added) this.#channels.add(channel)
    // node-redis sends SUBSCRIBE only for channels it has no listener for; a channel whose
    // SUBSCRIBE is still in flight is sent again, which Redis treats as a no-op.
    try {
      await client.subscribe([...channels], this.#onChannelMessage, true)
    } catch (error) {
      for (const channel of added) this.#channels.delete(channel)
      throw this.#fail(error, `SUBSCRIBE ${channels.join(' ')}`)
    }
  }

  async psubscribe(patterns: readonly string[]): Promise<void> {
    if (patterns.length === 0) return
    const client = await this.#readySubscriber('PSUBSCRIBE')
    // A pmessage listener is not told which pattern matched, so each pattern gets its own
    // listener, kept and reused: two listeners on one pattern would deliver each message twice.
    // One PSUBSCRIBE per pattern costs nothing more: node-redis writes them all in one write.
    const added: string[] = []
    const subscribing = patterns.map((pattern) => {
      let listener = this.#patterns.get(pattern)
      if (!listener) {
        listener = this.#patternListener(pattern)
        this.#patterns.set(pattern, listener)
        added.push(pattern)
      }
      return client.pSubscribe(pattern, listener, true)
    })
    try {
      await Promise.all(subscribing)
    } catch (error) {
      for (const pattern of added) this.#patterns.delete(pattern)
      throw this.#fail(error, `PSUBSCRIBE ${patterns.join(' ')}`)
    }
  }

  /**
   * Delivery stops as soon as this is called. If the subscriber connection is down, the
   * UNSUBSCRIBE is sent once it is back (see #reconcile), and this resolves at once.
   */
  async unsubscribe(channels: readonly string[]): Promise<void> {
    const unusable = this.#unusable()
    if (unusable) throw unusable
    const known = channels.filter((c) => this.#channels.delete(c))
    const client = this.#subscriber
    if (known.length === 0 || !client?.isReady) return
    await client.unsubscribe(known).catch((error: unknown) => {
      if (client.isReady) throw this.#fail(error, `UNSUBSCRIBE ${known.join(' ')}`)
    })
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    const unusable = this.#unusable()
    if (unusable) throw unusable
    const known = patterns.filter((p) => this.#patterns.delete(p))
    const client = this.#subscriber
    if (known.length === 0 || !client?.isReady) return
    await client.pUnsubscribe(known).catch((error: unknown) => {
      if (client.isReady) throw this.#fail(error, `PUNSUBSCRIBE ${known.join(' ')}`)
    })
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
    const client = this.#readyCommands()
    if (client instanceof Error) return Promise.reject(client)
    return client.sendCommand<T>(args).catch((error: unknown) => this.#fail(error, what))
  }

  /** The command connection, or the error to reject with. Synchronous, for the publish path. */
  #readyCommands(): NodeRedisClient | SwitchboardError {
    const unusable = this.#unusable()
    if (unusable) return unusable
    if (!this.#commands || !this.#connecting) {
      return new ConnectionError(`RedisTransport for ${this.url} is not connected: call connect() first`, {
        url: this.url,
      })
    }
    return this.#commands
  }

  #unusable(): SwitchboardError | undefined {
    if (this.#closing) return new ClosedError('RedisTransport')
    return this.#failure
  }

  #fail(error: unknown, what: string): never {
    throw this.#unusable() ?? toConnectionError(error, this.url, what)
  }

  // --- subscriber connection ------------------------------------------------------------------

  async #readySubscriber(what: string): Promise<NodeRedisClient> {
    const commands = this.#readyCommands()
    if (commands instanceof Error) throw commands
    this.#subscriberConnecting ??= this.#openSubscriber()
    const client = await this.#subscriberConnecting
    const unusable = this.#unusable()
    if (unusable) throw unusable
    if (!client.isReady) {
      // Refuse rather than queue: a SUBSCRIBE queued while the server is away would wait unbounded.
      throw new ConnectionError(
        `${what} on ${this.url} failed: the subscriber connection is down and being re-established; retry after the 'reconnected' status`,
        { url: this.url },
      )
    }
    return client
  }

  async #openSubscriber(): Promise<NodeRedisClient> {
    const client = this.#createClient(LINKS.subscriber)
    try {
      await client.connect()
    } catch (error) {
      this.#subscriberConnecting = undefined
      destroyQuietly(client)
      throw this.#unusable() ?? toConnectionError(error, this.url, 'connecting the subscriber')
    }
    this.#subscriber = client
    void this.#takeSnapshot()
    return client
  }

  #onChannelMessage: Listener = (message, channel) => {
    const name = channel.toString()
    // A channel being unsubscribed may still deliver until Redis confirms; it is over for us.
    if (this.#channels.has(name)) this.#deliver(name, message, undefined)
  }

  #patternListener(pattern: string): Listener {
    const listener: Listener = (message, channel) => {
      // Identity, not presence: after punsubscribe and psubscribe of the same pattern, node-redis
      // may briefly hold the old listener and the new one.
      if (this.#patterns.get(pattern) === listener) this.#deliver(channel.toString(), message, pattern)
    }
    return listener
  }

  #deliver(channel: string, message: Buffer, pattern: string | undefined): void {
    this.#lastMessageAt = performance.now()
    try {
      this.#messageSink(channel, message, pattern)
    } catch (error) {
      // A throw here would unwind into node-redis's reply parser and reset it mid-stream.
      void this.#emit({ type: 'error', error: new SubscriberError(channel, error) })
    }
  }

  /**
   * After a reconnection node-redis has resubscribed what it knows of, which includes channels
   * unsubscribed while the connection was down. Drop those so that Redis agrees with us.
   */
  async #reconcile(client: NodeRedisClient): Promise<void> {
    const channels = [...client.getPubSubListeners('CHANNELS').keys()].filter((c) => !this.#channels.has(c))
    const patterns = [...client.getPubSubListeners('PATTERNS').keys()].filter((p) => !this.#patterns.has(p))
    await Promise.all([
      channels.length > 0 ? client.unsubscribe(channels) : undefined,
      patterns.length > 0 ? client.pUnsubscribe(patterns) : undefined,
    ]).catch(noop)
  }

  // --- connection state -----------------------------------------------------------------------

  #createClient(link: Link): NodeRedisClient {
    const state = { everReady: false }
    const client = createNodeRedisClient(
      this.#target,
      this.#options,
      link === LINKS.commands ? 'cmd' : 'sub',
      this.#reconnectStrategy(state),
    )
    client.on('ready', () => {
      if (this.#closing) return
      if (!state.everReady) {
        state.everReady = true
        return
      }
      this.#onLinkUp(link, client)
    })
    client.on('error', (error: Error) => {
      // Before the first ready, connect() rejects with this error; node-redis also reports each
      // failed reconnect attempt, which changes nothing while the link is already down.
      if (this.#closing || !state.everReady || this.#links.isLinkDown(link)) return
      if (client.isReady) {
        void this.#emit({
          type: 'error',
          error: toConnectionError(error, this.url, `the ${link} connection`),
        })
        return
      }
      this.#onLinkDown(link, error)
    })
    client.on('terminated', (cause: unknown) => {
      if (this.#closing || !state.everReady) return
      this.#onGaveUp(cause)
    })
    return client
  }

  #reconnectStrategy(state: { everReady: boolean }): ReconnectStrategy {
    const options = this.#options.reconnect
    return (retries) => {
      // The first connect fails fast, so that a wrong URL is reported instead of retried.
      if (!state.everReady || this.#closing) return false
      if (!mayReconnect(retries, options)) return new Error(`gave up after ${retries} reconnect attempts`)
      return reconnectDelay(retries, options)
    }
  }

  #onLinkDown(link: Link, cause: Error): void {
    const error = lostConnectionError(cause, this.url, link)
    const status = this.#links.down(link, error)
    if (status) void this.#emit(status)
    if (link === LINKS.subscriber) {
      const before = this.#snapshot
      const quietMs = performance.now() - this.#lastMessageAt
      void this.#statuses.push(() => this.#checkSlowConsumer(before, quietMs, cause))
    }
  }

  #onLinkUp(link: Link, client: NodeRedisClient): void {
    if (link === LINKS.subscriber) {
      void this.#statuses.push(() => this.#reconcile(client))
      void this.#takeSnapshot()
    }
    const status = this.#links.up(link)
    if (status) void this.#emit(status)
  }

  #onGaveUp(cause: unknown): void {
    if (this.#failure) return
    const attempts = this.#options.reconnect.maxAttempts
    this.#failure = new ConnectionError(
      `gave up reconnecting to ${this.url} after ${attempts} attempts; create a new transport`,
      { cause, url: this.url },
    )
    void this.#emit({ type: 'error', error: this.#failure })
    for (const client of [this.#commands, this.#subscriber]) if (client) destroyQuietly(client)
  }

  /** INFO through the command connection: which server, and its output-buffer drop counter. */
  async #readServer(): Promise<ServerSnapshot | undefined> {
    const client = this.#commands
    if (!client?.isReady) return undefined
    const options = { timeout: this.#options.slowConsumerCheckTimeoutMs }
    try {
      const [server, stats] = await Promise.all([
        client.sendCommand<string>(['INFO', 'server'], options),
        client.sendCommand<string>(['INFO', 'stats'], options),
      ])
      return snapshotFromInfo(`${server}\n${stats}`)
    } catch {
      return undefined
    }
  }

  async #takeSnapshot(): Promise<void> {
    this.#snapshot = await this.#readServer()
  }

  async #checkSlowConsumer(before: ServerSnapshot | undefined, quietMs: number, cause: Error): Promise<void> {
    if (this.#closing || this.#links.isLinkDown(LINKS.commands)) return
    const after = await this.#readServer()
    // No answer means the server itself is away: an ordinary disconnection.
    if (!after || this.#links.isLinkDown(LINKS.commands)) return
    const verdict = judgeSubscriberDrop(before, after, quietMs)
    if (verdict.kind === 'ruled-out') return
    await this.#emitNow({ type: 'error', error: slowConsumerError(this.url, verdict, cause) })
  }

  #emit(status: TransportStatus): Promise<void> {
    return this.#statuses.push(() => this.#emitNow(status))
  }

  /** Only from inside a queued task. */
  #emitNow(status: TransportStatus): void {
    if (this.#closing) return
    try {
      this.#statusSink(status)
    } catch {
      // A status listener's own failure is its business; the transport keeps going.
    }
  }
}

function unsupported(target: Exclude<TransportUrl, RedisUrl>, url: string | TransportUrl): ConnectionError {
  const shown = typeof url === 'string' ? maskUrl(url) : `${target.scheme}://`
  const why = {
    'redis+sentinel': 'Sentinel is not yet supported; connect to the current master with redis://host:port',
    'redis+cluster': 'Redis Cluster is not yet supported: it needs the cluster transport (sharded pub/sub)',
    memory: 'memory:// names the in-process broker: use MemoryTransport',
  }[target.scheme]
  return new ConnectionError(`RedisTransport cannot use ${shown}: ${why}`, { url: shown })
}

function describe(target: RedisUrl): string {
  const auth =
    target.password === undefined
      ? target.username === undefined
        ? ''
        : `${target.username}@`
      : `${target.username ?? ''}:***@`
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  return `${target.scheme}://${auth}${host}:${target.port}${target.db === 0 ? '' : `/${target.db}`}`
}

function asBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
}

function destroyQuietly(client: NodeRedisClient): void {
  try {
    client.destroy()
  } catch {
    // Already destroyed.
  }
}
