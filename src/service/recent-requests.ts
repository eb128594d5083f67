import { type Fingerprint, FingerprintSet } from './fingerprint-set.js'

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
 * its time and forgetting them one by one costs several Map and queue operations a request; this
 * costs one add to a FingerprintSet, which keeps no string alive.) Its memory is fixed, 16 to 32
 * bytes per id of maxIds in each generation, taken on the first add. Pure bookkeeping: the clock
 * reading is passed in.
 */
export class RecentRequests {
  readonly #windowMs: number
  readonly #maxIds: number
  readonly #enabled: boolean
  /** Made on the first add, so that an instance that never finishes a request holds nothing. */
  #current: FingerprintSet | undefined
  #previous: FingerprintSet | undefined
  /** When the current generation began. */
  #since = Number.NEGATIVE_INFINITY

  constructor(windowMs: number, maxIds: number) {
    this.#windowMs = windowMs
    this.#maxIds = maxIds
    this.#enabled = windowMs > 0 && maxIds > 0
  }

  /** Keys held now, in both generations. */
  get size(): number {
    return (this.#current?.size ?? 0) + (this.#previous?.size ?? 0)
  }

  /** Remembers that the request of `key` finished at `now`. */
  add(key: Fingerprint, now: number): void {
    if (!this.#enabled) return
    this.#age(now)
    if (this.#current === undefined) this.#current = new FingerprintSet(this.#maxIds)
    if (this.#current.size >= this.#maxIds) {
      this.#turnOver()
      this.#since = now
    }
    ;(this.#current as FingerprintSet).add(key)
  }

  /** True when the request of `key` finished recently enough to be remembered (see the class). */
  has(key: Fingerprint, now: number): boolean {
    if (!this.#enabled) return false
    this.#age(now)
    return (this.#current?.has(key) ?? false) || (this.#previous?.has(key) ?? false)
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
      this.#turnOver()
      this.#since += this.#windowMs
    } else {
      this.#current?.clear()
      this.#previous?.clear()
      this.#since = now
    }
  }

  /** The current generation becomes the previous one; the old previous one, emptied, the current. */
  #turnOver(): void {
    if (this.#current === undefined) return
    const emptied = this.#previous ?? new FingerprintSet(this.#maxIds)
    emptied.clear()
    this.#previous = this.#current
    this.#current = emptied
  }
}
