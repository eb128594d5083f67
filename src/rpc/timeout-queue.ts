/** What a TimeoutQueue watches: something that expires unless it settles first. */
export interface Expiring {
  /** performance.now() at which it expires. */
  readonly expiresAt: number
  /** True once settled (or expired): the queue drops it. */
  readonly done: boolean
  /** Called once, when expiresAt passes and it is not done. */
  expire(): void
}

/** Settled items a lane may hold before it is compacted, however few are live. */
const COMPACT_AFTER = 1024

/** The items of one timeout length, in the order they were watched, which is deadline order. */
class Lane<T extends Expiring> {
  items: (T | undefined)[] = []
  head = 0
  /** Items watched and not settled: the others in `items` are dead weight until compaction. */
  live = 0
  timer: NodeJS.Timeout | undefined

  get empty(): boolean {
    return this.head === this.items.length
  }

  get dead(): number {
    return this.items.length - this.head - this.live
  }

  compact(): void {
    const live: T[] = []
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]
      if (item !== undefined && !item.done) live.push(item)
    }
    this.items = live
    this.head = 0
  }
}

/**
 * The timeouts of many requests, on one timer per distinct timeout length instead of one per
 * request. Requests made with the same timeout expire in the order they were made, so each length
 * keeps its requests in a FIFO and arms one timer for the oldest; one that settles early stays in
 * place until the FIFO is compacted, once settled items outnumber live ones, so memory follows the
 * requests in flight. A lane with nothing live left is dropped, timer and all. (A Node timer per
 * request costs a Timeout object and list work on set and on clear, which shows at tens of
 * thousands of requests a second.)
 */
export class TimeoutQueue<T extends Expiring> {
  readonly #lanes = new Map<number, Lane<T>>()

  /** Items watched and not yet dropped, settled ones included until compaction (for tests). */
  get size(): number {
    let size = 0
    for (const lane of this.#lanes.values()) size += lane.items.length - lane.head
    return size
  }

  /** Watches an item whose expiresAt is now + timeoutMs. */
  watch(item: T, timeoutMs: number): void {
    let lane = this.#lanes.get(timeoutMs)
    if (lane === undefined) {
      lane = new Lane<T>()
      this.#lanes.set(timeoutMs, lane)
    }
    lane.items.push(item)
    lane.live += 1
    if (lane.timer === undefined) this.#arm(timeoutMs, lane, item.expiresAt - performance.now())
  }

  /**
   * A watched item of that timeout length settled, expired or not: exactly once per watch(). With
   * nothing left to expire, the lane and its timer go, so that no timer keeps a process alive.
   */
  settled(timeoutMs: number): void {
    const lane = this.#lanes.get(timeoutMs)
    if (lane === undefined) return
    lane.live -= 1
    if (lane.live <= 0) this.#drop(timeoutMs, lane)
    else if (lane.dead > COMPACT_AFTER && lane.dead > lane.live) lane.compact()
  }

  /** Forgets everything, without expiring anything. */
  clear(): void {
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer)
    this.#lanes.clear()
  }

  #arm(timeoutMs: number, lane: Lane<T>, delay: number): void {
    clearTimeout(lane.timer)
    // Node fires a timer at a whole millisecond, and may find it a fraction early: up, and at least 1.
    lane.timer = setTimeout(() => this.#fire(timeoutMs, lane), Math.max(1, Math.ceil(delay)))
  }

  #fire(timeoutMs: number, lane: Lane<T>): void {
    lane.timer = undefined
    const now = performance.now()
    while (!lane.empty && this.#lanes.get(timeoutMs) === lane) {
      const item = lane.items[lane.head]
      if (item !== undefined && !item.done) {
        if (item.expiresAt > now) break
        lane.items[lane.head++] = undefined
        item.expire()
      } else {
        lane.items[lane.head++] = undefined
      }
    }
    if (this.#lanes.get(timeoutMs) !== lane) return
    if (lane.empty) {
      this.#drop(timeoutMs, lane)
      return
    }
    if (lane.head > COMPACT_AFTER && lane.head * 2 > lane.items.length) lane.compact()
    const next = lane.items[lane.head] as T
    this.#arm(timeoutMs, lane, next.expiresAt - now)
  }

  #drop(timeoutMs: number, lane: Lane<T>): void {
    clearTimeout(lane.timer)
    lane.timer = undefined
    if (this.#lanes.get(timeoutMs) === lane) this.#lanes.delete(timeoutMs)
  }
}
