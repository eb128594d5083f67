import type { ChannelKey } from '../transport/channel-key.js'
import type { SubscriptionKind } from '../transport/transport.js'

/**
 * One name as the broker subscribes it: a kind (channel, pattern, shard) and the name's key
 * (channel-key.ts), so that two names are one exactly when the broker sees the same bytes.
 */
export interface BrokerName {
  readonly kind: SubscriptionKind
  readonly name: ChannelKey
}

/** What a local subscription leaves behind when it is detached (see SubscriptionRegistry.detach). */
export interface Detached {
  /** Every name it held. */
  readonly names: readonly BrokerName[]
  /** The names it was the only holder of: the broker must unsubscribe them. */
  readonly last: readonly BrokerName[]
}

type Holders<S> = Map<string, Set<S>>

/**
 * Which local subscriptions hold which broker names, the one record of it. Pure bookkeeping with
 * no I/O: it answers whether the broker must subscribe a name (its first holder) or unsubscribe
 * it (its last), and whom an arriving message goes to. Every kind has its own table, looked up
 * by the kind itself, so no code branches on channel-or-pattern.
 *
 * A subscription is live from add() to detach(); it stays routed from add() to unroute(). The gap
 * is the UNSUBSCRIBE in flight: messages the broker sent before confirming it still reach the
 * subscription, while close() no longer counts it as live.
 */
export class SubscriptionRegistry<S> {
  readonly #holders: Record<SubscriptionKind, Holders<S>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  }
  /** The live subscriptions, with the names each holds. */
  readonly #live = new Map<S, readonly BrokerName[]>()

  /** Records `sub` as holding `names`; returns those it is the first holder of (to subscribe). */
  add(sub: S, names: readonly BrokerName[]): BrokerName[] {
    this.#live.set(sub, names)
    const first: BrokerName[] = []
    for (const entry of names) {
      const table = this.#holders[entry.kind]
      const holders = table.get(entry.name)
      if (holders) holders.add(sub)
      else {
        table.set(entry.name, new Set([sub]))
        first.push(entry)
      }
    }
    return first
  }

  /**
   * Ends `sub`'s life as a live subscription, but keeps it routed until unroute(). Undefined when
   * it was not live (never added, or already detached).
   */
  detach(sub: S): Detached | undefined {
    const names = this.#live.get(sub)
    if (!names) return undefined
    this.#live.delete(sub)
    const last = names.filter((entry) => {
      const holders = this.#holders[entry.kind].get(entry.name)
      return holders !== undefined && holders.size === 1 && holders.has(sub)
    })
    return { names, last }
  }

  /** Stops routing `names` to `sub`. */
  unroute(sub: S, names: readonly BrokerName[]): void {
    for (const entry of names) {
      const table = this.#holders[entry.kind]
      const holders = table.get(entry.name)
      if (holders?.delete(sub) && holders.size === 0) table.delete(entry.name)
    }
  }

  /** True while some subscription (live or being released) holds the name. */
  has(entry: BrokerName): boolean {
    return this.#holders[entry.kind].has(entry.name)
  }

  /**
   * The holders of every name of one kind, as a live read-only view: whom a message that came
   * through (kind, name) goes to. The dispatcher keeps the views it needs, so a message costs one
   * Map lookup.
   */
  holders(kind: SubscriptionKind): ReadonlyMap<string, ReadonlySet<S>> {
    return this.#holders[kind]
  }

  /** The live subscriptions. */
  live(): S[] {
    return [...this.#live.keys()]
  }

  /** The names of one kind that some subscription holds. */
  names(kind: SubscriptionKind): string[] {
    return [...this.#holders[kind].keys()]
  }
}
