import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { RawRedis } from '../helpers/raw-redis.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { Buses, listenJson, publishRaw } from './harness.js'

/** PUBLISH commands the server has run so far. */
async function publishCount(raw: RawRedis): Promise<number> {
  const info = String(await raw.command('INFO', 'commandstats'))
  return Number(/cmdstat_publish:calls=(\d+)/.exec(info)?.[1] ?? 0)
}

describeRedis('batched responses on Redis (reply_batch)', () => {
  let server: RedisServer
  let raw: RawRedis
  beforeAll(async () => {
    server = await RedisServer.start()
    raw = await RawRedis.open(server.port)
  })
  afterAll(async () => {
    raw?.close()
    await server?.stop()
  })

  test("a tick's responses to one caller leave in fewer messages than requests, each answer to its own request", async () => {
    const buses = new Buses(server.url)
    try {
      const service = (await buses.connect()).service(uniq('batched'))
      service.action('double', (n: number) => n * 2)
      service.action('count', async (n: number, ctx) => {
        for (let i = 1; i <= n; i++) await ctx.progress(i)
        return 'done'
      })
      await service.start()
      const caller = (await buses.connect()).caller(service.name)
      await caller.request('double', 0) // discovery and the reply channel, before counting
      const before = await publishCount(raw)
      const inputs = Array.from({ length: 200 }, (_, i) => i)
      const answers = await Promise.all(inputs.map((n) => caller.request('double', n)))
      const published = (await publishCount(raw)) - before
      expect(answers).toEqual(inputs.map((n) => n * 2))
      // 200 requests, and their 200 responses in far fewer messages.
      expect(published).toBeLessThan(200 + 100)
      // A stream's progress and final responses keep their order, batched or not.
      const streams = await Promise.all(
        [3, 5, 4].map(async (n) => {
          const parts: unknown[] = []
          for await (const part of caller.stream('count', n)) parts.push(part)
          return parts
        }),
      )
      expect(streams).toEqual([
        [1, 2, 3, 'done'],
        [1, 2, 3, 4, 5, 'done'],
        [1, 2, 3, 4, 'done'],
      ])
    } finally {
      await buses.close()
    }
  })

  test('a caller that did not say reply_batch (Daebus) gets one response a message', async () => {
    const buses = new Buses(server.url)
    try {
      const bus = await buses.connect()
      const name = uniq('daebus')
      const service = bus.service(name)
      service.action('double', (n: number) => n * 2)
      await service.start()
      const replyTo = `caller:${uniq('py')}`
      const replies = await listenJson(bus, replyTo)
      for (let i = 0; i < 20; i++) {
        await publishRaw(bus, name, {
          action: 'double',
          payload: i,
          reply_to: replyTo,
          request_id: `r${i}`,
          service: name,
        })
      }
      await replies.take(20)
      expect(replies.items.every((item) => !Array.isArray(item))).toBe(true)
      expect(replies.items.map((item) => item.payload).sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 20 }, (_, i) => i * 2),
      )
    } finally {
      await buses.close()
    }
  })
})

describe('batched responses on the embedded broker', () => {
  test('every request gets its own answer', async () => {
    const buses = new Buses()
    try {
      const service = (await buses.connect()).service(uniq('batched'))
      service.action('double', (n: number) => n * 2)
      await service.start()
      const caller = (await buses.connect()).caller(service.name)
      const inputs = Array.from({ length: 100 }, (_, i) => i)
      expect(await Promise.all(inputs.map((n) => caller.request('double', n)))).toEqual(
        inputs.map((n) => n * 2),
      )
    } finally {
      await buses.close()
    }
  })
})
