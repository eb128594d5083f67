import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { rawCodec } from '../../src/codec/raw.js'
import { MalformedMessageError, SlowConsumerError } from '../../src/errors.js'
import type { Instrumentation } from '../../src/observe/instrumentation.js'
import { prometheusMetrics } from '../../src/observe/prometheus-metrics.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { collector, deferred, uniq, until, withTimeout } from '../helpers/wait.js'
import { recordingLogger } from '../rpc/harness.js'
import { scrape } from './scrape.js'

let buses: Bus[] = []
afterEach(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()))
  buses = []
})

async function busOn(url: string, instrumentation: Partial<Instrumentation>): Promise<Bus> {
  const bus = await connect({
    url,
    instrumentation,
    logger: recordingLogger(),
    retry: { initialDelayMs: 20 },
  })
  buses.push(bus)
  return bus
}

describe('prometheusMetrics(): a scrape of the registry shows what was done', () => {
  it('published and delivered by channel group, with the groups capped: 1,000 channels make no 1,000 series', async () => {
    const registry = new Registry()
    const bus = await busOn(
      `memory://${uniq('metrics')}`,
      prometheusMetrics({ registry, maxChannelGroups: 4 }),
    )
    const got = collector<string>(8 + 2)
    await bus.subscribe('orders.*', (_d, msg) => got.push(msg.channel))
    await bus.subscribe('news', (_d, msg) => got.push(msg.channel))
    for (let i = 0; i < 5; i++) await bus.publish('orders.eu', i)
    for (let i = 0; i < 3; i++) await bus.publish('orders.us', i)
    await bus.publish('news', 'a')
    await bus.publish('news', 'b')
    await withTimeout(got.done, 'ten deliveries')
    // 1,000 channels of 1,000 groups, published to once each: two fit under the cap, the rest are 'other'.
    for (let i = 0; i < 1_000; i++) await bus.publish(`tenant${i}:events`, i)

    const s = await scrape(registry)
    expect(s.value('switchboard_messages_published_total', { group: 'orders' })).toBe(8)
    expect(s.value('switchboard_messages_published_total', { group: 'news' })).toBe(2)
    expect(s.value('switchboard_messages_published_total', { group: 'tenant0' })).toBe(1)
    expect(s.value('switchboard_messages_published_total', { group: 'tenant1' })).toBe(1)
    expect(s.value('switchboard_messages_published_total', { group: 'other' })).toBe(998)
    expect(s.series('switchboard_messages_published_total')).toHaveLength(5)
    expect(s.value('switchboard_messages_delivered_total', { group: 'orders' })).toBe(8)
    expect(s.value('switchboard_messages_delivered_total', { group: 'news' })).toBe(2)
  })

  it('a grouping function of your own, and one that throws counts as "other" rather than failing a publish', async () => {
    const registry = new Registry()
    const channelGroup = (channel: string) => {
      if (channel.startsWith('bad')) throw new Error('no group')
      return channel.split('/')[0] as string
    }
    const bus = await busOn(`memory://${uniq('metrics')}`, prometheusMetrics({ registry, channelGroup }))
    await bus.publish('eu/orders', 1)
    await bus.publish('eu/refunds', 1)
    expect(await bus.publish('bad.channel', 1)).toBe(0)
    const s = await scrape(registry)
    expect(s.value('switchboard_messages_published_total', { group: 'eu' })).toBe(2)
    expect(s.value('switchboard_messages_published_total', { group: 'other' })).toBe(1)
  })

  it('dropped by reason (a slow consumer overflowing its buffer), malformed messages, errors by code', async () => {
    const registry = new Registry()
    const metrics = prometheusMetrics({ registry })
    const bus = await busOn(`memory://${uniq('metrics')}`, metrics)
    const errors: unknown[] = []
    bus.on('error', (error) => errors.push(error))
    const slow = await bus.subscribe('slow', { bufferSize: 2 })
    for (let i = 0; i < 5; i++) await bus.publish('slow', i)
    await until(() => slow.stats.dropped === 3, 'three overflow drops')
    const bad = deferred<void>()
    bus.on('error', (error) => {
      if (error instanceof MalformedMessageError) bad.resolve()
    })
    await bus.subscribe('typed', () => {})
    await bus.publish('typed', Buffer.from([0xc1]), { codec: rawCodec })
    await withTimeout(bad.promise, 'the malformed message reported')
    // What only a Redis server can cause, told through the seam as the transport tells it.
    metrics.reported(new SlowConsumerError('Redis dropped the subscriber connection'))

    const s = await scrape(registry)
    expect(s.value('switchboard_messages_dropped_total', { reason: 'overflow' })).toBe(3)
    expect(s.value('switchboard_messages_malformed_total')).toBe(1)
    expect(s.value('switchboard_errors_total', { code: 'MALFORMED_MESSAGE' })).toBe(1)
    expect(s.value('switchboard_slow_consumer_disconnects_total')).toBe(1)
    expect(s.value('switchboard_errors_total', { code: 'SLOW_CONSUMER' })).toBe(1)
  })

  it('RPC: requests by service, action and outcome with their durations, handled requests, in-flight and queued', async () => {
    const registry = new Registry()
    const url = `memory://${uniq('metrics')}`
    // Two buses on one registry count into the same series.
    const server = await busOn(url, prometheusMetrics({ registry }))
    const client = await busOn(url, prometheusMetrics({ registry }))
    const gate = deferred<void>()
    const app = server
      .service('calc', { concurrency: 1 })
      .action('ok', () => 1)
      .action('boom', () => {
        throw new Error('no')
      })
      .action('hang', () => gate.promise)
      .action(
        'wait',
        (_payload, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)),
      )
    await app.start()
    const calc = client.caller('calc', { timeoutMs: 10_000 })
    for (let i = 0; i < 5; i++) await calc.request('ok', {})
    for (let i = 0; i < 2; i++) await expect(calc.request('boom', {})).rejects.toThrow('no')
    await expect(client.caller('nobody').request('x', {})).rejects.toThrow()
    const controller = new AbortController()
    const cancelled = calc.request('wait', {}, { signal: controller.signal })
    await until(() => app.stats().inFlight === 1, 'the handler to start')
    controller.abort()
    await expect(cancelled).rejects.toThrow('cancelled')
    await until(() => app.stats().inFlight === 0, 'the cancelled handler to return')
    // One runs and holds the only slot, one waits behind it, one times out waiting.
    const running = calc.request('hang', {})
    const queued = calc.request('hang', {})
    await expect(calc.request('hang', {}, { timeoutMs: 50 })).rejects.toThrow('timed out')
    await until(() => app.stats().inFlight === 1 && app.stats().queued === 2, 'one running, two queued')

    let s = await scrape(registry)
    expect(s.value('switchboard_rpc_in_flight', { service: 'calc' })).toBe(1)
    expect(s.value('switchboard_rpc_queued', { service: 'calc' })).toBe(2)

    gate.resolve()
    await Promise.all([running, queued])
    await until(() => app.stats().inFlight === 0 && app.stats().queued === 0, 'the queue drained')
    s = await scrape(registry)
    const calls = (action: string, outcome: string, service = 'calc') =>
      s.value('switchboard_rpc_request_duration_seconds_count', { service, action, outcome })
    expect(calls('ok', 'success')).toBe(5)
    expect(calls('boom', 'remote_error')).toBe(2)
    expect(calls('x', 'no_responder', 'nobody')).toBe(1)
    expect(calls('hang', 'timeout')).toBe(1)
    expect(calls('hang', 'success')).toBe(2)
    expect(calls('wait', 'cancelled')).toBe(1)
    // The timed-out call took its 50 ms: its duration is in seconds, and in the bucket past 0.05.
    const timedOut = s.value('switchboard_rpc_request_duration_seconds_sum', {
      service: 'calc',
      action: 'hang',
      outcome: 'timeout',
    })
    expect(timedOut).toBeGreaterThanOrEqual(0.04)
    expect(timedOut).toBeLessThan(10)
    const bucket = (le: string) =>
      s.value('switchboard_rpc_request_duration_seconds_bucket', {
        service: 'calc',
        action: 'hang',
        outcome: 'timeout',
        le,
      })
    // Cumulative buckets: none at or under 25 ms, the one call under 10 s and +Inf.
    expect([bucket('0.025'), bucket('10'), bucket('+Inf')]).toEqual([0, 1, 1])
    const handled = (action: string, outcome: string) =>
      s.value('switchboard_rpc_handle_duration_seconds_count', { service: 'calc', action, outcome })
    expect(handled('ok', 'success')).toBe(5)
    expect(handled('boom', 'failed')).toBe(2)
    expect(handled('hang', 'success')).toBe(2)
    // The request that timed out at its caller was refused when its turn came: its deadline had passed.
    expect(handled('hang', 'deadline_exceeded')).toBe(1)
    expect(handled('wait', 'cancelled')).toBe(1)
    expect(s.value('switchboard_rpc_in_flight', { service: 'calc' })).toBe(0)
    expect(s.value('switchboard_rpc_queued', { service: 'calc' })).toBe(0)
  })
})

