import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import type { RedisTransportOptions } from '../../src/transport/redis/redis-transport-options.js'
import { Inbox } from '../contract/inbox.js'
import { StatusLog } from './status-log.js'

/** Short reconnect delays, so that tests which restart a server do not wait long. */
export const FAST: RedisTransportOptions = {
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
  connectTimeoutMs: 2_000,
  closeTimeoutMs: 500,
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
