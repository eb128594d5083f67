import { RESP_TYPES } from 'redis'
import { connect } from '../../src/index.js'
import { connectNodeRedis } from '../lib/clients.js'
import { observeOptions } from '../lib/observe.js'
import { type Order, order, rawPackr } from '../lib/payload.js'

/**
 * The three durable clients side by side: switchboard's durable topics (DESIGN.md "Durable
 * topics"), a hand-written node-redis Streams client, and BullMQ. Each publishes the 10-field
 * object and consumes it with acknowledgement.
 */
export const DURABLE_IMPLS = ['switchboard', 'node-redis', 'bullmq'] as const
export type DurableImpl = (typeof DURABLE_IMPLS)[number]

/** The field in which a raw entry carries its msgpack bytes. */
const RAW_FIELD = 'data'

async function switchboardTopic(url: string, name: string, maxLen: number) {
  const bus = await connect({ url, ...observeOptions() })
  return { bus, topic: bus.topic<Order>(name, { maxLen }) }
}

/** BullMQ connects with ioredis; its Worker needs maxRetriesPerRequest: null. */
function bullConnection(url: string) {
  const { hostname, port } = new URL(url)
  return { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null }
}

export interface DurablePublisher {
  /** Publishes `n` copies of the 10-field object and resolves once Redis has them all. */
  wave(n: number): Promise<unknown>
  /** Makes sure the consumer group exists before anything is published, so it gets every entry. */
  prepareGroup(group: string): Promise<void>
  /** Deletes what was published (outside the measured window); switchboard's keys are its own. */
  drop(): Promise<void>
  close(): Promise<void>
}

export async function durablePublisher(
  impl: string,
  url: string,
  name: string,
  maxLen: number,
): Promise<DurablePublisher> {
  const data = order()
  switch (impl) {
    case 'switchboard': {
      const { bus, topic } = await switchboardTopic(url, name, maxLen)
      return {
        wave: (n) => Promise.all(Array.from({ length: n }, () => topic.publish(data))),
        // A group made on the empty topic starts before every entry, wherever consume() starts new groups.
        prepareGroup: async (group) => {
          const consumer = await topic.consume(group, async () => undefined, { concurrency: 1 })
          await consumer.stop()
        },
        drop: async () => undefined,
        close: () => bus.close(),
      }
    }
    case 'node-redis': {
      const client = await connectNodeRedis(url)
      const bytes = rawPackr.pack(data)
      const xadd = () =>
        client.sendCommand(['XADD', name, 'MAXLEN', '~', String(maxLen), '*', RAW_FIELD, bytes])
      return {
        // Commands issued in one tick go out in one write: node-redis pipelines them.
        wave: (n) => Promise.all(Array.from({ length: n }, xadd)),
        prepareGroup: async (group) =>
          void (await client.sendCommand(['XGROUP', 'CREATE', name, group, '$', 'MKSTREAM'])),
        drop: async () => void (await client.del(name)),
        close: () => client.close(),
      }
    }
    case 'bullmq': {
      const { Queue } = await import('bullmq')
      const queue = new Queue<Order>(name, { connection: bullConnection(url) })
      await queue.waitUntilReady()
      // removeOnComplete, as users set it so that finished jobs do not pile up: the ack deletes the job.
      const job = () => ({ name: 'order', data, opts: { removeOnComplete: true } })
      return {
        wave: (n) => queue.addBulk(Array.from({ length: n }, job)),
        prepareGroup: async () => undefined,
        drop: () => queue.obliterate({ force: true }),
        close: () => queue.close(),
      }
    }
    default:
      throw new Error(`unknown durable implementation ${impl}`)
  }
}

export interface DurableConsumer {
  /** Starts reading; `handled` is called as each entry's handler returns. */
  start(handled: (data: Order) => void): void
  /** Stops reading, finishes and acknowledges in-flight work; resolves to the entries left unacknowledged. */
  stop(): Promise<number>
  drop(): Promise<void>
  close(): Promise<void>
}

/** XREADGROUP COUNT `batch`, the batch's handlers together, then XACK sent with the next read. */
async function rawConsumer(
  url: string,
  name: string,
  group: string,
  batch: number,
): Promise<DurableConsumer> {
  const connection = await connectNodeRedis(url)
  const client = connection.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
  let running = true
  let loop: Promise<void> = Promise.resolve()
  type Entry = [Buffer, Buffer[]]
  const read = ['XREADGROUP', 'GROUP', group, 'bench', 'COUNT', String(batch), 'BLOCK', '100']
  read.push('STREAMS', name, '>')
  const run = async (handled: (data: Order) => void): Promise<void> => {
    let ack: Promise<unknown> = Promise.resolve()
    while (running) {
      const [reply] = await Promise.all([
        client.sendCommand(read) as Promise<Record<string, Entry[]> | null>,
        ack,
      ])
      // node-redis turns the reply into an object keyed by stream name.
      const entries = reply?.[name] ?? []
      await Promise.all(
        entries.map(async ([, fields]) => handled(rawPackr.unpack(fields[1] as Buffer) as Order)),
      )
      if (entries.length > 0) ack = client.sendCommand(['XACK', name, group, ...entries.map(([id]) => id)])
    }
    await ack
  }
  return {
    start: (handled) => {
      loop = run(handled)
    },
    stop: async () => {
      running = false
      await loop
      const [pending] = (await connection.sendCommand(['XPENDING', name, group])) as [number]
      return pending
    },
    drop: async () => void (await connection.del(name)),
    close: () => connection.close(),
  }
}

export async function durableConsumer(
  impl: string,
  url: string,
  name: string,
  group: string,
  concurrency: number,
  maxLen: number,
): Promise<DurableConsumer> {
  switch (impl) {
    case 'switchboard': {
      const { bus, topic } = await switchboardTopic(url, name, maxLen)
      let consumer: ReturnType<typeof topic.consume> | undefined
      return {
        start: (handled) => {
          consumer = topic.consume(group, async (data) => handled(data), { concurrency })
        },
        stop: async () => {
          await (await consumer)?.stop()
          return (await topic.info()).groups.find((g) => g.name === group)?.pending ?? Number.NaN
        },
        drop: async () => undefined,
        close: () => bus.close(),
      }
    }
    case 'node-redis':
      return rawConsumer(url, name, group, concurrency)
    case 'bullmq': {
      const { Queue, Worker } = await import('bullmq')
      let handled: (data: Order) => void = () => undefined
      let started = 0
      let completed = 0
      const worker = new Worker<Order>(name, async (job) => handled(job.data), {
        connection: bullConnection(url),
        concurrency,
        autorun: false,
      })
      worker.on('active', () => {
        started += 1
      })
      worker.on('completed', () => {
        completed += 1
      })
      worker.on('error', (error) => process.stderr.write(`bullmq worker: ${error.message}\n`))
      await worker.waitUntilReady()
      return {
        start: (onHandled) => {
          handled = onHandled
          void worker.run()
        },
        stop: async () => {
          await worker.close()
          return started - completed
        },
        drop: async () => {
          const queue = new Queue(name, { connection: bullConnection(url) })
          await queue.obliterate({ force: true })
          await queue.close()
        },
        close: async () => undefined,
      }
    }
    default:
      throw new Error(`unknown durable implementation ${impl}`)
  }
}
