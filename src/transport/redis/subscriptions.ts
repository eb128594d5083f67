import type { MessageSink } from '../transport.js'
import type { SubscriberClient } from './subscriber-client.js'

/** How often message arrival is turned into a time; the slow-consumer verdict looks back 10 s. */
const STAMP_INTERVAL_MS = 1000

/**
 * What a transport is subscribed to, and the gate its messages pass on their way to the sink.
 * This is the record a new subscriber connection is subscribed from, so it says what the
 * transport wants, ahead of what Redis has confirmed: a channel counts from the moment
 * SUBSCRIBE is sent, and stops counting the moment unsubscribe() is called.
 */
export class Subscriptions {
  #channels = new Set<string>()
  #patterns = new Set<string>()
  #deliver: MessageSink
  /**
   * When messages last arrived, to judge a drop (see slow-consumer.ts), to the second: reading
   * the clock per message showed in the subscriber's profile, so a message only raises a flag,
   * and a timer turns the flag into a time once a second.
   */
  #lastMessageAt = Number.NEGATIVE_INFINITY
  #messageSeen = false
  #stamper: NodeJS.Timeout | undefined

  /** `deliver` must not throw: a throw would unwind into the subscriber's reply reader. */
  constructor(deliver: MessageSink) {
    this.#deliver = deliver
  }

  /**
   * Records the channels, then subscribes; on failure forgets what it recorded. Recording comes
   * first because a message can follow the SUBSCRIBE reply in the same socket read.
   */
  async subscribe(client: SubscriberClient, channels: readonly string[]): Promise<void> {
    const added = channels.filter((c) => !this.#channels.has(c))
    for (const channel of added) this.#channels.add(channel)
    try {
      await client.subscribe(channels)
    } catch (error) {
      for (const channel of added) this.#channels.delete(channel)
      throw error
    }
  }

  async psubscribe(client: SubscriberClient, patterns: readonly string[]): Promise<void> {
    const added = patterns.filter((p) => !this.#patterns.has(p))
    for (const pattern of added) this.#patterns.add(pattern)
    try {
      await client.psubscribe(patterns)
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
  async restoreOn(client: SubscriberClient): Promise<void> {
    await Promise.all([
      this.#channels.size > 0 ? client.subscribe([...this.#channels]) : undefined,
      this.#patterns.size > 0 ? client.psubscribe([...this.#patterns]) : undefined,
    ])
  }

  /**
   * What was unsubscribed while a new connection was being restored is still subscribed on it:
   * drop it, so that Redis agrees with this record.
   */
  async reconcile(client: SubscriberClient): Promise<void> {
    const channels = client.channels().filter((c) => !this.#channels.has(c))
    const patterns = client.patterns().filter((p) => !this.#patterns.has(p))
    await Promise.all([
      channels.length > 0 ? client.unsubscribe(channels) : undefined,
      patterns.length > 0 ? client.punsubscribe(patterns) : undefined,
    ])
  }

  /** Milliseconds since a message last arrived, to within a second; Infinity when none has. */
  quietMs(): number {
    return this.#messageSeen ? 0 : performance.now() - this.#lastMessageAt
  }

  /** Stops the timer that stamps message times. */
  dispose(): void {
    clearInterval(this.#stamper)
    this.#stamper = undefined
  }

  /** Where the subscriber connection hands each message. */
  readonly onMessage = (channel: string, payload: Buffer, pattern: string | undefined): void => {
    // A name being unsubscribed may still deliver until Redis confirms; it is over for us.
    if (pattern === undefined ? !this.#channels.has(channel) : !this.#patterns.has(pattern)) return
    if (!this.#messageSeen) this.#sawMessage()
    this.#deliver(channel, payload, pattern)
  }

  #sawMessage(): void {
    this.#messageSeen = true
    this.#stamper ??= setInterval(this.#stamp, STAMP_INTERVAL_MS).unref()
  }

  readonly #stamp = (): void => {
    if (!this.#messageSeen) return
    this.#messageSeen = false
    this.#lastMessageAt = performance.now()
  }
}
