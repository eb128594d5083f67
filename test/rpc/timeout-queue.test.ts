import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { type Expiring, TimeoutQueue } from '../../src/rpc/timeout-queue.js'

class Item implements Expiring {
  readonly expiresAt: number
  timeoutSlot = -1
  done = false
  expired = false
  readonly #queue: TimeoutQueue<Item>
  readonly #timeoutMs: number

  constructor(queue: TimeoutQueue<Item>, timeoutMs: number) {
    this.#queue = queue
    this.#timeoutMs = timeoutMs
    this.expiresAt = performance.now() + timeoutMs
    queue.watch(this, timeoutMs)
  }

  /** Settles early, as a response would. */
  settle(): void {
    if (this.done) return
    this.done = true
    this.#queue.settled(this, this.#timeoutMs)
  }

  expire(): void {
    this.expired = true
    this.settle()
  }
}

describe('TimeoutQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('expires each item once its own timeout has passed, and not before', () => {
    const queue = new TimeoutQueue<Item>()
    const first = new Item(queue, 100)
    vi.advanceTimersByTime(40)
    const second = new Item(queue, 100)
    vi.advanceTimersByTime(59)
    expect([first.expired, second.expired]).toEqual([false, false])
    vi.advanceTimersByTime(1)
    expect([first.expired, second.expired]).toEqual([true, false])
    vi.advanceTimersByTime(39)
    expect(second.expired).toBe(false)
    vi.advanceTimersByTime(1)
    expect(second.expired).toBe(true)
  })

  test('an item that settled in time never expires, and the ones behind it still do', () => {
    const queue = new TimeoutQueue<Item>()
    const answered = new Item(queue, 50)
    const waiting = new Item(queue, 50)
    answered.settle()
    vi.advanceTimersByTime(50)
    expect(answered.expired).toBe(false)
    expect(waiting.expired).toBe(true)
  })

  test('different timeout lengths expire independently, shorter ones first', () => {
    const queue = new TimeoutQueue<Item>()
    const long = new Item(queue, 1000)
    const short = new Item(queue, 10)
    vi.advanceTimersByTime(10)
    expect([short.expired, long.expired]).toEqual([true, false])
    vi.advanceTimersByTime(990)
    expect(long.expired).toBe(true)
  })

  test('leaves no timer behind once nothing is left to expire', () => {
    const queue = new TimeoutQueue<Item>()
    const items = [new Item(queue, 30_000), new Item(queue, 5000)]
    expect(vi.getTimerCount()).toBe(2)
    for (const item of items) item.settle()
    expect(vi.getTimerCount()).toBe(0)
    expect(queue.size).toBe(0)
  })

  test('memory follows what is in flight: settled items are compacted away', () => {
    const queue = new TimeoutQueue<Item>()
    const keep: Item[] = []
    for (let i = 0; i < 100_000; i++) {
      const item = new Item(queue, 30_000)
      if (i % 1000 === 0) keep.push(item)
      else item.settle()
    }
    expect(keep).toHaveLength(100)
    expect(queue.size).toBeLessThan(2 * 256 + 2 * keep.length)
    vi.advanceTimersByTime(30_000)
    expect(keep.every((item) => item.expired)).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  test('an item that settles after a compaction still leaves, and never expires', () => {
    const queue = new TimeoutQueue<Item>()
    const keep: Item[] = []
    for (let i = 0; i < 1000; i++) {
      const item = new Item(queue, 1000)
      if (i % 100 === 99) keep.push(item)
      else item.settle()
    }
    // Compacted: the ten kept items, and the empty slots since the last compaction.
    expect(queue.size).toBeLessThan(300)
    const last = keep.pop() as Item
    for (const item of keep) item.settle()
    expect(queue.size).toBe(1)
    vi.advanceTimersByTime(1000)
    expect(keep.some((item) => item.expired)).toBe(false)
    expect(last.expired).toBe(true)
  })

  test('clear() forgets everything without expiring it', () => {
    const queue = new TimeoutQueue<Item>()
    const item = new Item(queue, 10)
    queue.clear()
    vi.advanceTimersByTime(10)
    expect(item.expired).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  test('trusts its timers when they are faked and the clock is not', () => {
    vi.useRealTimers()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const queue = new TimeoutQueue<Item>()
    const items = [new Item(queue, 5000), new Item(queue, 5000), new Item(queue, 5000)]
    // The real clock runs on between an item's expiresAt and its timer being armed, and between
    // the items (more than a millisecond on a loaded machine): the margin keeps that out of it.
    vi.advanceTimersByTime(4990)
    expect(items.some((item) => item.expired)).toBe(false)
    vi.advanceTimersByTime(10)
    expect(items.every((item) => item.expired)).toBe(true)
  })
})
