/**
 * Counts how often each identical event (same channel, same bytes) has arrived, so that hubs
 * sharing a broker claim "the 3rd {"user_id": 7} on user.active" rather than its bytes alone: a
 * broker delivers to every subscriber in one order, so the hubs that heard the same events agree
 * on the count, and an event repeated on purpose is routed again. A count is forgotten after
 * `forgetMs` without a repeat; injected clock, no I/O.
 */
export class Occurrences {
  readonly #forgetMs: number
  readonly #now: () => number
  readonly #seen = new Map<string, { count: number; lastMs: number }>()
  #sweepAtMs = 0

  constructor(forgetMs: number, now: () => number = Date.now) {
    this.#forgetMs = forgetMs
    this.#now = now
  }

  /** Counts one more arrival of `hash` and returns which it is: 1 for the first. */
  next(hash: string): number {
    const now = this.#now()
    this.#sweep(now)
    const seen = this.#seen.get(hash)
    const count = seen && now - seen.lastMs < this.#forgetMs ? seen.count + 1 : 1
    this.#seen.set(hash, { count, lastMs: now })
    return count
  }

  /**
   * Sets the count of `hash` to `count`: the broker showed that the arrival being routed is the
   * `count`th, the earlier ones claimed before this hub heard them (its previous run, or a hub
   * that ran before it). The next arrival is `count + 1`.
   */
  catchUp(hash: string, count: number): void {
    this.#seen.set(hash, { count, lastMs: this.#now() })
  }

  /** Drops the counts not repeated within forgetMs, at most once per forgetMs. */
  #sweep(now: number): void {
    if (now < this.#sweepAtMs) return
    this.#sweepAtMs = now + this.#forgetMs
    for (const [hash, seen] of this.#seen) if (now - seen.lastMs >= this.#forgetMs) this.#seen.delete(hash)
  }

  get size(): number {
    return this.#seen.size
  }
}
