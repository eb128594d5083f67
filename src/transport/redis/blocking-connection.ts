import type { RedisArgument } from '@redis/client'
import { ClosedError, type SwitchboardError } from '../../errors.js'
import type { ManagedConnection } from './managed-connection.js'
import type { NodeRedisClient, NodeRedisCommandOptions } from './node-redis-client.js'

/**
 * A connection of its own for commands that block until data comes (XREADGROUP BLOCK, BLPOP),
 * opened on request from ServerLinks. A blocked command holds its connection's replies back, so
 * it never shares the command link, whose liveness PING would wait behind it and declare a
 * healthy server dead. It follows the command link to wherever that is, and is closed with it.
 */
export class BlockingConnection {
  readonly #link: ManagedConnection<NodeRedisClient>
  /** The error to reject with while the connection is not ready, and how a failure is reported. */
  readonly #refuse: (what: string) => SwitchboardError
  readonly #wrap: (error: unknown, what: string) => SwitchboardError
  readonly #onClose: (connection: BlockingConnection) => void
  #closed = false

  constructor(
    link: ManagedConnection<NodeRedisClient>,
    refuse: (what: string) => SwitchboardError,
    wrap: (error: unknown, what: string) => SwitchboardError,
    onClose: (connection: BlockingConnection) => void,
  ) {
    this.#link = link
    this.#refuse = refuse
    this.#wrap = wrap
    this.#onClose = onClose
  }

  /**
   * Sends one command and resolves to its reply, however long the server holds it. While the
   * connection is down it rejects at once with ConnectionError, as a dropped connection rejects
   * what it had in flight: the caller issues it again after the reconnection.
   */
  sendCommand<T>(args: readonly RedisArgument[], options?: NodeRedisCommandOptions): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError('the blocking connection'))
    const what = String(args[0] ?? 'a command')
    const client = this.#link.ready
    if (!client) return Promise.reject(this.#refuse(what))
    return client.sendCommand<T>(args, options).catch((error: unknown) => {
      throw this.#wrap(error, what)
    })
  }

  /** Cuts the connection at once, rejecting a command that is blocked on it. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#onClose(this)
    await this.#link.close(0)
  }
}
