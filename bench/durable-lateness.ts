/**
 * How late scheduled entries arrive (issue 11 point 3): 100,000 entries scheduled with `at`
 * spread evenly over one minute, consumed by one group on another bus; lateness is the time the
 * handler runs minus the entry's due time. Prints p50/p99/max; asserts nothing. Standalone, its
 * own redis-server (or SWITCHBOARD_URL):
 *
 *   npx esbuild bench/durable-lateness.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=bench/results/durable-lateness.mjs && node bench/results/durable-lateness.mjs
 *   node bench/results/durable-lateness.mjs --entries 10000 --spread-ms 10000   # a quicker look
 *
 * (bench/results/ is ignored by git, and resolves the project's node_modules.)
 */
import { connect } from '../src/client/connect.js'
import { ConsoleLogger } from '../src/observe/console-logger.js'
import { startRedis } from './lib/redis-launcher.js'
import { ms, table } from './lib/stats.js'

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}

const entries = option('entries', 100_000)
const spreadMs = option('spread-ms', 60_000)
/** Time to schedule everything before the first entry is due. */
const leadMs = option('lead-ms', 20_000)

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

const redis = await startRedis()
const logger = new ConsoleLogger('warn')
const publisher = await connect({ url: redis.url, logger })
const consumerBus = await connect({ url: redis.url, logger })
try {
  const name = `lateness-${process.pid}`
  const lateness: number[] = []
  /** Split at the moment the mover added the entry to the stream (its id's time). */
  const toStream: number[] = []
  const toHandler: number[] = []
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    done = resolve
  })
  await consumerBus.topic<number>(name).consume(
    'bench',
    (dueMs, msg) => {
      const now = Date.now()
      lateness.push(now - dueMs)
      toStream.push(msg.timestamp - dueMs)
      toHandler.push(now - msg.timestamp)
      if (lateness.length === entries) done()
    },
    { concurrency: 100 },
  )
  const topic = publisher.topic<number>(name)
  const firstDue = Date.now() + leadMs
  const step = spreadMs / entries
  const scheduling = Date.now()
  for (let i = 0; i < entries; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, entries - i) }, (_, j) => {
        const at = Math.round(firstDue + (i + j) * step)
        return topic.publish(at, { at })
      }),
    )
  }
  const scheduledInMs = Date.now() - scheduling
  if (Date.now() > firstDue)
    console.warn(`scheduling took ${scheduledInMs} ms, past the lead: raise --lead-ms`)
  await finished
  const row = (label: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    return [
      label,
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 99)),
      ms(sorted.at(-1) ?? Number.NaN),
      String(sorted.filter((v) => v < 0).length),
    ]
  }
  console.log(
    `redis ${redis.version}: ${entries} entries due over ${spreadMs} ms (scheduled in ${scheduledInMs} ms)`,
  )
  console.log(
    table([
      ['lateness', 'p50', 'p99', 'max', 'early'],
      row('due → handler', lateness),
      row('due → in the stream', toStream),
      row('in the stream → handler', toHandler),
    ]),
  )
} finally {
  await Promise.all([publisher.close(), consumerBus.close()])
  await redis.stop()
}
