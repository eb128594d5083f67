import { connect } from '../../src/index.js'
import { BarePublisher } from '../lib/bare-resp.js'
import { connectIoredis, connectNodeRedis } from '../lib/clients.js'
import { observeOptions } from '../lib/observe.js'
import { type Order, order, rawPackr } from '../lib/payload.js'
import { type RateResult, timeWaves } from '../lib/timed-waves.js'

/** How a wave of publishes is sent, per implementation. */
export const PUBLISH_IMPLS = [
  'switchboard',
  'switchboard-batch',
  'node-redis',
  'node-redis-send',
  'node-redis-multi',
  'ioredis',
  'bare-resp',
] as const
export type PublishImpl = (typeof PUBLISH_IMPLS)[number]
export const RAW_PUBLISH_IMPLS: readonly PublishImpl[] = [
  'node-redis',
  'node-redis-send',
  'node-redis-multi',
  'ioredis',
]
/** References, not clients: shown, but never the "best raw" a row is compared with. */
export const REFERENCE_IMPLS: readonly string[] = ['bare-resp']

/** The raw node-redis publisher of the end-to-end and latency runs: its fastest single publish. */
export function fastest(impl: string): string {
  return impl === 'node-redis' ? 'node-redis-send' : impl
}

/** Sends `n` messages and resolves once Redis has answered them all. */
export type Wave = (n: number) => Promise<unknown>

export interface Publisher {
  /** `n` publishes of one message: switchboard encodes the object each time, raw clients send bytes encoded once. */
  wave: Wave
  /**
   * Makes `count` distinct messages for waveOf(): objects for switchboard (encoded in publish),
   * pre-encoded bytes for raw clients.
   */
  prepare(count: number, make: (i: number) => Order): void
  /** Publishes prepared messages `from` to `from + n`. */
  waveOf(from: number, n: number): Promise<unknown>
  /** One publish, not awaited by the caller: raw clients encode it here. */
  one(data: Order): Promise<unknown>
  close(): Promise<void>
}

type Send = (item: Order | Uint8Array) => Promise<unknown>

/** Builds the prepared-message half of a Publisher from its wave of single sends. */
function prepared(encode: boolean, send: Send): Pick<Publisher, 'prepare' | 'waveOf'> {
  let items: Array<Order | Uint8Array> = []
  return {
    prepare(count, make) {
      items = Array.from({ length: count }, (_, i) => (encode ? rawPackr.pack(make(i)) : make(i)))
    },
    waveOf(from, n) {
      const sent: Promise<unknown>[] = new Array(n)
      for (let i = 0; i < n; i++) sent[i] = send(items[from + i] as Order | Uint8Array)
      return Promise.all(sent)
    },
  }
}

export async function publisher(impl: string, url: string, channel: string): Promise<Publisher> {
  const data = order()
  const bytes = rawPackr.pack(data)
  switch (impl) {
    case 'switchboard':
    case 'switchboard-batch': {
      const bus = await connect<{ [channel: string]: Order }>({ url, ...observeOptions() })
      const wave: Wave =
        impl === 'switchboard'
          ? (n) => {
              const sent: Promise<number>[] = new Array(n)
              for (let i = 0; i < n; i++) sent[i] = bus.publish(channel, data)
              return Promise.all(sent)
            }
          : (n) => {
              const batch = bus.batch()
              for (let i = 0; i < n; i++) batch.publish(channel, data)
              return batch.exec()
            }
      const one = (item: Order): Promise<number> => bus.publish(channel, item)
      return { wave, ...prepared(false, one as Send), one, close: () => bus.close() }
    }
    case 'node-redis':
    case 'node-redis-send':
    case 'node-redis-multi': {
      const client = await connectNodeRedis(url)
      // publish() goes through node-redis's command parser; sendCommand() skips it.
      const send: Send =
        impl === 'node-redis'
          ? (item) => client.publish(channel, item as Buffer)
          : (item) => client.sendCommand(['PUBLISH', channel, item as Buffer])
      const wave: Wave =
        impl === 'node-redis-multi'
          ? (n) => {
              const multi = client.multi()
              for (let i = 0; i < n; i++) multi.publish(channel, bytes)
              return multi.execAsPipeline()
            }
          : (n) => {
              const sent: Promise<unknown>[] = new Array(n)
              for (let i = 0; i < n; i++) sent[i] = send(bytes)
              return Promise.all(sent)
            }
      return {
        wave,
        ...prepared(true, send),
        one: (item) => send(rawPackr.pack(item)),
        close: () => client.close(),
      }
    }
    case 'ioredis': {
      const client = await connectIoredis(url)
      const wave: Wave = (n) => {
        const pipeline = client.pipeline()
        for (let i = 0; i < n; i++) pipeline.publish(channel, bytes)
        return pipeline.exec()
      }
      const send: Send = (item) => client.publish(channel, item as Buffer)
      return {
        wave,
        ...prepared(true, send),
        one: (item) => send(rawPackr.pack(item)),
        close: async () => void (await client.quit()),
      }
    }
    case 'bare-resp': {
      // Encodes every message, as switchboard does, but writes a wave as one buffer.
      const bare = await BarePublisher.open(url, channel)
      let objects: Order[] = []
      return {
        wave: (n) => {
          const payloads: Uint8Array[] = new Array(n)
          for (let i = 0; i < n; i++) payloads[i] = rawPackr.pack(data)
          return bare.publish(payloads)
        },
        prepare: (count, make) => {
          objects = Array.from({ length: count }, (_, i) => make(i))
        },
        waveOf: (from, n) => {
          const payloads: Uint8Array[] = new Array(n)
          for (let i = 0; i < n; i++) payloads[i] = rawPackr.pack(objects[from + i])
          return bare.publish(payloads)
        },
        one: (item) => bare.publish([rawPackr.pack(item)]),
        close: async () => bare.close(),
      }
    }
    default:
      throw new Error(`unknown publish implementation ${impl}`)
  }
}

export interface PublishParams {
  url: string
  impl: string
  channel: string
  warmupMs: number
  durationMs: number
  wave: number
}

export type PublishResult = RateResult

/** Publishes waves of `wave` messages, each awaited, for durationMs after a warm-up. */
export async function publishRole(p: PublishParams): Promise<PublishResult> {
  const pub = await publisher(p.impl, p.url, p.channel)
  const result = await timeWaves(p.url, pub.wave, p.wave, p.warmupMs, p.durationMs)
  await pub.close()
  return result
}