describeRedis('prometheusMetrics() on Redis', () => {
  let server: RedisServer | undefined
  afterEach(async () => {
    await Promise.allSettled(buses.splice(0).map((bus) => bus.close()))
    await server?.stop()
  })

  it('counts a reconnect and shows the link up again', async () => {
    server = await RedisServer.start()
    const registry = new Registry()
    const bus = await busOn(server.url, prometheusMetrics({ registry }))
    const back = deferred<void>()
    bus.on('reconnected', () => back.resolve())
    await server.restart()
    await withTimeout(back.promise, 'reconnected', 15_000)
    const s = await scrape(registry)
    expect(s.value('switchboard_reconnects_total')).toBe(1)
    expect(s.value('switchboard_link_up')).toBe(1)
  })
})

describe('prometheusMetrics(): the cells kept for the last channel, action, outcome and instance', () => {
  it('count each event under its own labels when channels, actions, outcomes, instances and topics alternate', async () => {
    const registry = new Registry()
    const metrics = prometheusMetrics({ registry })
    for (let i = 0; i < 3; i++) {
      metrics.published('orders.eu', 1)
      metrics.published('news', 2)
      metrics.called('svc', 'get', 'success', 1)
      metrics.called('svc', 'put', 'success', 1)
      metrics.called('svc', 'get', 'timeout', 1)
      metrics.called('other_svc', 'get', 'success', 1)
      metrics.handled('svc', 'get', 'success', 1)
      metrics.handled('svc', 'get', 'failed', 1)
      metrics.consumed('orders', 'billing', 'acked', 1)
      metrics.consumed('orders', 'shipping', 'acked', 1)
      metrics.consumed('orders', 'billing', 'retried', 1)
    }
    metrics.load('svc', 'a', 3, 1)
    metrics.load('svc', 'b', 2, 0)
    metrics.load('svc', 'a', 5, 2)
    metrics.load('other_svc', 'a', 7, 0)
    const s = await scrape(registry)
    expect(s.value('switchboard_messages_published_total', { group: 'orders' })).toBe(3)
    expect(s.value('switchboard_messages_published_total', { group: 'news' })).toBe(6)
    const calls = (service: string, action: string, outcome: string) =>
      s.value('switchboard_rpc_request_duration_seconds_count', { service, action, outcome })
    expect([
      calls('svc', 'get', 'success'),
      calls('svc', 'put', 'success'),
      calls('svc', 'get', 'timeout'),
      calls('other_svc', 'get', 'success'),
    ]).toEqual([3, 3, 3, 3])
    const handled = (outcome: string) =>
      s.value('switchboard_rpc_handle_duration_seconds_count', { service: 'svc', action: 'get', outcome })
    expect([handled('success'), handled('failed')]).toEqual([3, 3])
    const consumed = (group: string, outcome: string) =>
      s.value('switchboard_durable_consumed_total', { topic: 'orders', group, outcome })
    expect([
      consumed('billing', 'acked'),
      consumed('shipping', 'acked'),
      consumed('billing', 'retried'),
    ]).toEqual([3, 3, 3])
    // Instance a's last figures, plus b's: 5 + 2 running, 2 + 0 queued; other_svc apart.
    expect(s.value('switchboard_rpc_in_flight', { service: 'svc' })).toBe(7)
    expect(s.value('switchboard_rpc_queued', { service: 'svc' })).toBe(2)
    expect(s.value('switchboard_rpc_in_flight', { service: 'other_svc' })).toBe(7)
  })
})
