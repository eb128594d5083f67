/** How often message arrival is turned into a time; the slow-consumer verdict looks back 10 s. */
const STAMP_INTERVAL_MS = 1000

/**
 * When messages last arrived on the subscriber link, to the second, for judging a drop (see
 * slow-consumer.ts). Reading the clock per message showed in the subscriber's profile, so a
 * message only raises a flag, and a timer turns the flag into a time once a second.
 */
export class TrafficClock {
  #lastMessageAt = Number.NEGATIVE_INFINITY
  #messageSeen = false
  #stamper: NodeJS.Timeout | undefined

  /** Called per message: keep it a flag. */
  noteMessage(): void {
    if (this.#messageSeen) return
    this.#messageSeen = true
    this.#stamper ??= setInterval(this.#stamp, STAMP_INTERVAL_MS).unref()
  }

  /** Milliseconds since a message last arrived, to within a second; Infinity when none has. */
  quietMs(): number {
    return this.#messageSeen ? 0 : performance.now() - this.#lastMessageAt
  }

  /** Stops the timer that stamps message times. */
  dispose(): void {
    clearInterval(this.#stamper)
    this.#stamper = undefined
  }

  readonly #stamp = (): void => {
    if (!this.#messageSeen) return
    this.#messageSeen = false
    this.#lastMessageAt = performance.now()
  }
}
