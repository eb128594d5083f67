import { boundedMemo } from '../../memo.js'
import { type ChannelKey, keyBytes } from '../channel-key.js'
import { compileGlob, type GlobMatcher } from '../glob.js'
import type { ClaimReading, MessageSink, Payload, SubscriptionKind } from '../transport.js'

/** One connected client of a broker, as Redis sees a connection. */
export interface BrokerClient {
  readonly sink: MessageSink
}

interface Entry {
  /** Set for a pattern: whether a channel's bytes match it. */
  readonly match: GlobMatcher | undefined
  readonly clients: Set<BrokerClient>
}

/**
 * How a PUBLISH reaches the subscriptions of each kind: through the entry named exactly like the
 * channel, or through every entry whose pattern matches it (then the delivery names the
 * pattern, as a pmessage does). Shard channels are reached only by SPUBLISH, which this broker,
 * like one Redis server's transport, does not offer.
 */
const REACH: Record<SubscriptionKind, { byPattern: boolean; byPublish: boolean }> = {
  channel: { byPattern: false, byPublish: true },
  pattern: { byPattern: true, byPublish: true },
  shard: { byPattern: false, byPublish: false },
}
const KINDS = Object.keys(REACH) as SubscriptionKind[]
const PUBLISHED_KINDS = KINDS.filter((kind) => REACH[kind].byPublish)

type Delivery = readonly [channel: ChannelKey, payload: Uint8Array, pattern: ChannelKey | undefined]

/** A channel's bytes, remembered: channels recur, and encoding one costs more than matching it. */
const bytesOf = boundedMemo(keyBytes)

/**
 * An in-process broker with Redis pub/sub semantics: PUBLISH counts channel plus pattern
 * receivers, each client receives in publish order, and delivery happens on a later turn of the
 * event loop, never inside publish. Channels and patterns are named by their keys (channel-key.ts),
 * so that two names are one exactly when Redis would see the same bytes.
 */
export class MemoryBroker {
  readonly name: string
  /** Every subscription, by kind and key. */
  readonly #subscriptions: Record<SubscriptionKind, Map<ChannelKey, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  }
  readonly #claims = new Map<string, { expiresAt: number; value: string }>()
  readonly #queues = new Map<BrokerClient, Delivery[]>()
  #flushScheduled = false

  constructor(name: string) {
    this.name = name
  }

  publish(channel: ChannelKey, payload: Payload): number {
    let receivers = 0
    // Copied once, as Redis does, so a publisher reusing its buffer cannot change what was sent.
    let copy: Uint8Array | undefined
    // Redis matches patterns against the channel's bytes: encoded once per publish (at most), and
    // only when some pattern is subscribed.
    let bytes: Uint8Array | undefined
    for (const kind of PUBLISHED_KINDS) {
      const entries = this.#subscriptions[kind]
      if (REACH[kind].byPattern) {
        for (const [pattern, entry] of entries) {
          bytes ??= bytesOf(channel)
          if (!entry.match?.(bytes)) continue
          copy ??= copyOf(payload)
          receivers += this.#fanOut(entry, [channel, copy, pattern])
        }
      } else {
        const entry = entries.get(channel)
        if (!entry) continue
        copy ??= copyOf(payload)
        receivers += this.#fanOut(entry, [channel, copy, undefined])
      }
    }
    return receivers
  }

  /** Queues a delivery for every client of a subscription; returns how many there are. */
  #fanOut(entry: Entry, delivery: Delivery): number {
    for (const client of entry.clients) this.#enqueue(client, delivery)
    return entry.clients.size
  }

  subscribe(client: BrokerClient, kind: SubscriptionKind, name: ChannelKey): void {
    const entries = this.#subscriptions[kind]
    let entry = entries.get(name)
    if (!entry) {
      entry = { match: REACH[kind].byPattern ? compileGlob(keyBytes(name)) : undefined, clients: new Set() }
      entries.set(name, entry)
    }
    entry.clients.add(client)
  }

  /**
   * Ends a subscription. What was published to it before is already queued for the client, as
   * Redis has already written it to the connection: it is still delivered.
   */
  unsubscribe(client: BrokerClient, kind: SubscriptionKind, name: ChannelKey): void {
    const entries = this.#subscriptions[kind]
    const entry = entries.get(name)
    if (!entry) return
    entry.clients.delete(client)
    if (entry.clients.size === 0) entries.delete(name)
  }

  /** Drops every subscription of the client and anything still queued for it. */
  disconnect(client: BrokerClient): void {
    for (const kind of KINDS) {
      for (const name of [...this.#subscriptions[kind].keys()]) this.unsubscribe(client, kind, name)
    }
    this.#queues.delete(client)
  }

  numsub(channel: ChannelKey): number {
    return this.#subscriptions.channel.get(channel)?.clients.size ?? 0
  }

  /** PUBSUB CHANNELS: the keys of the channels subscribed that match the pattern. */
  channels(pattern: ChannelKey): ChannelKey[] {
    const match = compileGlob(keyBytes(pattern))
    return [...this.#subscriptions.channel.keys()].filter((channel) => match(bytesOf(channel)))
  }

  claim(key: string, ttlMs: number, value: string): boolean {
    const now = Date.now()
    if ((this.#claims.get(key)?.expiresAt ?? 0) > now) return false
    this.#claims.set(key, { expiresAt: now + ttlMs, value })
    if (this.#claims.size > 10_000) this.#sweepClaims(now)
    return true
  }

  /** A claim not yet expired: its value and the time it has left, as GET and PTTL give them. */
  readClaim(key: string, now = Date.now()): ClaimReading | undefined {
    const claim = this.#claims.get(key)
    return claim !== undefined && claim.expiresAt > now
      ? { value: claim.value, remainingMs: claim.expiresAt - now }
      : undefined
  }

  #sweepClaims(now: number): void {
    for (const [key, claim] of this.#claims) if (claim.expiresAt <= now) this.#claims.delete(key)
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

/**
 * The process's brokers by name, kept on globalThis under a Symbol.for key: an ESM and a CommonJS
 * build of switchboard loaded in one process (a dual-package install) must share memory://default,
 * or each would talk to itself.
 */
const REGISTRY = Symbol.for('switchboard.memory-brokers')
const brokers: Map<string, MemoryBroker> =
  ((globalThis as Record<symbol, unknown>)[REGISTRY] as Map<string, MemoryBroker> | undefined) ??
  new Map<string, MemoryBroker>()
;(globalThis as Record<symbol, unknown>)[REGISTRY] = brokers

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
