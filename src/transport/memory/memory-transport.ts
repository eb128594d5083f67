import { ClosedError } from '../../errors.js'
import { refuseUnsupportedKind } from '../abilities.js'
import { type ChannelKey, type ChannelName, channelKey, keyText, releasedKey } from '../channel-key.js'
import type {
  ClaimReading,
  MessageSink,
  Payload,
  PublishReceipt,
  StatusSink,
  StreamBackend,
  SubscriptionKind,
  Transport,
  TransportAbilities,
} from '../transport.js'
import { type BrokerClient, type MemoryBroker, memoryBroker } from './memory-broker.js'

const noMessageSink: MessageSink = () => {}
const noStatusSink: StatusSink = () => {}

/** A transport on the embedded in-process broker named in `memory://name`. */
export class MemoryTransport implements Transport {
  readonly url: string
  /** Like one Redis server: channels and patterns, no shard channels. */
  readonly abilities: TransportAbilities = { kinds: new Set(['channel', 'pattern']) }
  /** Durable topics live in durable/'s store for this broker name, shared like its channels. */
  readonly streams: StreamBackend
  readonly #broker: MemoryBroker
  readonly #client: BrokerClient
  #sink: MessageSink = noMessageSink
  #status: StatusSink = noStatusSink
  #closed = false

  constructor(brokerName = 'default') {
    this.url = `memory://${brokerName}`
    this.streams = { kind: 'memory', broker: brokerName }
    this.#broker = memoryBroker(brokerName)
    this.#client = { sink: (channel, payload, pattern) => this.#sink(channel, payload, pattern) }
  }

  async connect(): Promise<void> {
    this.#status({ type: 'connected' })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#broker.disconnect(this.#client)
  }

  #open(): void {
    if (this.#closed) throw new ClosedError(`transport ${this.url}`)
  }

  async publish(channel: ChannelName, payload: Payload): Promise<number> {
    this.#open()
    return this.#broker.publish(channelKey(channel), payload)
  }

  publishTo(channel: ChannelName, payload: Payload, receipt: PublishReceipt): void {
    let receivers: number
    try {
      this.#open()
      receivers = this.#broker.publish(channelKey(channel), payload)
    } catch (error) {
      queueMicrotask(() => receipt.publishFailed(error))
      return
    }
    queueMicrotask(() => receipt.published(receivers))
  }

  async publishBatch(messages: ReadonlyArray<readonly [ChannelName, Payload]>): Promise<number[]> {
    this.#open()
    // Every name is checked before any is published, so that a refused batch sends nothing.
    const keys = messages.map(([channel]) => channelKey(channel))
    return messages.map(([, payload], i) => this.#broker.publish(keys[i] as ChannelKey, payload))
  }

  async subscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    this.#open()
    refuseUnsupportedKind(this, kind)
    const keys = names.map(channelKey)
    for (const key of keys) this.#broker.subscribe(this.#client, kind, key)
  }

  async unsubscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void> {
    for (const name of names) {
      const key = releasedKey(name)
      if (key !== undefined) this.#broker.unsubscribe(this.#client, kind, key)
    }
  }

  async numsub(channels: readonly ChannelName[]): Promise<number[]> {
    this.#open()
    const keys = channels.map(channelKey)
    return keys.map((key) => this.#broker.numsub(key))
  }

  /** The channels as text, as node-redis gives PUBSUB CHANNELS (see MemoryBroker.channels for keys). */
  async channels(pattern: string): Promise<string[]> {
    this.#open()
    return this.#broker.channels(channelKey(pattern)).map(keyText)
  }

  async claim(key: string, ttlMs: number, value = '1'): Promise<boolean> {
    this.#open()
    return this.#broker.claim(key, ttlMs, value)
  }

  async readClaim(key: string): Promise<ClaimReading | undefined> {
    this.#open()
    return this.#broker.readClaim(key)
  }

  onMessage(sink: MessageSink): void {
    this.#sink = sink
  }

  onStatus(sink: StatusSink): void {
    this.#status = sink
  }
}
