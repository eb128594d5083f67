import type { MessageSink } from '../transport.js'
import type { NodeRedisClient } from './node-redis-client.js'

type Listener = (message: Buffer, channel: Buffer) => void

/**
 * What a transport is subscribed to, and the node-redis listeners that deliver it to the sink.
 * This is the record a new subscriber connection is subscribed from, so it says what the
 * transport wants, ahead of what Redis has confirmed: a channel counts from the moment
 * SUBSCRIBE is sent, and stops counting the moment unsubscribe() is called.
 */
export class Subscriptions {
  #channels = new Set<string>()
  #patterns = new Map<string, Listener>()
  #deliver: MessageSink
  /** performance.now() of the last delivery, to judge a drop (see slow-consumer.ts). */
  lastMessageAt = Number.NEGATIVE_INFINITY

  /** `deliver` must not throw: a throw would unwind into node-redis's reply parser. */
  constructor(deliver: MessageSink) {
    this.#deliver = deliver
  }

  /**
   * Records the channels, then subscribes; on failure forgets what it recorded. Recording comes
   * first because a message can follow the SUBSCRIBE reply in the same socket read.
   */
  async subscribe(client: NodeRedisClient, channels: readonly string[]): Promise<void> {
    const added = channels.filter((c) => !this.#channels.has(c))
    for (const channel of added) this.#channels.add(channel)
    try {
      // node-redis sends SUBSCRIBE only for channels it has no listener for yet.
      await client.subscribe([...channels], this.#onMessage, true)
    } catch (error) {
      for (const channel of added) this.#channels.delete(channel)
      throw error
    }
  }

  async psubscribe(client: NodeRedisClient, patterns: readonly string[]): Promise<void> {
    const added = patterns.filter((p) => !this.#patterns.has(p))
    for (const pattern of added) this.#patterns.set(pattern, this.#patternListener(pattern))
    try {
      await this.#psubscribeOn(client, patterns)
    } catch (error) {
      for (const pattern of added) this.#patterns.delete(pattern)
      throw error
    }
  }

  /** Forgets the channels (delivery stops now) and returns those that were subscribed. */
  forgetChannels(channels: readonly string[]): string[] {
    return channels.filter((c) => this.#channels.delete(c))
  }

  forgetPatterns(patterns: readonly string[]): string[] {
    return patterns.filter((p) => this.#patterns.delete(p))
  }

  /** Subscribes a new connection to everything, before it is used. */
  async restoreOn(client: NodeRedisClient): Promise<void> {
    await Promise.all([
      this.#channels.size > 0 ? client.subscribe([...this.#channels], this.#onMessage, true) : undefined,
      this.#psubscribeOn(client, this.#patterns.keys()),
    ])
  }

  /**
   * What was unsubscribed while a new connection was being restored is still subscribed on it:
   * drop it, so that Redis agrees with this record.
   */
  async reconcile(client: NodeRedisClient): Promise<void> {
    const channels = [...client.getPubSubListeners('CHANNELS').keys()].filter((c) => !this.#channels.has(c))
    const patterns = [...client.getPubSubListeners('PATTERNS').keys()].filter((p) => !this.#patterns.has(p))
    await Promise.all([
      channels.length > 0 ? client.unsubscribe(channels) : undefined,
      patterns.length > 0 ? client.pUnsubscribe(patterns) : undefined,
    ])
  }

  /**
   * A pmessage listener is not told which pattern matched, so each pattern has its own listener,
   * kept and reused: two listeners on one pattern would deliver each message twice. One
   * PSUBSCRIBE per pattern costs nothing more: node-redis writes them all in one write.
   */
  #psubscribeOn(client: NodeRedisClient, patterns: Iterable<string>): Promise<unknown> {
    const subscribing: Promise<void>[] = []
    for (const pattern of patterns) {
      const listener = this.#patterns.get(pattern)
      if (listener) subscribing.push(client.pSubscribe(pattern, listener, true))
    }
    return Promise.all(subscribing)
  }

  #onMessage: Listener = (message, channel) => {
    const name = channel.toString()
    // A channel being unsubscribed may still deliver until Redis confirms; it is over for us.
    if (!this.#channels.has(name)) return
    this.lastMessageAt = performance.now()
    this.#deliver(name, message, undefined)
  }

  #patternListener(pattern: string): Listener {
    const listener: Listener = (message, channel) => {
      // Identity, not presence: after punsubscribe and psubscribe of the same pattern, node-redis
      // may briefly hold the old listener and the new one.
      if (this.#patterns.get(pattern) !== listener) return
      this.lastMessageAt = performance.now()
      this.#deliver(channel.toString(), message, pattern)
    }
    return listener
  }
}
