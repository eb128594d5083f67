import { afterAll, afterEach, beforeAll } from 'vitest'
import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import type { RedisTransportOptions } from '../../src/transport/redis/redis-transport-options.js'
import { Inbox } from '../contract/inbox.js'
import { RedisServer } from '../helpers/redis-server.js'
import { StatusLog } from './status-log.js'

/** Short reconnect delays, so that tests which restart a server do not wait long. */
export const FAST: RedisTransportOptions = {
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
  connectTimeoutMs: 2_000,
  closeTimeoutMs: 500,
}

/**
 * For fault tests: a link that goes silent is found dead after 1 s (commandTimeoutMs), and an
 * attempt that gets no answer is given up after 1 s (connectTimeoutMs), so that a case takes
 * seconds.
 */
export const QUICK_LIVENESS: RedisTransportOptions = {
  reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  commandTimeoutMs: 1_000,
  connectTimeoutMs: 1_000,
  closeTimeoutMs: 200,
}

export interface Fixture {
  t: RedisTransport
  inbox: Inbox
  statuses: StatusLog
}

/** A connected RedisTransport with its messages and statuses recorded. Close it in afterEach. */
export async function connectedTransport(
  url: string,
  options: RedisTransportOptions = FAST,
): Promise<Fixture> {
  const t = new RedisTransport(url, options)
  const inbox = new Inbox()
  const statuses = new StatusLog()
  t.onMessage(inbox.sink)
  t.onStatus(statuses.sink)
  await t.connect()
  return { t, inbox, statuses }
}

/**
 * One redis-server for a describe block, and transports on it that are closed after each test.
 * Call inside describe(): it registers the hooks.
 */
export function serverWithTransports(): {
  readonly server: RedisServer
  readonly fixtures: Fixture[]
  open(url?: string, options?: RedisTransportOptions): Promise<Fixture>
} {
  let server: RedisServer | undefined
  const fixtures: Fixture[] = []
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.t.close()))
  })
  afterAll(async () => {
    await server?.stop()
  })
  const started = (): RedisServer => {
    if (!server) throw new Error('the server starts in beforeAll')
    return server
  }
  return {
    get server(): RedisServer {
      return started()
    },
    fixtures,
    async open(url, options = FAST) {
      const f = await connectedTransport(url ?? started().url, options)
      fixtures.push(f)
      return f
    },
  }
}
