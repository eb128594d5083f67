import { describe, expect, test } from 'vitest'
import type { TopicMessage } from '../../src/durable/entry.js'
import { pythonWith, runPython } from '../helpers/python.js'
import { useRedisBus } from '../helpers/redis-bus.js'
import { redisServerBinary } from '../helpers/redis-server.js'
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
  const redis = useRedisBus()

  /** Runs test/python/topic_peer.py <mode> against the server; resolves to its stdout lines. */
  async function peer(mode: string, topic: string, ...args: string[]): Promise<string[]> {
    const port = String(redis.server.port)
    const { code, stdout, stderr } = await runPython('topic_peer.py', [
      mode,
      '127.0.0.1',
      port,
      topic,
      ...args,
    ]).exited
    expect(code, stderr).toBe(0)
    return stdout.trim().split('\n')
  }

  test('a redis-py consumer group takes every entry switchboard published, and acks them', async () => {
    const name = uniq('py-in')
    const topic = redis.bus.topic<{ n: number; label: string; nested: { ok: boolean; list: number[] } }>(name)
    const published: string[] = []
    for (let n = 0; n < 150; n++) {
      const headers = n === 0 ? { traceparent: '00-abc-def-01' } : undefined
      published.push(
        await topic.publish({ n, label: `é-${n}`, nested: { ok: n % 2 === 0, list: [n, -n] } }, { headers }),
      )
    }
    const lines = await peer('consume', name, 'py-billing', '150')
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
    const topic = redis.bus.topic<{ n: number; from: string; tags: string[] }>(name)
    const got = collector<TopicMessage<{ n: number; from: string; tags: string[] }>>(40)
    const consumer = await topic.consume('billing', (_data, msg) => got.push(msg), { concurrency: 5 })
    const ids = await peer('publish', name, '40')
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
