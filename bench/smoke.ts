/**
 * The smoke benchmark (`npm run bench:smoke`): a few seconds, one process, for CI. It prints
 * figures and asserts nothing about time; only a crash fails it. It uses SWITCHBOARD_URL, else
 * its own redis-server, else only the embedded broker.
 */
import { connect, msgpackCodec } from '../src/index.js'
import { microsHistogram, percentiles, record } from './lib/histogram.js'
import { type Order, order } from './lib/payload.js'
import { type BenchRedis, startRedis } from './lib/redis-launcher.js'
import { micros, rate, table } from './lib/stats.js'
import { durablePublisher } from './roles/durable-clients.js'
import { type Publisher, publisher } from './roles/publish.js'

const PHASE_MS = 400

function opsPerSec(fn: () => void, ms: number): number {
  const end = performance.now() + ms
  let ops = 0
  const start = performance.now()
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) fn()
    ops += 1000
  }
  return (ops / (performance.now() - start)) * 1000
}

/** Waves of 1000 publishes, each awaited; the caller closes `pub`. */
async function publishRate(pub: Pick<Publisher, 'wave'>): Promise<number> {
  const warm = performance.now() + PHASE_MS / 4
  while (performance.now() < warm) await pub.wave(1000)
  let messages = 0
  const start = performance.now()
  while (performance.now() - start < PHASE_MS) {
    await pub.wave(1000)
    messages += 1000
  }
  return (messages / (performance.now() - start)) * 1000
}

/** Publisher and subscriber buses in this process: delivered messages per second. */
async function deliveredRate(url: string, count: number): Promise<number> {
  const sub = await connect<{ [c: string]: Order }>({ url })
  const pub = await connect<{ [c: string]: Order }>({ url })
  let received = 0
  let done!: () => void
  const all = new Promise<void>((resolve) => {
    done = resolve
  })
  await sub.subscribe('smoke:e2e', () => {
    if (++received === count) done()
  })
  const data = order()
  const start = performance.now()
  for (let sent = 0; sent < count; sent += 1000) {
    const wave: Promise<number>[] = []
    for (let i = 0; i < 1000; i++) wave.push(pub.publish('smoke:e2e', data))
    await Promise.all(wave)
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))])
  const elapsed = performance.now() - start
  await Promise.all([pub.close(), sub.close()])
  return (received / elapsed) * 1000
}

/** A service and a caller on two buses in this process, 16 requests in flight. */
async function rpcRate(url: string): Promise<{ reqPerSec: number; p50: number }> {
  const serving = await connect({ url })
  const calling = await connect({ url })
  const service = serving.service('smoke_echo')
  service.action('echo', (payload) => payload)
  await service.start()
  const caller = calling.caller('smoke_echo')
  const payload = order()
  await caller.request('echo', payload)
  const histogram = microsHistogram()
  let requests = 0
  const start = performance.now()
  const end = start + PHASE_MS * 1.5
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now()
      await caller.request('echo', payload)
      record(histogram, (performance.now() - t) * 1000)
      requests += 1
    }
  }
  await Promise.all(Array.from({ length: 16 }, loop))
  const elapsed = performance.now() - start
  await Promise.all([calling.close(), serving.close()])
  return { reqPerSec: (requests / elapsed) * 1000, p50: percentiles(histogram).p50 }
}

async function main(): Promise<void> {
  const started = performance.now()
  const rows: string[][] = [['measure', 'value']]
  const data = order()
  const bytes = msgpackCodec.encode(data)
  rows.push([
    'msgpack encode, 10-field object',
    `${rate(opsPerSec(() => msgpackCodec.encode(data), PHASE_MS))}/s`,
  ])
  rows.push([
    'msgpack decode, 10-field object',
    `${rate(opsPerSec(() => msgpackCodec.decode(bytes), PHASE_MS))}/s`,
  ])
  rows.push(['memory:// publish → handler', `${rate(await deliveredRate('memory://smoke', 100_000))} msgs/s`])

  let redis: BenchRedis | undefined
  try {
    redis = await startRedis()
  } catch (error) {
    rows.push(['redis', `skipped: ${(error as Error).message}`])
  }
  if (redis) {
    try {
      for (const impl of ['switchboard', 'switchboard-batch', 'node-redis-send']) {
        const pub = await publisher(impl, redis.url, 'smoke:publish')
        rows.push([`redis publish, ${impl}, 0 subscribers`, `${rate(await publishRate(pub))} msgs/s`])
        await pub.close()
      }
      for (const impl of ['switchboard', 'node-redis']) {
        const pub = await durablePublisher(impl, redis.url, `smoke-durable-${impl}`, 10_000)
        rows.push([`redis durable publish, ${impl}, waves of 1000`, `${rate(await publishRate(pub))} msgs/s`])
        await pub.drop()
        await pub.close()
      }
      rows.push([
        'redis publish → handler, one process',
        `${rate(await deliveredRate(redis.url, 50_000))} msgs/s`,
      ])
      const rpc = await rpcRate(redis.url)
      rows.push([
        'redis RPC echo, 16 in flight, one process',
        `${rate(rpc.reqPerSec)} req/s, p50 ${micros(rpc.p50)} µs`,
      ])
    } finally {
      await redis.stop()
    }
  }
  console.log(`switchboard smoke benchmark (prints only; node ${process.version})\n`)
  console.log(table(rows))
  console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`)
}

await main()
process.exit(0)
