import type { SlowConsumerError } from '../../errors.js'
import type { NodeRedisClient } from './node-redis-client.js'
import {
  type DropCause,
  judgeSubscriberDrop,
  type ServerSnapshot,
  slowConsumerError,
  snapshotFromInfo,
} from './slow-consumer.js'
import { UnresponsiveLinkError } from './unresponsive-link.js'

/**
 * The I/O half of slow-consumer detection (the judgement is in slow-consumer.ts): INFO through
 * the command connection when the subscriber connects, and again when it drops.
 */
export class SlowConsumerDetector {
  #url: string
  #timeoutMs: number
  #commands: () => NodeRedisClient | undefined
  #snapshot: ServerSnapshot | undefined

  /** `commands` gives the command connection when it is up. */
  constructor(url: string, timeoutMs: number, commands: () => NodeRedisClient | undefined) {
    this.#url = url
    this.#timeoutMs = timeoutMs
    this.#commands = commands
  }

  /** Call when the subscriber (re)connects: the reference for judging its next drop. */
  async subscriberConnected(): Promise<void> {
    this.#snapshot = await this.#readServer()
  }

  /**
   * Call when the subscriber drops (with the snapshot from just then, see `snapshot`, and why it
   * dropped): resolves to the error to report, or undefined for an ordinary disconnection.
   */
  async judge(
    before: ServerSnapshot | undefined,
    quietMs: number,
    cause: Error,
  ): Promise<SlowConsumerError | undefined> {
    const by: DropCause = cause instanceof UnresponsiveLinkError ? 'switchboard' : 'server'
    // INFO cannot change the verdict on switchboard's own drop: it is not asked (the server may
    // well be the silent one, and the question would hold the status queue up).
    const after = by === 'server' ? await this.#readServer() : undefined
    const verdict = judgeSubscriberDrop(before, after, quietMs, by)
    return verdict.kind === 'ruled-out' ? undefined : slowConsumerError(this.#url, verdict, cause)
  }

  get snapshot(): ServerSnapshot | undefined {
    return this.#snapshot
  }

  /** Which server, and its output-buffer drop counter; undefined if it does not answer in time. */
  async #readServer(): Promise<ServerSnapshot | undefined> {
    const client = this.#commands()
    if (!client) return undefined
    const options = { timeout: this.#timeoutMs }
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
}
