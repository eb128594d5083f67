import { describe, expect, test } from 'vitest'
import { RecentRequests } from '../../src/service/recent-requests.js'

describe('RecentRequests (pure)', () => {
  test('a key is remembered for the window, and forgotten after it', () => {
    const recent = new RecentRequests(1000, 10)
    recent.add('a', 0)
    expect(recent.has('a', 999)).toBe(true)
    expect(recent.has('a', 1000)).toBe(false)
    expect(recent.has('b', 0)).toBe(false)
  })

  test('at most maxIds keys are kept: the oldest go first', () => {
    const recent = new RecentRequests(60_000, 3)
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) recent.add(key, i)
    expect(recent.size).toBe(3)
    expect(recent.has('a', 4)).toBe(false)
    expect(['b', 'c', 'd'].every((key) => recent.has(key, 4))).toBe(true)
  })

  test('keys past the window are dropped as new ones come, so memory follows the rate', () => {
    const recent = new RecentRequests(100, 1000)
    for (let t = 0; t < 1000; t++) recent.add(`k${t}`, t)
    // Only those of the last 100 ms are left, however many came before.
    expect(recent.size).toBe(100)
  })

  test('a key added again moves to the back with its new time', () => {
    const recent = new RecentRequests(100, 2)
    recent.add('a', 0)
    recent.add('b', 1)
    recent.add('a', 2)
    recent.add('c', 3)
    expect(recent.has('a', 3)).toBe(true)
    expect(recent.has('b', 3)).toBe(false)
  })

  test('a window of 0 (or no room) remembers nothing', () => {
    for (const recent of [new RecentRequests(0, 10), new RecentRequests(1000, 0)]) {
      recent.add('a', 0)
      expect(recent.has('a', 0)).toBe(false)
      expect(recent.size).toBe(0)
    }
  })
})
