/** Buckets per doubling of the duration: a percentile is off by at most 2^(1/4), about 19 %. */
const PER_DOUBLING = 4
/** From 1 µs to about an hour (2^32 µs): longer durations count in the last bucket. */
const BUCKETS = 32 * PER_DOUBLING

/**
 * Durations in log-spaced buckets, for p50 and p99 over a reporting interval: recording costs a
 * log2 and an increment, never an allocation, and the memory is fixed (512 bytes) however many
 * requests an action sees.
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS)
  #total = 0

  record(durationMs: number): void {
    const micros = durationMs * 1000
    const bucket = micros <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log2(micros) * PER_DOUBLING))
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1
    this.#total += 1
  }

  get count(): number {
    return this.#total
  }

  /**
   * The duration (ms) under which `fraction` of the recorded ones fell: the upper edge of the
   * bucket holding that rank. Undefined when nothing was recorded.
   */
  percentile(fraction: number): number | undefined {
    if (this.#total === 0) return undefined
    const rank = Math.max(1, Math.ceil(this.#total * fraction))
    let seen = 0
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket] ?? 0
      if (seen >= rank) return 2 ** (bucket / PER_DOUBLING) / 1000
    }
    return 2 ** ((BUCKETS - 1) / PER_DOUBLING) / 1000
  }
}
