import { describe, expect, test } from 'vitest'
import { fingerprint } from '../../src/service/fingerprint-set.js'
import { RecentRequests as Recent } from '../../src/service/recent-requests.js'

/** RecentRequests over text keys, as the requests of one caller. */
class RecentRequests extends Recent {
  override add(key: string | ReturnType<typeof fingerprint>, now: number): void {
    super.add(typeof key === 'string' ? fingerprint('caller', key) : key, now)
  }
  override has(key: string | ReturnType<typeof fingerprint>, now: number): boolean {
    return super.has(typeof key === 'string' ? fingerprint('caller', key) : key, now)
  }
}

describe('RecentRequests (pure)', () => {
  test('a key is remembered for at least the window, and gone after twice the window', () => {
    const recent = new RecentRequests(1000, 10)
    recent.add('a', 0)
    recent.add('b', 999)
    expect(recent.has('a', 999)).toBe(true)
    // 'b' came late in its generation: still there a whole window after it finished.
    expect(recent.has('b', 1998)).toBe(true)
    expect(recent.has('a', 1999)).toBe(true)
    expect(recent.has('b', 2000)).toBe(false)
    expect(recent.has('a', 2000)).toBe(false)
    expect(recent.has('c', 0)).toBe(false)
  })

  test('a key is remembered for at least maxIds keys after it, and at most 2 × maxIds are held', () => {
    const recent = new RecentRequests(60_000, 3)
    for (let i = 0; i < 100; i++) {
      recent.add(`k${i}`, 0)
      expect(recent.size).toBeLessThanOrEqual(6)
      // The key and the three before it are all still known.
      for (let back = 0; back <= Math.min(i, 3); back++) expect(recent.has(`k${i - back}`, 0)).toBe(true)
    }
    expect(recent.has('k0', 0)).toBe(false)
  })

  test('an idle instance forgets everything after two windows, without any new key', () => {
    const recent = new RecentRequests(100, 1000)
    for (let i = 0; i < 50; i++) recent.add(`k${i}`, i)
    expect(recent.has('k0', 99)).toBe(true)
    expect(recent.has('k49', 250)).toBe(false)
    expect(recent.size).toBe(0)
  })

  test('a window of 0 (or no room) remembers nothing', () => {
    for (const recent of [new RecentRequests(0, 10), new RecentRequests(1000, 0)]) {
      recent.add('a', 0)
      expect(recent.has('a', 0)).toBe(false)
      expect(recent.size).toBe(0)
    }
  })
})
