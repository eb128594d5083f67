import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { jsonCodec } from '../../src/codec/json.js'
import { rawCodec } from '../../src/codec/raw.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import type { Logger } from '../../src/observe/logger.js'
import { internalsOf } from '../../src/rpc/bus-internals.js'
import { deferred, uniq } from '../helpers/wait.js'

/** Buses on a fresh embedded broker (or `url`), closed together. */
export class Buses {
  readonly url: string
  readonly #buses: Bus[] = []

  constructor(url = `memory://${uniq('rpc')}`) {
    this.url = url
  }

  async connect(logger?: Logger): Promise<Bus> {
    // Quiet: tests provoke errors on purpose; what matters is asserted, not printed.
    const bus = await connect({ url: this.url, logger: logger ?? new ConsoleLogger('silent') })
    this.#buses.push(bus)
    return bus
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#buses.splice(0).map((bus) => bus.close()))
  }
}

/** Publishes a hand-written JSON envelope, as a Daebus peer (or a broken one) would. */
export function publishRaw(bus: Bus, channel: string, envelope: unknown): Promise<number> {
  const bytes = typeof envelope === 'string' ? Buffer.from(envelope, 'utf8') : jsonCodec.encode(envelope)
  return bus.publish(channel, bytes, { codec: rawCodec })
}

/** PUBSUB CHANNELS through the bus's broker commands, as callers discover instances. */
export function activeChannels(bus: Bus, pattern: string): Promise<string[]> {
  return internalsOf(bus, 'activeChannels needs a bus').broker.channels(pattern)
}

/** Subscribes to a channel with the json codec and collects what arrives. */
export async function listenJson<T = Record<string, unknown>>(bus: Bus, channel: string) {
  const items: T[] = []
  let waiter: { count: number; resolve: () => void } | undefined
  await bus.subscribe(
    channel,
    (data) => {
      items.push(data as T)
      if (waiter && items.length >= waiter.count) waiter.resolve()
    },
    { codec: jsonCodec, pattern: false },
  )
  return {
    items,
    /** Resolves once `count` messages have arrived in all. */
    async take(count: number, ms = 5000): Promise<T[]> {
      if (items.length < count) {
        const d = deferred()
        waiter = { count, resolve: () => d.resolve() }
        const timer = setTimeout(
          () => d.reject(new Error(`timed out waiting for ${count} messages on ${channel}`)),
          ms,
        )
        await d.promise.finally(() => clearTimeout(timer))
      }
      return items.slice(0, count)
    },
  }
}

/** A logger that keeps its records, to assert what was logged. */
export interface LogRecord {
  level: string
  msg: string | undefined
  obj: Record<string, unknown>
}

export function recordingLogger(
  records: LogRecord[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { records: LogRecord[] } {
  const write = (level: string) => (obj: object, msg?: string) => {
    records.push({ level, msg, obj: { ...bindings, ...obj } })
  }
  return {
    records,
    level: 'debug',
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => recordingLogger(records, { ...bindings, ...more }),
  }
}
