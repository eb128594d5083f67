import { ConnectionError } from '../../errors.js'
import type { RedisUrl } from '../url.js'
import { mayReconnect, reconnectDelay } from './backoff.js'
import { toConnectionError } from './connection-error.js'
import type { Link } from './link-monitor.js'
import type { NodeRedisClient } from './node-redis-client.js'
import type { ReconnectOptions } from './redis-transport-options.js'

export interface ManagedConnectionSpec {
  link: Link
  /** The masked URL, for error messages. */
  url: string
  /** Where the server is now: fixed for redis://, asked of the Sentinels for redis+sentinel://. */
  locate: () => Promise<RedisUrl>
  create: (target: RedisUrl) => NodeRedisClient
  /**
   * Runs on every new connection before it is handed out: checks it (Sentinel: is it the
   * master?) and restores its state (the subscriber: every channel and pattern).
   */
  prepare: (client: NodeRedisClient) => Promise<void>
  reconnect: ReconnectOptions
  /** The connection is ready again after a drop (prepare has run). */
  onUp: () => void
  /** The connection dropped; reconnection has started. */
  onDown: (cause: Error) => void
  /** reconnect.maxAttempts ran out. */
  onGaveUp: (error: ConnectionError) => void
  /** node-redis reported an error while the connection stayed up. */
  onError: (cause: Error) => void
}

/**
 * One logical connection that outlives the node-redis clients behind it. A node-redis client
 * is used until its socket drops, and then replaced by a new one, found again through `locate`.
 * Switchboard reconnects itself instead of leaving it to node-redis, because node-redis can
 * only return to the address it started with, and after a Sentinel failover the master is
 * elsewhere. The same path serves single servers, so both behave the same.
 */
export class ManagedConnection {
  #spec: ManagedConnectionSpec
  #client: NodeRedisClient | undefined
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #wakeUp: (() => void) | undefined

  constructor(spec: ManagedConnectionSpec) {
    this.#spec = spec
  }

  /** The current client when it is ready for commands, else undefined. */
  get ready(): NodeRedisClient | undefined {
    return this.#client?.isReady ? this.#client : undefined
  }

  /** The first connection: not retried, so that a wrong address is reported at once. */
  async open(): Promise<NodeRedisClient> {
    const client = await this.#establish()
    this.#adopt(client)
    return client
  }

  /** Flushes what is in flight (up to `timeoutMs`), then quits; stops any reconnection. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true
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

  /** Cuts the connection for good, rejecting what is in flight. */
  destroy(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#wakeUp?.()
    if (this.#client) destroyQuietly(this.#client)
  }

  async #establish(): Promise<NodeRedisClient> {
    const target = await this.#spec.locate()
    const client = this.#spec.create(target)
    // node-redis throws on an 'error' event nobody listens to; this one is replaced in #adopt.
    client.on('error', noop)
    try {
      await client.connect()
      await this.#spec.prepare(client)
    } catch (error) {
      destroyQuietly(client)
      throw error
    }
    if (this.#closed) {
      destroyQuietly(client)
      throw new ConnectionError(`the ${this.#spec.link} connection to ${this.#spec.url} was closed while connecting`)
    }
    return client
  }

  #adopt(client: NodeRedisClient): void {
    this.#client = client
    client.removeListener('error', noop)
    client.on('error', (error: Error) => {
      // With reconnection left to us, a drop ends the client: 'terminated' reports it.
      if (!this.#closed && client === this.#client && client.isReady) this.#spec.onError(error)
    })
    client.once('terminated', (cause: unknown) => {
      if (this.#closed || client !== this.#client) return
      this.#spec.onDown(asError(cause))
      void this.#reconnect(asError(cause))
    })
  }

  async #reconnect(cause: Error): Promise<void> {
    let lastError: unknown = cause
    for (let attempt = 0; mayReconnect(attempt, this.#spec.reconnect); attempt++) {
      await this.#sleep(reconnectDelay(attempt, this.#spec.reconnect))
      if (this.#closed) return
      try {
        const client = await this.#establish()
        const previous = this.#client
        this.#adopt(client)
        if (previous) destroyQuietly(previous)
        this.#spec.onUp()
        return
      } catch (error) {
        if (this.#closed) return
        lastError = error
      }
    }
    const attempts = this.#spec.reconnect.maxAttempts
    const last = toConnectionError(lastError, this.#spec.url, 'the last attempt')
    this.#spec.onGaveUp(
      new ConnectionError(
        `gave up reconnecting to ${this.#spec.url} after ${attempts} attempts (${last.message}); create a new transport`,
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

const noop = (): void => undefined

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(String(cause))
}

export function destroyQuietly(client: NodeRedisClient): void {
  try {
    client.destroy()
  } catch {
    // Already destroyed.
  }
}
