import { refuseUnsupportedKind } from '../transport/abilities.js'
import { type ChannelName, channelKey, keyName } from '../transport/channel-key.js'
import { isGlobPattern } from '../transport/glob.js'
import type { SubscriptionKind, Transport } from '../transport/transport.js'
import { type BrokerName, SubscriptionRegistry } from './subscription-registry.js'

/** The part of a transport the multiplexer drives. */
export type SubscribingTransport = Pick<Transport, 'url' | 'abilities' | 'subscribe' | 'unsubscribe'>

/**
 * The broker names of subscribe()'s names, each by its key (channel-key.ts), made here once so
 * that what arrives is looked up as the transport names it: a name with a glob character is a
 * pattern unless `asPatterns` is false, as the public API promises; every other name is a
 * channel. Text with a lone surrogate is refused (InvalidArgumentError).
 */
export function brokerNames(names: readonly ChannelName[], asPatterns: boolean): BrokerName[] {
  return names.map((given) => {
    const name = channelKey(given)
    return { kind: asPatterns && isGlobPattern(name) ? 'pattern' : 'channel', name }
  })
}

function key(entry: BrokerName): string {
  return `${entry.kind}:${entry.name}`
}

/**
 * Multiplexes local subscriptions onto one broker subscription per (kind, name): the first local
 * holder of a name subscribes it, the last one unsubscribes it. It owns the SubscriptionRegistry,
 * and settles the release race: a name being unsubscribed while someone subscribes it again.
 *
 * - A released subscription stays routed until the broker confirms its UNSUBSCRIBE, so nothing
 *   the broker counted for it is lost.
 * - A subscribe to a name whose UNSUBSCRIBE is in flight waits for it, and the release subscribes
 *   the name again once confirmed: the new holder hears everything published after its
 *   subscribe() resolves.
 */
export class Multiplexer<S> {
  readonly #transport: SubscribingTransport
  readonly #registry = new SubscriptionRegistry<S>()
  /** UNSUBSCRIBEs in flight (and the subscribe again that may follow) by `kind:name`. */
  readonly #releasing = new Map<string, Promise<void>>()
  /** Set once the transport is closing: the broker is not asked anything more. */
  #closed = false

  constructor(transport: SubscribingTransport) {
    this.#transport = transport
  }

  /**
   * Routes `names` to `sub` and resolves once the broker has confirmed every one. A kind the
   * transport cannot subscribe rejects with InvalidArgumentError before anything is recorded. On
   * a broker failure the caller releases `sub`.
   */
  async add(sub: S, names: readonly BrokerName[]): Promise<void> {
    for (const { kind } of names) refuseUnsupportedKind(this.#transport, kind)
    const first = this.#registry.add(sub, names)
    const releasing = names.map((entry) => this.#releasing.get(key(entry)))
    if (releasing.some((p) => p !== undefined)) await Promise.all(releasing)
    await this.#send('subscribe', first)
  }

  /** Unroutes `sub`, unsubscribing the names it was the last holder of. */
  async release(sub: S): Promise<void> {
    const detached = this.#registry.detach(sub)
    if (!detached) return
    const { names, last } = detached
    if (last.length === 0 || this.#closed) {
      this.#registry.unroute(sub, names)
      return
    }
    const released = this.#unsubscribe(sub, names, last)
    const settled = released.catch(() => {})
    const keys = last.map(key)
    for (const k of keys) this.#releasing.set(k, settled)
    try {
      await released
    } finally {
      for (const k of keys) if (this.#releasing.get(k) === settled) this.#releasing.delete(k)
    }
  }

  /** Who holds each name of one kind, read-only: where the dispatcher routes messages. */
  holders(kind: SubscriptionKind): ReadonlyMap<string, ReadonlySet<S>> {
    return this.#registry.holders(kind)
  }

  /** The live subscriptions (not those being released). */
  live(): S[] {
    return this.#registry.live()
  }

  /**
   * For a bus that closes its transport: unroutes every live subscription without asking the
   * broker (the connection goes), and returns them, to be ended.
   */
  close(): S[] {
    this.#closed = true
    const live = this.#registry.live()
    for (const sub of live) {
      const detached = this.#registry.detach(sub)
      if (detached) this.#registry.unroute(sub, detached.names)
    }
    return live
  }

  async #unsubscribe(sub: S, names: readonly BrokerName[], last: readonly BrokerName[]): Promise<void> {
    try {
      await this.#send('unsubscribe', last)
    } finally {
      this.#registry.unroute(sub, names)
    }
    // Someone subscribed to one of these names while the UNSUBSCRIBE was in flight.
    const again = last.filter((entry) => this.#registry.has(entry))
    if (again.length > 0 && !this.#closed) await this.#send('subscribe', again)
  }

  /** SUBSCRIBE (or UNSUBSCRIBE) the names, one command per kind. */
  async #send(command: 'subscribe' | 'unsubscribe', names: readonly BrokerName[]): Promise<void> {
    if (names.length === 0) return
    const byKind = new Map<SubscriptionKind, ChannelName[]>()
    for (const { kind, name } of names) {
      // The name as the transport takes it: the text itself, or the bytes that are not UTF-8.
      const given = keyName(name)
      const list = byKind.get(kind)
      if (list) list.push(given)
      else byKind.set(kind, [given])
    }
    await Promise.all([...byKind].map(([kind, list]) => this.#transport[command](kind, list)))
  }
}
