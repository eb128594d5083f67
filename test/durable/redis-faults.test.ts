import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { TopicMessage } from '../../src/durable/entry.js'
import { LUA_SCRIPTS } from '../../src/durable/lua/scripts.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, start } from '../helpers/run-cli.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'

describeRedis('durable topics on Redis: crashes and restarts', () => {
  let server: RedisServer
  let bundle: Bundle
  const buses: Bus[] = []
  const bus = async (url = server.url) => {
    const made = await connect({ url, logger: new ConsoleLogger('error') })
    buses.push(made)
    return made
  }
  beforeAll(async () => {
    ;[server, bundle] = await Promise.all([
      RedisServer.start(),
      bundleTs('test/durable/fixtures/stuck-consumer.ts'),
    ])
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()))
  })
  afterAll(async () => {
    bundle?.remove()
    await server?.stop()
  })

  test('a consumer SIGKILLed mid-handler: its entry goes to another consumer after claimIdleMs', async () => {
    const name = uniq('t')
    const child = start(bundle, [server.url, name, 'billing', '1000'], { timeoutMs: 60_000 })
    try {
      await child.waitFor('ready', 'stdout')
      const b = await bus()
      const topic = b.topic<string>(name)
      await topic.publish('order-1')
      await child.waitFor('handling order-1', 'stdout')
      child.kill('SIGKILL')
      await child.exited
      const got = deferred<TopicMessage<string>>()
      await topic.consume('billing', (_d, msg) => got.resolve(msg), { claimIdleMs: 1000 })
      const msg = await withTimeout(got.promise, 'the claimed entry', 20_000)
      expect(msg.data).toBe('order-1')
      expect(msg.attempt).toBe(2)
      await until(async () => (await topic.info()).groups[0]?.pending === 0, 'the ack', 10_000)
    } finally {
      child.kill('SIGKILL')
    }
  })

  test('100,000 entries over 3 consumers on 3 buses: each handled exactly once per group', async () => {
    const name = uniq('t')
    const total = 100_000
    const seen = new Uint8Array(total)
    let handled = 0
    const consumers = await Promise.all(
      [0, 1, 2].map(async () =>
        (await bus()).topic<number>(name).consume(
          'g',
          (n) => {
            seen[n] = (seen[n] ?? 0) + 1
            handled += 1
          },
          { concurrency: 100 },
        ),
      ),
    )
    const topic = (await bus()).topic<number>(name)
    for (let i = 0; i < total; i += 5000) {
      await Promise.all(Array.from({ length: 5000 }, (_, j) => topic.publish(i + j)))
    }
    await until(() => handled >= total, 'every entry handled', 120_000)
    await Promise.all(consumers.map((c) => c.stop()))
    expect(handled).toBe(total)
    expect(seen.every((times) => times === 1)).toBe(true)
    const [group] = (await topic.info()).groups
    expect(group).toMatchObject({ pending: 0, lag: 0, consumers: 3 })
  }, 180_000)

  test('a consumer that was away resumes from its group position: nothing skipped, nothing repeated', async () => {
    const name = uniq('t')
    const first: number[] = []
    const a = await bus()
    const consumer = await a.topic<number>(name).consume('g', (n) => void first.push(n), { name: 'worker-1' })
    const topic = (await bus()).topic<number>(name)
    for (let i = 0; i < 10; i += 1) await topic.publish(i)
    await until(() => first.length === 10, 'the first ten', 10_000)
    await consumer.stop()
    for (let i = 10; i < 20; i += 1) await topic.publish(i)
    const second: number[] = []
    await (await bus()).topic<number>(name).consume('g', (n) => void second.push(n), { name: 'worker-1' })
    await until(() => second.length === 10, 'the next ten', 10_000)
    expect([...first, ...second]).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  test('the scripts are loaded again after SCRIPT FLUSH (NOSCRIPT)', async () => {
    const topic = (await bus()).topic<string>(uniq('t'))
    await topic.publish('a', { key: 'k1' })
    server.cli('SCRIPT', 'FLUSH')
    const id = await topic.publish('b', { key: 'k2' })
    expect(id).toMatch(/^\d+-\d+$/)
    // The call that met NOSCRIPT ran as EVAL, which cached the script again for the next EVALSHA.
    const sha = createHash('sha1').update(LUA_SCRIPTS.publishOnce.source).digest('hex')
    expect(server.cli('SCRIPT', 'EXISTS', sha)).toBe('1')
    expect(await topic.cancel('nothing')).toBe(false)
  })
})

describeRedis('durable topics: publish() resolves only once Redis has the entry', () => {
  test('appendfsync always: SIGKILL Redis mid-stream; after restart every resolved id is there and consumed', async () => {
    const server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always'])
    const buses: Bus[] = []
    try {
      const publisher = await connect({ url: server.url, logger: new ConsoleLogger('error') })
      buses.push(publisher)
      const name = uniq('t')
      const topic = publisher.topic<number>(name)
      const resolved: string[] = []
      let i = 0
      const stream = (async () => {
        for (;;) {
          const batch = Array.from({ length: 50 }, () => topic.publish(i++).then((id) => resolved.push(id)))
          const outcomes = await Promise.allSettled(batch)
          if (outcomes.some((o) => o.status === 'rejected')) return
        }
      })()
      await until(() => resolved.length >= 2000, 'publishes before the crash', 30_000)
      await server.kill()
      await withTimeout(stream, 'the publishes to fail', 30_000)
      const before = resolved.length
      await server.restart()
      const reader = await connect({ url: server.url, logger: new ConsoleLogger('error') })
      buses.push(reader)
      const consumed = new Set<string>()
      await reader
        .topic<number>(name)
        .consume('g', (_n, msg) => void consumed.add(msg.id), { concurrency: 100 })
      await until(() => resolved.every((id) => consumed.has(id)), 'every resolved id consumed', 60_000)
      expect(resolved.length).toBe(before)
      expect(before).toBeGreaterThanOrEqual(2000)
    } finally {
      await Promise.all(buses.map((b) => b.close()))
      await server.stop()
    }
  }, 120_000)
})
