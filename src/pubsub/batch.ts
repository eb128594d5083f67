import { ClosedError, InvalidArgumentError } from '../errors.js'
import type { ChannelName } from '../transport/channel-key.js'
import type { ByteNames } from './byte-names.js'

/** What a batch needs from its bus. */
export interface BatchHost {
  encode(data: unknown): Uint8Array
  publishBatch(messages: ReadonlyArray<readonly [ChannelName, Uint8Array]>): Promise<number[]>
}

/**
 * Publishes queued with `publish()` and sent by `exec()` in one round trip. Payloads are encoded
 * when queued, so an encoding error surfaces at the call that caused it.
 */
export class Batch<C extends object = Record<string, unknown>> {
  readonly #host: BatchHost
  readonly #messages: Array<readonly [ChannelName, Uint8Array]> = []
  /** For each publish() call, how many of #messages it queued (several for a list of channels). */
  readonly #spans: number[] = []
  #executed = false

  /** @internal Created by bus.batch(). */
  constructor(host: BatchHost) {
    this.#host = host
  }

  get length(): number {
    return this.#spans.length
  }

  /** Queues a publish; a channel given as bytes is that exact channel (see PubSubBus.publish). */
  publish<K extends keyof C & string>(channel: K | readonly K[], data: C[K]): this
  publish(channel: ByteNames<C>, data: C[keyof C]): this
  publish(channel: ChannelName | readonly ChannelName[], data: unknown): this {
    if (this.#executed) throw new ClosedError('batch (already executed)')
    const channels = typeof channel === 'string' || channel instanceof Uint8Array ? [channel] : channel
    if (channels.length === 0) throw new InvalidArgumentError('batch.publish needs at least one channel')
    const bytes = this.#host.encode(data)
    for (const name of channels) this.#messages.push([name, bytes])
    this.#spans.push(channels.length)
    return this
  }

  /** Sends everything queued in one round trip; resolves to each publish()'s receivers, in order. */
  async exec(): Promise<number[]> {
    if (this.#executed) throw new ClosedError('batch (already executed)')
    this.#executed = true
    if (this.#messages.length === 0) return []
    const counts = await this.#host.publishBatch(this.#messages)
    if (counts.length === this.#spans.length) return counts // one channel per publish()
    const totals: number[] = []
    let at = 0
    for (const span of this.#spans) {
      let sum = 0
      for (let i = 0; i < span; i++) sum += counts[at + i] ?? 0
      totals.push(sum)
      at += span
    }
    return totals
  }
}
