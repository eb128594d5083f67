import { afterAll, beforeAll, expect, test } from 'vitest'
import { RedisTopicStore } from '../../src/durable/redis/redis-topic-store.js'
import { topicKeys } from '../../src/durable/topic-keys.js'
import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import { RawRedis } from '../helpers/raw-redis.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'

/** Long enough that an ack queued behind the read could not arrive while the test waits. */
const BLOCK_MS = 120_000

describeRedis('durable topics on Redis: acks sent with a read', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })

  test('go before a read that blocks, so they are not held behind it', async () => {
    const transport = new RedisTransport(server.url)
    await transport.connect()
    const raw = await RawRedis.open(server.port)
    const topic = uniq('acks')
    try {
      if (transport.streams.kind !== 'redis') throw new Error('a Redis transport keeps streams in Redis')
      const store = new RedisTopicStore(transport.streams.commands, topic, { kind: 'none' })
      await store.createGroup('billing')
      await store.add({ data: new TextEncoder().encode('"one"') })
      const reader = await store.openReader('billing', 'c1')
      const [entry] = await reader.read(10, 1000, [])
      expect(entry).toBeDefined()
      const pending = async () =>
        Number(((await raw.command('XPENDING', topicKeys(topic).stream, 'billing')) as unknown[])[0])
      expect(await pending()).toBe(1)
      // The stream is idle now: this read blocks for BLOCK_MS, and carries the ack of the entry.
      const blocked = reader.read(10, BLOCK_MS, entry ? [entry] : [])
      await until(async () => (await pending()) === 0, 'the ack to reach Redis while the read blocks', 10_000)
      await reader.close()
      await blocked.catch(() => {})
    } finally {
      raw.close()
      await transport.close()
    }
  })
})
