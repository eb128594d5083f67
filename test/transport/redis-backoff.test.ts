import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import { mayReconnect, reconnectDelay } from '../../src/transport/redis/backoff.js'
import { DEFAULTS, resolveOptions } from '../../src/transport/redis/redis-transport-options.js'

const options = { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0.5, maxAttempts: 3 }

describe('reconnectDelay', () => {
  it('grows exponentially up to the cap', () => {
    const top = () => 0.999_999
    expect([0, 1, 2, 3, 4, 10, 5_000].map((n) => reconnectDelay(n, options, top))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ])
  })

  it('takes off up to the jitter fraction at random', () => {
    expect(reconnectDelay(0, options, () => 0)).toBe(50)
    expect(reconnectDelay(3, options, () => 0)).toBe(400)
    expect(reconnectDelay(3, { ...options, jitter: 0 }, () => 0)).toBe(800)
    expect(reconnectDelay(3, { ...options, jitter: 1 }, () => 0)).toBe(0)
  })

  it('stays within [delay * (1 - jitter), delay] with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const d = reconnectDelay(2, options)
      expect(d).toBeGreaterThanOrEqual(200)
      expect(d).toBeLessThanOrEqual(400)
    }
  })
})

describe('mayReconnect', () => {
  it('allows maxAttempts attempts', () => {
    expect([0, 1, 2, 3].map((n) => mayReconnect(n, options))).toEqual([true, true, true, false])
  })

  it('retries forever by default', () => {
    expect(mayReconnect(1e9, DEFAULTS.reconnect)).toBe(true)
  })
})

describe('resolveOptions', () => {
  it('applies DEFAULTS to what is left out', () => {
    expect(resolveOptions({ reconnect: { maxDelayMs: 300 } })).toEqual({
      ...DEFAULTS,
      reconnect: { ...DEFAULTS.reconnect, maxDelayMs: 300 },
    })
    expect(resolveOptions()).toEqual(DEFAULTS)
  })

  it('the Sentinels speak TLS when redis.tls is given, unless sentinelTls says otherwise', () => {
    const ca = 'a CA'
    expect(resolveOptions({}).sentinelTls).toBeUndefined()
    expect(resolveOptions({ tls: { ca } }).sentinelTls).toEqual({ ca })
    expect(resolveOptions({ tls: {} }).sentinelTls).toEqual({})
    expect(resolveOptions({ tls: { ca }, sentinelTls: false }).sentinelTls).toBeUndefined()
    expect(resolveOptions({ sentinelTls: true }).sentinelTls).toEqual({})
    expect(resolveOptions({ tls: { ca }, sentinelTls: { servername: 's' } }).sentinelTls).toEqual({
      servername: 's',
    })
    // The master: TLS exactly when redis.tls is given.
    expect(resolveOptions({ sentinelTls: true }).tls).toBeUndefined()
  })

  it.each([
    [{ reconnect: { jitter: 2 } }, /reconnect.jitter/],
    [{ reconnect: { factor: 0.5 } }, /reconnect.factor/],
    [{ reconnect: { initialDelayMs: 500, maxDelayMs: 100 } }, /reconnect.maxDelayMs/],
    [{ reconnect: { maxAttempts: -1 } }, /reconnect.maxAttempts/],
    [{ connectTimeoutMs: 0 }, /connectTimeoutMs/],
    [{ closeTimeoutMs: Number.NaN }, /closeTimeoutMs/],
  ])('rejects %o, naming the option', (bad, name) => {
    expect(() => resolveOptions(bad)).toThrow(InvalidArgumentError)
    expect(() => resolveOptions(bad)).toThrow(name)
  })
})
