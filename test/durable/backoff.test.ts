import { describe, expect, it } from 'vitest'
import { backoffDelay, resolveBackoff } from '../../src/durable/backoff.js'
import { CONSUME_DEFAULTS } from '../../src/durable/topic-options.js'
import { InvalidArgumentError } from '../../src/errors.js'

const none = () => 0
const all = () => 1

describe('retry backoff', () => {
  it('fixed waits delayMs every time', () => {
    const b = resolveBackoff({ type: 'fixed', delayMs: 500, jitter: 0 }, CONSUME_DEFAULTS.backoff)
    expect([1, 2, 5].map((n) => backoffDelay(b, n, none))).toEqual([500, 500, 500])
  })

  it('exponential doubles from delayMs up to maxDelayMs', () => {
    const b = resolveBackoff({ delayMs: 100, maxDelayMs: 1000, jitter: 0 }, CONSUME_DEFAULTS.backoff)
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(b, n, none))).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('jitter takes up to its share off each wait', () => {
    const b = resolveBackoff({ delayMs: 1000, jitter: 0.5 }, CONSUME_DEFAULTS.backoff)
    expect(backoffDelay(b, 1, none)).toBe(1000)
    expect(backoffDelay(b, 1, all)).toBe(500)
    expect(backoffDelay(b, 1, () => 0.5)).toBe(750)
  })

  it('bad options are refused with InvalidArgumentError', () => {
    for (const bad of [{ type: 'linear' }, { delayMs: -1 }, { maxDelayMs: Number.NaN }, { jitter: 2 }]) {
      expect(() => resolveBackoff(bad as never, CONSUME_DEFAULTS.backoff)).toThrow(InvalidArgumentError)
    }
  })
})
