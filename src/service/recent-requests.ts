/**
 * The keys of the requests an instance finished lately, so that a copy of a request (the same
 * reply channel and request_id, published twice) that arrives after the first finished does not
 * run again. Copies that arrive while the first is queued or running are caught by the table of
 * active requests; this covers the time after.
 *
 * Bounded both ways: a key is kept for `windowMs` at most, and only the last `maxIds` keys are
 * kept, whichever forgets first. Pure bookkeeping: the clock reading is passed in.
 */
export class RecentRequests {
  readonly #windowMs: number
  readonly #maxIds: number
  /** Key → when it finished. A Map keeps insertion order, which is finishing order: oldest first. */
  readonly #finished = new Map<string, number>()

  constructor(windowMs: number, maxIds: number) {
    this.#windowMs = windowMs
    this.#maxIds = maxIds
  }

  get size(): number {
    return this.#finished.size
  }

  /** Remembers that the request of `key` finished at `now`. */
  add(key: string, now: number): void {
    if (this.#windowMs <= 0 || this.#maxIds <= 0) return
    // Deleted first, so that a key seen again moves to the back, where its new time belongs.
    this.#finished.delete(key)
    this.#finished.set(key, now)
    // Forget from the front: what is over the count, then what is past the window.
    for (const [oldest, at] of this.#finished) {
      if (this.#finished.size <= this.#maxIds && now - at < this.#windowMs) break
      this.#finished.delete(oldest)
    }
  }

  /** True when the request of `key` finished less than windowMs before `now` and is still kept. */
  has(key: string, now: number): boolean {
    const at = this.#finished.get(key)
    return at !== undefined && now - at < this.#windowMs
  }
}
