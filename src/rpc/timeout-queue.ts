import { BoundedQueue, UNBOUNDED } from '../queue/bounded-queue.js'

/** What a TimeoutQueue watches: something that expires unless it settles first. */
export interface Expiring {
  /** performance.now() at which it expires. */
  readonly expiresAt: number
  /** Where the queue keeps it: set by the queue, read back when it settles. */
  timeoutSlot: number
  /** Called once, when expiresAt passes and it has not settled. */
  expire(): void
}

/** Empty slots a lane may hold before it is compacted, however few items are live. */
const COMPACT_AFTER = 256

/**
 * The items of one timeout length, in the order they were watched, which is deadline order. An
 * item that settles early leaves an empty slot (undefined) in its place. The queue is unbounded
 * because what bounds it is the requests in flight: it holds each until it settles or expires,
 * and empty slots are trimmed from the front and compacted away once they outnumber live items.
 */
class Lane<T extends Expiring> {
  readonly items = new BoundedQueue<T | undefined>(UNBOUNDED)
  /**
   * Items ever taken from the front. An item's timeoutSlot is its position: the count pushed
   * before it, so that its index in the queue (position - shifted) follows as the front moves.
   */
  shifted = 0
  /** Items watched and not settled: the other slots hold nothing. */
  live = 0
  timer: NodeJS.Timeout | undefined
  /** The expiresAt the timer was armed for. */
  armedFor = 0

  get empty(): boolean {
    return this.live === 0
  }

  /** The slots that hold nothing. */
  get holes(): number {
    return this.items.length - this.live
  }

  push(item: T): void {
    item.timeoutSlot = this.shifted + this.items.length
    this.items.push(item)
    this.live += 1
  }

  shift(): T | undefined {
    this.shifted += 1
    return this.items.shift()
  }

  /** Empties the slot of an item that settled, if it still holds it. */
  vacate(item: T): void {
    const index = item.timeoutSlot - this.shifted
    if (this.items.at(index) !== item) return
    this.items.set(index, undefined)
    // Empty slots at the front go at once; those behind a live item wait for compact().
    while (this.items.length > 0 && this.items.peek() === undefined) this.shift()
  }

  /** Drops the empty slots in one pass round the queue, and tells each live item its new place. */
  compact(): void {
    const items = this.items
    let kept = 0
    for (let n = items.length; n > 0; n--) {
      const item = items.shift()
      if (item === undefined) continue
      // Once the pass is over, the items kept are all that is left, in this order from 0.
      item.timeoutSlot = kept
      kept += 1
      items.push(item)
    }
    this.shifted = 0
  }
}

/**
 * The timeouts of many requests, on one timer per distinct timeout length instead of one per
 * request. Requests made with the same timeout expire in the order they were made, so each length
 * keeps its requests in a FIFO and arms one timer for the oldest. One that settles early leaves
 * its slot at once, so that nothing it holds outlives it; the FIFO is compacted once empty slots
 * outnumber live ones, and a lane with nothing live left is dropped, timer and all. (A Node timer
 * per request costs a Timeout object and list work on set and on clear, which shows at tens of
 * thousands of requests a second.)
 */
export class TimeoutQueue<T extends Expiring> {
  readonly #lanes = new Map<number, Lane<T>>()

  /** Slots held, empty ones included until compaction (for tests). */
  get size(): number {
    let size = 0
    for (const lane of this.#lanes.values()) size += lane.items.length
    return size
  }

  /** Watches an item whose expiresAt is now + timeoutMs. */
  watch(item: T, timeoutMs: number): void {
    let lane = this.#lanes.get(timeoutMs)
    if (lane === undefined) {
      lane = new Lane<T>()
      this.#lanes.set(timeoutMs, lane)
    }
    lane.push(item)
    if (lane.timer === undefined) this.#arm(timeoutMs, lane, item.expiresAt, performance.now())
  }

  /**
   * A watched item settled, expired or not: exactly once per watch(). With nothing left to
   * expire, the lane and its timer go, so that no timer keeps a process alive.
   */
  settled(item: T, timeoutMs: number): void {
    const lane = this.#lanes.get(timeoutMs)
    if (lane === undefined) return
    lane.vacate(item)
    lane.live -= 1
    if (lane.empty) this.#drop(timeoutMs, lane)
    else if (lane.holes > COMPACT_AFTER && lane.holes > lane.live) lane.compact()
  }

  /** Forgets everything, without expiring anything. */
  clear(): void {
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer)
    this.#lanes.clear()
  }

  #arm(timeoutMs: number, lane: Lane<T>, expiresAt: number, now: number): void {
    clearTimeout(lane.timer)
    lane.armedFor = expiresAt
    // Timers fire on whole milliseconds: rounded up, and at least 1.
    lane.timer = setTimeout(() => this.#fire(timeoutMs, lane), Math.max(1, Math.ceil(expiresAt - now)))
  }

  #fire(timeoutMs: number, lane: Lane<T>): void {
    lane.timer = undefined
    // The timer firing says its moment has come, whatever the clock reads (a timer may fire a
    // fraction of a millisecond early by performance.now(), and tests may fake timers but not the
    // clock), and with it that of the items due within the same millisecond, which a timer of
    // whole milliseconds cannot tell apart. The clock decides for the items behind those.
    const now = Math.max(performance.now(), lane.armedFor)
    const due = Math.max(now, lane.armedFor + 1)
    while (this.#lanes.get(timeoutMs) === lane && lane.items.length > 0) {
      const item = lane.items.peek()
      if (item !== undefined && item.expiresAt > due) break
      lane.shift()
      // It settles through settled(), which finds it gone from the queue.
      item?.expire()
    }
    if (this.#lanes.get(timeoutMs) !== lane) return
    const next = lane.items.peek() as T
    this.#arm(timeoutMs, lane, next.expiresAt, now)
  }

  #drop(timeoutMs: number, lane: Lane<T>): void {
    clearTimeout(lane.timer)
    lane.timer = undefined
    if (this.#lanes.get(timeoutMs) === lane) this.#lanes.delete(timeoutMs)
  }
}
