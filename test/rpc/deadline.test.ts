import { describe, expect, test } from 'vitest'
import { effectiveDeadline } from '../../src/rpc/deadline.js'

/** A caller that sends at `sentAt` (true time) with `budget` ms, its clock `skew` ms ahead of the service's. */
function sent(sentAt: number, budget: number, skew: number) {
  return { deadline: sentAt + skew + budget, timeoutMs: budget }
}

describe('effectiveDeadline (pure)', () => {
  const TOLERANCE = 1000

  test('clocks that agree: a request held in transit past its deadline + the tolerance has passed', () => {
    // Sent at 0 with 1,000 ms; held 3,000 ms in a paused Redis.
    const deadline = effectiveDeadline(sent(0, 1000, 0), 3000, TOLERANCE)
    expect(deadline).toBe(2000)
    expect(deadline).toBeLessThan(3000)
  })

  test('clocks that agree, quick transit: the caller budget counted from arrival', () => {
    expect(effectiveDeadline(sent(0, 1000, 0), 2, TOLERANCE)).toBe(1002)
  })

  test('clocks apart by up to the tolerance, either way: never earlier than the caller gives up', () => {
    for (const skew of [-TOLERANCE, -300, 0, 300, TOLERANCE]) {
      for (const transit of [0, 5, 200]) {
        const deadline = effectiveDeadline(sent(0, 1000, skew), transit, TOLERANCE) as number
        // The caller gives up at 1,000 (true time, which is the service's clock here).
        expect(deadline).toBeGreaterThanOrEqual(1000)
        // And never more than the budget from arrival.
        expect(deadline).toBeLessThanOrEqual(transit + 1000)
      }
    }
  })

  test('a caller clock further behind than the tolerance cuts requests short by the excess', () => {
    // Its deadline reads 3,000 ms early; 1,000 of that is forgiven.
    expect(effectiveDeadline(sent(0, 5000, -3000), 1, TOLERANCE)).toBe(3000)
  })

  test('what a Daebus caller sends (neither) sets no deadline; one field alone is used alone', () => {
    expect(effectiveDeadline({ deadline: undefined, timeoutMs: undefined }, 5, TOLERANCE)).toBeUndefined()
    expect(effectiveDeadline({ deadline: undefined, timeoutMs: 100 }, 5, TOLERANCE)).toBe(105)
    expect(effectiveDeadline({ deadline: 100, timeoutMs: undefined }, 5, TOLERANCE)).toBe(1100)
  })

  test('a tolerance of 0 trusts the absolute deadline exactly', () => {
    expect(effectiveDeadline(sent(0, 1000, 0), 10, 0)).toBe(1000)
  })
})
