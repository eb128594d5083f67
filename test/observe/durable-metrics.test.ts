import { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { prometheusMetrics } from '../../src/observe/prometheus-metrics.js'
import { RedisServer, redisServerBinary } from '../helpers/redis-server.js'
import { deferred, uniq, until } from '../helpers/wait.js'
import { recordingLogger } from '../rpc/harness.js'
import { type Scrape, scrape } from './scrape.js'

const TRANSPORTS: { name: string; redis: boolean }[] = [
  { name: 'the embedded broker', redis: false },
  ...(redisServerBinary ? [{ name: 'Redis', redis: true }] : []),
]

/** Acks travel with a consumer's next read, which may block for seconds: waits allow for it. */
const SETTLE_MS = 15_000

describe.each(TRANSPORTS)('prometheusMetrics() of durable topics on $name', ({ redis }) => {
  let server: RedisServer | undefined
  let buses: Bus[] = []
  beforeAll(async () => {
    if (redis) server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })
  afterEach(async () => {
    await Promise.allSettled(buses.map((bus) => bus.close()))
    buses = []
  })

  async function busOn(url: string, registry: Registry, options = {}): Promise<Bus> {
    const bus = await connect({
      url,
      logger: recordingLogger(),
      instrumentation: prometheusMetrics({ registry, ...options }),
    })
    buses.push(bus)
    return bus
  }

  const urlOf = () => (server ? server.url : `memory://${uniq('durable-metrics')}`)

  it('publish 10; one group acks 5, dead-letters 2 and holds 3 pending; one retries 1; one lags 10', async () => {
    const registry = new Registry()
    const url = urlOf()
    const bus = await busOn(url, registry)
    const name = uniq('orders')
    const topic = bus.topic<number>(name)
    // A group made before the entries and never read again: every entry is lag for it.
    await (await topic.consume('audit', () => {})).stop()
    const gate = deferred<void>()
    const holding = new Set<number>()
    await topic.consume(
      'billing',
      async (n) => {
        if (n === 5 || n === 6) throw new Error('declined')
        if (n >= 7) {
          holding.add(n)
          await gate.promise
        }
      },
      { concurrency: 10, maxAttempts: 1 },
    )
    await topic.consume(
      'shipping',
      (n) => {
        if (n === 0) throw new Error('no courier')
      },
      { concurrency: 10, maxAttempts: 3, backoff: { type: 'fixed', delayMs: 600_000, jitter: 0 } },
    )
    for (let n = 0; n < 10; n++) await topic.publish(n)

    const value = (s: Scrape, metric: string, labels: Record<string, string>) =>
      s.value(metric, { topic: name, ...labels })
    const consumed = (s: Scrape, group: string, outcome: string) =>
      value(s, 'switchboard_durable_consumed_total', { group, outcome })
    let s = await scrape(registry)
    await until(
      async () => {
        s = await scrape(registry)
        return (
          holding.size === 3 &&
          value(s, 'switchboard_durable_pending', { group: 'billing' }) === 3 &&
          value(s, 'switchboard_durable_pending', { group: 'shipping' }) === 0 &&
          consumed(s, 'shipping', 'acked') === 9
        )
      },
      'billing to hold 3 and shipping to settle all',
      SETTLE_MS,
    )
    expect(value(s, 'switchboard_durable_length', {})).toBe(10)
    expect(value(s, 'switchboard_durable_scheduled', {})).toBe(1)
    expect(value(s, 'switchboard_durable_lag', { group: 'audit' })).toBe(10)
    expect(value(s, 'switchboard_durable_lag', { group: 'billing' })).toBe(0)
    expect(value(s, 'switchboard_durable_dead_letters', { group: 'billing' })).toBe(2)
    expect(value(s, 'switchboard_durable_dead_letters', { group: 'shipping' })).toBe(0)
    expect(value(s, 'switchboard_durable_consumers', { group: 'billing' })).toBe(1)
    expect(consumed(s, 'billing', 'acked')).toBe(5)
    expect(consumed(s, 'billing', 'dead_lettered')).toBe(2)
    expect(consumed(s, 'shipping', 'retried')).toBe(1)
    expect(consumed(s, 'billing', 'retried')).toBeUndefined()
    expect(
      value(s, 'switchboard_durable_process_duration_seconds_count', { group: 'billing', outcome: 'acked' }),
    ).toBe(5)

    gate.resolve()
    await until(
      async () => {
        s = await scrape(registry)
        return value(s, 'switchboard_durable_pending', { group: 'billing' }) === 0
      },
      'the held entries acked',
      SETTLE_MS,
    )
    expect(consumed(s, 'billing', 'acked')).toBe(8)
    expect(value(s, 'switchboard_durable_dead_letters', { group: 'billing' })).toBe(2)
  })

  it('topics past maxTopics add up under "other"; a closed bus\'s topics leave the gauges', async () => {
    const registry = new Registry()
    const url = urlOf()
    const bus = await busOn(url, registry, { maxTopics: 1 })
    const [a, b, c] = [uniq('a'), uniq('b'), uniq('c')]
    for (const [name, entries] of [
      [a, 1],
      [b, 2],
      [c, 3],
    ] as const) {
      const topic = bus.topic(name)
      for (let i = 0; i < entries; i++) await topic.publish(i)
    }
    // Another object of one name on the same bus is the same topic: it is read once.
    bus.topic(a)
    let s = await scrape(registry)
    expect(s.value('switchboard_durable_length', { topic: a })).toBe(1)
    expect(s.value('switchboard_durable_length', { topic: 'other' })).toBe(5)
    expect(s.series('switchboard_durable_length')).toHaveLength(2)

    await bus.close()
    s = await scrape(registry)
    expect(s.series('switchboard_durable_length')).toHaveLength(0)
  })
})
