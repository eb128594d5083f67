import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { collector, uniq, until, withTimeout } from '../helpers/wait.js'

/** How many times Redis ran `command` since the last CONFIG RESETSTAT. */
function calls(server: RedisServer, command: string): number {
  const line = server
    .cli('INFO', 'commandstats')
    .split('\n')
    .find((l) => l.startsWith(`cmdstat_${command}:`))
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0)
}

describeRedis('durable topics on Redis: the schedule', () => {
  let server: RedisServer
  const buses: Bus[] = []
  const bus = async () => {
    const made = await connect({ url: server.url, logger: new ConsoleLogger('error') })
    buses.push(made)
    return made
  }
  beforeAll(async () => {
    server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always'])
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()))
  })
  afterAll(async () => {
    await server?.stop()
  })

  test('schedules days ahead cost one look per poll for the whole topic, nothing per entry', async () => {
    const topic = (await bus()).topic<number>(uniq('t'), { schedulerPollMs: 200 })
    const threeDays = 3 * 24 * 3600_000
    await Promise.all(Array.from({ length: 2000 }, (_, i) => topic.publish(i, { delayMs: threeDays + i })))
    await topic.consume('g', () => {})
    server.cli('CONFIG', 'RESETSTAT')
    const since = Date.now()
    await until(() => Date.now() - since >= 1000, 'a second of waiting', 5000)
    const looks = calls(server, 'evalsha')
    // One mover step per poll (every 200 ms): about 5, however many entries wait.
    expect(looks).toBeGreaterThan(0)
    expect(looks).toBeLessThan(20)
    expect((await topic.info()).scheduled).toBe(2000)
  })

  test('the schedule lives in Redis: entries scheduled by a bus that closed are delivered by another', async () => {
    const name = uniq('t')
    const first = await bus()
    await first.topic<string>(name).publish('later', { delayMs: 300 })
    await first.close()
    const got = collector<string>(1)
    await (await bus()).topic<string>(name).consume('g', (d) => got.push(d))
    expect(await withTimeout(got.done, 'the entry scheduled before', 10_000)).toEqual(['later'])
  })

  test('a consumer keeps its place across a Redis restart: no gap, and the schedule survives', async () => {
    const name = uniq('t')
    const seen: number[] = []
    const consumerBus = await bus()
    await consumerBus.topic<number>(name).consume('g', (n) => void seen.push(n))
    const publisher = await bus()
    const topic = publisher.topic<number>(name)
    for (let i = 0; i < 10; i += 1) await topic.publish(i)
    await topic.publish(100, { delayMs: 1500 })
    await until(() => seen.length === 10, 'the first ten', 10_000)
    await server.restart()
    await until(
      async () => {
        try {
          await topic.publish(10)
          return true
        } catch {
          return false
        }
      },
      'publishing after the restart',
      20_000,
    )
    await until(() => seen.includes(10) && seen.includes(100), 'the entries after the restart', 20_000)
    expect(seen.filter((n) => n < 100).sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i))
  }, 60_000)
})
