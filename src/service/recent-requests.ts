/**
 * The keys of the requests an instance finished lately, so that a copy of a request (the same
 * reply channel and request_id, published twice) that arrives after the first finished does not
 * run again. Copies that arrive while the first is queued or running are caught by the table of
 * active requests; this covers the time after.
 *
 * Two generations of keys: new keys go into the current one, which becomes the previous one once
 * it is `windowMs` old or holds `maxIds` keys, and the previous one is then dropped whole. So a
 * key is remembered for at least `windowMs` or until `maxIds` more keys have come, whichever is
 * first, and never for 2 × windowMs; at most 2 × maxIds keys are held. (Keeping each key with
 * its time and forgetting them one by one costs several Map and queue operations a request, about
 * 0.5 µs; this costs one Set.add.) Pure bookkeeping: the clock reading is passed in.
 */
export class RecentRequests {
  readonly #windowMs: number
  readonly #maxIds: number
  readonly #enabled: boolean
  #current = new Set<string>()
  #previous = new Set<string>()
  /** When the current generation began. */
  #since = Number.NEGATIVE_INFINITY

  constructor(windowMs: number, maxIds: number) {
    this.#windowMs = windowMs
    this.#maxIds = maxIds
    this.#enabled = windowMs > 0 && maxIds > 0
  }

  /** Keys held now, in both generations. */
  get size(): number {
    return this.#current.size + this.#previous.size
  }

  /** Remembers that the request of `key` finished at `now`. */
  add(key: string, now: number): void {
    if (!this.#enabled) return
    this.#age(now)
    if (this.#current.size >= this.#maxIds) {
      this.#previous = this.#current
      this.#current = new Set()
      this.#since = now
    }
    this.#current.add(key)
  }

  /** True when the request of `key` finished recently enough to be remembered (see the class). */
  has(key: string, now: number): boolean {
    if (!this.#enabled) return false
    this.#age(now)
    return this.#current.has(key) || this.#previous.has(key)
  }

  /**
   * Turns the generations over as time passes, on the clock rather than on each call, so that a
   * quiet spell does not stretch what is remembered: the previous generation is seen until the
   * current one is windowMs old, and both go once it is twice that.
   */
  #age(now: number): void {
    const age = now - this.#since
    if (age < this.#windowMs) return
    if (age < 2 * this.#windowMs) {
      this.#previous = this.#current
      this.#since += this.#windowMs
    } else {
      this.#previous = new Set()
      this.#since = now
    }
    this.#current = new Set()
  }
}
