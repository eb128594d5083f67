import { boundedMemo } from '../../memo.js'
import { channelBytes, compileGlob, type GlobMatcher } from '../glob.js'
import type { MessageSink, Payload, SubscriptionKind } from '../transport.js'

/** One connected client of a broker, as Redis sees a connection. */
export interface BrokerClient {
  readonly sink: MessageSink
}

interface PatternEntry {
  readonly match: GlobMatcher
  readonly clients: Set<BrokerClient>
}

type Delivery = readonly [channel: string, payload: Uint8Array, pattern: string | undefined]

/** A channel's bytes, remembered: channels recur, and encoding one costs more than matching it. */
const bytesOf = boundedMemo(channelBytes)

/**
 * An in-process broker with Redis pub/sub semantics: PUBLISH counts channel plus pattern
 * receivers, each client receives in publish order, and delivery happens on a later turn of the
 * event loop, never inside publish.
 */
export class MemoryBroker {
  readonly name: string
  readonly #channels = new Map<string, Set<BrokerClient>>()
  readonly #patterns = new Map<string, PatternEntry>()
  readonly #claims = new Map<string, number>()
  readonly #queues = new Map<BrokerClient, Delivery[]>()
  #flushScheduled = false

  constructor(name: string) {
    this.name = name
  }

  publish(channel: string, payload: Payload): number {
    let receivers = 0
    // Copied once, as Redis does, so a publisher reusing its buffer cannot change what was sent.
    let copy: Uint8Array | undefined
    const subscribers = this.#channels.get(channel)
    if (subscribers) {
      copy = copyOf(payload)
      for (const client of subscribers) this.#enqueue(client, [channel, copy, undefined])
      receivers += subscribers.size
    }
    // Redis matches patterns against the channel's bytes: encoded once per publish (at most), and
    // only when some pattern is subscribed.
    let bytes: Uint8Array | undefined
    for (const [pattern, entry] of this.#patterns) {
      bytes ??= bytesOf(channel)
      if (!entry.match(bytes)) continue
      copy ??= copyOf(payload)
      for (const client of entry.clients) this.#enqueue(client, [channel, copy, pattern])
      receivers += entry.clients.size
    }
    return receivers
  }

  subscribe(client: BrokerClient, kind: SubscriptionKind, name: string): void {
    if (kind === 'pattern') this.#psubscribe(client, name)
    else this.#subscribe(client, name)
  }

  unsubscribe(client: BrokerClient, kind: SubscriptionKind, name: string): void {
    if (kind === 'pattern') this.#punsubscribe(client, name)
    else this.#unsubscribe(client, name)
  }

  #subscribe(client: BrokerClient, channel: string): void {
    let set = this.#channels.get(channel)
    if (!set) {
      set = new Set()
      this.#channels.set(channel, set)
    }
    set.add(client)
  }

  #unsubscribe(client: BrokerClient, channel: string): void {
    const set = this.#channels.get(channel)
    if (!set) return
    set.delete(client)
    if (set.size === 0) this.#channels.delete(channel)
  }

  #psubscribe(client: BrokerClient, pattern: string): void {
    let entry = this.#patterns.get(pattern)
    if (!entry) {
      entry = { match: compileGlob(pattern), clients: new Set() }
      this.#patterns.set(pattern, entry)
    }
    entry.clients.add(client)
  }

  #punsubscribe(client: BrokerClient, pattern: string): void {
    const entry = this.#patterns.get(pattern)
    if (!entry) return
    entry.clients.delete(client)
    if (entry.clients.size === 0) this.#patterns.delete(pattern)
  }

  /** Drops every subscription of the client and anything still queued for it. */
  disconnect(client: BrokerClient): void {
    for (const channel of [...this.#channels.keys()]) this.#unsubscribe(client, channel)
    for (const pattern of [...this.#patterns.keys()]) this.#punsubscribe(client, pattern)
    this.#queues.delete(client)
  }

  numsub(channel: string): number {
    return this.#channels.get(channel)?.size ?? 0
  }

  channels(pattern: string): string[] {
    const match = compileGlob(pattern)
    return [...this.#channels.keys()].filter((channel) => match(channelBytes(channel)))
  }

  claim(key: string, ttlMs: number): boolean {
    const now = Date.now()
    const expiry = this.#claims.get(key)
    if (expiry !== undefined && expiry > now) return false
    this.#claims.set(key, now + ttlMs)
    if (this.#claims.size > 10_000) this.#sweepClaims(now)
    return true
  }

  #sweepClaims(now: number): void {
    for (const [key, expiry] of this.#claims) if (expiry <= now) this.#claims.delete(key)
  }

  #enqueue(client: BrokerClient, delivery: Delivery): void {
    let queue = this.#queues.get(client)
    if (!queue) {
      queue = []
      this.#queues.set(client, queue)
    }
    queue.push(delivery)
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      setImmediate(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    const queues = [...this.#queues]
    this.#queues.clear()
    for (const [client, deliveries] of queues) {
      for (const [channel, payload, pattern] of deliveries) {
        try {
          client.sink(channel, payload, pattern)
        } catch (error) {
          // A sink that throws must not cost other messages or other clients their delivery.
          process.emitWarning(error instanceof Error ? error : String(error), 'SwitchboardWarning')
        }
      }
    }
  }
}

const brokers = new Map<string, MemoryBroker>()

/** The process-wide broker of this name: every transport naming it shares it. */
export function memoryBroker(name: string): MemoryBroker {
  let broker = brokers.get(name)
  if (!broker) {
    broker = new MemoryBroker(name)
    brokers.set(name, broker)
  }
  return broker
}

/** A copy: Buffer#slice would make a view, so Uint8Array's slice, which copies, is called. */
function copyOf(payload: Payload): Uint8Array {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Uint8Array.prototype.slice.call(payload)
}
