/**
 * Which local subscriptions want which channels and patterns. Pure bookkeeping with no I/O: it
 * answers whether the transport must subscribe (the first local subscriber of a name) or
 * unsubscribe (the last one), and whom to route an arriving message to.
 */
export class SubscriptionRegistry<S> {
  readonly #channels = new Map<string, Set<S>>()
  readonly #patterns = new Map<string, Set<S>>()

  /** Adds `sub` for `name`; true when it is the first, so the transport must subscribe. */
  add(kind: 'channel' | 'pattern', name: string, sub: S): boolean {
    const table = kind === 'channel' ? this.#channels : this.#patterns
    const set = table.get(name)
    if (set) {
      set.add(sub)
      return false
    }
    table.set(name, new Set([sub]))
    return true
  }

  /** Removes `sub` for `name`; true when it was the last, so the transport must unsubscribe. */
  remove(kind: 'channel' | 'pattern', name: string, sub: S): boolean {
    const table = kind === 'channel' ? this.#channels : this.#patterns
    const set = table.get(name)
    if (!set?.delete(sub)) return false
    if (set.size > 0) return false
    table.delete(name)
    return true
  }

  /** True when `sub` is the one subscriber of `name`, so removing it must unsubscribe the broker. */
  isOnly(kind: 'channel' | 'pattern', name: string, sub: S): boolean {
    const set = (kind === 'channel' ? this.#channels : this.#patterns).get(name)
    return set !== undefined && set.size === 1 && set.has(sub)
  }

  has(kind: 'channel' | 'pattern', name: string): boolean {
    return (kind === 'channel' ? this.#channels : this.#patterns).has(name)
  }

  /** The subscriptions for a message: those of its channel, or of the pattern it matched. */
  targets(channel: string, pattern: string | undefined): ReadonlySet<S> | undefined {
    return pattern === undefined ? this.#channels.get(channel) : this.#patterns.get(pattern)
  }

  channels(): string[] {
    return [...this.#channels.keys()]
  }

  patterns(): string[] {
    return [...this.#patterns.keys()]
  }

  get size(): number {
    return this.#channels.size + this.#patterns.size
  }
}
