import { ConnectionError } from '../../errors.js'
import type { HostPort, RedisUrl, SentinelUrl } from '../url.js'
import { explain } from './connection-error.js'
import { withDeadline } from './deadline.js'
import { createNodeRedisClient, destroyQuietly } from './node-redis-client.js'
import type { ResolvedRedisTransportOptions } from './redis-transport-options.js'

/**
 * Finds the current master through the Sentinels: SENTINEL GET-MASTER-ADDR-BY-NAME, asking each
 * Sentinel in turn until one answers, each within connectTimeoutMs. Called before every
 * connection, so that a reconnection after a failover goes to the new master. The master is
 * reached over TLS when `tls` is given; the Sentinels, as `sentinelTls` says.
 */
export function sentinelLocator(
  target: SentinelUrl,
  url: string,
  options: ResolvedRedisTransportOptions,
): () => Promise<RedisUrl> {
  const tls = options.tls !== undefined
  return async () => {
    const failures: string[] = []
    for (const sentinel of target.sentinels) {
      try {
        const master = await askSentinel(sentinelAddress(sentinel, options), target.masterName, options)
        return {
          scheme: tls ? 'rediss' : 'redis',
          tls,
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
      `no Sentinel of ${url} gave the address of master "${target.masterName}" (${howAsked(options)}): ${failures.join('; ')}`,
      { url },
    )
  }
}

/** How the Sentinels were asked, and how to change it: a TLS mismatch shows only as a reset or a silence. */
function howAsked(options: ResolvedRedisTransportOptions): string {
  return options.sentinelTls === undefined
    ? 'asked in plain TCP; set redis.sentinelTls if the Sentinels serve TLS'
    : 'asked over TLS, as redis.sentinelTls says (it follows redis.tls unless given); set it to false if the Sentinels serve plain TCP'
}

/** A Sentinel as a connection target, with the Sentinels' own password and TLS. */
export function sentinelAddress(sentinel: HostPort, options: ResolvedRedisTransportOptions): RedisUrl {
  const tls = options.sentinelTls !== undefined
  return {
    scheme: tls ? 'rediss' : 'redis',
    tls,
    host: sentinel.host,
    port: sentinel.port,
    db: 0,
    username: undefined,
    password: options.sentinelPassword === '' ? undefined : options.sentinelPassword,
  }
}

/** The options a connection to a Sentinel is made with: the Sentinels' TLS settings. */
export function sentinelOptions(options: ResolvedRedisTransportOptions): ResolvedRedisTransportOptions {
  return { ...options, tls: options.sentinelTls }
}

async function askSentinel(
  sentinel: RedisUrl,
  masterName: string,
  options: ResolvedRedisTransportOptions,
): Promise<HostPort> {
  const client = createNodeRedisClient(sentinel, sentinelOptions(options), 'watch')
  client.on('error', () => undefined)
  const ms = options.connectTimeoutMs
  try {
    // A Sentinel that accepts the connection and then never answers (its handshake included)
    // must not stall the reconnection: the whole question has one deadline.
    const reply = await withDeadline(
      (async () => {
        await client.connect()
        return client.sendCommand<[string, string] | null>([
          'SENTINEL',
          'GET-MASTER-ADDR-BY-NAME',
          masterName,
        ])
      })(),
      ms,
      () => new Error(`no answer within connectTimeoutMs (${ms} ms)`),
      () => destroyQuietly(client),
    )
    if (!reply) throw new Error(`it monitors no master named "${masterName}"`)
    return { host: reply[0], port: Number(reply[1]) }
  } finally {
    destroyQuietly(client)
  }
}

/** A connection that can ask ROLE: node-redis's, or one of switchboard's own (subscriber, publish). */
export interface RoleClient {
  sendCommand(args: string[]): Promise<unknown>
}

/**
 * Checks that a new connection reached the master: between a failover and the Sentinels'
 * notice of it, the address they give can be a replica's.
 */
export async function assertMaster(client: RoleClient): Promise<void> {
  const reply = (await client.sendCommand(['ROLE'])) as unknown[]
  const role = String(reply[0])
  if (role !== 'master') throw new Error(`the server the Sentinels named is a ${role}, not the master`)
}
