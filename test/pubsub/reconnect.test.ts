import { execFileSync } from 'node:child_process'
import { afterEach, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ConnectionError, SlowConsumerError, type SwitchboardError } from '../../src/errors.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { collector, deferred, until, withTimeout } from '../helpers/wait.js'

describeRedis('Bus on Redis: reconnect and slow consumers', () => {
  let server: RedisServer | undefined
  const buses: Bus[] = []
  afterEach(async () => {
    await Promise.allSettled(buses.splice(0).map((b) => b.close()))
    await server?.stop()
  })

  async function open(url: string): Promise<Bus> {
    const bus = await connect({ url, retry: { initialDelayMs: 20, maxDelayMs: 200 } })
    buses.push(bus)
    return bus
  }

  it('reconnects after the server restarts, resubscribes, and emits disconnected then reconnected', async () => {
    server = await RedisServer.start()
    const bus = await open(server.url)
    const events: string[] = []
    bus.on('disconnected', () => events.push('disconnected'))
    const reconnected = deferred<void>()
    bus.on('reconnected', () => {
      events.push('reconnected')
      reconnected.resolve()
    })
    const seen = collector<string>(2)
    await bus.subscribe('after', (_d, msg) => seen.push(`channel:${msg.channel}`))
    await bus.subscribe('aft*', (_d, msg) => seen.push(`pattern:${msg.pattern}`))

    await server.restart()
    await withTimeout(reconnected.promise, 'reconnected', 15_000)
    expect(events).toEqual(['disconnected', 'reconnected'])

    const publisher = await open(server.url)
    expect(await publisher.publish('after', 'hello again')).toBe(2)
    expect((await withTimeout(seen.done, 'messages after reconnect')).sort()).toEqual([
      'channel:after',
      'pattern:aft*',
    ])
  })

  it('rejects a publish while disconnected with ConnectionError, without hanging', async () => {
    server = await RedisServer.start()
    const bus = await open(server.url)
    const down = deferred<void>()
    bus.on('disconnected', () => down.resolve())
    await server.kill()
    await withTimeout(down.promise, 'disconnected')
    await expect(withTimeout(bus.publish('x', 1), 'publish to settle')).rejects.toBeInstanceOf(
      ConnectionError,
    )
  })

  it('a paused server cannot make calls hang: past commandTimeoutMs the link is dropped and remade', async () => {
    server = await RedisServer.start()
    const bus = await connect({
      url: server.url,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      redis: { commandTimeoutMs: 300 },
    })
    buses.push(bus)
    const down = deferred<Error | undefined>()
    bus.on('disconnected', (error) => down.resolve(error))
    const reconnected = deferred<void>()
    bus.on('reconnected', () => reconnected.resolve())
    server.pause()
    try {
      // Sent while the server is stopped: it is answered by the probe's verdict, not never.
      await expect(
        withTimeout(bus.publish('paused', 1), 'the publish to settle', 10_000),
      ).rejects.toBeInstanceOf(ConnectionError)
      expect((await withTimeout(down.promise, 'disconnected'))?.message).toMatch(/PING unanswered/)
    } finally {
      server.resume()
    }
    await withTimeout(reconnected.promise, 'reconnected after the server resumed', 15_000)
    expect(await bus.publish('paused', 2)).toBe(0)
  })

  it('reports a slow-consumer drop as SlowConsumerError, then resubscribes', async () => {
    server = await RedisServer.start()
    server.cli('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1kb 1kb 0')
    const bus = await open(server.url)
    const errors: SwitchboardError[] = []
    bus.on('error', (e) => errors.push(e))
    const slow = deferred<SlowConsumerError>()
    bus.on('slow-consumer', (e) => slow.resolve(e))
    const reconnected = deferred<void>()
    bus.on('reconnected', () => reconnected.resolve())
    let stalled = false
    await bus.subscribe('flood', () => {
      if (stalled) return
      stalled = true
      // The handler blocks the event loop, so the subscriber socket goes unread while another
      // process floods the channel with far more than the socket buffers hold.
      execFileSync(
        'redis-cli',
        ['-p', String(server?.port), '-r', '5000', 'publish', 'flood', 'x'.repeat(4096)],
        {
          stdio: 'ignore',
        },
      )
    })
    const publisher = await open(server.url)
    await publisher.publish('flood', 'stall')
    await withTimeout(reconnected.promise, 'resubscription after the drop', 15_000)
    expect(errors.some((e) => e instanceof SlowConsumerError)).toBe(true)
    expect((await withTimeout(slow.promise, 'slow-consumer event')).message).toMatch(/read too slowly/)
    await until(async () => (await publisher.publish('flood', 'after')) === 1, 'resubscribed')
  })
})
