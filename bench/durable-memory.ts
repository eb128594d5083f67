/**
 * Redis memory per retained entry of a durable topic (issue 11 point 4): N entries of a 10-field
 * object published through a topic, then MEMORY USAGE of the stream (every node sampled) and the
 * growth of INFO used_memory, each divided by N. Prints only; asserts nothing. Standalone:
 *
 *   npx esbuild bench/durable-memory.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=bench/results/durable-memory.mjs && node bench/results/durable-memory.mjs
 */
import { createClient } from 'redis'
import { connect } from '../src/client/connect.js'
import { jsonCodec } from '../src/codec/json.js'
import { msgpackCodec } from '../src/codec/msgpack.js'
import { startRedis } from './lib/redis-launcher.js'
import { table } from './lib/stats.js'

const entries = 100_000

/** The 10-field object of the issue: an order as a service would publish it. */
function order(i: number) {
  return {
    id: i,
    user: `user-${i % 5000}`,
    sku: `SKU-${(i * 7919) % 100_000}`,
    quantity: (i % 9) + 1,
    price: 19.99 + (i % 100),
    currency: 'EUR',
    status: 'created',
    createdAt: 1_764_000_000_000 + i,
    express: i % 3 === 0,
    note: 'leave at the door',
  }
}

const redis = await startRedis()
const raw = createClient({ url: redis.url })
await raw.connect()
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1])
try {
  const rows: string[][] = [['codec', 'payload bytes', 'MEMORY USAGE / entry', 'used_memory / entry']]
  for (const codec of ['msgpack', 'json'] as const) {
    const bus = await connect({ url: redis.url, codec })
    const topic = bus.topic(`memory-${codec}`)
    const before = await usedMemory()
    for (let i = 0; i < entries; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => topic.publish(order(i + j))))
    }
    const after = await usedMemory()
    const usage = Number(
      await raw.sendCommand(['MEMORY', 'USAGE', `topic:{memory-${codec}}`, 'SAMPLES', '0']),
    )
    const payload = (codec === 'msgpack' ? msgpackCodec : jsonCodec).encode(order(1)).byteLength
    rows.push([codec, String(payload), (usage / entries).toFixed(1), ((after - before) / entries).toFixed(1)])
    await bus.close()
  }
  console.log(`redis ${redis.version}: ${entries} entries per topic, no consumer group`)
  console.log(table(rows))
} finally {
  await raw.quit()
  await redis.stop()
}
