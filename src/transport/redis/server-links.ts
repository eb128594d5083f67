import type { RedisArgument } from '@redis/client'
import { ClosedError, ConnectionError, type SwitchboardError } from '../../errors.js'
import { type ChannelName, showName } from '../channel-key.js'
import type { SubscriptionKind, TransportStatus } from '../transport.js'
import type { RedisUrl } from '../url.js'
import { BlockingConnection } from './blocking-connection.js'
import { CommandFollowers } from './command-followers.js'
import { lostConnectionError, mayHaveRun, toConnectionError } from './connection-error.js'
import { LINKS, type Link, LinkMonitor } from './link-monitor.js'
import { type LinkClient, ManagedConnection, type ManagedConnectionSpec } from './managed-connection.js'
import {
  createNodeRedisClient,
  type NodeRedisClient,
  type NodeRedisCommandOptions,
} from './node-redis-client.js'
import { PublishConnection } from './publish-connection.js'
import { SerialQueue } from './serial-queue.js'
import type { ServerLinksSpec } from './server-links-spec.js'
import type { ServerSnapshot } from './slow-consumer.js'
import { SlowConsumerDetector } from './slow-consumer-detector.js'
import type { SubscriberConnection } from './subscriber-connection.js'
import { SubscriberLink } from './subscriber-link.js'

const noop = (): void => undefined

type LinkSpec<C extends LinkClient> = Pick<
  ManagedConnectionSpec<C>,
  'locate' | 'create' | 'prepare' | 'liveness'
>

/** The links whose drops and returns make the status. */
type StatusLink = typeof LINKS.commands | typeof LINKS.publisher | typeof LINKS.subscriber
const STATUS_LINKS: readonly StatusLink[] = [LINKS.commands, LINKS.publisher, LINKS.subscriber]

/**
 * The links to one server, which a transport holds once (RedisTransport) or once per shard (a
 * Cluster transport):
 * - the command link (node-redis), which carries the liveness PING;
 * - the publish link (publish-connection.ts), the one path of every PUBLISH;
 * - the subscriber link (subscriber-link.ts), opened on the first subscribe, restored from its
 *   SubscriptionLedger on every new connection;
 * - dedicated blocking links, on request (openBlocking()).
 *
 * Each link is replaced after a drop (managed-connection.ts), and every attempt has one deadline
 * (connectTimeoutMs). The command, publish and subscriber links each carry their own liveness
 * PING: one that goes silent without breaking is dropped and replaced like one that broke. The
 * publish and blocking links follow the command link: they open where it is once it is up, and
 * are cut when it drops, so that a paused or moved server takes them along. Statuses fold the
 * command, publish and subscriber links into one stream (link-monitor.ts), in order
 * (serial-queue.ts): `reconnected` comes once every one of them is back and answered a PING sent
 * then (so publish and every subscription work again), and a slow-consumer verdict lands between
 * `disconnected` and `reconnected`.
 */
export class ServerLinks {
  readonly #spec: ServerLinksSpec
  readonly #commands: ManagedConnection<NodeRedisClient>
  readonly #publisher: ManagedConnection<PublishConnection>
  readonly #subscriber: SubscriberLink
  readonly #blocking = new Set<ManagedConnection<NodeRedisClient>>()
  readonly #monitor = new LinkMonitor()
  readonly #statuses = new SerialQueue()
  readonly #slowConsumer: SlowConsumerDetector
  /** Connections dropped for going silent that the server may still hold, to end there (CLIENT KILL). */
  #abandoned: Array<{ filters: readonly string[]; target: RedisUrl }> = []
  /** The publish and blocking links, which open where the command link is. */
  readonly #followers: CommandFollowers
  #started = false
  #closing: Promise<void> | undefined
  #failure: ConnectionError | undefined

