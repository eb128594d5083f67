/**
 * Folds the statuses of every shard into one, without I/O: `disconnected` when the first shard
 * drops, `reconnected` once no shard is down any more (each came back, or left the cluster and
 * its subscriptions moved to the primary that took its slots).
 */
export class ShardStatuses {
  readonly #down = new Set<string>()
  #announcedDown = false

  /** A shard dropped; true when that makes the cluster `disconnected`. */
  down(shard: string): boolean {
    this.#down.add(shard)
    if (this.#announcedDown) return false
    this.#announcedDown = true
    return true
  }

  /** A shard is back, or gone for good; true when that makes the cluster `reconnected`. */
  up(shard: string): boolean {
    this.#down.delete(shard)
    if (!this.#announcedDown || this.#down.size > 0) return false
    this.#announcedDown = false
    return true
  }

  /** Whether any shard is down now. */
  get anyDown(): boolean {
    return this.#down.size > 0
  }

  isDown(shard: string): boolean {
    return this.#down.has(shard)
  }
}
