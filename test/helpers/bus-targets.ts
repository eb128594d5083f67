import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { ConnectOptions } from '../../src/client/connect-options.js'
import { RedisServer, redisServerBinary } from './redis-server.js'
import { uniq } from './wait.js'

/**
 * The brokers bus-level tests run against: a fresh embedded broker, and a disposable
 * redis-server (skipped, loudly, where redis-server is missing).
 */
export interface BusTarget {
  name: 'memory' | 'redis'
  available: boolean
  /** Starts what the target needs; returns the URL to connect to. */
  setup(): Promise<string>
  teardown(): Promise<void>
}

export function busTargets(): BusTarget[] {
  let server: RedisServer | undefined
  return [
    {
      name: 'memory',
      available: true,
      setup: async () => `memory://${uniq('broker')}`,
      teardown: async () => {},
    },
    {
      name: 'redis',
      available: redisServerBinary !== undefined,
      setup: async () => {
        server = await RedisServer.start()
        return server.url
      },
      teardown: async () => {
        await server?.stop()
      },
    },
  ]
}

/** Connects buses and closes them all after the test. */
export class BusPool {
  readonly #buses: Bus[] = []
  url = ''

  async connect<C extends object = Record<string, unknown>>(
    options: ConnectOptions<C> = {},
  ): Promise<Bus<C>> {
    const bus = await connect<C>({ url: this.url, ...options })
    this.#buses.push(bus as unknown as Bus)
    return bus
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.#buses.splice(0).map((bus) => bus.close()))
  }
}
