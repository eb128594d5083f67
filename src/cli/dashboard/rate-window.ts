/** Seconds of history a sparkline shows. */
export const HISTORY_SECONDS = 60
/** Seconds the shown rate averages over: long enough to be steady, short enough to be live. */
const RATE_SECONDS = 5

/**
 * Counts per second over the last minute, in a ring: what a rate and a sparkline are drawn from.
 * The clock is passed in (epoch ms), so the window is tested without waiting.
 */
export class RateWindow {
  readonly #counts = new Float64Array(HISTORY_SECONDS)
  /** The second (epoch ms / 1000, floored) that the newest slot holds. */
  #second: number
  total = 0

  constructor(now: number) {
    this.#second = Math.floor(now / 1000)
  }

  add(now: number, by = 1): void {
    this.#advance(now)
    const slot = this.#second % HISTORY_SECONDS
    this.#counts[slot] = (this.#counts[slot] ?? 0) + by
    this.total += by
  }

  /** Per-second counts, oldest first, ending with the last complete second. */
  history(now: number): number[] {
    this.#advance(now)
    const out: number[] = []
    for (let back = HISTORY_SECONDS - 1; back >= 1; back--) {
      out.push(this.#counts[(this.#second - back + HISTORY_SECONDS) % HISTORY_SECONDS] ?? 0)
    }
    return out
  }

  /** Messages per second over the last few complete seconds. */
  rate(now: number): number {
    const recent = this.history(now).slice(-RATE_SECONDS)
    return recent.reduce((a, b) => a + b, 0) / RATE_SECONDS
  }

  /** True when nothing was counted in the last minute. */
  idle(now: number): boolean {
    return (
      this.history(now).every((n) => n === 0) && (this.#counts[this.#second % HISTORY_SECONDS] ?? 0) === 0
    )
  }

  #advance(now: number): void {
    const second = Math.floor(now / 1000)
    const gap = Math.min(second - this.#second, HISTORY_SECONDS)
    for (let i = 1; i <= gap; i++) this.#counts[(this.#second + i) % HISTORY_SECONDS] = 0
    if (second > this.#second) this.#second = second
  }
}
