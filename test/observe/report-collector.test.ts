import { describe, expect, test } from 'vitest'
import { MalformedMessageError, SubscriberError } from '../../src/errors.js'
import { LatencyHistogram } from '../../src/observe/latency-histogram.js'
import { ReportCollector } from '../../src/observe/report-collector.js'
import { recording } from './recording-instrumentation.js'

describe('LatencyHistogram', () => {
  test('percentiles fall within a quarter doubling above the true value', () => {
    const h = new LatencyHistogram()
    for (let ms = 1; ms <= 100; ms++) h.record(ms)
    const p50 = h.percentile(0.5) ?? 0
    const p99 = h.percentile(0.99) ?? 0
    expect(p50).toBeGreaterThanOrEqual(50)
    expect(p50).toBeLessThan(50 * 2 ** 0.25)
    expect(p99).toBeGreaterThanOrEqual(99)
    expect(p99).toBeLessThan(99 * 2 ** 0.25)
    expect(new LatencyHistogram().percentile(0.5)).toBeUndefined()
  })

  test('sub-microsecond and hour-long durations land in the end buckets', () => {
    const h = new LatencyHistogram()
    h.record(0)
    h.record(10 * 3600_000)
    expect(h.count).toBe(2)
    expect(h.percentile(0.5)).toBe(0.001)
    expect(h.percentile(1)).toBeGreaterThan(3000_000)
  })
})

describe('ReportCollector', () => {
  test('counts, errors and latency per action and role, reset by take()', () => {
    const collector = new ReportCollector()
    for (let i = 0; i < 9; i++) collector.handled('billing', 'charge', 'success', 2)
    collector.handled('billing', 'charge', 'failed', 40)
    collector.handled('billing', 'charge', 'cancelled', 1)
    collector.called('billing', 'charge', 'success', 3)
    const first = collector.take()
    const handled = first.actions.find((a) => a.role === 'handled')
    expect(handled).toMatchObject({ service: 'billing', action: 'charge', count: 11, errors: 1 })
    expect(handled?.p50Ms).toBeGreaterThanOrEqual(2)
    expect(handled?.p99Ms).toBeGreaterThanOrEqual(40)
    expect(first.actions.find((a) => a.role === 'called')).toMatchObject({ count: 1, errors: 0 })
    expect(collector.take().actions).toEqual([])
  })

  test('errors keep their code and message, never the bytes of a message', () => {
    const collector = new ReportCollector(undefined, () => 1234)
    const bytes = new TextEncoder().encode('SECRET-PAYLOAD')
    collector.reported(
      new MalformedMessageError('cannot decode msgpack message: bad', { bytes, channel: 'orders' }),
    )
    collector.reported(new SubscriberError('orders', new Error('handler broke')))
    collector.called('users', 'get', 'timeout', 5000)
    collector.called('users', 'get', 'remote_error', 1)
    const { errors } = collector.take()
    expect(errors).toEqual([
      {
        at: 1234,
        code: 'MALFORMED_MESSAGE',
        message: 'cannot decode msgpack message: bad',
        channel: 'orders',
      },
      expect.objectContaining({ code: 'SUBSCRIBER', channel: 'orders' }),
      expect.objectContaining({ code: 'TIMEOUT', service: 'users', action: 'get' }),
    ])
    expect(JSON.stringify(errors)).not.toContain('SECRET')
  })

  test('keeps the 20 latest errors of an interval', () => {
    const collector = new ReportCollector()
    for (let i = 0; i < 30; i++) collector.called('s', `a${i}`, 'timeout', 1)
    const { errors } = collector.take()
    expect(errors).toHaveLength(20)
    expect(errors[19]?.action).toBe('a29')
  })

  test('instances keep their last load; patterns count deliveries; every event is passed on', () => {
    const next = recording()
    const collector = new ReportCollector(next.instrumentation)
    collector.load('billing', 'i-1', 3, 1)
    collector.load('billing', 'i-1', 2, 0)
    collector.delivered('orders:1', 'orders:*')
    collector.delivered('orders:2', 'orders:*')
    collector.delivered('plain', undefined)
    collector.published('x', 2)
    const taken = collector.take()
    expect(taken.instances).toEqual([{ service: 'billing', instance: 'i-1', inFlight: 2, queued: 0 }])
    expect(taken.patterns).toEqual([{ pattern: 'orders:*', delivered: 2 }])
    expect(next.heard.map((e) => e[0])).toEqual([
      'load',
      'load',
      'delivered',
      'delivered',
      'delivered',
      'published',
    ])
  })
})
