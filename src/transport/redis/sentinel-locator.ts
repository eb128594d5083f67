import { ConnectionError } from '../../errors.js'
import type { HostPort, RedisUrl, SentinelUrl } from '../url.js'
import { explain } from './connection-error.js'
import { createNodeRedisClient, destroyQuietly } from './node-redis-client.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'

/**
 * Finds the current master through the Sentinels: SENTINEL GET-MASTER-ADDR-BY-NAME, asking each
 * Sentinel in turn until one answers. Called before every connection, so that a reconnection
 * after a failover goes to the new master.
 */
export function sentinelLocator(
  target: SentinelUrl,
  url: string,
  options: ResolvedRedisTransportOptions,
): () => Promise<RedisUrl> {
  return async () => {
    const failures: string[] = []
    for (const sentinel of target.sentinels) {
      try {
        const master = await askSentinel(sentinelAddress(sentinel, options), target.masterName, options)
        return {
          scheme: 'redis',
          tls: false,
          host: master.host,
          port: master.port,
          db: target.db,
          username: target.username,
          password: target.password,
        }
      } catch (error) {
        failures.push(`${sentinel.host}:${sentinel.port}: ${explain(error)}`)
      }
    }
    throw new ConnectionError(
      `no Sentinel of ${url} gave the address of master "${target.masterName}": ${failures.join('; ')}`,
      { url },
    )
  }
}

/** A Sentinel as a connection target, with the Sentinels' own password. */
export function sentinelAddress(sentinel: HostPort, options: ResolvedRedisTransportOptions): RedisUrl {
  return {
    scheme: 'redis',
    tls: false,
    host: sentinel.host,
    port: sentinel.port,
    db: 0,
    username: undefined,
    password: options.sentinelPassword === '' ? undefined : options.sentinelPassword,
  }
}

async function askSentinel(
  sentinel: RedisUrl,
  masterName: string,
  options: ResolvedRedisTransportOptions,
): Promise<HostPort> {
  const client = createNodeRedisClient(sentinel, options, 'watch')
  client.on('error', () => undefined)
  try {
    await client.connect()
    const reply = await client.sendCommand<[string, string] | null>(
      ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName],
      {
        // A Sentinel that accepts the connection and then hangs must not stall the reconnection.
        timeout: options.connectTimeoutMs,
      },
    )
    if (!reply) throw new Error(`it monitors no master named "${masterName}"`)
    return { host: reply[0], port: Number(reply[1]) }
  } finally {
    destroyQuietly(client)
  }
}

/**
 * Checks that a new connection reached the master: between a failover and the Sentinels'
 * notice of it, the address they give can be a replica's.
 */
/** A connection that can ask ROLE: node-redis's, or the subscriber's own. */
export interface RoleClient {
  sendCommand(args: string[]): Promise<unknown>
}

export async function assertMaster(client: RoleClient): Promise<void> {
  const reply = (await client.sendCommand(['ROLE'])) as unknown[]
  const role = String(reply[0])
  if (role !== 'master') throw new Error(`the server the Sentinels named is a ${role}, not the master`)
}
