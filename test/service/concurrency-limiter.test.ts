import { describe, expect, test } from 'vitest'
import { ConcurrencyLimiter } from '../../src/service/concurrency-limiter.js'

describe('ConcurrencyLimiter (no I/O)', () => {
  test('admits up to `concurrency`, queues up to `maxQueue`, rejects beyond', () => {
    const limiter = new ConcurrencyLimiter<number>(2, 2)
    expect([1, 2, 3, 4, 5].map((n) => limiter.offer(n))).toEqual([
      'run',
      'run',
      'queued',
      'queued',
      'rejected',
    ])
    expect(limiter.running).toBe(2)
    expect(limiter.queued).toBe(2)
  })

  test('release() hands the freed slot to the oldest queued item (FIFO)', () => {
    const limiter = new ConcurrencyLimiter<number>(1, 10)
    for (const n of [1, 2, 3, 4]) limiter.offer(n)
    expect([limiter.release(), limiter.release(), limiter.release(), limiter.release()]).toEqual([
      2,
      3,
      4,
      undefined,
    ])
    expect(limiter.running).toBe(0)
    expect(limiter.offer(5)).toBe('run')
  })

  test('remove() takes a queued item out without freeing a running slot', () => {
    const limiter = new ConcurrencyLimiter<string>(1, 10)
    for (const s of ['a', 'b', 'c']) limiter.offer(s)
    expect(limiter.remove('b')).toBe(true)
    expect(limiter.remove('b')).toBe(false)
    expect(limiter.remove('a')).toBe(false)
    expect(limiter.queued).toBe(1)
    expect(limiter.release()).toBe('c')
    expect(limiter.running).toBe(1)
  })

  test('memory stays bounded: a long run of offers and releases keeps at most maxQueue items', () => {
    const limiter = new ConcurrencyLimiter<number>(4, 100)
    let rejected = 0
    let largest = 0
    for (let i = 0; i < 100_000; i++) {
      if (limiter.offer(i) === 'rejected') rejected += 1
      if (i % 3 === 0) limiter.release()
      largest = Math.max(largest, limiter.queued)
    }
    expect(largest).toBe(100)
    expect(rejected).toBeGreaterThan(0)
  })

  test('clear() empties the queue in order', () => {
    const limiter = new ConcurrencyLimiter<number>(1, 10)
    for (const n of [1, 2, 3, 4]) limiter.offer(n)
    limiter.remove(3)
    expect(limiter.clear()).toEqual([2, 4])
    expect(limiter.queued).toBe(0)
  })
})
