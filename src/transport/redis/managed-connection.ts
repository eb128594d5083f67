import { ConnectionError } from '../../errors.js'
import type { HostPort, RedisUrl } from '../url.js'
import { mayReconnect, reconnectDelay } from './backoff.js'
import { explain } from './connection-error.js'
import { withDeadline } from './deadline.js'
import type { Link } from './link-monitor.js'
import { LivenessProbe } from './liveness-probe.js'
import { destroyQuietly } from './node-redis-client.js'
import type { ReconnectOptions } from './redis-transport-options.js'
import { UnresponsiveLinkError } from './unresponsive-link.js'

/** What a managed connection needs of a client: node-redis's, or one of switchboard's own (subscriber, publish). */
export interface LinkClient {
  readonly isOpen: boolean
  readonly isReady: boolean
  connect(): Promise<unknown>
  close(): Promise<unknown>
  destroy(): void
  on(event: 'error', listener: (error: Error) => void): unknown
  once(event: 'terminated', listener: (cause: unknown) => void): unknown
  /** The CLIENT KILL filters that end this connection on its server, when known (client-identity.ts). */
  readonly killFilters?: readonly string[] | undefined
}

export interface ManagedConnectionSpec<C extends LinkClient> {
  link: Link
  /** The masked URL, for error messages. */
  url: string
  /** Where the server is now: fixed for redis://, asked of the Sentinels for redis+sentinel://. */
  locate: () => Promise<RedisUrl>
  create: (target: RedisUrl) => C
  /**
   * Runs on every new connection, made to `target`, before it is handed out: checks it
   * (Sentinel: is it the master?) and restores its state (the subscriber: its subscriptions).
   */
  prepare: (client: C, target: RedisUrl) => Promise<void>
  reconnect: ReconnectOptions
  /**
   * The deadline of each attempt, in milliseconds: from the TCP connect through TLS, the
   * handshake and `prepare`, all of it. Past it the attempt is cut and counts as failed.
   */
  connectTimeoutMs: number
  /** How the connection is checked while it stands; without it, it is not (a blocking link). */
  liveness?: LivenessCheck<C>
  /** The connection is ready again after a drop (prepare has run). */
  onUp: () => void
  /** The connection dropped; reconnection has started. */
  onDown: (cause: Error) => void
  /** reconnect.maxAttempts ran out. */
  onGaveUp: (error: ConnectionError) => void
  /** node-redis reported an error while the connection stayed up. */
  onError: (cause: Error) => void
  /**
   * A connection to `target` was dropped for going silent: the server may still hold it, and
   * `filters` (CLIENT KILL) end it there. Only for clients that know their filters.
   */
  onAbandoned?: (filters: readonly string[], target: RedisUrl) => void
}

/** How a standing connection is checked (see liveness-probe.ts). */
export interface LivenessCheck<C> {
  /** How long a PING may wait with nothing arriving, in milliseconds; 0: never checked. */
  timeoutMs: number
  ping: (client: C) => Promise<unknown>
  /** What the client has read so far (a count that grows with what arrives), if it can tell. */
  heard?: (client: C) => number
}

/**
 * One logical connection that outlives the clients behind it (node-redis, or switchboard's own
 * subscriber and publish connections). A client is used until its socket drops, and then
 * replaced by a new one, found again through `locate`.
 * Switchboard reconnects itself instead of leaving it to node-redis, because node-redis can
 * only return to the address it started with, and after a Sentinel failover the master is
 * elsewhere. The same path serves single servers, so both behave the same.
 *
 * Every attempt has one deadline, connectTimeoutMs, for all of it (a server that accepts the TCP
 * connection and never answers the handshake would otherwise hold it forever), and a standing
 * connection is checked by its own liveness probe: one that goes silent is dropped and replaced
 * like one that broke.
 */
export class ManagedConnection<C extends LinkClient> {
  #spec: ManagedConnectionSpec<C>
  readonly #probe: LivenessProbe | undefined
  #client: C | undefined
  /** Where #client is connected. */
  #target: RedisUrl | undefined
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #wakeUp: (() => void) | undefined