  constructor(spec: ServerLinksSpec) {
    this.#spec = spec
    const { options } = spec
    const timeoutMs = options.commandTimeoutMs
    this.#commands = this.#statusLink(LINKS.commands, {
      locate: spec.locate,
      create: (target) => createNodeRedisClient(target, options, 'cmd'),
      prepare: (client) => spec.verify(client),
      liveness: { timeoutMs, ping: (client) => client.sendCommand(['PING']) },
    })
    this.#followers = new CommandFollowers(this.#commands, () => this.unusable())
    this.#publisher = this.#statusLink(LINKS.publisher, {
      ...this.#followers.spec,
      create: (target) =>
        new PublishConnection(target, options, this.#wrapPublishError, {
          command: spec.publishCommand,
          onRefused: spec.onPublishRefused,
        }),
      liveness: { timeoutMs, ping: (client) => client.ping(), heard: (client) => client.heard },
    })
    this.#subscriber = new SubscriberLink({
      options,
      locate: spec.locate,
      verify: spec.verify,
      onMessage: spec.onMessage,
      onServerUnsubscribed: spec.onServerUnsubscribed,
      manage: (link) => this.#statusLink<SubscriberConnection>(LINKS.subscriber, link),
      refusal: (what, link) => this.refusal(what, link),
      wrap: (error, what) => this.wrap(error, what),
      serverUp: () => this.#commands.ready !== undefined,
      onFirstUp: () => void this.#slowConsumer.subscriberConnected(),
    })
    this.#slowConsumer = new SlowConsumerDetector(
      spec.url,
      options.slowConsumerCheckTimeoutMs,
      () => this.#commands.ready,
    )
  }

  /** The publish link when it takes publishes, else undefined (see refusal()). */
  get publisher(): PublishConnection | undefined {
    return this.#publisher.ready
  }

  /** Opens the command link, then the publish link; the first connection is not retried. */
  async open(): Promise<void> {
    const unusable = this.unusable()
    if (unusable) throw unusable
    this.#started = true
    try {
      await this.#commands.open()
      try {
        await this.#publisher.open()
      } catch (error) {
        this.#commands.discard()
        throw error
      }
    } catch (error) {
      this.#started = false
      throw this.unusable() ?? toConnectionError(error, this.#spec.url, 'connecting')
    }
  }

  /** Flushes what is in flight (up to closeTimeoutMs), then quits every link. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown()
    return this.#closing
  }

  async #shutdown(): Promise<void> {
    const timeout = this.#spec.options.closeTimeoutMs
    this.#followers.rejectAll(new ClosedError(this.#spec.owner))
    await Promise.all([
      this.#publisher.close(timeout),
      this.#commands.close(timeout),
      this.#subscriber.close(timeout),
      // A blocked read would hold close() for the whole timeout: it is cut at once.
      ...[...this.#blocking].map((link) => link.close(0)),
    ])
  }

  /** Why no call can succeed any more: closed, or reconnection gave up. */
  unusable(): SwitchboardError | undefined {
    if (this.#closing) return new ClosedError(this.#spec.owner)
    return this.#failure
  }

  /** The error for `what`, which found `link` not ready. */
  refusal(what: string, link: Link): SwitchboardError {
    const unusable = this.unusable()
    if (unusable) return unusable
    const url = this.#spec.url
    if (!this.#started) {
      return new ConnectionError(`${this.#spec.owner} for ${url} is not connected: call connect() first`, {
        url,
      })
    }
    const state = this.#monitor.isLinkDown(link) ? 'down and being re-established' : 'not open yet'
    return new ConnectionError(
      `${what} on ${url} failed: the ${link} connection is ${state}; retry after the 'reconnected' status`,
      { url },
    )
  }

  /**
   * What a failed call rejects with: ClosedError or the give-up once those apply, else a
   * ConnectionError. `maybeDelivered`: the command was written before it failed, so Redis may
   * have received it; then the error is always a ConnectionError that says so.
   */
  wrap(error: unknown, what: string, maybeDelivered = false): SwitchboardError {
    const unusable = this.unusable()
    if (unusable && !maybeDelivered) return unusable
    return toConnectionError(unusable ?? error, this.#spec.url, what, maybeDelivered)
  }

  /** A command on the command link; a Buffer argument goes as its bytes. */
  command<T>(args: readonly RedisArgument[], what: string, options?: NodeRedisCommandOptions): Promise<T> {
    const client = this.#commands.ready
    if (!client) return Promise.reject(this.refusal(what, LINKS.commands))
    return client.sendCommand<T>(args, options).catch((error: unknown) => {
      throw this.wrap(error, what, mayHaveRun(error))
    })
  }

  /** Subscribes names of one kind, any kind; resolves once the server confirmed every one. */
  subscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    return this.#subscriber.subscribe(kind, names)
  }

  /** Unsubscribes names of one kind; what the server sent before confirming still reaches onMessage. */
  async unsubscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    const unusable = this.unusable()
    if (unusable) throw unusable
    await this.#subscriber.unsubscribe(kind, names)
  }

  /**
   * A connection of its own for commands that block (XREADGROUP BLOCK), to the server the
   * command link is on. It is never the link that carries the liveness PING, and it is closed
   * with the others.
   */
  async openBlocking(): Promise<BlockingConnection> {
    const what = 'opening a blocking connection'
    if (!this.#commands.ready) throw this.refusal(what, LINKS.commands)
    const link = new ManagedConnection<NodeRedisClient>({
      ...this.#followers.spec,
      link: LINKS.blocking,
      url: this.#spec.url,
      create: (target) => createNodeRedisClient(target, this.#spec.options, 'block'),
      reconnect: { ...this.#spec.options.reconnect, maxAttempts: Number.POSITIVE_INFINITY },
      connectTimeoutMs: this.#spec.options.connectTimeoutMs,
      onUp: noop,
      onDown: noop,
      onGaveUp: noop,
      onError: noop,
    })
    this.#blocking.add(link)
    try {
      await link.open()
    } catch (error) {
      this.#blocking.delete(link)
      await link.close(0)
      throw this.wrap(error, what)
    }
    return new BlockingConnection(
      link,
      (command) =>
        this.unusable() ??
        new ConnectionError(
          `${command} on ${this.#spec.url} failed: the blocking connection is down and being re-established`,
          { url: this.#spec.url },
        ),
      (error, command) => this.wrap(error, command),
      () => this.#blocking.delete(link),
    )
  }

  /** After a Sentinel failover: every link moves to the new master. */
  relocate(reason: Error, to: { host: string; port: number }): void {
    this.#commands.relocate(reason, to)
    this.#subscriber.connection.relocate(reason, to)
  }

  /** Queues a status behind those already queued; resolves once it is told. */
  report(status: TransportStatus): Promise<void> {
    return this.#statuses.push(() => this.#emitNow(status))
  }

  readonly #wrapPublishError = (error: unknown, channel: ChannelName, maybeDelivered: boolean): unknown =>
    this.wrap(error, `PUBLISH to "${showName(channel)}"`, maybeDelivered)

  // --- link state -----------------------------------------------------------------------------

  /** A link whose drops and returns are part of the status. */
  #statusLink<C extends LinkClient>(link: Link, spec: LinkSpec<C>): ManagedConnection<C> {
    return new ManagedConnection<C>({
      ...spec,
      link,
      url: this.#spec.url,
      reconnect: this.#spec.options.reconnect,
      connectTimeoutMs: this.#spec.options.connectTimeoutMs,
      onUp: () => this.#onLinkUp(link),
      onDown: (cause) => this.#onLinkDown(link, cause),
      onGaveUp: (error) => this.#onGaveUp(error),
      onAbandoned: (filters, target) => {
        this.#abandoned.push({ filters, target })
        if (this.#commands.ready) void this.#endAbandoned()
      },
      onError: (cause) => {
        void this.report({
          type: 'error',
          error: toConnectionError(cause, this.#spec.url, `the ${link} connection`),
        })
      },
    })
  }

  #onLinkDown(link: Link, cause: Error): void {
    const status = this.#monitor.down(link, lostConnectionError(cause, this.#spec.url, link))
    if (status) void this.report(status)
    if (link === LINKS.commands) {
      this.#publisher.relocate(cause)
      for (const blocking of this.#blocking) blocking.relocate(cause)
    }
    if (link === LINKS.subscriber) {
      this.#subscriber.dropped()
      const before = this.#slowConsumer.snapshot
      const quietMs = this.#subscriber.quietMs()
      void this.#statuses.push(() => this.#checkSlowConsumer(before, quietMs, cause))
    }
  }

  #onLinkUp(link: Link): void {
    if (link === LINKS.commands) this.#followers.wake()
    if (link === LINKS.subscriber) {
      void this.#statuses.push(() => this.#subscriber.reconcile())
      void this.#slowConsumer.subscriberConnected()
    }
    void this.#statuses.push(() => this.#markUp(link))
  }

  /**
   * Runs in the status queue. The last link back announces `reconnected` only once every link
   * that stands answered a PING sent now: one that went silent without breaking (a frozen path)
   * would count as up until its own probe noticed, and `reconnected` would promise a delivery
   * that does not work yet. One that fails the check is dropped, and its return announces
   * instead.
   */
  async #markUp(link: Link): Promise<void> {
    if (!this.#isReady(link)) return
    if (this.#monitor.isLastDown(link)) {
      // A silent subscriber the server still holds would count as a receiver of every PUBLISH.
      await this.#endAbandoned()
      await Promise.all(STATUS_LINKS.map((each) => this.#connection(each).confirm()))
      // Dropped again meanwhile: its down is recorded, and its next return announces.
      if (!this.#isReady(link)) return
    }
    const status = this.#monitor.up(link)
    if (status) this.#emitNow(status)
  }

  /**
   * Ends on the server the connections dropped for going silent, through the command link (a
   * connection the server already closed, or a server that moved or restarted, matches nothing).
   */
  async #endAbandoned(): Promise<void> {
    const client = this.#commands.ready
    const target = this.#commands.target
    if (!client || !target) return
    const sameServer = (other: RedisUrl) => other.host === target.host && other.port === target.port
    const ending = this.#abandoned.splice(0).filter((each) => sameServer(each.target))
    await Promise.all(
      ending.map(({ filters }) => client.sendCommand(['CLIENT', 'KILL', ...filters]).catch(() => undefined)),
    )
  }

  #connection(link: StatusLink): { readonly ready: unknown; confirm(): Promise<boolean> } {
    if (link === LINKS.commands) return this.#commands
    if (link === LINKS.publisher) return this.#publisher
    return this.#subscriber.connection
  }

  #isReady(link: Link): boolean {
    return STATUS_LINKS.some((each) => each === link && this.#connection(each).ready !== undefined)
  }

  #onGaveUp(error: ConnectionError): void {
    if (this.#failure || this.#closing) return
    this.#failure = error
    void this.report({ type: 'error', error })
    this.#followers.rejectAll(error)
    this.#publisher.destroy()
    this.#commands.destroy()
    this.#subscriber.connection.destroy()
    for (const blocking of this.#blocking) blocking.destroy()
    this.#spec.onGaveUp(error)
  }

  /** Runs in the status queue, so that its report lands between `disconnected` and `reconnected`. */
  async #checkSlowConsumer(before: ServerSnapshot | undefined, quietMs: number, cause: Error): Promise<void> {
    if (this.#closing || this.#monitor.isLinkDown(LINKS.commands)) return
    const error = await this.#slowConsumer.judge(before, quietMs, cause)
    // A command connection that dropped meanwhile means the server went away.
    if (error && !this.#monitor.isLinkDown(LINKS.commands)) this.#emitNow({ type: 'error', error })
  }

  /** Only from inside a queued task, so that statuses keep their order. */
  #emitNow(status: TransportStatus): void {
    if (this.#closing) return
    try {
      this.#spec.onStatus(status)
    } catch {
      // A status listener's own failure is its business; the links keep going.
    }
  }
}
