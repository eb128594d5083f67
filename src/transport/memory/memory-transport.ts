import { ClosedError } from '../../errors.js'
import { refuseUnsupportedKind } from '../abilities.js'
import type {
  MessageSink,
  Payload,
  PublishReceipt,
  StatusSink,
  StreamBackend,
  SubscriptionKind,
  Transport,
  TransportAbilities,
} from '../transport.js'
import { refuseIllFormedName } from '../well-formed-name.js'
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

  async publish(channel: string, payload: Payload): Promise<number> {
    this.#open()
    refuseIllFormedName(channel)
    return this.#broker.publish(channel, payload)
  }

  publishTo(channel: string, payload: Payload, receipt: PublishReceipt): void {
    let receivers: number
    try {
      this.#open()
      refuseIllFormedName(channel)
      receivers = this.#broker.publish(channel, payload)
    } catch (error) {
      queueMicrotask(() => receipt.publishFailed(error))
      return
    }
    queueMicrotask(() => receipt.published(receivers))
  }

  async publishBatch(messages: ReadonlyArray<readonly [string, Payload]>): Promise<number[]> {
    this.#open()
    // Every name is checked before any is published, so that a refused batch sends nothing.
    for (const [channel] of messages) refuseIllFormedName(channel)
    return messages.map(([channel, payload]) => this.#broker.publish(channel, payload))
  }

  async subscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    this.#open()
    refuseUnsupportedKind(this, kind)
    for (const name of names) refuseIllFormedName(name)
    for (const name of names) this.#broker.subscribe(this.#client, kind, name)
  }

  async unsubscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    for (const name of names) this.#broker.unsubscribe(this.#client, kind, name)
  }

  async numsub(channels: readonly string[]): Promise<number[]> {
    this.#open()
    for (const channel of channels) refuseIllFormedName(channel)
    return channels.map((channel) => this.#broker.numsub(channel))
  }

  async channels(pattern: string): Promise<string[]> {
    this.#open()
    refuseIllFormedName(pattern)
    return this.#broker.channels(pattern)
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.#open()
    return this.#broker.claim(key, ttlMs)
  }

  onMessage(sink: MessageSink): void {
    this.#sink = sink
  }

  onStatus(sink: StatusSink): void {
    this.#status = sink
  }
}