  constructor(spec: ManagedConnectionSpec<C>) {
    this.#spec = spec
    const liveness = spec.liveness
    if (liveness && liveness.timeoutMs > 0) {
      const { heard } = liveness
      this.#probe = new LivenessProbe({
        timeoutMs: liveness.timeoutMs,
        ping: () => {
          const client = this.ready
          return client && liveness.ping(client)
        },
        ...(heard && { heard: () => (this.#client ? heard(this.#client) : 0) }),
        onDead: (waitedMs) => this.#abandon(waitedMs),
      })
    }
  }

  /** The current client when it is ready for commands, else undefined. */
  get ready(): C | undefined {
    return this.#client?.isReady ? this.#client : undefined
  }

  /** Where the current client is connected. */
  get target(): RedisUrl | undefined {
    return this.#target
  }

  /**
   * Resolves true once the connection answered a PING sent now; false if it is not ready, or
   * is found dead meanwhile (and then dropped and reconnected, as by the probe). Always true
   * for a connection without a liveness check, once ready.
   */
  confirm(): Promise<boolean> {
    if (!this.ready) return Promise.resolve(false)
    return this.#probe ? this.#probe.confirm() : Promise.resolve(true)
  }

  /** The first connection: not retried, so that a wrong address is reported at once. */
  async open(): Promise<C> {
    return this.#adopt(await this.#establish())
  }

  /** Flushes what is in flight (up to `timeoutMs`), then quits; stops any reconnection. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true
    this.#probe?.stop()
    clearTimeout(this.#timer)
    this.#wakeUp?.()
    const client = this.#client
    this.#client = undefined
    if (!client?.isOpen) return
    if (!client.isReady) return destroyQuietly(client)
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
    })
    await Promise.race([client.close().catch(() => undefined), timedOut])
    clearTimeout(timer)
    // A server that did not answer in time gets cut off; what was in flight is rejected.
    destroyQuietly(client)
  }

  /**
   * Connects in the background, retrying as after a drop, for a helper connection whose absence
   * must not fail the transport (the Sentinel watcher).
   */
  start(): void {
    void this.#reconnect(new Error('not connected yet'), true)
  }

  /**
   * Drops the current client and connects again, through `locate`: after a Sentinel failover
   * the connection must move even though nothing broke it. A connection already reconnecting
   * is left alone; it will locate the new master by itself.
   */
  relocate(reason: Error, to?: HostPort): void {
    const client = this.#client
    if (this.#closed || !client?.isReady) return
    if (to && this.#target?.host === to.host && this.#target.port === to.port) return
    this.#probe?.stop()
    this.#spec.onDown(reason)
    destroyQuietly(client)
    void this.#reconnect(reason)
  }

  /** Drops a client that went silent, and tells who can end it on the server too. */
  #abandon(waitedMs: number): void {
    const client = this.ready
    const target = this.#target
    if (!client || !target) return
    this.relocate(new UnresponsiveLinkError(waitedMs))
    if (client.killFilters) this.#spec.onAbandoned?.(client.killFilters, target)
  }

  /**
   * Cuts the client a first open() made, when what had to follow it failed: the connection is
   * not reconnected and not closed for good, so that open() may be called again.
   */
  discard(): void {
    this.#probe?.stop()
    const client = this.#client
    this.#client = undefined
    this.#target = undefined
    if (client) destroyQuietly(client)
  }

  /** Cuts the connection for good, rejecting what is in flight. */
  destroy(): void {
    this.#closed = true
    this.#probe?.stop()
    clearTimeout(this.#timer)
    this.#wakeUp?.()
    if (this.#client) destroyQuietly(this.#client)
  }

  async #establish(): Promise<{ client: C; target: RedisUrl }> {
    const target = await this.#spec.locate()
    const client = this.#spec.create(target)
    this.#listen(client)
    const ms = this.#spec.connectTimeoutMs
    try {
      await withDeadline(
        (async () => {
          await client.connect()
          await this.#spec.prepare(client, target)
        })(),
        ms,
        () =>
          new Error(
            `connect timed out: the ${this.#spec.link} connection to ${target.host}:${target.port} was not ready within connectTimeoutMs (${ms} ms, for TCP, TLS and the handshake)`,
          ),
        () => destroyQuietly(client),
      )
    } catch (error) {
      destroyQuietly(client)
      throw error
    }
    if (this.#closed) {
      destroyQuietly(client)
      throw new ConnectionError(
        `the ${this.#spec.link} connection to ${this.#spec.url} was closed while connecting`,
      )
    }
    return { client, target }
  }

  /**
   * Listeners go on before connect() and stay: node-redis throws on an 'error' nobody listens
   * to, and removing a listener from the object node-redis hands out can detach the rest (it
   * is a prototype proxy of the real emitter). They act only once the client is adopted.
   */
  #listen(client: C): void {
    client.on('error', (error: Error) => {
      // With reconnection left to us, a drop ends the client and 'terminated' reports it.
      if (!this.#closed && client === this.#client && client.isReady) this.#spec.onError(error)
    })
    client.once('terminated', (cause: unknown) => {
      if (this.#closed || client !== this.#client) return
      this.#probe?.stop()
      this.#spec.onDown(asError(cause))
      void this.#reconnect(asError(cause))
    })
  }

  #adopt({ client, target }: { client: C; target: RedisUrl }): C {
    this.#client = client
    this.#target = target
    // A fresh wait for the new client: a PING left on the old one says nothing about it.
    this.#probe?.stop()
    this.#probe?.start()
    return client
  }

  async #reconnect(cause: Error, immediately = false): Promise<void> {
    let lastError: unknown = cause
    for (let attempt = 0; mayReconnect(attempt, this.#spec.reconnect); attempt++) {
      if (!immediately || attempt > 0) await this.#sleep(reconnectDelay(attempt, this.#spec.reconnect))
      if (this.#closed) return
      try {
        const previous = this.#client
        this.#adopt(await this.#establish())
        if (previous) destroyQuietly(previous)
        this.#spec.onUp()
        return
      } catch (error) {
        if (this.#closed) return
        lastError = error
      }
    }
    const attempts = this.#spec.reconnect.maxAttempts
    this.#spec.onGaveUp(
      new ConnectionError(
        `gave up reconnecting to ${this.#spec.url} after ${attempts} attempts (last: ${explain(lastError)}); create a new transport`,
        { cause: lastError, url: this.#spec.url },
      ),
    )
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wakeUp = resolve
      this.#timer = setTimeout(resolve, ms)
    })
  }
}

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(String(cause))
}
