import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { TopicMessage } from '../../src/durable/entry.js'
import { pythonWith, runPython } from '../helpers/python.js'
import { RedisServer, redisServerBinary } from '../helpers/redis-server.js'
import { collector, uniq, withTimeout } from '../helpers/wait.js'

/**
 * A redis-py service on a switchboard topic, written only from the README's "Entry format"
 * (test/python/topic_peer.py): its consumer group takes what switchboard published, and what it
 * XADDs reaches a switchboard consumer.
 */
const python = pythonWith(['redis', 'msgpack'], 'python3-redis python3-msgpack')

interface PythonEntry {
  id: string
  data: unknown
  headers: Record<string, string>
}

describe.skipIf(!python || !redisServerBinary)('durable topics with a redis-py peer', () => {
  let server: RedisServer
  let bus: Bus
  beforeAll(async () => {
    server = await RedisServer.start()
    bus = await connect({ url: server.url })
  })
  afterAll(async () => {
    await bus?.close()
    await server?.stop()
  })

  test('a redis-py consumer group takes every entry switchboard published, and acks them', async () => {
    const name = uniq('py-in')
    const topic = bus.topic<{ n: number; label: string; nested: { ok: boolean; list: number[] } }>(name)
    const published: string[] = []
    for (let n = 0; n < 150; n++) {
      const headers = n === 0 ? { traceparent: '00-abc-def-01' } : undefined
      published.push(
        await topic.publish({ n, label: `é-${n}`, nested: { ok: n % 2 === 0, list: [n, -n] } }, { headers }),
      )
    }
    const { code, stdout, stderr } = await runPython('topic_peer.py', [
      'consume',
      '127.0.0.1',
      String(server.port),
      name,
      'py-billing',
      '150',
    ]).exited
    expect(code, stderr).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines.pop()).toBe('done')
    const entries = lines.map((line) => JSON.parse(line) as PythonEntry)
    expect(entries.map((e) => e.id)).toEqual(published)
    expect(entries[7]?.data).toEqual({ n: 7, label: 'é-7', nested: { ok: false, list: [7, -7] } })
    expect(entries[0]?.headers).toEqual({ traceparent: '00-abc-def-01' })
    expect(entries[1]?.headers).toEqual({})
    const group = (await topic.info()).groups.find((g) => g.name === 'py-billing')
    expect(group).toMatchObject({ pending: 0, lag: 0 })
  })

  test('entries a redis-py producer XADDs reach a switchboard consumer', async () => {
    const name = uniq('py-out')
    const topic = bus.topic<{ n: number; from: string; tags: string[] }>(name)
    const got = collector<TopicMessage<{ n: number; from: string; tags: string[] }>>(40)
    const consumer = await topic.consume('billing', (_data, msg) => got.push(msg), { concurrency: 5 })
    const { code, stdout, stderr } = await runPython('topic_peer.py', [
      'publish',
      '127.0.0.1',
      String(server.port),
      name,
      '40',
    ]).exited
    expect(code, stderr).toBe(0)
    const ids = stdout.trim().split('\n')
    const messages = await withTimeout(got.done, '40 entries from redis-py', 15_000)
    await consumer.stop()
    expect(messages.map((m) => m.id).sort()).toEqual([...ids].sort())
    const third = messages.find((m) => m.id === ids[3])
    expect(third).toMatchObject({
      data: { n: 3, from: 'python', tags: ['a', 'b'] },
      attempt: 1,
      headers: { source: 'redis-py' },
      timestamp: Number.parseInt(ids[3] ?? '', 10),
    })
    expect((await topic.info()).groups.find((g) => g.name === 'billing')?.pending).toBe(0)
  })
})
